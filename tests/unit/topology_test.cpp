// Topology readers on fixture sysfs trees.
#include <gtest/gtest.h>

#include "topology/api.h"

using namespace vfpath;

namespace {
const std::string k_sys = std::string(VFPATH_FIXTURES) + "/sys-2node";
}

TEST(Topology, ReadsCpusAndTheirNodes) {
    const auto h = topology::read_host(k_sys);
    ASSERT_EQ(h.cpus.size(), 8u);
    EXPECT_EQ(h.find_cpu(0)->node, 0);
    EXPECT_EQ(h.find_cpu(3)->node, 0);
    EXPECT_EQ(h.find_cpu(4)->node, 1);
    EXPECT_EQ(h.find_cpu(7)->node, 1);
    EXPECT_EQ(h.find_cpu(8), nullptr);
}

TEST(Topology, MissingTreeGivesNoCpus) {
    EXPECT_TRUE(topology::read_host("/nonexistent-sysfs").cpus.empty());
}

TEST(Topology, PciNumaNode) {
    EXPECT_EQ(topology::pci_numa_node("0000:3b:02.0", k_sys), 0);
    EXPECT_EQ(topology::pci_numa_node("af:00.1", k_sys), 1);            // domain added
    EXPECT_EQ(topology::pci_numa_node("0000:01:00.0", k_sys), std::nullopt);  // -1: unknown
    EXPECT_EQ(topology::pci_numa_node("0000:99:00.0", k_sys), std::nullopt);  // absent
}

TEST(Topology, ThisMachineHasAtLeastOneCpu) {
    const auto h = topology::read_host("/sys");
    EXPECT_FALSE(h.cpus.empty());
}
