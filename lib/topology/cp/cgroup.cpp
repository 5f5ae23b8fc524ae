// This process's cgroup limits: the cpuset it may run on and its hugetlb limits. In a Kubernetes
// pod these are the CPU manager's grant and the hugepages-2Mi/1Gi limits.
//   cgroup v2 (one hierarchy, <sys>/fs/cgroup/cgroup.controllers exists): the "0::<path>" line of
//     <proc>/self/cgroup; files cpuset.cpus.effective and hugetlb.<size>.max ("max": no limit).
//   cgroup v1 (one mount per controller): the "<id>:cpuset:<path>" and "<id>:hugetlb:<path>"
//     lines; files cpuset/<path>/cpuset.effective_cpus and hugetlb/<path>/hugetlb.<size>.limit_in_bytes.
// A container usually sees its own cgroup as "/" (cgroup namespace); when the named directory is
// not visible, the hierarchy's root is used instead, which is then the container's own.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "topology/api.h"
#include "util/file.h"

namespace vfpath::topology {

namespace fs = std::filesystem;

namespace {

// v1 writes the page counter's maximum (PAGE_COUNTER_MAX pages, about 2^63 bytes) for "no
// limit"; anything this large is no limit.
constexpr uint64_t k_unlimited_v1 = uint64_t{1} << 62;

// "2MB" -> 2048, "1GB" -> 1048576 (the kernel's hugetlb_cgroup file names); 0 when not a size.
unsigned long size_kb(std::string_view s) {
    unsigned long v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || v == 0) return 0;
    const std::string_view unit(end, static_cast<size_t>(s.data() + s.size() - end));
    if (unit == "KB") return v;
    if (unit == "MB") return v << 10;
    if (unit == "GB") return v << 20;
    return 0;
}

// The cgroup path of `controller` ("" for the v2 line) from <proc>/self/cgroup; "/" when absent.
std::string cgroup_path(const fs::path& proc, std::string_view controller) {
    std::ifstream in(proc / "self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        const size_t a = line.find(':');
        const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        const std::string list = line.substr(a + 1, b - a - 1);
        std::istringstream names(list);
        std::string name;
        bool hit = controller.empty() && list.empty();
        while (!hit && std::getline(names, name, ',')) hit = name == controller;
        if (hit) return line.substr(b + 1);
    }
    return "/";
}

// <base>/<path> when it exists, else <base> (a cgroup namespace hides the host's path).
fs::path cgroup_dir(const fs::path& base, const std::string& path) {
    std::error_code ec;
    const fs::path full = base / fs::path(path).relative_path();
    return fs::is_directory(full, ec) ? full : base;
}

void read_cpus(const fs::path& file, CgroupLimits& out) {
    const auto text = read_first_line(file);
    if (!text) return;
    // An empty cpuset.cpus.effective cannot run anything: the controller is not enabled there.
    if (text->empty()) return;
    if (auto cpus = config::parse_cpu_list(*text)) {
        out.cpus = std::move(*cpus);
        out.cpus_file = file.string();
    } else {
        out.problems.push_back(file.string() + ": expected a CPU list, got \"" + *text + "\"");
    }
}

// hugetlb.<size>.<suffix> files of `dir`, smallest page first.
void read_hugetlb(const fs::path& dir, std::string_view suffix, bool v1, CgroupLimits& out) {
    std::error_code ec;
    std::vector<config::HugepageLimit> found;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        std::string tail = ".";  // built piecewise: GCC 12 -Wrestrict false positive on "." + s
        tail += suffix;
        if (name.rfind("hugetlb.", 0) != 0 || name.size() <= 8 + tail.size() ||
            name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::string size = name.substr(8, name.size() - 8 - tail.size());
        // "hugetlb.2MB.rsvd.max" and the like are other knobs.
        const unsigned long kb = size_kb(size);
        if (kb == 0) continue;
        const auto text = read_first_line(e.path());
        config::HugepageLimit l{kb, std::nullopt, e.path().string()};
        if (!text) continue;
        if (*text == "max") {
            // no limit
        } else if (const auto v = parse_number<uint64_t>(*text)) {
            if (!(v1 && *v >= k_unlimited_v1)) l.bytes = *v;
        } else {
            out.problems.push_back(e.path().string() + ": expected a byte count or \"max\", got \"" +
                                   *text + "\"");
            continue;
        }
        found.push_back(std::move(l));
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.page_kb < b.page_kb; });
    out.hugetlb = std::move(found);
}

}  // namespace

CgroupLimits read_cgroup(const HostRoot& root) {
    CgroupLimits out;
    const fs::path base = root.sys() / "fs/cgroup";
    std::error_code ec;
    if (fs::exists(base / "cgroup.controllers", ec)) {
        out.version = 2;
        const fs::path dir = cgroup_dir(base, cgroup_path(root.proc(), ""));
        read_cpus(dir / "cpuset.cpus.effective", out);
        read_hugetlb(dir, "max", false, out);
        return out;
    }
    if (!fs::is_directory(base / "cpuset", ec) && !fs::is_directory(base / "hugetlb", ec))
        return out;
    out.version = 1;
    read_cpus(cgroup_dir(base / "cpuset", cgroup_path(root.proc(), "cpuset")) /
                  "cpuset.effective_cpus",
              out);
    read_hugetlb(cgroup_dir(base / "hugetlb", cgroup_path(root.proc(), "hugetlb")),
                 "limit_in_bytes", true, out);
    return out;
}

config::HostFacts read_host(const HostRoot& root) { return read_host(root, read_cgroup(root)); }

config::HostFacts read_host(const HostRoot& root, const CgroupLimits& cgroup) {
    config::HostFacts host = read_host(root.sys().string());
    host.cgroup_cpus = cgroup.cpus;
    host.cgroup_cpus_source = cgroup.cpus_file;
    host.hugepage_limits = cgroup.hugetlb;
    return host;
}

}  // namespace vfpath::topology
