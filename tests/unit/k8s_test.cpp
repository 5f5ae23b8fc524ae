// Kubernetes integration, pure parts: ${VAR} expansion in config values (lib/config/cp/env.cpp),
// ports from the SR-IOV device plugin's PCIDEVICE_* variables (device_ref.cpp), the cgroup's
// cpuset and hugetlb limits (lib/topology/cp/cgroup.cpp) and what the planner makes of them.
// Every environment here is injected: nothing reads the test process's own variables.
#include <gtest/gtest.h>

#include "config/plan.h"
#include "host_fixture.h"
#include "topology/api.h"

namespace vfpath::config {
namespace {

using vfpath::testing::fixture_root;
using vfpath::testing::put;
using vfpath::testing::TreeCopy;

std::string dump(const std::vector<Diag>& diags) {
    std::string out;
    for (const Diag& d : diags) out += "\n  " + d.str();
    return out;
}

LoadResult load(std::string_view text, std::map<std::string, std::string> env) {
    return load_string(text, "pod.yaml", fixed_env(std::move(env)));
}

// The one error of a config that must fail, with its position and path checked by the caller.
Diag one_error(std::string_view text, std::map<std::string, std::string> env) {
    const LoadResult r = load(text, std::move(env));
    EXPECT_FALSE(r.config.has_value());
    EXPECT_EQ(r.errors.size(), 1u) << dump(r.errors);
    return r.errors.empty() ? Diag{} : r.errors.front();
}

// ---- expand_vars ---------------------------------------------------------------------------

const Env k_env = fixed_env({{"PORT", "9464"}, {"EMPTY", ""}, {"HOST", "10.0.0.1"}});

std::string expand_ok(std::string_view text) {
    auto r = expand_vars(text, k_env);
    EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
    return r.ok() ? *r : std::string("<error>");
}

std::string expand_error(std::string_view text) {
    auto r = expand_vars(text, k_env);
    EXPECT_FALSE(r.ok()) << text << " expanded to " << (r.ok() ? *r : "");
    return r.ok() ? std::string() : r.error();
}

TEST(ExpandVars, VariablesDefaultsAndDollars) {
    EXPECT_EQ(expand_ok("${PORT}"), "9464");
    EXPECT_EQ(expand_ok("${HOST}:${PORT}"), "10.0.0.1:9464");
    EXPECT_EQ(expand_ok("pre-${PORT}-post"), "pre-9464-post");
    EXPECT_EQ(expand_ok("${UNSET:-128}"), "128");
    EXPECT_EQ(expand_ok("${PORT:-1}"), "9464");
    EXPECT_EQ(expand_ok("${EMPTY:-fallback}"), "fallback");  // set but empty, as in sh
    EXPECT_EQ(expand_ok("${EMPTY}"), "");
    EXPECT_EQ(expand_ok("${UNSET:-}"), "");
    EXPECT_EQ(expand_ok("${UNSET:-a b:c-d}"), "a b:c-d");
    EXPECT_EQ(expand_ok("cost $$5"), "cost $5");
    EXPECT_EQ(expand_ok("$${PORT}"), "${PORT}");  // $$ first: a literal "${PORT}"
    EXPECT_EQ(expand_ok("a $ b, $5, end$"), "a $ b, $5, end$");
    EXPECT_EQ(expand_ok("no variables"), "no variables");
}

TEST(ExpandVars, ValuesAreNotExpandedAgain) {
    const Env env = fixed_env({{"A", "${B}"}, {"B", "x"}});
    auto r = expand_vars("${A}", env);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(*r, "${B}");
}

TEST(ExpandVars, MalformedReferencesNameTheProblem) {
    EXPECT_NE(expand_error("${UNSET}").find("environment variable UNSET is not set"),
              std::string::npos);
    EXPECT_NE(expand_error("${UNSET}").find("${UNSET:-default}"), std::string::npos);
    EXPECT_NE(expand_error("${PORT").find("is not closed"), std::string::npos);
    EXPECT_NE(expand_error("x${").find("is not closed"), std::string::npos);
    EXPECT_NE(expand_error("${}").find("does not start with a variable name"), std::string::npos);
    EXPECT_NE(expand_error("${9X}").find("'${9X}'"), std::string::npos);
    EXPECT_NE(expand_error("${PORT-1}").find("expected '}' or ':-default' after PORT"),
              std::string::npos);
    EXPECT_NE(expand_error("${PORT:?required}").find("expected '}'"), std::string::npos);
    EXPECT_NE(expand_error("${A B}").find("expected '}'"), std::string::npos);
    EXPECT_NE(expand_error("${X:-${Y}}").find("cannot hold another"), std::string::npos);
    EXPECT_NE(expand_error("$HOME/x").find("'$HOME' is not expanded: write ${HOME}"),
              std::string::npos);
}

// ---- expansion in a config ---------------------------------------------------------------------

TEST(ConfigEnv, ScalarsAreExpandedBeforeTheirTypeIsChecked) {
    const LoadResult r = load(R"(eal:
  lcores: "${LCORES}"
  memory_mb: ${MEM:-512}
  hugepages: ${HUGE}
  file_prefix: vfp-${POD}
  extra_args: ["--vfio-vf-token=${TOKEN}"]
ports:
  - {name: p0, device: "${DEV0}", mtu: "${MTU:-1500}"}
  - {name: p1, device: net_null1}
faults: ["reset:p0@${AT}"]
)",
                              {{"LCORES", "0-2"},
                               {"HUGE", "yes"},
                               {"POD", "a1"},
                               {"TOKEN", "abc"},
                               {"DEV0", "0000:af:02.2"},
                               {"MTU", "9000"},
                               {"AT", "2s"}});
    ASSERT_TRUE(r.config) << dump(r.errors);
    const Config& c = *r.config;
    EXPECT_EQ(c.eal.lcores, "0-2");
    EXPECT_EQ(c.eal.memory_mb, 512u);
    EXPECT_TRUE(c.eal.hugepages);
    EXPECT_EQ(c.eal.file_prefix, "vfp-a1");
    EXPECT_EQ(c.eal.extra_args, std::vector<std::string>{"--vfio-vf-token=abc"});
    EXPECT_EQ(c.ports[0].device, "0000:af:02.2");
    EXPECT_EQ(c.ports[0].mtu, std::optional<uint16_t>(9000));
    ASSERT_EQ(c.faults.size(), 1u);
    EXPECT_EQ(c.faults[0].text, "reset:p0@2s");
    // Positions still point into the file, at the value as written.
    EXPECT_EQ(c.ports[0].device_loc.line, 8);
    EXPECT_EQ(c.ports[0].mtu_loc.line, 8);
}

TEST(ConfigEnv, UndefinedVariableNamesItFileLineColAndPath) {
    const Diag d = one_error("ports:\n  - name: p0\n    device: ${DEV}\n", {});
    EXPECT_EQ(d.str(),
              "pod.yaml:3:13: ports[0].device: environment variable DEV is not set (write "
              "${DEV:-default} to give a default)");
}

TEST(ConfigEnv, ExpandedValueIsTypeCheckedLikeAWrittenOne) {
    const Diag d = one_error("ports: [{device: net_null0, mtu: \"${MTU}\"}]\n", {{"MTU", "big"}});
    EXPECT_EQ(d.path, "ports[0].mtu");
    EXPECT_NE(d.message.find("expected an integer in 68..16000, got 'big'"), std::string::npos)
        << d.message;
}

TEST(ConfigEnv, MalformedReferenceIsOneErrorNotACascade) {
    // The device stays "${DEV" after the failed expansion; its "not a PCI address" is noise.
    const LoadResult r = load("ports:\n  - {device: \"${DEV\"}\n  - device: net_null1\n"
                              "    rx_queues: ${Q:-zero}\n",
                              {});
    ASSERT_EQ(r.errors.size(), 2u) << dump(r.errors);
    EXPECT_EQ(r.errors[0].path, "ports[0].device");
    EXPECT_NE(r.errors[0].message.find("is not closed"), std::string::npos);
    EXPECT_EQ(r.errors[0].loc.line, 2);
    // The second is a plain type error after a successful expansion.
    EXPECT_EQ(r.errors[1].path, "ports[1].rx_queues");
    EXPECT_NE(r.errors[1].message.find("got 'zero'"), std::string::npos);
}

TEST(ConfigEnv, UnquotedVariableInAFlowMapGetsAHint) {
    const Diag d = one_error("ports: [{device: net_null0, mtu: ${MTU}}]\n", {{"MTU", "1500"}});
    EXPECT_NE(d.message.find("quote a variable: key: \"${VAR}\""), std::string::npos) << d.str();
}

TEST(ConfigEnv, KeysAndCommentsAreNotExpanded) {
    const LoadResult r = load("# ${NOT_A_VALUE}\nports: [{device: net_null0}]\n${KEY}: 1\n", {});
    ASSERT_EQ(r.errors.size(), 1u) << dump(r.errors);
    EXPECT_NE(r.errors[0].message.find("unknown key '${KEY}'"), std::string::npos);
}

TEST(ConfigEnv, AnAliasedValueIsExpandedOnce) {
    // "$$" must become "$" once: expanding the shared node twice would turn "$${X}" into "${X}"
    // and then into X's value.
    const LoadResult r = load("eal:\n  file_prefix: &p \"a$${X}\"\n  extra_args: [*p]\n"
                              "ports: [{device: net_null0}]\n",
                              {{"X", "boom"}});
    ASSERT_TRUE(r.config) << dump(r.errors);
    EXPECT_EQ(r.config->eal.extra_args, std::vector<std::string>{"a${X}"});
}

TEST(ConfigEnv, ProcessEnvironmentIsTheDefault) {
    ::setenv("VFPATH_UNIT_TEST_DEV", "net_null7", 1);
    const LoadResult r = load_string("ports: [{device: \"${VFPATH_UNIT_TEST_DEV}\"}]\n", "t.yaml");
    ::unsetenv("VFPATH_UNIT_TEST_DEV");
    ASSERT_TRUE(r.config) << dump(r.errors);
    EXPECT_EQ(r.config->ports[0].device, "net_null7");
}

// ---- ports from the SR-IOV device plugin ---------------------------------------------------------

constexpr std::string_view k_var = "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK";
constexpr std::string_view k_two_ports = R"(ports:
  - name: west
    device: {resource: intel.com/intel_sriov_dpdk, index: 0}
  - name: east
    device: {resource: intel.com/intel_sriov_dpdk, index: 1}
)";

