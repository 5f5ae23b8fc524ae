// lib/check on fixture trees: NUMA alignment of real plans, --suggest fed back, preflight,
// policy drift, JSON shape; the topology readers the checks rely on; the config keys they add.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "check/api.h"
#include "config/api.h"
#include "host_fixture.h"

using namespace vfpath;
using namespace vfpath::testing;
using check::Severity;

namespace {

struct Judged {
    config::Config cfg;
    config::Plan plan;
    check::HostView host;
    std::vector<check::PortView> ports;
    check::NumaReport numa;
};

// config text -> plan against the tree -> NUMA report, as `vfpath check` does it.
Judged judge(const std::string& yaml, const topology::HostRoot& root) {
    Judged j;
    auto lr = config::load_string(yaml, "t.yaml");
    EXPECT_TRUE(lr.errors.empty()) << (lr.errors.empty() ? "" : lr.errors[0].str());
    j.cfg = *lr.config;
    j.host = check::read_host_view(root);
    j.ports = check::read_port_views(root, j.cfg);
    std::vector<config::PortFacts> facts(j.cfg.ports.size());
    for (size_t i = 0; i < j.ports.size(); ++i)
        if (j.ports[i].locality.node) facts[i].socket = *j.ports[i].locality.node;
    auto pr = config::build_plan(j.cfg, j.host.cpus, facts);
    EXPECT_TRUE(pr.plan) << (pr.errors.empty() ? "" : pr.errors[0].str());
    j.plan = *pr.plan;
    j.numa = check::check_numa(j.cfg, j.plan, j.host, j.ports);
    return j;
}

std::vector<check::Finding> with(const std::vector<check::Finding>& f, const std::string& id) {
    std::vector<check::Finding> out;
    for (const auto& x : f)
        if (x.check == id) out.push_back(x);
    return out;
}

std::string dump(const std::vector<check::Finding>& f) {
    std::string s;
    for (const auto& x : f)
        s += std::string(check::to_string(x.severity)) + " " + x.check + ": " + x.message + "\n";
    return s;
}

const std::string k_wrong_node = R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: vf0, device: "0000:af:02.2"}
  - {name: vf1, device: "0000:af:02.3"}
)";

}  // namespace

TEST(CheckNuma, LcoresOnTheWrongSocketAreErrorsWithTheirConsequence) {
    const auto j = judge(k_wrong_node, fixture_root("host-2socket-sriov"));
    const auto lc = with(j.numa.findings, "numa.lcore");
    ASSERT_EQ(lc.size(), 2u) << dump(j.numa.findings);
    EXPECT_EQ(lc[0].severity, Severity::error);
    EXPECT_EQ(lc[0].port, "vf0");
    EXPECT_NE(lc[0].message.find("lcore 1 (node 0) polls rx queue 0 of vf0, whose device "
                                 "0000:af:02.2 is on node 1"),
              std::string::npos)
        << lc[0].message;
    EXPECT_NE(lc[0].message.find("cross-socket DMA"), std::string::npos);
    EXPECT_NE(lc[0].message.find("interrupts"), std::string::npos);
    EXPECT_NE(lc[0].message.find("CPUs 4-7"), std::string::npos);
    ASSERT_EQ(j.numa.rows.size(), 2u);
    EXPECT_EQ(j.numa.rows[0].device_node, 1);
    EXPECT_EQ(j.numa.rows[0].pool, "vfpath_s1");
    EXPECT_EQ(j.numa.rows[0].free_hugepages_kb, 64 * 2048);
    EXPECT_TRUE(check::has_errors(j.numa.findings));
    // lcore 1 is not isolated on a host that isolates 2-3,6-7.
    EXPECT_EQ(with(j.numa.findings, "cpu.isolation").at(0).severity, Severity::warning);
}

