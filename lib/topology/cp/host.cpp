// Reads CPUs, their NUMA nodes and PCI device nodes from a sysfs tree.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "topology/api.h"
#include "util/file.h"

namespace vfpath::topology {

config::HostFacts read_host(const std::string& sys_root) {
    namespace fs = std::filesystem;
    config::HostFacts host;
    const fs::path cpu_dir = fs::path(sys_root) / "devices/system/cpu";
    auto online = read_first_line(cpu_dir / "online");
    std::vector<unsigned> ids;
    if (online) {
        if (auto l = config::parse_cpu_list(*online)) ids = *l;
    }
    for (unsigned id : ids) host.cpus.push_back({id, 0});

    const fs::path node_dir = fs::path(sys_root) / "devices/system/node";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(node_dir, ec)) {
        // "node<N>"; anything else, or an N past int (std::stoi threw on "node99999999999",
        // ending `check` and `run` with an uncaught exception: found by fuzzing), is skipped.
        const auto node = suffix_number(e.path().filename().string(), "node");
        if (!node) continue;
        auto list = read_first_line(e.path() / "cpulist");
        if (!list || list->empty()) continue;  // memory-only node
        auto cpus = config::parse_cpu_list(*list);
        if (!cpus) continue;
        for (unsigned id : *cpus)
            for (auto& c : host.cpus)
                if (c.id == id) c.node = *node;
    }
    return host;
}

std::optional<int> pci_numa_node(const std::string& bdf, const std::string& sys_root) {
    std::string full = bdf;
    if (std::count(full.begin(), full.end(), ':') == 1) full = "0000:" + full;
    auto v =
        read_first_line(std::filesystem::path(sys_root) / "bus/pci/devices" / full / "numa_node");
    if (!v) return std::nullopt;
    try {
        const int n = std::stoi(*v);
        if (n < 0) return std::nullopt;
        return n;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace vfpath::topology
