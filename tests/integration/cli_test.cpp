// CLI and config errors seen through the binary: exit codes, messages, nothing half-started.
#include "harness.h"

namespace vfpt {
namespace {

class CliTest : public VfpathTest {
protected:
    // A bad-argument/bad-config run: exit 2, quickly, with an "error:" message.
    Outcome expect_usage_error(const std::vector<std::string>& args) {
        Outcome o = run_vfpath(args, dir_, 30);
        EXPECT_TRUE(o.exited()) << "signal " << o.term_signal << " timed_out " << o.timed_out;
        EXPECT_EQ(o.exit_code, 2) << "stdout:\n" << o.out << "\nstderr:\n" << o.err;
        EXPECT_NE(o.err.find("error"), std::string::npos) << o.err;
        return o;
    }
};

const std::string k_good_ports =
    "ports:\n"
    "  - name: p0\n"
    "    device: net_null0\n"
    "  - name: p1\n"
    "    device: net_null1\n"
    "forward:\n"
    "  mode: io\n"
    "  pairs: [[p0, p1]]\n"
    "run:\n"
    "  duration_s: 1\n"
    "  stats_interval_s: 0\n";

TEST_F(CliTest, UnknownOptionIsUsageError) {
    const Outcome o = expect_usage_error({"run", "--bogus-option"});
    EXPECT_NE(o.err.find("--bogus-option"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << "EAL must not start:\n" << o.err;
}

TEST_F(CliTest, MissingSubcommandIsUsageError) { expect_usage_error({}); }

TEST_F(CliTest, UnknownSubcommandIsUsageError) { expect_usage_error({"frobnicate"}); }

TEST_F(CliTest, NegativeDurationIsUsageError) { expect_usage_error({"run", "--duration", "-1"}); }

TEST_F(CliTest, BadLogLevelIsUsageError) {
    const Outcome o = expect_usage_error({"run", "--log-level", "loud", "--duration", "1"});
    EXPECT_NE(o.err.find("loud"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
}

TEST_F(CliTest, EalArgsOnlyForRun) {
    const auto cfg = write_config(eal_yaml() + k_good_ports);
    expect_usage_error({"check", "-c", cfg.string(), "--", "--no-pci"});
}

TEST_F(CliTest, NonexistentConfigIsUsageError) {
    const Outcome o = expect_usage_error({"run", "-c", "/nonexistent/vfpath.yaml"});
    EXPECT_NE(o.err.find("/nonexistent/vfpath.yaml"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
}

TEST_F(CliTest, VersionFlag) {
    const Outcome o = run_vfpath({"--version"}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_NE(o.out.find("0.1.0"), std::string::npos) << o.out;
}

TEST_F(CliTest, UnknownKeyNamesFileLineColAndStartsNothing) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "    colour: blue\n"
                             "  - name: p1\n"
                             "    device: net_null1\n"
                             "run:\n"
                             "  duration_s: 1\n";
    const auto cfg = write_config(text, "unknown_key.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    const std::string where = cfg.string() + ":" + line_col(text, "colour");
    EXPECT_NE(o.err.find(where), std::string::npos) << "expected " << where << " in:\n" << o.err;
    EXPECT_NE(o.err.find("ports[0].colour"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << "EAL must not start:\n" << o.err;
    EXPECT_EQ(o.out.find("summary"), std::string::npos) << o.out;

    // `check` reports the same error the same way.
    const Outcome c = expect_usage_error({"check", "-c", cfg.string()});
    EXPECT_NE(c.err.find(where), std::string::npos) << c.err;
}

TEST_F(CliTest, DeviceLimitErrorAfterProbe) {
    // net_ring offers at most 16 rx queues (RTE_PMD_RING_MAX_RX_RINGS); this is only known once
    // the device is probed, so EAL starts, then the plan is rejected with the config position.
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: r0\n"
                             "    device: net_ring0\n"
                             "    rx_queues: 32\n"
                             "run:\n"
                             "  duration_s: 1\n"
                             "  stats_interval_s: 0\n";
    const auto cfg = write_config(text, "ring.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    EXPECT_NE(o.err.find("ports[0].rx_queues"), std::string::npos) << o.err;
    const std::string at_value = cfg.string() + ":" + line_col(text, "32\n");
    const std::string at_key = cfg.string() + ":" + line_col(text, "rx_queues");
    EXPECT_TRUE(o.err.find(at_value) != std::string::npos ||
                o.err.find(at_key) != std::string::npos)
        << "expected " << at_value << " (or " << at_key << ") in:\n" << o.err;
    EXPECT_EQ(o.out.find("summary"), std::string::npos) << "nothing may run:\n" << o.out;
}

TEST_F(CliTest, L2WithoutNextHopIsConfigError) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "forward:\n"
                             "  mode: l2\n";
    const auto cfg = write_config(text, "l2.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    EXPECT_NE(o.err.find("ports[0].next_hop"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":" + line_col(text, "name: p0")), std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
}

TEST_F(CliTest, QueuePolledByNoWorkerIsConfigError) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "  - name: p1\n"
                             "    device: net_null1\n"
                             "workers:\n"
                             "  - lcore: 1\n"
                             "    queues: [\"p0:0\"]\n";
    const auto cfg = write_config(text, "workers.yaml");
    const Outcome o = expect_usage_error({"check", "-c", cfg.string()});
    EXPECT_NE(o.err.find("p1"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":"), std::string::npos) << o.err;
    // A worker on the main lcore is refused, pointing at the lcore value.
    std::string text2 = text;
    text2.replace(text2.find("lcore: 1"), 8, "lcore: 0");
    text2.replace(text2.find("[\"p0:0\"]"), 8, "[\"p0:0\", \"p1:0\"]");
    const auto cfg2 = write_config(text2, "workers2.yaml");
    const Outcome o2 = expect_usage_error({"run", "-c", cfg2.string()});
    EXPECT_NE(o2.err.find(cfg2.string() + ":" + line_col(text2, "0\n    queues")), std::string::npos)
        << o2.err;
    EXPECT_NE(o2.err.find("workers[0].lcore"), std::string::npos) << o2.err;
    EXPECT_EQ(o2.err.find("EAL"), std::string::npos) << o2.err;
}

TEST_F(CliTest, CheckPrintsPlanWithoutEal) {
    const auto cfg = write_config(eal_yaml() + k_good_ports, "good.yaml");
    const Outcome o = run_vfpath({"check", "-c", cfg.string()}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find(cfg.string() + ": valid"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("p0"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("p1"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("net_null0"), std::string::npos) << o.out;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("EAL:"), std::string::npos) << o.out;
    EXPECT_LT(o.elapsed_s, 10.0);
}

TEST_F(CliTest, CheckWithoutConfigUsesBuiltInDefault) {
    const Outcome o = run_vfpath({"check"}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find("<built-in default>: valid"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("net_null1"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace vfpt