TEST(CheckNuma, SuggestionFedBackPasses) {
    const auto root = fixture_root("host-2socket-sriov");
    const auto j = judge(k_wrong_node, root);
    const auto s = check::suggest(j.cfg, j.plan, j.host, j.ports);
    EXPECT_EQ(s.main_lcore, 0u);
    EXPECT_EQ(s.lcores, (std::vector<unsigned>{0, 6}));  // isolated CPUs of node 1 first
    ASSERT_EQ(s.workers.size(), 1u);
    EXPECT_EQ(s.workers[0].lcore, 6u);
    auto yaml = check::suggest_yaml(k_wrong_node, j.cfg, s, j.ports);
    ASSERT_TRUE(yaml) << yaml.error();
    EXPECT_NE(yaml->find("eal.lcores: \"0-1\" -> \"0,6\""), std::string::npos) << *yaml;
    const auto again = judge(*yaml, root);
    EXPECT_FALSE(check::has_errors(again.numa.findings)) << dump(again.numa.findings) << *yaml;
    EXPECT_TRUE(with(again.numa.findings, "numa.lcore").empty());
    EXPECT_TRUE(with(again.numa.findings, "cpu.isolation").empty());
}

// --suggest moves the pool with its ports to their device's node; when that node has no free
// hugepages it says so (it used to move it silently, and the run then failed).
TEST(CheckNuma, SuggestionSaysWhenThePoolGoesToANodeWithoutHugepages) {
    TreeCopy t("host-2socket-sriov");
    put(t.sys("devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages"), "0\n");
    const std::string cfg = R"(
eal: {lcores: "0-1", main_lcore: 0, hugepages: true}
ports:
  - {name: vf0, device: "0000:af:02.2", socket: 0}
  - {name: vf1, device: "0000:af:02.3", socket: 0}
)";
    const auto j = judge(cfg, t.root());
    const auto s = check::suggest(j.cfg, j.plan, j.host, j.ports);
    auto yaml = check::suggest_yaml(cfg, j.cfg, s, j.ports);
    ASSERT_TRUE(yaml) << yaml.error();
    EXPECT_NE(yaml->find("ports[0].socket: 0 -> 1"), std::string::npos) << *yaml;
    EXPECT_NE(yaml->find("note: the pool of port vf0 goes to node 1 (its device's node), which "
                         "has no free hugepages"),
              std::string::npos)
        << *yaml;
    // With free hugepages there, no such note.
    const auto ok = judge(cfg, fixture_root("host-2socket-sriov"));
    const auto s2 = check::suggest(ok.cfg, ok.plan, ok.host, ok.ports);
    for (const auto& n : s2.notes) EXPECT_EQ(n.find("hugepages"), std::string::npos) << n;
}

TEST(CheckNuma, SuggestionUsesTheContainerCpuSet) {
    // host-1node: 4 CPUs, but this "process" may only use 0-1.
    const auto root = fixture_root("host-1node");
    const std::string yaml = R"(
eal: {lcores: "2-3", main_lcore: 2}
ports: [{name: p0, device: net_null0}]
)";
    const auto j = judge(yaml, root);
    const auto aff = with(j.numa.findings, "cpu.affinity");
    ASSERT_EQ(aff.size(), 1u) << dump(j.numa.findings);
    EXPECT_EQ(aff[0].severity, Severity::warning);
    EXPECT_NE(aff[0].message.find("lcores 2-3 are outside this process's CPU affinity (0-1"),
              std::string::npos)
        << aff[0].message;
    const auto s = check::suggest(j.cfg, j.plan, j.host, j.ports);
    EXPECT_EQ(s.lcores, (std::vector<unsigned>{0, 1}));
    auto fixed = check::suggest_yaml(yaml, j.cfg, s, j.ports);
    ASSERT_TRUE(fixed);
    EXPECT_TRUE(with(judge(*fixed, root).numa.findings, "cpu.affinity").empty()) << *fixed;
}

TEST(CheckNuma, NoSuggestionWithOneUsableCpu) {
    // A container limited to CPU 3: there is no room for a main lcore and a worker. The
    // suggestion used to be "lcores: 3,3" with lcore 3 as both (found by fuzzing).
    auto j = judge(k_wrong_node, fixture_root("host-2socket-sriov"));
    j.host.affinity = std::vector<unsigned>{3};
    const auto s = check::suggest(j.cfg, j.plan, j.host, j.ports);
    EXPECT_EQ(s.error,
              "no placement to suggest: this process may use only CPU 3, and vfpath needs two "
              "(the main lcore and at least one worker)");
    const auto yaml = check::suggest_yaml(k_wrong_node, j.cfg, s, j.ports);
    ASSERT_FALSE(yaml);
    EXPECT_EQ(yaml.error(), s.error);
}