// What the plugin writes for two vfio-pci VFs (pkg/infoprovider: generic, vfio, extra).
const std::string k_info =
    R"({"0000:af:02.2":{"generic":{"deviceID":"0000:af:02.2"},)"
    R"("vfio":{"dev-mount":"/dev/vfio/43","mount":"/dev/vfio/vfio"},"extra":{"side":"west"}},)"
    R"("0000:af:02.3":{"generic":{"deviceID":"0000:af:02.3"},)"
    R"("vfio":{"dev-mount":"/dev/vfio/44","mount":"/dev/vfio/vfio"},"extra":{"side":"east"}}})";

std::map<std::string, std::string> plugin_env(std::string list, std::optional<std::string> info) {
    std::map<std::string, std::string> env{{std::string(k_var), std::move(list)}};
    if (info) env[std::string(k_var) + "_INFO"] = *info;
    return env;
}

TEST(DevicePlugin, VariableNameFollowsThePlugin) {
    EXPECT_EQ(device_plugin_env_var("intel.com/intel_sriov_dpdk"),
              "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK");
    EXPECT_EQ(device_plugin_env_var("openshift.io/dpdk_nic_1"), "PCIDEVICE_OPENSHIFT_IO_DPDK_NIC_1");
    EXPECT_EQ(device_plugin_env_var("nvidia.com/bf2"), "PCIDEVICE_NVIDIA_COM_BF2");
}

