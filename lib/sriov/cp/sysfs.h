// Internal to lib/sriov/cp: reading sysfs/procfs values without trusting them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace vfpath::sriov::detail {

namespace fs = std::filesystem;

// An integer value: an error "PATH: missing" or "PATH: expected <what>, got "x"" otherwise.
Result<long> read_number(const fs::path& p, std::string_view what = "an integer");
// The last component of a symlink's target ("iavf" for driver -> ../../drivers/iavf); "" when
// `p` is not a symlink.
std::string link_name(const fs::path& p);
bool present(const fs::path& p);

}  // namespace vfpath::sriov::detail
