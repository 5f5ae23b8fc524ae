// NUMA nodes with their hugepages, CPU isolation, process affinity and PCI locality, read from a
// sysfs/procfs tree (HostRoot). Nothing here throws on bad content: garbage reads as unknown.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "topology/api.h"
#include "util/file.h"

namespace vfpath::topology {

namespace fs = std::filesystem;

namespace {

std::vector<unsigned> cpu_list_or_empty(const std::optional<std::string>& s) {
    if (!s || s->empty()) return {};
    auto l = config::parse_cpu_list(*s);
    return l ? *l : std::vector<unsigned>{};
}

// The value of `key=` on the kernel command line. isolcpus may carry flags first
// ("isolcpus=nohz,domain,2-3"): the CPU list is the last comma-separated part that parses.
std::vector<unsigned> cmdline_cpus(const std::string& cmdline, std::string_view key) {
    std::istringstream words(cmdline);
    std::string w;
    while (words >> w) {
        if (w.rfind(std::string(key) + "=", 0) != 0) continue;
        std::string v = w.substr(key.size() + 1);
        while (!v.empty()) {
            if (auto l = config::parse_cpu_list(v)) return *l;
            const size_t comma = v.find(',');
            if (comma == std::string::npos) break;
            v = v.substr(comma + 1);  // drop a flag word ("domain", "managed_irq", "nohz")
        }
    }
    return {};
}

}  // namespace

bool HostRoot::live() const {
    std::error_code ec;
    return fs::equivalent(dir, "/", ec);
}

std::vector<NodeInfo> read_nodes(const std::string& sys_root) {
    std::map<int, NodeInfo> nodes;
    std::error_code ec;
    const fs::path base = fs::path(sys_root) / "devices/system/node";
    for (const auto& e : fs::directory_iterator(base, ec)) {
        const auto id = suffix_number(e.path().filename().string(), "node");
        if (!id) continue;
        NodeInfo n;
        n.id = *id;
        n.cpus = cpu_list_or_empty(read_first_line(e.path() / "cpulist"));
        if (!n.cpus.empty()) {
            const fs::path pkg = fs::path(sys_root) / "devices/system/cpu" /
                                 ("cpu" + std::to_string(n.cpus.front())) /
                                 "topology/physical_package_id";
            if (auto v = read_first_line(pkg)) n.package = parse_number<int>(*v);
        }
        std::error_code ec2;
        for (const auto& h : fs::directory_iterator(e.path() / "hugepages", ec2)) {
            const std::string name = h.path().filename().string();  // hugepages-2048kB
            if (name.rfind("hugepages-", 0) != 0 || name.size() < 13 ||
                name.substr(name.size() - 2) != "kB")
                continue;
            const auto kb = parse_number<long>(std::string_view(name).substr(10, name.size() - 12));
            if (!kb || *kb <= 0) continue;
            Hugepages hp;
            hp.size_kb = static_cast<unsigned long>(*kb);
            if (auto v = read_first_line(h.path() / "nr_hugepages"))
                hp.total = parse_number<long>(*v).value_or(0);
            if (auto v = read_first_line(h.path() / "free_hugepages"))
                hp.free = parse_number<long>(*v).value_or(0);
            n.hugepages.push_back(hp);
        }
        std::sort(n.hugepages.begin(), n.hugepages.end(),
                  [](const Hugepages& a, const Hugepages& b) { return a.size_kb < b.size_kb; });
        nodes[n.id] = std::move(n);
    }
    std::vector<NodeInfo> out;
    for (auto& [id, n] : nodes) out.push_back(std::move(n));
    return out;
}

CpuIsolation read_isolation(const HostRoot& root) {
    CpuIsolation iso;
    const fs::path cpu = root.sys() / "devices/system/cpu";
    const auto isolated = read_first_line(cpu / "isolated");
    const auto nohz = read_first_line(cpu / "nohz_full");
    if (isolated || nohz) {
        iso.isolated = cpu_list_or_empty(isolated);
        // The kernel prints "(null)" in nohz_full when the feature is compiled in but unused.
        if (nohz && *nohz != "(null)") iso.nohz_full = cpu_list_or_empty(nohz);
        iso.source = (cpu / (isolated ? "isolated" : "nohz_full")).string();
    }
    if (iso.isolated.empty() && iso.nohz_full.empty()) {
        if (auto cmdline = read_first_line(root.proc() / "cmdline")) {
            iso.isolated = cmdline_cpus(*cmdline, "isolcpus");
            iso.nohz_full = cmdline_cpus(*cmdline, "nohz_full");
            if (!iso.isolated.empty() || !iso.nohz_full.empty())
                iso.source = (root.proc() / "cmdline").string();
        }
    }
    return iso;
}

std::optional<std::vector<unsigned>> process_affinity(const HostRoot& root) {
    std::ifstream in(root.proc() / "self/status");
    std::string line;
    constexpr std::string_view key = "Cpus_allowed_list:";
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) != 0) continue;
        std::string v = line.substr(key.size());
        v.erase(std::remove_if(v.begin(), v.end(), [](char c) { return std::isspace(c); }),
                v.end());
        return config::parse_cpu_list(v);
    }
    return std::nullopt;
}

std::string full_bdf(std::string_view bdf) {
    std::string s(bdf);
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return std::tolower(c); });
    if (std::count(s.begin(), s.end(), ':') == 1) s = "0000:" + s;
    return s;
}

PciLocality pci_locality(const std::string& bdf, const std::string& sys_root) {
    PciLocality loc;
    const fs::path dev = fs::path(sys_root) / "bus/pci/devices" / full_bdf(bdf);
    std::error_code ec;
    loc.present = fs::is_directory(dev, ec);
    if (!loc.present) return loc;
    const auto v = read_first_line(dev / "numa_node");
    // Parsed as an int, so a number past its range is garbage (a cast from long once turned
    // numa_node "2147483648" into node -2147483648: found by fuzzing).
    const auto n = v ? parse_number<int>(*v) : std::nullopt;
    if (!v) {
        loc.problem = (dev / "numa_node").string() + ": missing";
    } else if (!n || *n < -1) {
        loc.problem =
            (dev / "numa_node").string() + ": expected a node number or -1, got \"" + *v + "\"";
    } else if (*n == -1) {
        loc.minus_one = true;
    } else {
        loc.node = *n;
    }
    loc.local_cpus = cpu_list_or_empty(read_first_line(dev / "local_cpulist"));
    return loc;
}

std::string format_cpu_list(const std::vector<unsigned>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(cpus[i]);
        if (j > i) {
            out += '-';
            out += std::to_string(cpus[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string format_page_size(unsigned long kb) {
    return kb >= 1048576 ? std::to_string(kb / 1048576) + " GiB"
                         : std::to_string(kb / 1024) + " MiB";
}

}  // namespace vfpath::topology