TEST(DevicePlugin, PortsTakeTheListedDevicesInOrder) {
    const LoadResult r = load(k_two_ports, plugin_env("0000:af:02.2,0000:af:02.3", std::nullopt));
    ASSERT_TRUE(r.config) << dump(r.errors);
    const Config& c = *r.config;
    EXPECT_EQ(c.ports[0].device, "0000:af:02.2");
    EXPECT_EQ(c.ports[1].device, "0000:af:02.3");
    EXPECT_TRUE(c.ports[0].is_pci());
    ASSERT_TRUE(c.ports[1].device_ref);
    EXPECT_EQ(c.ports[1].device_ref->env_var, k_var);
    EXPECT_EQ(c.ports[1].device_ref->str(), "intel.com/intel_sriov_dpdk[1]");
    EXPECT_TRUE(c.ports[1].device_ref->providers.empty());  // no _INFO: nothing more known
}

TEST(DevicePlugin, IndexDefaultsToZeroAndInfoIsRecorded) {
    const LoadResult r = load("ports: [{device: {resource: intel.com/intel_sriov_dpdk}}]\n",
                              plugin_env("0000:af:02.2,0000:af:02.3", k_info));
    ASSERT_TRUE(r.config) << dump(r.errors);
    const DeviceRef& ref = *r.config->ports[0].device_ref;
    EXPECT_EQ(r.config->ports[0].device, "0000:af:02.2");
    EXPECT_EQ(ref.providers, (std::vector<std::string>{"extra", "generic", "vfio"}));
    EXPECT_EQ(ref.vfio_dev, "/dev/vfio/43");
}