TEST(CheckNuma, SameSocketOtherNodeIsAWarningUnlessStrict) {
    // numa-minus1: nodes 0 and 1 share package 0 (AMD NPS2); 0000:c1:00.0 is on node 1.
    const auto root = fixture_root("numa-minus1");
    const std::string yaml = R"(
eal: {lcores: "0-1"}
ports: [{name: p0, device: "0000:c1:00.0"}]
)";
    const auto warn = with(judge(yaml, root).numa.findings, "numa.lcore");
    ASSERT_EQ(warn.size(), 1u);
    EXPECT_EQ(warn[0].severity, Severity::warning);
    EXPECT_NE(warn[0].message.find("same socket, another NUMA node"), std::string::npos);
    const auto strict = with(judge(yaml + "numa: strict\n", root).numa.findings, "numa.lcore");
    ASSERT_EQ(strict.size(), 1u);
    EXPECT_EQ(strict[0].severity, Severity::error);
}

TEST(CheckNuma, NumaNodeMinusOneIsNamed) {
    const auto j = judge(R"(
eal: {lcores: "0-1"}
ports: [{name: p0, device: "0000:41:01.0"}]
)",
                         fixture_root("numa-minus1"));
    const auto u = with(j.numa.findings, "numa.unknown");
    ASSERT_EQ(u.size(), 1u) << dump(j.numa.findings);
    EXPECT_EQ(u[0].severity, Severity::warning);
    EXPECT_NE(u[0].message.find("numa_node is -1"), std::string::npos);
    EXPECT_EQ(j.numa.rows[0].device_node, std::nullopt);
    EXPECT_TRUE(with(j.numa.findings, "numa.lcore").empty());
}

TEST(CheckNuma, PoolWithoutHugepagesOnItsNode) {
    const auto j = judge(R"(
eal: {lcores: "0,4", hugepages: true}
ports: [{name: p0, device: "0000:af:02.2"}]
mempool: {size: 200000}
)",
                         fixture_root("host-2socket-sriov"));
    const auto hp = with(j.numa.findings, "numa.hugepages");
    ASSERT_EQ(hp.size(), 1u) << dump(j.numa.findings);
    EXPECT_EQ(hp[0].severity, Severity::error);
    EXPECT_NE(hp[0].message.find("on node 1, which has 128 MiB free"), std::string::npos)
        << hp[0].message;
    EXPECT_NE(hp[0].message.find("node1/hugepages/hugepages-2048kB/nr_hugepages"),
              std::string::npos);
}

TEST(CheckNuma, PoolOnAnotherNodeThanItsDevice) {
    const auto j = judge(R"(
eal: {lcores: "0,4"}
ports: [{name: p0, device: "0000:af:02.2", socket: 0}]
)",
                         fixture_root("host-2socket-sriov"));
    const auto pool = with(j.numa.findings, "numa.pool");
    ASSERT_EQ(pool.size(), 1u) << dump(j.numa.findings);
    EXPECT_NE(pool[0].message.find("mempool vfpath_s0 serving p0 is on node 0, its device "
                                   "0000:af:02.2 on node 1"),
              std::string::npos);
}

// ---- preflight -------------------------------------------------------------------------------

