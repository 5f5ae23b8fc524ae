// The in-process trial API (measure/trial.h, gen::GenSession) as an RFC 2544 search uses it: one
// session (EAL, ports, pools once), many trials. EAL runs in this test process (no hugepages, no
// shared files) on a net_ring loopback port, which sends and receives.
#include <gtest/gtest.h>

#include <stdexcept>

#include "config/api.h"
#include "gen/api.h"
#include "measure/trial.h"
#include "util/log.h"

namespace {

using vfpath::gen::GenSession;
using vfpath::measure::TrialResult;
using vfpath::measure::TrialSpec;

constexpr const char* k_config =
    "eal:\n"
    "  lcores: \"0-1\"\n"
    "  main_lcore: 0\n"
    "  memory_mb: 256\n"
    "  hugepages: false\n"
    "ports:\n"
    "  - name: r0\n"
    "    device: net_ring0\n"
    "gen:\n"
    "  tx: [r0]\n"
    "  rx: [r0]\n"
    "  drain_ms: 20\n"
    "run:\n"
    "  log_level: warn\n";

class Trials : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        vfpath::log::set_level("warn");
        auto cfg = vfpath::config::load_string(k_config, "trial.yaml");
        ASSERT_TRUE(cfg.config);
        auto s = GenSession::open(*cfg.config, {});
        ASSERT_TRUE(s) << s.error();
        session_ = std::move(*s);
    }
    static void TearDownTestSuite() {
        if (!session_) return;
        const auto closed = session_->close();
        EXPECT_TRUE(closed.clean) << closed.mempools.dump();
        session_.reset();
    }
    void SetUp() override {
        if (!session_) GTEST_SKIP() << "no session";
    }
    static std::unique_ptr<GenSession> session_;
};
std::unique_ptr<GenSession> Trials::session_;

void expect_complete(const TrialResult& r) {
    EXPECT_GT(r.sent, 0u);
    EXPECT_EQ(r.received, r.sent);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.duplicates, 0u);
    EXPECT_EQ(r.reordered, 0u);
    EXPECT_EQ(r.latency_ns.value("count", uint64_t{0}), r.sent) << r.latency_ns.dump();
    EXPECT_GT(r.latency_ns.value("min", uint64_t{0}), 0u);
    EXPECT_GT(r.tx_pps, 0);
    EXPECT_DOUBLE_EQ(r.rx_pps, r.tx_pps);
}

// The shape an RFC 2544 driver codes against: the TrialSession interface.
TEST_F(Trials, ATrialCountsEveryFrameOfItsOwn) {
    vfpath::measure::TrialSession& runner = *session_;
    TrialSpec spec;
    spec.rate_pps = 50'000;
    spec.frame_size = 128;
    spec.seconds = 0.5;
    spec.warmup_s = 0.2;
    spec.flows = 4;
    const TrialResult r = runner.run_trial(spec);
    expect_complete(r);
    // Never more than the schedule allows (the warm-up is not counted).
    EXPECT_LE(r.sent, uint64_t(spec.rate_pps * spec.seconds) + 1);
    for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "p999", "p9999", "max"})
        EXPECT_TRUE(r.latency_ns.contains(k)) << k;
}

// Trial after trial, nothing carries over: each one's frames are its own, counted from zero,
// whatever the previous one sent (unpaced included).
TEST_F(Trials, TrialsAreIndependent) {
    const TrialSpec specs[] = {{0, 64, 0.3, 0, 1, 1},
                               {20'000, 1518, 0.3, 0, 16, 1},
                               {0, 594, 0.3, 0.1, 64, 1},
                               {10'000, 64, 0.3, 0, 1, 0.5}};
    for (const TrialSpec& s : specs) {
        const TrialResult r = session_->run_trial(s);
        SCOPED_TRACE("frame size " + std::to_string(s.frame_size));
        EXPECT_GT(r.sent, 0u);
        EXPECT_EQ(r.received, r.sent);
        EXPECT_EQ(r.lost, 0u);
        EXPECT_EQ(r.duplicates, 0u);
    }
    // The phase view of the last one: nothing stale, nothing left over from before.
    vfpath::gen::PhaseSpec p;
    p.sizes = {256};
    p.rate_pps = 10'000;
    p.seconds = 0.2;
    auto st = session_->run_phase(p);
    ASSERT_TRUE(st) << st.error();
    EXPECT_EQ(st->stale, 0u);
    EXPECT_EQ(st->future_tsc, 0u);
    EXPECT_EQ(st->flushed_before, 0u);
    EXPECT_EQ(st->received(), st->tx_packets);
    ASSERT_EQ(st->streams.size(), 1u);
    EXPECT_EQ(st->streams[0].sent, st->tx_packets);
}

TEST_F(Trials, ASpecOutsideWhatTheSessionCanSendIsRefused) {
    EXPECT_THROW(session_->run_trial({1000, 40, 0.1, 0, 1, 1}), std::invalid_argument);
    EXPECT_THROW(session_->run_trial({1000, 9000, 0.1, 0, 1, 1}), std::invalid_argument);
    EXPECT_THROW(session_->run_trial({1000, 64, 0, 0, 1, 1}), std::invalid_argument);
    EXPECT_THROW(session_->run_trial({1000, 64, 0.1, 0, 0, 1}), std::invalid_argument);
    EXPECT_THROW(session_->run_trial({1000, 64, 0.1, 0, 1, 1.5}), std::invalid_argument);
    // And the session still works afterwards.
    expect_complete(session_->run_trial({10'000, 64, 0.2, 0, 1, 1}));
}

}  // namespace