TEST(DevicePlugin, MatchPicksTheDeviceByItsExtraInfo) {
    // Kubelet's order is arbitrary; extra info set per VF in the plugin's config is not.
    const LoadResult r = load(R"(ports:
  - {name: a, device: {resource: intel.com/intel_sriov_dpdk, match: {side: east}}}
  - {name: b, device: {resource: intel.com/intel_sriov_dpdk, match: {side: west}}}
)",
                              plugin_env("0000:af:02.2,0000:af:02.3", k_info));
    ASSERT_TRUE(r.config) << dump(r.errors);
    EXPECT_EQ(r.config->ports[0].device, "0000:af:02.3");
    EXPECT_EQ(r.config->ports[1].device, "0000:af:02.2");
    EXPECT_EQ(r.config->ports[0].device_ref->str(), "intel.com/intel_sriov_dpdk{side=east}");
}

TEST(DevicePlugin, ResolvedDeviceFeedsThePlan) {
    Config c = *load(k_two_ports, plugin_env("0000:af:02.2,0000:af:02.3", std::nullopt)).config;
    HostFacts h;
    h.cpus = {{0, 0}, {1, 0}};
    const PlanResult p = build_plan(c, h, std::vector<PortFacts>(2));
    ASSERT_TRUE(p.plan) << dump(p.errors);
    EXPECT_EQ(p.plan->ports[1].device_source, "intel.com/intel_sriov_dpdk[1]");
    EXPECT_NE(format_plan(*p.plan).find("east (0000:af:02.3 from intel.com/intel_sriov_dpdk[1])"),
              std::string::npos)
        << format_plan(*p.plan);
}

struct BadPlugin {
    std::string name;
    std::string yaml;
    std::map<std::string, std::string> env;
    std::string path;
    int line, col;
    std::string message;  // a part of it
};

class DevicePluginErrors : public ::testing::TestWithParam<BadPlugin> {};

TEST_P(DevicePluginErrors, OneClearErrorAtTheDevice) {
    const BadPlugin& b = GetParam();
    const Diag d = one_error(b.yaml, b.env);
    EXPECT_EQ(d.path, b.path);
    EXPECT_EQ(d.loc.line, b.line);
    EXPECT_EQ(d.loc.col, b.col);
    EXPECT_NE(d.message.find(b.message), std::string::npos) << d.str();
}

const std::string k_one = "ports:\n  - device: {resource: intel.com/intel_sriov_dpdk}\n";
const std::string k_idx = "ports:\n  - device: {resource: intel.com/intel_sriov_dpdk, index: 2}\n";
const std::string k_list = "0000:af:02.2,0000:af:02.3";