TEST(CheckPorts, DriverKindsAndMissingDevice) {
    const auto j = judge(R"(
eal: {lcores: "0,4"}
ports:
  - {name: k, device: "0000:af:02.0"}
  - {name: m, device: "0000:3b:00.2"}
  - {name: x, device: "0000:99:00.0"}
  - {name: ok, device: "0000:af:02.2"}
)",
                         fixture_root("host-2socket-sriov"));
    const auto f = check::check_ports(j.cfg, j.host, j.ports);
    const auto drv = with(f, "port.driver");
    ASSERT_EQ(drv.size(), 2u) << dump(f);
    EXPECT_EQ(drv[0].severity, Severity::error);
    EXPECT_NE(drv[0].message.find("k: 0000:af:02.0 is on kernel driver iavf"), std::string::npos);
    EXPECT_NE(drv[0].message.find("vfpath host bind 0000:af:02.0"), std::string::npos);
    EXPECT_EQ(drv[1].severity, Severity::info);
    EXPECT_NE(drv[1].message.find("bifurcated"), std::string::npos);
    const auto dev = with(f, "port.device");
    ASSERT_EQ(dev.size(), 1u);
    EXPECT_NE(dev[0].message.find("x: no PCI device 0000:99:00.0"), std::string::npos);
}

TEST(CheckPorts, IommuGroupAndVfToken) {
    TreeCopy t("iommu-shared");
    t.relink_driver("0000:05:00.0", "vfio-pci");
    const auto j = judge("ports: [{device: \"0000:05:00.0\"}]\n", t.root());
    const auto g = with(check::check_ports(j.cfg, j.host, j.ports), "iommu.group");
    ASSERT_EQ(g.size(), 1u);
    EXPECT_NE(g[0].message.find("0000:05:00.1 on ixgbe"), std::string::npos);
    EXPECT_EQ(with(check::check_host(j.host), "iommu.group").size(), 0u);  // not an SR-IOV device

    TreeCopy t2("host-2socket-sriov");
    t2.relink_driver("0000:af:00.0", "vfio-pci");
    const std::string port = "ports: [{device: \"0000:af:02.2\"}]\n";
    const auto j2 = judge("eal: {lcores: \"0,4\"}\n" + port, t2.root());
    const auto tok = with(check::check_ports(j2.cfg, j2.host, j2.ports), "vfio.vf_token");
    ASSERT_EQ(tok.size(), 1u);
    EXPECT_EQ(tok[0].severity, Severity::error);
    EXPECT_NE(tok[0].message.find("--vfio-vf-token=<UUID>"), std::string::npos);
    const auto j3 =
        judge("eal: {lcores: \"0,4\", extra_args: [\"--vfio-vf-token=abc\"]}\n" + port, t2.root());
    EXPECT_EQ(with(check::check_ports(j3.cfg, j3.host, j3.ports), "vfio.vf_token").at(0).severity,
              Severity::info);
    EXPECT_EQ(with(check::check_host(j3.host), "vfio.vf_token").size(), 1u);
}

// vf_policy acts only on a PF that DPDK drives (ixgbe or i40e PMD): on a vdev, a VF or a PF on
// its kernel driver it was silently ignored; `check` now says so.
TEST(CheckPorts, VfPolicyWhereItCannotApply) {
    TreeCopy t("host-2socket-sriov");
    t.relink_driver("0000:3b:00.0", "vfio-pci");
    const auto j = judge(R"(
eal: {lcores: "0,4"}
ports:
  - {name: null0, device: net_null0}
  - {name: vf, device: "0000:af:02.2"}
  - {name: kpf, device: "0000:af:00.0"}
  - {name: dpf, device: "0000:3b:00.0"}
forward: {mode: io, pairs: [[null0, vf], [kpf, dpf]]}
vf_policy:
  - {pf: null0, vf: all}
  - {pf: vf, vf: all}
  - {pf: kpf, vf: all}
  - {pf: dpf, vf: all}
)",
                         t.root());
    const auto w = with(check::check_ports(j.cfg, j.host, j.ports), "vf_policy");
    ASSERT_EQ(w.size(), 3u) << dump(check::check_ports(j.cfg, j.host, j.ports));
    EXPECT_NE(w[0].message.find("vf_policy[0] (port null0): net_null0 is a virtual device"),
              std::string::npos)
        << w[0].message;
    EXPECT_NE(w[1].message.find("0000:af:02.2 is not an SR-IOV PF"), std::string::npos)
        << w[1].message;
    EXPECT_NE(w[2].message.find("0000:af:00.0 is on kernel driver i40e"), std::string::npos)
        << w[2].message;
    for (const auto& x : w) EXPECT_EQ(x.severity, Severity::warning);
}

