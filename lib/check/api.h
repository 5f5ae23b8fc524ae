// The judge behind `vfpath check` and the NUMA warnings of `vfpath run`: it looks at the same
// config::Plan that `run` executes and at the host (topology/, sriov/), and returns findings.
// Pure functions of their inputs: read the host once (read_host_view), then judge. No DPDK.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/plan.h"
#include "sriov/api.h"
#include "topology/api.h"

namespace vfpath::check {

enum class Severity : uint8_t { info, warning, error };
std::string_view to_string(Severity s);

struct Finding {
    Severity severity = Severity::info;
    std::string port;     // config port name; "" for host-wide findings
    std::string check;    // short id: "numa.lcore", "iommu.group", "drift.vlan", ...
    std::string message;  // what is wrong, where, what it costs, how to fix
};

// Everything the checks read from the host, read once.
struct HostView {
    topology::HostRoot root;
    config::HostFacts cpus;  // online CPUs and their nodes
    std::vector<topology::NodeInfo> nodes;
    topology::CpuIsolation isolation;
    std::optional<std::vector<unsigned>> affinity;  // this process's CPUs (container limits)
    topology::CgroupLimits cgroup;                  // cpuset and hugetlb limits
    sriov::VfioStatus vfio;
    std::vector<sriov::PciDevice> pfs;  // SR-IOV PFs
    std::vector<sriov::PciDevice> vfs;  // their VFs
    std::map<int, std::vector<sriov::GroupMember>> groups;  // IOMMU groups of pfs and vfs
};
HostView read_host_view(const topology::HostRoot& root);

// What one config port is on this host (vdevs: pci = false and nothing else).
struct PortView {
    bool pci = false;
    topology::PciLocality locality;
    std::optional<sriov::PciDevice> device;  // nullopt: no such PCI device here
    std::string pf_driver;                   // a VF's PF driver
    std::string pf_netdev;                   // a VF's PF's netdev; "": not kernel-driven
    std::vector<sriov::GroupMember> group;   // its IOMMU group, itself included
};
std::vector<PortView> read_port_views(const topology::HostRoot& root, const config::Config& cfg);

// Host preflight (no config needed): vfio-pci, IOMMU / no-IOMMU mode, VFs on vfio-pci in groups
// that vfio cannot open, PFs on vfio-pci (vf_token), devices with numa_node -1, hugepages,
// CPU isolation.
std::vector<Finding> check_host(const HostView& host);

// One row of the NUMA table: a port, its device's node and what serves it.
struct NumaRow {
    std::string port, device;
    std::optional<int> device_node;  // nullopt: unknown (vdev without socket:, numa_node -1)
    int plan_socket = 0;             // where the plan put its pool
    std::vector<std::pair<unsigned, int>> lcores;  // (lcore, node) polling its rx queues
    std::string pool;
    long free_hugepages_kb = -1;  // on the pool's node; -1 unknown
};
struct NumaReport {
    std::vector<NumaRow> rows;
    std::vector<Finding> findings;
};
// NUMA alignment of the plan: per port, the device's node against the nodes of the lcores that
// poll it and of the pool that serves it, free hugepages there, lcores online / in this
// process's affinity / isolated. Under `numa: strict` every misplacement is an error.
NumaReport check_numa(const config::Config& cfg, const config::Plan& plan, const HostView& host,
                      const std::vector<PortView>& ports);

// The ports' devices: present, on a driver DPDK can use (vfio-pci, or mlx5_core: bifurcated), an
// IOMMU group vfio can open, the vf_token a VF of a vfio-pci PF needs.
std::vector<Finding> check_ports(const config::Config& cfg, const HostView& host,
                                 const std::vector<PortView>& ports);

// Policy drift: each port's `vf:` (config) against what its PF reports over rtnetlink.
std::vector<Finding> check_drift(const config::Config& cfg, const std::vector<PortView>& ports,
                                 sriov::VfAttrSource& source);

// A corrected placement: every port's queues polled by lcores on its device's node, taken from
// this process's affinity (a container's CPU set), isolated CPUs first.
struct Suggestion {
    unsigned main_lcore = 0;
    std::vector<unsigned> lcores;  // EAL lcores, main included
    std::vector<config::WorkerConfig> workers;
    std::vector<std::string> notes;  // what could not be made local, and why
    std::string error;  // set when there is no placement at all (fewer than two usable CPUs)
};
Suggestion suggest(const config::Config& cfg, const config::Plan& plan, const HostView& host,
                   const std::vector<PortView>& ports);

bool has_errors(const std::vector<Finding>& f);

// ---- Output (format.cpp, suggest_yaml.cpp) ------------------------------------------------

// The NUMA table and the findings as `check` prints them.
std::string format_numa(const NumaReport& r);
std::string format_findings(const std::vector<Finding>& f);
// {"ok":bool,"config":...,"findings":[{"severity","port","check","message"}],"numa":[...]}
std::string report_json(const std::string& config, const std::vector<Finding>& f,
                        const std::vector<NumaRow>& rows);
// The config's YAML with eal.lcores, eal.main_lcore and workers replaced by the suggestion, and
// a PCI port's `socket:` that contradicts its device corrected. Comments say what and why.
Result<std::string> suggest_yaml(std::string_view config_text, const config::Config& cfg,
                                 const Suggestion& s, const std::vector<PortView>& ports);

}  // namespace vfpath::check