INSTANTIATE_TEST_SUITE_P(
    K8s, DevicePluginErrors,
    ::testing::Values(
        BadPlugin{"Unset", k_one, {}, "ports[0].device", 2, 13,
                  "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK is not set: this container was given no "
                  "intel.com/intel_sriov_dpdk device"},
        BadPlugin{"Empty", k_one, plugin_env("", std::nullopt), "ports[0].device", 2, 13,
                  "is set but empty"},
        BadPlugin{"EmptyItem", k_one, plugin_env("0000:af:02.2,,0000:af:02.3", std::nullopt),
                  "ports[0].device", 2, 13, "item 2 is empty"},
        BadPlugin{"TrailingComma", k_one, plugin_env("0000:af:02.2,", std::nullopt),
                  "ports[0].device", 2, 13, "item 2 is empty"},
        BadPlugin{"BadBdf", k_one, plugin_env("0000:af:02.2,af:2.9", std::nullopt),
                  "ports[0].device", 2, 13, "item 2 'af:2.9' is not a PCI address"},
        BadPlugin{"Spaces", k_one, plugin_env("0000:af:02.2 0000:af:02.3", std::nullopt),
                  "ports[0].device", 2, 13, "is not a PCI address"},
        BadPlugin{"Duplicate", k_one, plugin_env("0000:af:02.2,af:02.2", std::nullopt),
                  "ports[0].device", 2, 13, "af:02.2 is listed twice"},
        BadPlugin{"IndexOutOfRange", k_idx, plugin_env(k_list, std::nullopt),
                  "ports[0].device.index", 2, 59,
                  "index 2 is out of range: PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK lists 2 "
                  "device(s) (0000:af:02.2, 0000:af:02.3), so index goes up to 1"},
        BadPlugin{"NegativeIndex", "ports:\n  - device: {resource: a.b/c, index: -1}\n", {},
                  "ports[0].device.index", 2, 38, "expected an integer in 0..255"},
        BadPlugin{"NoResource", "ports:\n  - device: {index: 0}\n", {}, "ports[0].device.resource",
                  2, 13, "missing required key 'resource'"},
        BadPlugin{"BadResource", "ports:\n  - device: {resource: intel_sriov}\n", {},
                  "ports[0].device.resource", 2, 24, "<domain>/<name>"},
        BadPlugin{"UnknownKey", "ports:\n  - device: {resource: a.b/c, idx: 1}\n", {},
                  "ports[0].device.idx", 2, 31, "did you mean 'index'"},
        BadPlugin{"InfoNotJson", k_one, plugin_env(k_list, "{\"0000:af:02.2\": [1,"),
                  "ports[0].device", 2, 13, "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO: not valid JSON"},
        BadPlugin{"InfoWrongShape", k_one, plugin_env(k_list, "[\"0000:af:02.2\"]"),
                  "ports[0].device", 2, 13, "_INFO: expected {\"<BDF>\": {\"<provider>\""},
        BadPlugin{"InfoMissesADevice", k_one,
                  plugin_env(k_list, R"({"0000:af:02.2":{"generic":{"deviceID":"0000:af:02.2"}}})"),
                  "ports[0].device", 2, 13,
                  "lists 0000:af:02.3 but PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO has no entry"},
        BadPlugin{"MatchNone", "ports:\n  - device: {resource: intel.com/intel_sriov_dpdk, "
                               "match: {side: north}}\n",
                  plugin_env(k_list, k_info), "ports[0].device", 2, 13,
                  "no device of PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK carries the extra info in "
                  "match (0000:af:02.2: side=west; 0000:af:02.3: side=east)"},
        BadPlugin{"MatchWithoutInfo", "ports:\n  - device: {resource: intel.com/intel_sriov_dpdk, "
                                      "match: {side: west}}\n",
                  plugin_env(k_list, std::nullopt), "ports[0].device", 2, 13,
                  "match needs PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO"},
        BadPlugin{"IndexAndMatch", "ports:\n  - device: {resource: a.b/c, index: 0, match: {x: y}}\n",
                  {}, "ports[0].device", 2, 13, "give either index or match, not both"}),
    [](const ::testing::TestParamInfo<BadPlugin>& i) { return i.param.name; });

TEST(DevicePlugin, MatchingTwoDevicesIsAnError) {
    const std::string info =
        R"({"0000:af:02.2":{"extra":{"pool":"a"}},"0000:af:02.3":{"extra":{"pool":"a"}}})";
    const Diag d = one_error("ports: [{device: {resource: intel.com/intel_sriov_dpdk, "
                             "match: {pool: a}}}]\n",
                             plugin_env(k_list, info));
    EXPECT_NE(d.message.find("more than one device"), std::string::npos) << d.str();
}