TEST(CheckHost, NoVfioNoIommu) {
    const auto f = check::check_host(check::read_host_view(fixture_root("host-1node")));
    EXPECT_EQ(with(f, "vfio.module").size(), 1u) << dump(f);
    const auto io = with(f, "iommu.off");
    ASSERT_EQ(io.size(), 1u);
    EXPECT_NE(io[0].message.find("intel_iommu=on"), std::string::npos);
    EXPECT_EQ(with(f, "cpu.affinity").size(), 1u);
    EXPECT_FALSE(check::has_errors(f));
}

// vfio-pci loaded, IOMMU on, but no vfio_iommu_type1: `check` used to say "valid" and `run`
// then failed with "No supported IOMMU extensions found!" and no device after probe.
TEST(CheckHost, MissingVfioIommuBackendIsFound) {
    const std::string port = "eal: {lcores: \"0,4\"}\nports: [{device: \"0000:af:02.2\"}]\n";
    const auto good = judge(port, fixture_root("host-2socket-sriov"));
    EXPECT_TRUE(with(check::check_host(good.host), "vfio.iommu_type1").empty());
    EXPECT_TRUE(with(check::check_ports(good.cfg, good.host, good.ports), "vfio.iommu_type1").empty());

    TreeCopy t("host-2socket-sriov");
    fs::remove_all(t.sys("module/vfio_iommu_type1"));
    const auto j = judge(port, t.root());
    const auto h = with(check::check_host(j.host), "vfio.iommu_type1");
    ASSERT_EQ(h.size(), 1u) << dump(check::check_host(j.host));
    EXPECT_NE(h[0].message.find("modprobe vfio_iommu_type1"), std::string::npos) << h[0].message;
    const auto p = with(check::check_ports(j.cfg, j.host, j.ports), "vfio.iommu_type1");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].severity, Severity::error);
    EXPECT_NE(p[0].message.find("No supported IOMMU extensions"), std::string::npos);
}

TEST(CheckHost, VfInANonViableGroupIsAnError) {
    TreeCopy t("host-2socket-sriov");
    // Put a host-driver device into VF 02.2's group.
    fs::create_directory_symlink("../../../../bus/pci/devices/0000:af:02.0",
                                 t.sys("kernel/iommu_groups/43/devices/0000:af:02.0"));
    const auto f = check::check_host(check::read_host_view(t.root()));
    const auto g = with(f, "iommu.group");
    ASSERT_EQ(g.size(), 1u) << dump(f);
    EXPECT_EQ(g[0].severity, Severity::error);
    EXPECT_NE(g[0].message.find("0000:af:02.2 is on vfio-pci but its IOMMU group 43 is not "
                                "viable: 0000:af:02.0 on iavf"),
              std::string::npos)
        << g[0].message;
}

TEST(CheckHost, GarbageAndMinusOneAreReported) {
    const auto f = check::check_host(check::read_host_view(fixture_root("numa-minus1")));
    EXPECT_EQ(with(f, "sysfs").size(), 1u) << dump(f);
    EXPECT_EQ(with(f, "numa.unknown").size(), 3u) << dump(f);  // the PF and its 2 VFs
}

// ---- policy drift ------------------------------------------------------------------------------

namespace {

class FakeSource : public sriov::VfAttrSource {
public:
    std::vector<sriov::VfAttrs> vfs_;
    std::string asked, error;
    Result<std::vector<sriov::VfAttrs>> vfs(std::string_view pf) override {
        asked = std::string(pf);
        if (!error.empty()) return fail(error);
        return vfs_;
    }
};

}  // namespace

