// Kubernetes and service integration through the real binary: --log-format json, ports from the
// SR-IOV device plugin's PCIDEVICE_* variables, the cgroup's cpuset and hugepage limit (on the
// k8s-pod fixture tree, --root), and config values from environment variables.
#include <cstdlib>
#include <set>
#include <sstream>

#include "harness.h"

namespace vfpt {
namespace {

const fs::path k_fixtures = VFPATH_FIXTURES;
const std::string k_pod = (k_fixtures / "k8s-pod").string();
constexpr const char* k_var = "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK";

// Sets an environment variable for the children started in one test, and unsets it after.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(name_.c_str()); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
};

std::vector<json> json_lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        try {
            out.push_back(json::parse(line));
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not a JSON line: " << line;
        }
    }
    return out;
}

class K8sTest : public VfpathTest {};

const std::string k_null_job = eal_yaml() +
                               "ports:\n"
                               "  - {name: p0, device: net_null0}\n"
                               "  - {name: p1, device: net_null1}\n";

TEST_F(K8sTest, LogFormatJsonMakesEveryStderrLineAJsonObject) {
    const auto cfg = write_config(k_null_job);
    // Global flag before the subcommand; debug so that DPDK's own log has lines to route.
    const Outcome o = run_vfpath({"--log-format", "json", "run", "-c", cfg.string(), "--duration",
                                  "1", "--stats-interval", "0", "--log-level", "debug"},
                                 dir_, 60);
    ASSERT_TRUE(o.exited());
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const auto lines = json_lines(o.err);
    ASSERT_GT(lines.size(), 5u) << o.err;
    std::set<std::string> loggers;
    for (const json& j : lines) {
        ASSERT_TRUE(j.is_object());
        EXPECT_EQ(j.size(), 4u) << j.dump();
        for (const char* k : {"time", "level", "logger", "msg"})
            EXPECT_TRUE(j.contains(k) && j[k].is_string()) << k << " in " << j.dump();
        loggers.insert(j.value("logger", ""));
    }
    EXPECT_TRUE(loggers.count("vfpath.dpdk")) << "DPDK's log is not routed: " << o.err;
    EXPECT_TRUE(loggers.count("vfpath.run")) << o.err;
    // Tables and the summary stay on stdout, as text.
    EXPECT_NE(o.out.find("=== summary"), std::string::npos) << o.out;
}

TEST_F(K8sTest, LogFormatJsonOnTheSubcommandCarriesConfigErrors) {
    const std::string text = eal_yaml() + "ports:\n  - {device: net_null0, mtu: \"${MTU}\"}\n";
    const auto cfg = write_config(text);
    const Outcome o = run_vfpath({"run", "--log-format", "json", "-c", cfg.string()}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 2) << o.err;
    const auto lines = json_lines(o.err);
    ASSERT_EQ(lines.size(), 1u) << o.err;
    EXPECT_EQ(lines[0].value("level", ""), "error");
    EXPECT_EQ(lines[0].value("logger", ""), "vfpath.config");
    EXPECT_EQ(lines[0].value("msg", ""),
              cfg.string() + ":" + line_col(text, "\"${MTU}\"") +
                  ": ports[0].mtu: environment variable MTU is not set (write ${MTU:-default} to "
                  "give a default)");
}

// The form the systemd unit and the pod use: the global --log-format before the subcommand. A
// usage error after it is reported as itself (it used to say "unknown option '--log-format'"),
// as one JSON line.
TEST_F(K8sTest, LogFormatJsonBeforeTheCommandKeepsTheRealUsageError) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--log-format", "json", "check", "-c", "/nonexistent"},
          std::vector<std::string>{"--log-format=json", "run", "-c", "/nonexistent"},
          std::vector<std::string>{"--log-format", "json", "run", "--duration", "x"},
          std::vector<std::string>{"--log-format", "json", "run", "--report", "/"}}) {
        const Outcome o = run_vfpath(args, dir_, 30);
        ASSERT_TRUE(o.exited());
        EXPECT_EQ(o.exit_code, 2) << o.err;
        EXPECT_EQ(o.err.find("unknown option"), std::string::npos) << o.err;
        const auto lines = json_lines(o.err);
        ASSERT_EQ(lines.size(), 1u) << o.err;
        EXPECT_EQ(lines[0].value("level", ""), "error") << o.err;
        const std::string msg = lines[0].value("msg", "");
        EXPECT_NE(msg.find(args.back()), std::string::npos) << msg;
    }
    // Without json, the same mistake is the same one plain line.
    const Outcome t = run_vfpath({"--log-format", "text", "check", "-c", "/nonexistent"}, dir_, 30);
    EXPECT_EQ(t.exit_code, 2);
    EXPECT_EQ(t.err.rfind("error: --config: '/nonexistent'", 0), 0u) << t.err;
}

