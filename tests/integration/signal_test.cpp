// Stopping a run with no duration: SIGINT (Ctrl-C) and SIGTERM end it cleanly with a full report.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

struct SignalCase {
    int sig;
    const char* name;
};

class SignalTest : public VfpathTest, public ::testing::WithParamInterface<SignalCase> {};

TEST_P(SignalTest, StopsCleanlyWithReport) {
    const SignalCase sc = GetParam();
    const auto report = path("report.json");
    Child c({"run", "--report", report.string(), "--stats-interval", "0"}, dir_);
    // Wait until forwarding has started (signal handlers are installed by then), then ~2 s more.
    ASSERT_TRUE(c.wait_for_output("forwarding in", 20)) << "stdout:\n" << c.out() << "\nstderr:\n"
                                                        << c.err();
    EXPECT_NE(c.err().find("until Ctrl-C / SIGTERM"), std::string::npos) << c.err();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_TRUE(c.running()) << "vfpath ended on its own:\n" << c.err();
    const double sent_at = now_s();
    c.signal(sc.sig);
    const Outcome o = c.wait(10);
    ASSERT_FALSE(o.timed_out) << "vfpath did not stop within 10 s of " << sc.name;
    ASSERT_EQ(o.term_signal, 0) << "killed by signal " << o.term_signal << "\n" << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_LT(now_s() - sent_at, 10.0);
    EXPECT_NE(o.out.find(std::string("stopped by ") + sc.name), std::string::npos) << o.out;

    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    EXPECT_EQ(r.value("stop_reason", ""), sc.name);
    EXPECT_GE(r.value("duration_s", 0.0), 1.5);
    ASSERT_EQ(r["ports"].size(), 2u);
    for (const auto& p : r["ports"]) EXPECT_GT(p.value("rx_packets", 0ull), 0u);
}

// A signal while EAL starts (the handlers used to be installed only after EAL init, probing and
// the exporters, so it killed vfpath by the default action, leaving hugepage files behind): it
// is a stop request like any other, and the run ends cleanly with its report.
TEST_P(SignalTest, DuringEalInitStopsCleanly) {
    const SignalCase sc = GetParam();
    const auto report = path("report.json");
    Child c({"run", "--report", report.string(), "--stats-interval", "0", "--duration", "30"}, dir_);
    // "EAL args:" is logged just before rte_eal_init.
    ASSERT_TRUE(c.wait_for_output("EAL args:", 20)) << c.err();
    c.signal(sc.sig);
    const Outcome o = c.wait(20);
    ASSERT_FALSE(o.timed_out) << "vfpath did not stop within 20 s of " << sc.name;
    ASSERT_EQ(o.term_signal, 0) << "killed by signal " << o.term_signal << "\n" << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find(std::string("stopped by ") + sc.name), std::string::npos) << o.out;
    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r.value("stop_reason", ""), sc.name);
    EXPECT_LT(r.value("duration_s", 99.0), 5.0);
}

// Two jobs with the same EAL file prefix: the second is refused with the reason (the first's
// pid and the lock), not "EAL initialisation failed: Success".
TEST_F(VfpathTest, SecondInstanceWithTheSamePrefixSaysWhy) {
    const std::string prefix = "vfpt_dup" + std::to_string(::getpid());
    const auto cfg = write_config(
        "eal:\n  lcores: \"0-1\"\n  hugepages: false\n  in_memory: false\n  file_prefix: " + prefix +
        "\nports:\n  - {name: p0, device: net_null0}\n  - {name: p1, device: net_null1}\n"
        "run:\n  stats_interval_s: 0\n");
    Child first({"run", "-c", cfg.string(), "--duration", "20"}, dir_, "first");
    ASSERT_TRUE(first.wait_for_output("forwarding in", 20)) << first.err();
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration", "1"}, dir_, 30, "second");
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_EQ(o.err.find("Success"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("another DPDK primary process (pid " + std::to_string(first.pid()) + ")"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("file_prefix"), std::string::npos) << o.err;
    first.signal(SIGINT);
    const Outcome f = first.wait(20);
    EXPECT_EQ(f.exit_code, 0) << f.err;
}

INSTANTIATE_TEST_SUITE_P(Signals, SignalTest,
                         ::testing::Values(SignalCase{SIGINT, "SIGINT"},
                                           SignalCase{SIGTERM, "SIGTERM"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vfpt