TEST(CheckDrift, ComparesConfigWithWhatThePfReports) {
    const auto j = judge(R"(
eal: {lcores: "0,4"}
ports:
  - device: "0000:af:02.2"
    vf: {vlan: 100, spoofchk: false, trust: true, mac: "02:00:00:00:00:22", max_rate: 0}
)",
                         fixture_root("host-2socket-sriov"));
    FakeSource src;
    sriov::VfAttrs a;
    a.index = 2;
    a.mac = {2, 0, 0, 0, 0, 0x22};
    a.vlan = 0;
    a.spoofchk = true;
    a.trust = true;
    src.vfs_ = {a};
    const auto f = check::check_drift(j.cfg, j.ports, src);
    EXPECT_EQ(src.asked, "ens1f0");
    ASSERT_EQ(f.size(), 2u) << dump(f);
    EXPECT_EQ(f[0].check, "drift.vlan");
    EXPECT_EQ(f[0].severity, Severity::error);
    EXPECT_NE(f[0].message.find("VF 2 of ens1f0 (0000:af:02.2) has vlan 0, the config says 100 "
                                "(ports[0].vf.vlan); vfpath host set-vf 0000:af:00.0 2 --vlan 100"),
              std::string::npos)
        << f[0].message;
    EXPECT_EQ(f[1].check, "drift.spoofchk");
    src.vfs_[0].vlan = 100;
    src.vfs_[0].spoofchk = false;
    EXPECT_TRUE(check::check_drift(j.cfg, j.ports, src).empty());
    src.error = "no such device";
    const auto u = check::check_drift(j.cfg, j.ports, src);
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].check, "drift.unreadable");
}

TEST(CheckDrift, OnlyVfsOfKernelDrivenPfs) {
    const auto j = judge(R"(
ports:
  - {device: net_null0, vf: {vlan: 1}}
  - {device: "0000:41:01.0", vf: {vlan: 1}}
)",
                         fixture_root("numa-minus1"));
    FakeSource src;
    const auto f = check::check_drift(j.cfg, j.ports, src);
    ASSERT_EQ(f.size(), 2u) << dump(f);
    EXPECT_EQ(f[0].check, "drift.not_vf");
    EXPECT_EQ(f[1].check, "drift.missing");  // the fake PF reports no VF
}

TEST(CheckReport, JsonShape) {
    const auto j = judge(k_wrong_node, fixture_root("host-2socket-sriov"));
    const auto doc =
        nlohmann::json::parse(check::report_json("t.yaml", j.numa.findings, j.numa.rows));
    EXPECT_EQ(doc["ok"], false);
    ASSERT_TRUE(doc["findings"].is_array());
    for (const auto& f : doc["findings"]) {
        EXPECT_TRUE(f["severity"].is_string());
        EXPECT_TRUE(f["message"].is_string());
        EXPECT_TRUE(f.contains("port"));
    }
    EXPECT_EQ(doc["numa"][0]["device_node"], 1);
    EXPECT_EQ(doc["numa"][0]["lcores"][0]["node"], 0);
    const std::string text = check::format_findings(j.numa.findings);
    EXPECT_NE(text.find("error: [numa.lcore] lcore 1 (node 0)"), std::string::npos);
    EXPECT_NE(text.find("check: 2 errors, 1 warning (exit 1)"), std::string::npos) << text;
}

// ---- topology readers ------------------------------------------------------------------------

TEST(HostTopology, NodesWithHugepagesAndPackages) {
    const auto nodes = topology::read_nodes(fixture("host-2socket-sriov/sys").string());
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[1].id, 1);
    EXPECT_EQ(topology::format_cpu_list(nodes[1].cpus), "4-7");
    EXPECT_EQ(nodes[1].package, 1);
    ASSERT_EQ(nodes[1].hugepages.size(), 2u);
    EXPECT_EQ(nodes[1].hugepages[0].size_kb, 2048u);
    EXPECT_EQ(nodes[1].hugepages[0].free, 64);
    EXPECT_EQ(nodes[1].hugepages[0].total, 512);
    EXPECT_EQ(nodes[1].hugepages[1].size_kb, 1048576u);
    const auto amd = topology::read_nodes(fixture("numa-minus1/sys").string());
    EXPECT_EQ(amd[0].package, amd[1].package);
    EXPECT_TRUE(topology::read_nodes("/nonexistent").empty());
}