// EAL's fatal lines ("EAL: FATAL: ...") are written straight to stderr by DPDK; in JSON mode
// they arrive as JSON lines too, and the failure is still exit 1.
TEST_F(K8sTest, LogFormatJsonCarriesEalFatalLines) {
    const auto cfg = write_config(k_null_job);
    const Outcome o = run_vfpath({"--log-format", "json", "run", "-c", cfg.string(), "--duration",
                                  "1", "--", "--bogus-eal-option"},
                                 dir_, 60);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 1) << o.err;
    const auto lines = json_lines(o.err);
    bool fatal = false;
    for (const json& j : lines)
        if (j.value("msg", "").find("Invalid 'command line' arguments") != std::string::npos)
            fatal = true;
    EXPECT_TRUE(fatal) << o.err;
}

TEST_F(K8sTest, UnknownLogFormatIsAUsageError) {
    const Outcome o = run_vfpath({"--log-format", "xml", "check"}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_NE(o.err.find("--log-format"), std::string::npos) << o.err;
}

TEST_F(K8sTest, VariablesFillTheConfigOfARun) {
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: \"${WEST:-p0}\", device: \"${DEV0}\"}\n"
                                  "  - {name: p1, device: net_null1}\n"
                                  "run:\n"
                                  "  duration_s: ${DURATION:-5}\n"
                                  "  stats_interval_s: 0\n");
    const ScopedEnv dev("DEV0", "net_null0");
    const ScopedEnv dur("DURATION", "1");
    const auto report = path("r.json");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--report", report.string()}, dir_, 60);
    ASSERT_TRUE(o.exited());
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    const json* p0 = find_port(r, "p0");
    ASSERT_NE(p0, nullptr);
    EXPECT_EQ(p0->value("device", ""), "net_null0");
    EXPECT_LT(r.value("duration_s", 99.0), 4.0) << "DURATION=1 was not used";
    expect_run_invariants(r);
}

const std::string k_pod_job =
    "eal: {hugepages: true, memory_mb: \"${MEM_MB:-128}\"}\n"
    "ports:\n"
    "  - {name: west, device: {resource: intel.com/intel_sriov_dpdk, index: 0}}\n"
    "  - {name: east, device: {resource: intel.com/intel_sriov_dpdk, index: 1}}\n";

TEST_F(K8sTest, CheckResolvesDevicePluginPortsAndTakesTheCpuset) {
    const auto cfg = write_config(k_pod_job);
    const ScopedEnv list(k_var, "0000:af:02.2,0000:af:02.3");
    const Outcome o = run_vfpath({"check", "-c", cfg.string(), "--root", k_pod}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_NE(o.out.find("west (0000:af:02.2 from intel.com/intel_sriov_dpdk[0]) socket 1"),
              std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find("east (0000:af:02.3 from intel.com/intel_sriov_dpdk[1]) socket 1"),
              std::string::npos)
        << o.out;
    // No eal.lcores: the pod's CPUs 4-7 (node 1, where the VFs are), main lcore 4.
    EXPECT_NE(o.out.find("main lcore 4"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("lcore 5 (node 1)"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("[cgroup.hugetlb] hugepages of 2 MiB limited to 256 MiB"),
              std::string::npos)
        << o.out;
}

TEST_F(K8sTest, MissingDevicePluginVariableStopsRunBeforeEal) {
    const std::string text = eal_yaml() +
                             "ports:\n  - {name: west, device: {resource: intel.com/intel_sriov_dpdk}}\n";
    const auto cfg = write_config(text);
    ::unsetenv(k_var);
    const Outcome o = run_vfpath({"run", "-c", cfg.string()}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":" + line_col(text, "{resource") +
                         ": ports[0].device: PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK is not set"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << "EAL must not start:\n" << o.err;
}

TEST_F(K8sTest, MalformedDevicePluginListStopsRunBeforeEal) {
    const auto cfg = write_config(k_pod_job);
    const ScopedEnv list(k_var, "0000:af:02.2;0000:af:02.3");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--root", k_pod}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find("item 1 '0000:af:02.2;0000:af:02.3' is not a PCI address"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
}

TEST_F(K8sTest, HugepageLimitStopsRunBeforeEal) {
    const auto cfg = write_config(k_pod_job);
    const ScopedEnv list(k_var, "0000:af:02.2,0000:af:02.3");
    const ScopedEnv mem("MEM_MB", "512");  // the pod may use 256 MiB of 2 MiB pages
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--root", k_pod}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":" + line_col(k_pod_job, "\"${MEM_MB") +
                         ": eal.memory_mb: EAL reserves 512 MiB of hugepages at start, but "
                         "this cgroup's hugetlb limit allows only 256 MiB"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("EAL args"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace vfpt
