// Host topology read from sysfs: online CPUs and their NUMA nodes, PCI device nodes.
// No DPDK headers. Every reader takes the sysfs root so tests run on fixture trees.
#pragma once

#include <optional>
#include <string>

#include "config/plan.h"

namespace vfpath::topology {

// Online CPUs (<root>/devices/system/cpu/online) and their nodes
// (<root>/devices/system/node/node*/cpulist; node 0 for all when the machine has no node dirs).
config::HostFacts read_host(const std::string& sys_root = "/sys");

// NUMA node of a PCI device (<root>/bus/pci/devices/<bdf>/numa_node); nullopt when the device is
// absent or the value is -1 (no affinity reported).
std::optional<int> pci_numa_node(const std::string& bdf, const std::string& sys_root = "/sys");

}  // namespace vfpath::topology
