// Reading small text files such as sysfs and procfs values. Control path only.
#pragma once

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace vfpath {

// The first line of a file without trailing blanks; nullopt when it cannot be read.
inline std::optional<std::string> read_first_line(const std::filesystem::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    std::string s;
    std::getline(in, s);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

}  // namespace vfpath