TEST(HostTopology, IsolationFromSysfsThenCmdline) {
    auto iso = topology::read_isolation(fixture_root("host-2socket-sriov"));
    EXPECT_EQ(topology::format_cpu_list(iso.isolated), "2-3,6-7");
    EXPECT_NE(iso.source.find("cpu/isolated"), std::string::npos);
    TreeCopy t("host-2socket-sriov");
    fs::remove(t.sys("devices/system/cpu/isolated"));
    fs::remove(t.sys("devices/system/cpu/nohz_full"));
    put(t.dir() / "proc/cmdline", "ro isolcpus=domain,managed_irq,1-2 nohz_full=1-2,5\n");
    iso = topology::read_isolation(t.root());
    EXPECT_EQ(topology::format_cpu_list(iso.isolated), "1-2");
    EXPECT_EQ(topology::format_cpu_list(iso.nohz_full), "1-2,5");
    EXPECT_NE(iso.source.find("proc/cmdline"), std::string::npos);
}

TEST(HostTopology, AffinityAndLocality) {
    EXPECT_EQ(topology::process_affinity(fixture_root("host-1node")),
              (std::vector<unsigned>{0, 1}));
    EXPECT_EQ(topology::process_affinity(topology::HostRoot{"/nonexistent"}), std::nullopt);
    EXPECT_TRUE(topology::process_affinity(topology::HostRoot{}).has_value());  // this process
    const auto minus = topology::pci_locality("41:01.0", fixture("numa-minus1/sys").string());
    EXPECT_TRUE(minus.present);
    EXPECT_TRUE(minus.minus_one);
    EXPECT_EQ(minus.node, std::nullopt);
    const auto bad = topology::pci_locality("06:00.0", fixture("iommu-shared/sys").string());
    EXPECT_NE(bad.problem.find("expected a node number or -1, got \"zz\""), std::string::npos);
    EXPECT_FALSE(topology::pci_locality("99:00.0", fixture("iommu-shared/sys").string()).present);
    EXPECT_EQ(topology::format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
    EXPECT_TRUE(topology::HostRoot{}.live());
    EXPECT_FALSE(fixture_root("host-1node").live());
}

// ---- config keys added for the checks ----------------------------------------------------------

TEST(ConfigHostKeys, NumaPolicyAndVfPolicy) {
    auto ok = config::load_string(
        "numa: strict\nports:\n  - device: \"0000:af:02.2\"\n"
        "    vf: {mac: \"02:00:00:00:00:01\", vlan: 10, qos: 3, "
        "spoofchk: false, trust: true, max_rate: 1000}\n",
        "t.yaml");
    ASSERT_TRUE(ok.errors.empty()) << ok.errors[0].str();
    EXPECT_EQ(ok.config->numa, config::Config::Numa::strict);
    ASSERT_TRUE(ok.config->ports[0].vf);
    EXPECT_EQ(ok.config->ports[0].vf->vlan, 10);
    EXPECT_EQ(ok.config->ports[0].vf->qos, 3);
    EXPECT_EQ(ok.config->ports[0].vf->trust, true);
    EXPECT_EQ(ok.config->ports[0].vf->max_tx_rate, 1000u);
    EXPECT_EQ(config::load_string("ports: [{device: net_null0}]\n", "t.yaml").config->numa,
              config::Config::Numa::warn);
}

TEST(ConfigHostKeys, BadValuesNameTheirPath) {
    auto bad = config::load_string("numa: loose\nports: [{device: net_null0}]\n", "bad.yaml");
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0].path, "numa");
    EXPECT_EQ(bad.errors[0].loc.line, 1);
    EXPECT_NE(bad.errors[0].message.find("strict"), std::string::npos) << bad.errors[0].message;
    auto vlan = config::load_string(
        "ports:\n  - device: \"0000:af:02.2\"\n    vf:\n"
        "      vlan: 5000\n      trusted: true\n",
        "bad.yaml");
    ASSERT_EQ(vlan.errors.size(), 2u);
    EXPECT_EQ(vlan.errors[0].path, "ports[0].vf.vlan");
    EXPECT_EQ(vlan.errors[0].loc.line, 4);
    EXPECT_NE(vlan.errors[0].message.find("0..4095"), std::string::npos) << vlan.errors[0].message;
    EXPECT_EQ(vlan.errors[1].path, "ports[0].vf.trusted");
}
