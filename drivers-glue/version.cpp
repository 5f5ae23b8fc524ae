#include "drivers-glue/version.h"

#include <charconv>
#include <cstdio>
#include <string_view>

#include "drivers-glue/compat.h"

namespace vfpath::glue {

std::string dpdk_version_built() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%d.%02d.%d%s", RTE_VER_YEAR, RTE_VER_MONTH, RTE_VER_MINOR,
                  RTE_VER_SUFFIX);
    std::string v = buf;
    // A release candidate: "-rc" and its number (RTE_VER_RELEASE 16 is a release).
    if (RTE_VER_RELEASE < 16) v += std::to_string(RTE_VER_RELEASE);
    return v;
}

std::string dpdk_version_running() {
    std::string_view v = rte_version();
    if (v.substr(0, 5) == "DPDK ") v.remove_prefix(5);
    return std::string(v);
}

bool version_at_least(std::string_view version, unsigned year, unsigned month) {
    unsigned y = 0, m = 0;
    const char* end = version.data() + version.size();
    auto r = std::from_chars(version.data(), end, y);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return false;
    r = std::from_chars(r.ptr + 1, end, m);
    if (r.ec != std::errc()) return false;
    return y > year || (y == year && m >= month);
}

bool iavf_resets_itself(std::string_view version) {
    return version_at_least(version, 26, 7);
}

}  // namespace vfpath::glue