TEST(DevicePlugin, TwoPortsOnOneDeviceIsTheUsualDuplicateError) {
    const Diag d = one_error("ports:\n  - device: {resource: intel.com/intel_sriov_dpdk}\n"
                             "  - device: \"0000:af:02.2\"\n",
                             plugin_env(k_list, std::nullopt));
    EXPECT_EQ(d.path, "ports[1].device");
    EXPECT_NE(d.message.find("0000:af:02.2"), std::string::npos) << d.str();
}

TEST(DevicePlugin, VariableInsideAPlainDeviceWorksToo) {
    // For a single VF, ${PCIDEVICE_...} in a plain device string is the same thing.
    const LoadResult r = load("ports: [{device: \"${PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK}\"}]\n",
                              plugin_env("0000:af:02.2", std::nullopt));
    ASSERT_TRUE(r.config) << dump(r.errors);
    EXPECT_EQ(r.config->ports[0].device, "0000:af:02.2");
}

// ---- cgroup limits ---------------------------------------------------------------------------

TEST(Cgroup, V2PodCpusetAndHugetlb) {
    const auto cg = topology::read_cgroup(fixture_root("k8s-pod"));
    EXPECT_EQ(cg.version, 2);
    ASSERT_TRUE(cg.cpus);
    EXPECT_EQ(*cg.cpus, (std::vector<unsigned>{4, 5, 6, 7}));
    EXPECT_NE(cg.cpus_file.find("sys/fs/cgroup/cpuset.cpus.effective"), std::string::npos);
    ASSERT_EQ(cg.hugetlb.size(), 2u);  // hugetlb.2MB.rsvd.max is another knob, not a size
    EXPECT_EQ(cg.hugetlb[0].page_kb, 2048u);
    EXPECT_EQ(cg.hugetlb[0].bytes, std::optional<uint64_t>(256u << 20));
    EXPECT_EQ(cg.hugetlb[1].page_kb, 1048576u);
    EXPECT_EQ(cg.hugetlb[1].bytes, std::optional<uint64_t>(0));
    EXPECT_TRUE(cg.problems.empty());
}

TEST(Cgroup, V1ControllersFollowTheirOwnPaths) {
    const auto cg = topology::read_cgroup(fixture_root("k8s-pod-v1"));
    EXPECT_EQ(cg.version, 1);
    ASSERT_TRUE(cg.cpus);
    EXPECT_EQ(*cg.cpus, (std::vector<unsigned>{2, 3}));
    EXPECT_NE(cg.cpus_file.find("cpuset/kubepods/podA/c1/cpuset.effective_cpus"), std::string::npos);
    ASSERT_EQ(cg.hugetlb.size(), 2u);
    EXPECT_EQ(cg.hugetlb[0].bytes, std::optional<uint64_t>(32u << 20));
}

TEST(Cgroup, V2NamespacedPathFallsBackToTheRootAndMaxIsNoLimit) {
    TreeCopy t("k8s-pod");
    // A path the container cannot see (no cgroup namespace): its own files are at the root.
    put(t.dir() / "proc/self/cgroup", "0::/kubepods.slice/pod1/cri-abc\n");
    put(t.dir() / "sys/fs/cgroup/hugetlb.2MB.max", "max\n");
    const auto cg = topology::read_cgroup(t.root());
    ASSERT_TRUE(cg.cpus);
    EXPECT_EQ(cg.cpus->size(), 4u);
    ASSERT_FALSE(cg.hugetlb.empty());
    EXPECT_FALSE(cg.hugetlb[0].bytes.has_value());
}

TEST(Cgroup, V1UnlimitedIsTheCounterMaximum) {
    TreeCopy t("k8s-pod-v1");
    put(t.dir() / "sys/fs/cgroup/hugetlb/kubepods/podA/c1/hugetlb.2MB.limit_in_bytes",
        "9223372036854771712\n");
    const auto cg = topology::read_cgroup(t.root());
    ASSERT_FALSE(cg.hugetlb.empty());
    EXPECT_FALSE(cg.hugetlb[0].bytes.has_value());
}

