// Host topology read from sysfs: online CPUs and their NUMA nodes, PCI device nodes.
// No DPDK headers. Every reader takes the sysfs root so tests run on fixture trees.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/plan.h"

namespace vfpath::topology {

// Online CPUs (<root>/devices/system/cpu/online) and their nodes
// (<root>/devices/system/node/node*/cpulist; node 0 for all when the machine has no node dirs).
config::HostFacts read_host(const std::string& sys_root = "/sys");

// NUMA node of a PCI device (<root>/bus/pci/devices/<bdf>/numa_node); nullopt when the device is
// absent or the value is -1 (no affinity reported).
std::optional<int> pci_numa_node(const std::string& bdf, const std::string& sys_root = "/sys");

// ---- The host as a whole (host.cpp, nodes.cpp) ---------------------------------------------

// Where the host's pseudo-filesystems are: `--root DIR` reads sysfs under DIR/sys and procfs under
// DIR/proc, so every host-facing command runs on a fixture tree as well as on "/".
struct HostRoot {
    std::filesystem::path dir = "/";
    std::filesystem::path sys_dir;  // set: sysfs is here instead of dir/sys (run's --sys-root)
    std::filesystem::path sys() const { return sys_dir.empty() ? dir / "sys" : sys_dir; }
    std::filesystem::path proc() const { return dir / "proc"; }
    // True for the real root: only then may rtnetlink (which talks to this kernel) be asked.
    bool live() const;
};

struct Hugepages {
    unsigned long size_kb = 0;  // 2048, 1048576
    long total = 0, free = 0;
};

struct NodeInfo {
    int id = 0;
    std::vector<unsigned> cpus;  // empty: a memory-only node
    std::optional<int> package;  // physical_package_id of its CPUs (AMD NPS/Intel SNC: shared)
    std::vector<Hugepages> hugepages;  // by page size, smallest first
};

// <sys>/devices/system/node/node*: CPUs, package, hugepages per size (hugepages-*/{nr,free}_...).
// Unreadable values count as 0; no node directory gives an empty list.
std::vector<NodeInfo> read_nodes(const std::string& sys_root);

// CPUs the kernel keeps quiet: isolated (isolcpus) and nohz_full, from
// <sys>/devices/system/cpu/{isolated,nohz_full}, else the isolcpus=/nohz_full= words of
// <proc>/cmdline.
struct CpuIsolation {
    std::vector<unsigned> isolated, nohz_full;
    std::string source;  // the file they came from, for messages
};
CpuIsolation read_isolation(const HostRoot& root);

// This process's CPU affinity (Cpus_allowed_list of <proc>/self/status): in a container with a
// CPU manager it is the set the container may use. nullopt when unreadable.
std::optional<std::vector<unsigned>> process_affinity(const HostRoot& root);

// Where a PCI device sits: its node as sysfs reports it (numa_node -1: no affinity reported by
// the platform, as in VMs and some single-socket BIOSes) and its local CPUs.
struct PciLocality {
    bool present = false;
    std::optional<int> node;      // nullopt: -1, absent or unreadable
    bool minus_one = false;       // numa_node reads -1
    std::string problem;          // unreadable/garbage numa_node: "PATH: expected ..., got ..."
    std::vector<unsigned> local_cpus;  // local_cpulist; empty when absent
};
PciLocality pci_locality(const std::string& bdf, const std::string& sys_root);

// ---- This process's cgroup (cgroup.cpp) ------------------------------------------------------

// What the cgroup allows: in a Kubernetes pod, the CPU manager's CPUs and the hugepage limits.
struct CgroupLimits {
    int version = 0;                               // 1, 2; 0: no cgroup hierarchy found
    std::optional<std::vector<unsigned>> cpus;     // cpuset.cpus.effective (v1: effective_cpus)
    std::string cpus_file;
    std::vector<config::HugepageLimit> hugetlb;    // per page size, smallest first
    std::vector<std::string> problems;             // unreadable values: "FILE: expected ..., got ..."
};
// Reads <proc>/self/cgroup and the cgroup files under <sys>/fs/cgroup.
CgroupLimits read_cgroup(const HostRoot& root);

// read_host(root.sys()) plus the cgroup's CPUs and hugepage limits (read_cgroup(root)).
config::HostFacts read_host(const HostRoot& root);
// The same with the cgroup already read, for callers that also want its problems or the rest of
// it: each command reads the cgroup once.
config::HostFacts read_host(const HostRoot& root, const CgroupLimits& cgroup);

// "3b:02.0" -> "0000:3b:02.0"; lower case. The input is returned unchanged when it is not a PCI
// address.
std::string full_bdf(std::string_view bdf);

// "0-3,8" from a sorted list (the inverse of config::parse_cpu_list).
std::string format_cpu_list(const std::vector<unsigned>& cpus);

// A hugepage size for people: 2048 -> "2 MiB", 1048576 -> "1 GiB" (whole units, rounded down).
std::string format_page_size(unsigned long kb);

}  // namespace vfpath::topology
