// Stopping a run with no duration: SIGINT (Ctrl-C) and SIGTERM end it cleanly with a full report.
#include <signal.h>

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

INSTANTIATE_TEST_SUITE_P(Signals, SignalTest,
                         ::testing::Values(SignalCase{SIGINT, "SIGINT"},
                                           SignalCase{SIGTERM, "SIGTERM"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vfpt