TEST(Cgroup, GarbageIsAProblemNotALimit) {
    TreeCopy t("k8s-pod");
    put(t.dir() / "sys/fs/cgroup/cpuset.cpus.effective", "4-x\n");
    put(t.dir() / "sys/fs/cgroup/hugetlb.2MB.max", "lots\n");
    const auto cg = topology::read_cgroup(t.root());
    EXPECT_FALSE(cg.cpus.has_value());
    ASSERT_EQ(cg.problems.size(), 2u);
    EXPECT_NE(cg.problems[0].find("cpuset.cpus.effective: expected a CPU list, got \"4-x\""),
              std::string::npos)
        << cg.problems[0];
    EXPECT_NE(cg.problems[1].find("hugetlb.2MB.max: expected a byte count"), std::string::npos);
    ASSERT_EQ(cg.hugetlb.size(), 1u);  // the 1GB limit still counts
}

TEST(Cgroup, NoHierarchyMeansNothingKnown) {
    const auto cg = topology::read_cgroup(fixture_root("host-1node"));
    EXPECT_EQ(cg.version, 0);
    EXPECT_FALSE(cg.cpus.has_value());
    EXPECT_TRUE(cg.hugetlb.empty());
}

// ---- what the planner makes of them ----------------------------------------------------------

TEST(HostDefaults, UnsetLcoresComeFromTheRestrictedCpuset) {
    const HostFacts h = topology::read_host(fixture_root("k8s-pod"));
    Config c = *load("ports: [{device: net_null0}, {device: net_null1}]\n", {}).config;
    apply_host_defaults(c, h);
    EXPECT_EQ(c.eal.lcores, "4,5,6,7");
    EXPECT_EQ(c.eal.main_lcore, 4u);
    EXPECT_NE(c.eal.lcores_source.find("cpuset.cpus.effective (4,5,6,7)"), std::string::npos);
    const PlanResult p = build_plan(c, h, std::vector<PortFacts>(2));
    ASSERT_TRUE(p.plan) << dump(p.errors);
    EXPECT_EQ(p.plan->main_lcore, 4u);
    for (const LcorePlan& l : p.plan->lcores) {
        EXPECT_GE(l.lcore, 5u);
        EXPECT_EQ(l.socket, 1);  // the fixture's CPUs 4-7 are node 1
    }
}

TEST(HostDefaults, AConfigThatNamesCpusKeepsThem) {
    const HostFacts h = topology::read_host(fixture_root("k8s-pod"));
    for (const char* yaml : {"eal: {lcores: \"0-1\"}\nports: [{device: net_null0}]\n",
                             "eal: {main_lcore: 1}\nports: [{device: net_null0}]\n",
                             "ports: [{device: net_null0}]\nworkers: [{lcore: 1, queues: [p0]}]\n"}) {
        const LoadResult r = load(yaml, {});
        ASSERT_TRUE(r.config) << yaml << dump(r.errors);
        Config c = *r.config;
        apply_host_defaults(c, h);
        EXPECT_EQ(c.eal.lcores, "0-1") << yaml;
        EXPECT_TRUE(c.eal.lcores_source.empty()) << yaml;
    }
}

TEST(HostDefaults, AnUnrestrictedCgroupKeepsTheDefault) {
    HostFacts h;
    h.cpus = {{0, 0}, {1, 0}, {2, 0}, {3, 0}};
    h.cgroup_cpus = std::vector<unsigned>{0, 1, 2, 3};
    Config c = *load("ports: [{device: net_null0}]\n", {}).config;
    apply_host_defaults(c, h);
    EXPECT_EQ(c.eal.lcores, "0-1");
}

TEST(HostDefaults, OneCpuIsNoWorkerAndTheErrorSaysWhy) {
    HostFacts h;
    h.cpus = {{0, 0}, {1, 0}, {2, 0}, {3, 0}};
    h.cgroup_cpus = std::vector<unsigned>{3};
    h.cgroup_cpus_source = "/sys/fs/cgroup/cpuset.cpus.effective";
    Config c = *load("ports: [{device: net_null0}]\n", {}).config;
    apply_host_defaults(c, h);
    const PlanResult p = build_plan(c, h, std::vector<PortFacts>(1));
    ASSERT_EQ(p.errors.size(), 1u) << dump(p.errors);
    EXPECT_NE(p.errors[0].message.find("no worker lcore"), std::string::npos);
    EXPECT_NE(p.errors[0].message.find("give the container at least 2 CPUs"), std::string::npos)
        << p.errors[0].message;
}

Config huge_job(unsigned memory_mb, unsigned pool_size, bool hugepages = true,
                const std::string& lcores = "4-5") {
    const std::string yaml = "eal:\n  lcores: \"" + lcores + "\"\n  main_lcore: " +
                             lcores.substr(0, 1) + "\n  hugepages: " +
                             std::string(hugepages ? "true" : "false") +
                             "\n  memory_mb: " + std::to_string(memory_mb) +
                             "\nports: [{device: net_null0}, {device: net_null1}]\n"
                             "mempool:\n  size: " + std::to_string(pool_size) + "\n";
    return *load(yaml, {}).config;
}

PlanResult plan_huge(unsigned memory_mb, unsigned pool_size, const std::string& root,
                     const std::string& lcores = "4-5") {
    return build_plan(huge_job(memory_mb, pool_size, true, lcores),
                      topology::read_host(fixture_root(root)), std::vector<PortFacts>(2));
}

TEST(HugepageLimit, PoolsAndEalMemoryWithinTheLimitPlan) {
    // 256 MiB limit: 128 MiB of EAL memory and 8192 mbufs (8192 x 2368 B = 18.5 MiB) fit.
    const PlanResult p = plan_huge(128, 8192, "k8s-pod");
    EXPECT_TRUE(p.plan) << dump(p.errors);
}

TEST(HugepageLimit, EalMemoryOverTheLimitIsAnErrorBeforeEal) {
    const PlanResult p = plan_huge(512, 8192, "k8s-pod");
    ASSERT_EQ(p.errors.size(), 1u) << dump(p.errors);
    EXPECT_EQ(p.errors[0].path, "eal.memory_mb");
    EXPECT_EQ(p.errors[0].loc.line, 5);
    EXPECT_NE(p.errors[0].message.find("EAL reserves 512 MiB of hugepages at start, but this "
                                       "cgroup's hugetlb limit allows only 256 MiB"),
              std::string::npos)
        << p.errors[0].message;
    EXPECT_NE(p.errors[0].message.find("hugetlb.2MB.max = 256 MiB"), std::string::npos);
}

TEST(HugepageLimit, PoolsOverTheLimitNameMempoolSize) {
    // 200,000 mbufs x 2,368 B = 451.7 MiB > 256 MiB.
    const PlanResult p = plan_huge(128, 200000, "k8s-pod");
    ASSERT_EQ(p.errors.size(), 1u) << dump(p.errors);
    EXPECT_EQ(p.errors[0].path, "mempool.size");
    EXPECT_NE(p.errors[0].message.find("the mempools need at least 452 MiB"), std::string::npos)
        << p.errors[0].message;
}

TEST(HugepageLimit, V1LimitCountsToo) {
    const PlanResult p = plan_huge(64, 4096, "k8s-pod-v1", "2-3");  // limit 32 MiB
    ASSERT_EQ(p.errors.size(), 1u) << dump(p.errors);
    EXPECT_NE(p.errors[0].message.find("allows only 32 MiB"), std::string::npos);
}

TEST(HugepageLimit, NoHugepagesOrNoLimitMeansNoCheck) {
    HostFacts h = topology::read_host(fixture_root("k8s-pod"));
    EXPECT_TRUE(build_plan(huge_job(4096, 4096, false), h, std::vector<PortFacts>(2)).plan);
    ASSERT_FALSE(h.hugepage_limits.empty());
    h.hugepage_limits[0].bytes.reset();  // 2 MB pages without limit: EAL may take them all
    EXPECT_TRUE(build_plan(huge_job(4096, 4096), h, std::vector<PortFacts>(2)).plan);
}

}  // namespace
}  // namespace vfpath::config
