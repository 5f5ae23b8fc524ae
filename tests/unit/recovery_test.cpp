// Recovery state machine through a fake of the port/driver boundary; fault spec and ladder parsing.
#include <algorithm>
#include <cerrno>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "control/cp/faults.h"
#include "control/cp/journal.h"
#include "control/cp/recovery.h"
#include "dataplane/cp/hw_guard.h"
#include "drivers-glue/version.h"

using namespace vfpath;
using namespace vfpath::control;

namespace {

// A scripted device: each call is recorded; reset answers come from a queue.
class FakeDriver : public PortDriver {
public:
    glue::ErrMode mode = glue::ErrMode::passive;
    std::deque<int> reset_answers;  // empty: 0
    double reset_busy_until[2] = {0, 0};  // -EAGAIN until then, per port (a slow PF)
    int start_answer = 0;
    bool setup_ok = true;
    int reattach_fail = 0;  // number of failing re-attaches before success
    uint16_t reattach_id = 7;
    bool link = true;
    bool quiesce_ok = true;
    unsigned quiesce_checks = 1;  // quiesced() answers true from this check on
    unsigned checks_left = 0;
    bool traffic_after_resume = true;  // frames arrive as soon as the port is polled again
    config::MacAddr mac{2, 0, 0, 0, 0, 1};
    config::MacAddr mac_after_reattach{2, 0, 0, 0, 0, 1};
    std::vector<config::MacAddr> used_macs;
    std::vector<std::string> calls;
    struct Pub {
        uint16_t id;
        bool paused, blocked;
    };
    std::vector<Pub> published;
    uint16_t id = 3;
    uint64_t rx = 0, dropped = 0;
    double clock = 100.0;

    uint16_t port_id(uint16_t) override { return id; }
    void publish(uint16_t, uint16_t pid, bool paused, bool blocked) override {
        id = pid;
        published.push_back({pid, paused, blocked});
        calls.push_back(paused ? "pause" : (blocked ? "block" : "resume"));
        if (!paused && traffic_after_resume) rx += 10;
    }
    std::vector<uint16_t> redirected_to;
    void redirect(uint16_t, uint16_t standby_pidx) override {
        redirected_to.push_back(standby_pidx);
        calls.push_back("redirect");
    }
    uint64_t quiesce_start() override {
        calls.push_back("quiesce");
        checks_left = quiesce_checks;
        return 1;
    }
    bool quiesced(uint64_t) override {
        if (!quiesce_ok) return false;
        if (checks_left > 1) {
            --checks_left;
            return false;
        }
        return true;
    }
    glue::ErrMode err_mode(uint16_t) override { return mode; }
    int reset(uint16_t pid) override {
        calls.push_back("reset");
        const unsigned p = pid == 4 ? 1 : 0;
        if (clock < reset_busy_until[p]) return -EAGAIN;
        if (reset_answers.empty()) return 0;
        const int r = reset_answers.front();
        reset_answers.pop_front();
        return r;
    }
    int stop(uint16_t) override {
        calls.push_back("stop");
        return 0;
    }
    int start(uint16_t) override {
        calls.push_back("start");
        if (!start_takes_s.empty()) {
            clock += start_takes_s.front();  // a start that blocks (mailbox timeouts)
            start_takes_s.erase(start_takes_s.begin());
        }
        return start_answer;
    }
    std::vector<double> start_takes_s;
    Status setup(uint16_t, uint16_t pid) override {
        calls.push_back("setup:" + std::to_string(pid));
        if (!setup_ok) return fail("setup failed");
        return ok();
    }
    Result<uint16_t> reattach(uint16_t) override {
        calls.push_back("reattach");
        if (reattach_fail > 0) {
            --reattach_fail;
            return fail("device not back yet");
        }
        mac = mac_after_reattach;
        return reattach_id;
    }
    bool link_up(uint16_t) override { return link; }
    config::MacAddr read_mac(uint16_t) override { return mac; }
    void use_mac(uint16_t, const config::MacAddr& m) override {
        used_macs.push_back(m);
        calls.push_back("use_mac");
    }
    uint64_t rx_packets(uint16_t pidx) override { return pidx == 1 ? peer_rx : rx; }
    uint64_t not_ready(uint16_t) override { return dropped += 5; }
    uint64_t tx = 0, full = 0, peer_rx = 0;
    uint64_t tx_packets(uint16_t) override { return tx; }
    uint64_t tx_full(uint16_t pidx) override { return pidx == 0 ? full : 0; }  // p0's ring fills
    uint16_t peer(uint16_t pidx) override { return pidx ^ 1; }
    uint16_t standby_of0 = 0xffff;
    uint16_t standby(uint16_t pidx) override { return pidx == 0 ? standby_of0 : 0xffff; }
    double now_s() override { return clock += 0.0001; }
};

struct Rig {
    FakeDriver drv;
    Journal journal;
    RecoveryPolicy policy;
    std::unique_ptr<Recovery> rec;
    void make() {
        rec = std::make_unique<Recovery>(drv, journal, policy,
                                         std::vector<std::string>{"p0", "p1"}, 100.0);
        rec->set_mac(0, drv.mac);
        rec->set_mac(1, drv.mac);
    }
    size_t count(const std::string& call) const {
        return std::count(drv.calls.begin(), drv.calls.end(), call);
    }
    // Runs the control loop's part: ticks as time passes, 1 ms at a time, until no recovery is in
    // progress (or `limit_s` of simulated time went by). Returns the simulated seconds it took.
    double settle(double limit_s = 30) {
        const double t0 = drv.clock;
        while (rec->busy() && drv.clock - t0 < limit_s) {
            drv.clock += 0.001;
            rec->tick();
        }
        return drv.clock - t0;
    }
    bool journaled(const std::string& kind, const std::string& text) const {
        for (const auto& e : journal.entries())
            if (e.kind == kind && e.detail.find(text) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST(Recovery, PassiveResetRetriesEagainWithoutBlockingThenReconfigures) {
    Rig r;
    r.drv.rx = 100;  // the port received before: a frame must arrive for "recovered"
    r.drv.reset_answers = {-EAGAIN, -EAGAIN, 0};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    // on_event returned at once: the port waits in a state, the -EAGAIN retries are due later.
    EXPECT_TRUE(r.rec->busy());
    EXPECT_LE(r.count("reset"), 1u);
    EXPECT_LT(r.drv.clock, 100.01);
    const double took = r.settle();
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.resets, 1u);
    EXPECT_EQ(s.recovered, 1u);
    EXPECT_EQ(r.count("reset"), 3u);
    EXPECT_GE(took, 0.039);  // two waits of reset_eagain_wait_ms (20 ms), as ticks, not sleeps
    EXPECT_EQ(r.count("setup:3"), 1u);  // full reconfiguration after the reset
    // Fixed order: pause, quiesce, reset..., setup, resume.
    ASSERT_GE(r.drv.calls.size(), 4u);
    EXPECT_EQ(r.drv.calls[0], "pause");
    EXPECT_EQ(r.drv.calls[1], "quiesce");
    EXPECT_EQ(r.drv.calls.back(), "resume");
    ASSERT_EQ(s.recovery_ms.size(), 1u);
    EXPECT_GE(s.recovery_ms[0], 40.0);
    EXPECT_GT(s.dropped_during_recovery, 0u);
    EXPECT_TRUE(r.journaled("recovery", "-EAGAIN"));
}

TEST(Recovery, NothingHappensToThePortBeforeWorkersQuiesce) {
    Rig r;
    r.drv.quiesce_checks = 5;  // quiescence takes a few control-loop ticks
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::quiescing);
    EXPECT_EQ(r.count("reset"), 0u);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.count("reset"), 1u);
}

TEST(Recovery, PortsRecoverConcurrently) {
    // Both ports' PF takes 200 ms: one after the other would take 400 ms; at once, 200 ms.
    Rig r;
    r.drv.reset_busy_until[0] = r.drv.reset_busy_until[1] = 100.2;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.drv.id = 4;  // the second port's device (port_id is the fake's last published id)
    r.rec->on_event(1, RTE_ETH_EVENT_INTR_RESET, 100.0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::resetting);
    EXPECT_EQ(r.rec->stats(1).state, PortState::resetting);
    r.settle();
    for (uint16_t p = 0; p < 2; ++p) {
        const auto& s = r.rec->stats(p);
        EXPECT_EQ(s.recovered, 1u) << p;
        ASSERT_EQ(s.recovery_ms.size(), 1u);
        EXPECT_GE(s.recovery_ms[0], 200.0) << p;
        EXPECT_LT(s.recovery_ms[0], 240.0) << p;
    }
}

TEST(Recovery, ResetsDuringARecoveryEachGetTheirOwn) {
    Rig r;
    r.drv.reset_busy_until[0] = 100.05;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.001);
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.002);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).resets, 3u);
    EXPECT_EQ(r.rec->stats(0).recovered, 3u);
    EXPECT_EQ(r.count("setup:3"), 3u);
}

TEST(Recovery, NoResetSupportFallsBackToStopStart) {
    Rig r;
    r.drv.mode = glue::ErrMode::none;
    r.drv.reset_answers = {-ENOTSUP};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.count("reset"), 1u);
    EXPECT_EQ(r.count("stop"), 1u);
    EXPECT_EQ(r.count("start"), 1u);
    EXPECT_EQ(r.count("reattach"), 0u);
}

TEST(Recovery, LadderEndsWithReattachAndTheNewPortId) {
    Rig r;
    r.drv.reset_answers = {-ENOTSUP};
    r.drv.start_answer = -EIO;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.count("reattach"), 1u);
    EXPECT_EQ(r.count("setup:7"), 1u);
    EXPECT_EQ(r.drv.published.back().id, 7);  // workers now use the re-attached id
    EXPECT_FALSE(r.drv.published.back().paused);
}

TEST(Recovery, RemovalGoesStraightToReattachWithBackoff) {
    Rig r;
    r.drv.reattach_fail = 2;
    r.make();
    r.rec->on_event(1, RTE_ETH_EVENT_INTR_RMV, 100.0);
    EXPECT_EQ(r.count("reattach"), 1u);
    // Exponential backoff between passes, 10 ms then 20 ms, as states: nothing before it ends.
    const double t = r.drv.clock;
    while (r.drv.clock < t + 0.007) r.drv.clock += 0.001, r.rec->tick();
    EXPECT_EQ(r.count("reattach"), 1u);
    EXPECT_EQ(r.rec->stats(1).state, PortState::backoff);
    r.settle();
    const auto& s = r.rec->stats(1);
    EXPECT_EQ(s.removals, 1u);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(r.count("reattach"), 3u);
    EXPECT_TRUE(r.journaled("state", "next attempt in 10.000 ms"));
    EXPECT_TRUE(r.journaled("state", "next attempt in 20.000 ms"));
}

TEST(Recovery, ARemovedDeviceIsWaitedForAndReattachedWhenItComesBack) {
    // sriov_numvfs lowered, then raised again by the operator a minute later: the re-attach
    // finds nothing for max_attempts passes, then the port waits in device_gone, probing once a
    // second, and comes back by itself; nothing is journaled per failed probe.
    Rig r;
    r.policy.max_attempts = 3;
    r.policy.removed_poll_ms = 1000;
    r.drv.reattach_fail = 3 + 60;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RMV, 100.0);
    r.settle(5);
    EXPECT_EQ(r.rec->stats(0).state, PortState::device_gone);
    EXPECT_EQ(r.rec->stats(0).failed, 0u);
    EXPECT_TRUE(r.journaled("recovery", "the device is gone: probing for it every 1000 ms"));
    EXPECT_TRUE(r.drv.published.back().paused);  // out of service while it is away
    const size_t entries = r.journal.entries().size();
    r.settle(120);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(r.count("reattach"), 3u + 60u + 1u);
    EXPECT_TRUE(r.journaled("recovery", "the device is back after"));
    EXPECT_FALSE(r.drv.published.back().paused);
    // The ~60 failed probes are counted, not journaled: a handful of entries for the return.
    EXPECT_LT(r.journal.entries().size() - entries, 12u);
}

TEST(Recovery, ARemovedDeviceThatStaysAwayFailsAfterRemovedWait) {
    Rig r;
    r.policy.max_attempts = 2;
    r.policy.removed_poll_ms = 500;
    r.policy.removed_wait_ms = 3000;
    r.drv.reattach_fail = 1000;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RMV, 100.0);
    r.settle(60);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::failed);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_TRUE(r.journaled("recovery", "the device did not come back within 3000 ms"));
    // 2 passes, then a probe every 500 ms for 3 s.
    EXPECT_GE(r.count("reattach"), 2u + 5u);
    EXPECT_LE(r.count("reattach"), 2u + 7u);
}

TEST(Recovery, AFailedResetIsNotWaitedForLikeARemoval) {
    // Only a removal makes the port wait for its device: a reset whose every step fails ends
    // in failed as before.
    Rig r;
    r.policy.max_attempts = 2;
    r.drv.reset_answers = {-EIO, -EIO};
    r.drv.start_answer = -EIO;
    r.drv.reattach_fail = 100;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::failed);
}

TEST(Recovery, GivesUpAfterMaxAttemptsAndStaysOutOfService) {
    Rig r;
    r.policy.max_attempts = 3;
    r.drv.reset_answers = {-EIO, -EIO, -EIO};
    r.drv.start_answer = -EIO;
    r.drv.reattach_fail = 100;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::failed);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(s.recovered, 0u);
    EXPECT_EQ(r.count("reattach"), 3u);
    EXPECT_TRUE(r.drv.published.back().paused);
    EXPECT_TRUE(r.drv.published.back().blocked);
    // A later reset on a failed port is counted but not acted on.
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 101.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).resets, 2u);
    EXPECT_EQ(r.count("reattach"), 3u);
}

TEST(Recovery, NoQuiescenceMeansNoTouchingThePort) {
    Rig r;
    r.drv.quiesce_ok = false;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::quiescing);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::failed);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(r.count("stop"), 0u);
}

TEST(Recovery, ProactiveDriverIsLeftAloneUntilSuccess) {
    Rig r;
    r.drv.mode = glue::ErrMode::proactive;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_ERR_RECOVERING, 100.0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::driver_recovering);
    EXPECT_TRUE(r.drv.published.back().paused);
    EXPECT_EQ(r.count("reset") + r.count("stop") + r.count("reattach"), 0u);
    r.rec->on_event(0, RTE_ETH_EVENT_RECOVERY_SUCCESS, 100.5);
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    EXPECT_FALSE(r.drv.published.back().paused);
    EXPECT_EQ(r.count("reset") + r.count("stop") + r.count("reattach"), 0u);
}

TEST(Recovery, NoResetWhileAProactiveDriverRecovers) {
    Rig r;
    r.drv.mode = glue::ErrMode::proactive;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_ERR_RECOVERING, 100.0);
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.1);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::driver_recovering);
    EXPECT_EQ(r.count("reset") + r.count("stop") + r.count("reattach"), 0u);
    EXPECT_TRUE(r.journaled("recovery", "left to the driver"));
}

TEST(Recovery, ProactiveFailureTakesOverWithoutReset) {
    Rig r;
    r.drv.mode = glue::ErrMode::proactive;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_ERR_RECOVERING, 100.0);
    r.rec->on_event(0, RTE_ETH_EVENT_RECOVERY_FAILED, 100.2);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(r.count("start"), 1u);
}

TEST(Recovery, LinkDownBlocksTxButKeepsPolling) {
    Rig r;
    r.make();
    r.drv.link = false;
    r.rec->on_event(1, RTE_ETH_EVENT_INTR_LSC, 100.0);
    EXPECT_EQ(r.rec->stats(1).state, PortState::link_down);
    EXPECT_EQ(r.rec->stats(1).link_changes, 1u);
    EXPECT_FALSE(r.drv.published.back().paused);
    EXPECT_TRUE(r.drv.published.back().blocked);
    r.drv.link = true;
    r.rec->on_link_poll(1);  // the fallback sees it come back
    EXPECT_EQ(r.rec->stats(1).state, PortState::running);
    EXPECT_EQ(r.rec->stats(1).link_changes, 2u);
    EXPECT_FALSE(r.drv.published.back().blocked);
    r.rec->on_link_poll(1);  // no change, no count
    EXPECT_EQ(r.rec->stats(1).link_changes, 2u);
    EXPECT_EQ(r.count("stop"), 0u);  // no rule asked for a restart
}

TEST(Recovery, LinkBackUpRestartsAVfWhosePfMayHaveResetIt) {
    Rig r;
    r.make();
    r.rec->set_restart_on_link_up(0, true);
    r.drv.link = false;
    r.rec->on_link_poll(0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::link_down);
    r.drv.link = true;
    r.rec->on_link_poll(0);
    r.settle();
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.link_bounce_restarts, 1u);
    EXPECT_EQ(r.count("stop"), 1u);  // restart, not rte_eth_dev_reset
    EXPECT_EQ(r.count("start"), 1u);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.recovered, 1u);
    EXPECT_TRUE(r.journaled("recovery", "PF may have reset it"));
    // Link polling that sees no change does nothing more.
    r.rec->on_link_poll(0);
    r.settle();
    EXPECT_EQ(r.count("stop"), 1u);
}

TEST(Recovery, TheRestartAfterALinkBounceWaitsForThePfToSettle) {
    // igb in QEMU: a VF reset handshake sent 0.5 s after the link returned went unanswered
    // (6.2 s of mailbox timeouts, tx left disabled). The restart waits link_up_settle_ms.
    Rig r;
    r.policy.link_up_settle_ms = 1000;
    r.make();
    r.rec->set_restart_on_link_up(0, true);
    r.drv.link = false;
    r.rec->on_link_poll(0);
    r.drv.link = true;
    r.rec->on_link_poll(0);
    EXPECT_TRUE(r.journaled("recovery", "restarting the port in 1000 ms"));
    EXPECT_TRUE(r.rec->busy());  // a restart is due: not settled
    const double t = r.drv.clock;
    while (r.drv.clock < t + 0.9) r.drv.clock += 0.01, r.rec->tick();
    EXPECT_EQ(r.count("stop"), 0u);
    EXPECT_EQ(r.rec->stats(0).state, PortState::link_down);  // still out of service
    // The link drops again before the restart: it waits for the next return.
    r.drv.link = false;
    r.rec->on_link_poll(0);
    while (r.drv.clock < t + 3) r.drv.clock += 0.01, r.rec->tick();
    EXPECT_EQ(r.count("stop"), 0u);
    EXPECT_FALSE(r.rec->busy());
    r.drv.link = true;
    r.rec->on_link_poll(0);
    const double up = r.drv.clock;
    EXPECT_LE(r.rec->next_due_s(), up + 1.0 + 1e-9);
    r.settle();
    EXPECT_EQ(r.count("stop"), 1u);
    EXPECT_EQ(r.rec->stats(0).link_bounce_restarts, 1u);
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
}

TEST(Recovery, ASlowRestartIsDoneOnceMore) {
    // igbvf after a PF link bounce: the first stop/start sat 4.2 s in mailbox timeouts and left
    // tx disabled; the one after it took 60 ms and worked.
    Rig r;
    r.drv.start_takes_s = {4.2, 0.06};
    r.make();
    r.rec->set_restart_on_link_up(0, true);
    r.drv.link = false;
    r.rec->on_link_poll(0);
    r.drv.link = true;
    r.rec->on_link_poll(0);
    r.settle();
    EXPECT_EQ(r.count("start"), 2u);
    EXPECT_TRUE(r.journaled("recovery", "(over slow_restart_ms 1000: the driver waited for its PF)"));
    EXPECT_TRUE(r.journaled("recovery", "stop/start took 4200"));
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    // Never more than twice again, however slow it stays.
    Rig q;
    q.drv.start_takes_s = {3, 3, 3, 3, 3};
    q.drv.reset_answers = {-ENOTSUP};
    q.make();
    q.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    q.settle(60);
    EXPECT_EQ(q.count("start"), 3u);
}

TEST(Recovery, RestartWithoutTrafficIsNotARecovery) {
    Rig r;
    r.drv.rx = 100;  // it received before the fault
    r.drv.traffic_after_resume = false;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.recovered, 0u);
    EXPECT_EQ(s.restarted_no_traffic, 1u);
    EXPECT_TRUE(s.recovery_ms.empty());
    EXPECT_EQ(s.state, PortState::running);  // in service: the frames may still come
    EXPECT_TRUE(r.journaled("recovery", "restarted, no traffic yet"));
    EXPECT_TRUE(r.journaled("state", "no frame received yet"));
}

TEST(Recovery, APortThatNeverReceivedIsRecoveredWhenUp) {
    Rig r;
    r.drv.traffic_after_resume = false;  // egress only: rx stays 0
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    EXPECT_EQ(r.rec->stats(0).restarted_no_traffic, 0u);
    EXPECT_TRUE(r.journaled("state", "no traffic expected"));
}

TEST(Recovery, RecurringFaultBacksOffThenReattachesThenDegradesAndNeverLoops) {
    Rig r;
    r.drv.rx = 100;
    r.drv.traffic_after_resume = false;  // every restart leaves it silent: the fault stays
    r.drv.mode = glue::ErrMode::none;
    r.drv.reset_answers = {-ENOTSUP, -ENOTSUP, -ENOTSUP, -ENOTSUP, -ENOTSUP, -ENOTSUP};
    r.drv.mac_after_reattach = {2, 0, 0, 0, 0, 0x20};  // a PF set a new MAC meanwhile
    r.make();
    std::vector<double> took;
    for (int i = 0; i < 6; ++i) {
        r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
        took.push_back(r.settle(60));
        r.drv.clock += 0.5;  // the fault is seen again half a second later
    }
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.resets, 6u);
    EXPECT_EQ(s.recovered, 0u);
    EXPECT_EQ(s.restarted_no_traffic, 4u);  // 3 restarts and the re-attach
    EXPECT_EQ(s.recurrences, 5u);
    EXPECT_EQ(s.escalations, 1u);
    EXPECT_EQ(s.degraded, 2u);  // the 5th and the 6th: no action
    EXPECT_EQ(s.state, PortState::degraded);
    EXPECT_EQ(r.count("start"), 3u);
    EXPECT_EQ(r.count("reattach"), 1u);
    // Exponential backoff before each recurrence's restart: 500, 1000, 2000 ms (+1 s waiting
    // for a frame each time).
    ASSERT_EQ(took.size(), 6u);
    EXPECT_LT(took[0], 1.1);
    EXPECT_GE(took[1], 1.5);
    EXPECT_GE(took[2], 2.0);
    EXPECT_GE(took[3], 3.0);
    EXPECT_LT(took[4], 0.01);
    // The re-attach re-read the MAC: journaled and put to use.
    EXPECT_EQ(s.mac_changes, 1u);
    ASSERT_EQ(r.drv.used_macs.size(), 1u);
    EXPECT_EQ(r.drv.used_macs[0][5], 0x20);
    EXPECT_TRUE(r.journaled("mac", "MAC changed from 02:00:00:00:00:01 to 02:00:00:00:00:20"));
    EXPECT_TRUE(r.journaled("recovery", "degraded"));
}

TEST(Recovery, ANewMacIsInPlaceBeforeThePortIsSentToAgain) {
    Rig r;
    r.policy.ladder = {Step::reattach};
    r.drv.mac_after_reattach = {2, 0, 0, 0, 0, 0x33};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).mac_changes, 1u);
    // use_mac, then a grace period, then the port is sent to again.
    const auto use = std::find(r.drv.calls.begin(), r.drv.calls.end(), "use_mac");
    ASSERT_NE(use, r.drv.calls.end());
    const auto q = std::find(use, r.drv.calls.end(), "quiesce");
    const auto resume = std::find(use, r.drv.calls.end(), "resume");
    EXPECT_LT(q, resume);
    EXPECT_NE(resume, r.drv.calls.end());
    // The same MAC after the next recovery: nothing more.
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).mac_changes, 1u);
}

TEST(Recovery, EveryTransitionIsJournaledWithItsDuration) {
    Rig r;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    int states = 0;
    for (const auto& e : r.journal.entries()) {
        if (e.kind != "state") continue;
        ++states;
        EXPECT_NE(e.detail.find(" after "), std::string::npos) << e.detail;
        EXPECT_EQ(e.port, "p0");
    }
    EXPECT_GE(states, 4);  // quiescing, resetting, reconfiguring, running
    EXPECT_EQ(r.rec->stats(0).events_by_type.at("INTR_RESET"), 1u);
}

TEST(Recovery, OtherEventsAreCountedOnly) {
    Rig r;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_NEW, 100.0);
    r.rec->on_event(0, RTE_ETH_EVENT_VF_MBOX, 100.0);
    EXPECT_EQ(r.rec->stats(0).events, 2u);
    EXPECT_TRUE(r.drv.calls.empty());
}

TEST(Watchdog, TxThatStopsCompletingWithLinkUpIsRecovered) {
    Rig r;
    r.policy.tx_stall_ms = 500;
    r.make();
    r.rec->watchdog_tick();  // baseline
    for (int i = 0; i < 4; ++i) {  // 400 ms of frames offered, none accepted: not yet
        r.drv.full += 100;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 0u);
    r.drv.full += 100;
    r.drv.clock += 0.15;
    r.rec->watchdog_tick();
    r.settle();
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 1u);
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    EXPECT_TRUE(r.journaled("watchdog", "tx stalled"));
}

TEST(Watchdog, IdlePortsAndMovingCountersAreNotStalls) {
    Rig r;
    r.policy.tx_stall_ms = 200;
    r.policy.rx_stall_ms = 200;
    r.make();
    r.rec->watchdog_tick();
    for (int i = 0; i < 10; ++i) {  // idle: nothing offered, nothing received anywhere
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    for (int i = 0; i < 10; ++i) {  // busy: ring full at times, but tx keeps completing
        r.drv.full += 10;
        r.drv.tx += 1000;
        r.drv.rx += 1000;
        r.drv.peer_rx += 1000;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 0u);
    EXPECT_EQ(r.rec->stats(1).watchdog_triggers, 0u);
}

TEST(Watchdog, RxFreezeOnAPortThatReceivedIsCaughtWithinTwoSeconds) {
    Rig r;
    r.policy.tx_stall_ms = 0;
    r.policy.rx_stall_ms = 1500;
    r.make();
    r.rec->watchdog_tick();
    for (int i = 0; i < 20; ++i) {  // 2 s of steady traffic into p0
        r.drv.rx += 1000;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_TRUE(r.journaled("watchdog", "receives steadily"));
    const double frozen_at = r.drv.clock;
    double caught = -1;
    for (int i = 0; i < 30 && caught < 0; ++i) {  // p0's rx freezes, its link stays up
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
        if (r.rec->stats(0).watchdog_triggers) caught = r.drv.clock - frozen_at;
    }
    ASSERT_GT(caught, 0);
    EXPECT_LE(caught, 2.0);
    EXPECT_GE(caught, 1.5);
    EXPECT_EQ(r.rec->stats(1).watchdog_triggers, 0u);
}

TEST(Watchdog, AnEgressOnlyPortIsNeverRestarted) {
    // One-way traffic: p0 receives and forwards to p1, which receives nothing, for 10 minutes.
    Rig r;
    r.policy.rx_stall_ms = 1500;
    r.make();
    r.rec->watchdog_tick();
    for (int i = 0; i < 6000; ++i) {
        r.drv.rx += 1000;
        r.drv.tx += 1000;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 0u);
    EXPECT_EQ(r.rec->stats(1).watchdog_triggers, 0u);
    EXPECT_EQ(r.count("stop") + r.count("reset"), 0u);
}

TEST(Watchdog, AFreezeThatARestartDoesNotCureIsNotRestartedForever) {
    Rig r;
    r.policy.tx_stall_ms = 0;
    r.policy.rx_stall_ms = 1000;
    r.drv.traffic_after_resume = false;
    r.make();
    r.rec->watchdog_tick();
    for (int i = 0; i < 10; ++i) {
        r.drv.rx += 1000;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    for (int i = 0; i < 600; ++i) {  // frozen for a minute
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
        r.settle();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 1u);
    EXPECT_EQ(r.rec->stats(0).restarted_no_traffic, 1u);
}

TEST(Watchdog, APortThatIsDownIsNotWatched) {
    Rig r;
    r.policy.tx_stall_ms = 200;
    r.make();
    r.drv.link = false;
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_LSC, 100.0);
    for (int i = 0; i < 10; ++i) {
        r.drv.full += 100;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 0u);
}

TEST(Failover, RemovalMovesTrafficToTheStandbyAndBack) {
    Rig r;
    r.drv.standby_of0 = 1;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RMV, 100.0);
    r.settle();
    // During the re-attach, p0's traffic went to the standby, and the re-attach used p0's own id.
    ASSERT_EQ(r.drv.redirected_to.size(), 1u);
    EXPECT_EQ(r.drv.redirected_to[0], 1);
    const auto redirect = std::find(r.drv.calls.begin(), r.drv.calls.end(), "redirect");
    const auto reattach = std::find(r.drv.calls.begin(), r.drv.calls.end(), "reattach");
    EXPECT_LT(redirect, reattach);
    EXPECT_EQ(r.rec->stats(0).failovers, 1u);
    EXPECT_FALSE(r.rec->stats(0).on_standby);  // back on p0 after recovery
    EXPECT_FALSE(r.drv.published.back().paused);
}

TEST(Failover, FailedRecoveryStaysOnTheStandby) {
    Rig r;
    r.drv.standby_of0 = 1;
    r.policy.max_attempts = 1;
    r.policy.ladder = {Step::reset};
    r.drv.reset_answers = {-EIO};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::failed);
    EXPECT_TRUE(r.rec->stats(0).on_standby);
    EXPECT_EQ(r.drv.calls.back(), "redirect");
    EXPECT_EQ(r.drv.id, 3);  // the port keeps its own device id
}

TEST(Failover, ResetWithoutFailureDoesNotFailOver) {
    Rig r;
    r.drv.standby_of0 = 1;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).failovers, 0u);
}

TEST(Ladder, ParsesAndRejects) {
    auto l = parse_ladder("reattach,reset");
    ASSERT_TRUE(l);
    ASSERT_EQ(l->size(), 2u);
    EXPECT_EQ((*l)[0], Step::reattach);
    EXPECT_FALSE(parse_ladder(""));
    EXPECT_FALSE(parse_ladder("reset,reset"));
    EXPECT_NE(parse_ladder("reboot").error().find("unknown step"), std::string::npos);
}

TEST(Faults, ParsesEveryForm) {
    auto f = parse_fault("reset:p0@2s,every=10ms,count=1000");
    ASSERT_TRUE(f) << f.error();
    EXPECT_EQ(f->kind, FaultKind::reset);
    EXPECT_EQ(f->port, "p0");
    EXPECT_DOUBLE_EQ(f->at_s, 2.0);
    EXPECT_DOUBLE_EQ(f->every_s, 0.01);
    EXPECT_EQ(f->count, 1000u);
    f = parse_fault("link-down:up1@250ms,for=1.5s");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, FaultKind::link_down);
    EXPECT_DOUBLE_EQ(f->for_s, 1.5);
    f = parse_fault("remove:vf_1@500us");
    ASSERT_TRUE(f);
    EXPECT_DOUBLE_EQ(f->at_s, 0.0005);
    EXPECT_TRUE(parse_fault("err-recovering:p0@1s,for=20ms"));
    f = parse_fault("reset:p0@1s,slow=300ms");
    ASSERT_TRUE(f) << f.error();
    EXPECT_DOUBLE_EQ(f->slow_s, 0.3);
}

TEST(Faults, RejectsMalformedSpecsWithAReason) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"reset", "expected KIND:PORT@TIME"},
        {"reboot:p0@1s", "unknown kind"},
        {"reset:@1s", "no port name"},
        {"reset:p0@soon", "bad time"},
        {"reset:p0@-1s", "bad time"},
        {"reset:p0@1s,every=0s", "bad every"},
        {"reset:p0@1s,count=5", "count needs every="},
        {"reset:p0@1s,every=1s,count=x", "bad count"},
        {"reset:p0@1s,for=1s", "for= is for"},
        {"link-down:p0@1s,every=1s,for=2s", "shorter than every"},
        {"reset:p0@1s,often=1", "unknown option"},
        {"link-down:p0@1s,slow=1s", "slow= is for reset"},
        {"reset:p0@1s,slow=soon", "bad slow"},
    };
    for (const auto& [text, why] : bad) {
        auto f = parse_fault(text);
        ASSERT_FALSE(f) << text;
        EXPECT_NE(f.error().find(why), std::string::npos) << text << ": " << f.error();
        EXPECT_NE(f.error().find(text), std::string::npos) << "message names the spec";
    }
}

TEST(Faults, ScheduleFiresOnTimeAndEndsLinkDowns) {
    FaultSchedule s({*parse_fault("reset:p0@1s,every=100ms,count=3"),
                     *parse_fault("link-down:p1@1.05s,for=200ms")});
    EXPECT_TRUE(s.due(0.5).empty());
    EXPECT_NEAR(s.next_in(0.5), 0.5, 1e-9);
    auto a = s.due(1.0);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, FaultKind::reset);
    a = s.due(1.06);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, FaultKind::link_down);
    EXPECT_FALSE(a[0].end);
    EXPECT_EQ(s.due(1.1).size(), 1u);
    auto b = s.due(1.3);  // third reset, and the link comes back up
    ASSERT_EQ(b.size(), 2u);
    EXPECT_TRUE(b[0].end || b[1].end);
    EXPECT_TRUE(s.due(5.0).empty());
    EXPECT_EQ(s.fired(0), 3u);
}

TEST(Faults, Durations) {
    EXPECT_DOUBLE_EQ(*parse_duration("2"), 2.0);
    EXPECT_DOUBLE_EQ(*parse_duration("250ms"), 0.25);
    EXPECT_DOUBLE_EQ(*parse_duration("10us"), 0.00001);
    EXPECT_FALSE(parse_duration("ms"));
    EXPECT_FALSE(parse_duration("1h"));
    EXPECT_FALSE(parse_duration(""));
}

TEST(Journal, BoundedAndWritesJsonLines) {
    Journal j;
    const std::string path = ::testing::TempDir() + "/journal.jsonl";
    std::remove(path.c_str());
    ASSERT_TRUE(j.open_file(path));
    for (size_t i = 0; i < Journal::k_capacity + 10; ++i) j.add(double(i), "p0", "event", "x");
    EXPECT_EQ(j.entries().size(), Journal::k_capacity);
    EXPECT_EQ(j.total(), Journal::k_capacity + 10);
    EXPECT_DOUBLE_EQ(j.entries().front().t_s, 10.0);
    EXPECT_EQ(j.to_json(5).size(), 5u);
    FILE* f = std::fopen(path.c_str(), "r");
    ASSERT_TRUE(f);
    int lines = 0;
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) {
        ++lines;
        EXPECT_NE(std::string(buf).find("\"kind\":\"event\""), std::string::npos);
    }
    std::fclose(f);
    EXPECT_EQ(lines, int(Journal::k_capacity + 10));
}

TEST(HwCounters, AJumpTo2Pow32AfterAPfBounceIsCountedFromANewBase) {
    dataplane::HwCounterGuard g(2);
    glue::PortHwStats raw;
    raw.ipackets = 1'000'000;
    raw.opackets = 900'000;
    EXPECT_EQ(g.apply(0, raw, 10.0).ipackets, 1'000'000u);
    raw.ipackets += 50'000;  // ordinary traffic in a second
    raw.opackets += 50'000;
    EXPECT_EQ(g.apply(0, raw, 11.0).ipackets, 1'050'000u);
    EXPECT_TRUE(g.take_jumps().empty());
    // The PF bounced: the PMD now reads its counters as 2^32 and up.
    raw.ipackets = (1ull << 32) + 7;
    raw.opackets = (1ull << 32) + 3;
    const glue::PortHwStats a = g.apply(0, raw, 12.0);
    EXPECT_EQ(a.ipackets, 1'050'000u);  // the figure goes on from where it was
    EXPECT_EQ(a.opackets, 950'000u);
    const auto jumps = g.take_jumps();
    ASSERT_EQ(jumps.size(), 2u);
    EXPECT_EQ(jumps[0].counter, "ipackets");
    EXPECT_EQ(jumps[0].before, 1'050'000u);
    EXPECT_EQ(jumps[0].after, (1ull << 32) + 7);
    raw.ipackets += 1000;  // and counts on from the new base
    EXPECT_EQ(g.apply(0, raw, 13.0).ipackets, 1'051'000u);
    EXPECT_TRUE(g.take_jumps().empty());
    // Back to 0 (a re-attached device): again from a new base, never backwards.
    raw.ipackets = 10;
    EXPECT_EQ(g.apply(0, raw, 14.0).ipackets, 1'051'000u);
    EXPECT_EQ(g.take_jumps().size(), 1u);  // ipackets went back; opackets did not move
    // The other port is not affected.
    glue::PortHwStats other;
    other.ipackets = 5;
    EXPECT_EQ(g.apply(1, other, 14.0).ipackets, 5u);
}

TEST(HwCounters, FastButPossibleTrafficIsNotAJump) {
    dataplane::HwCounterGuard g(1);
    glue::PortHwStats raw;
    g.apply(0, raw, 0.0);
    raw.ipackets = 148'800'000;  // 100 GbE line rate of 64-byte frames for a second
    raw.ibytes = 12'500'000'000ull;
    EXPECT_EQ(g.apply(0, raw, 1.0).ipackets, 148'800'000u);
    raw.ipackets += 148'800'000ull * 600;  // ten minutes between readings
    EXPECT_EQ(g.apply(0, raw, 601.0).ipackets, 148'800'000ull * 601);
    EXPECT_TRUE(g.take_jumps().empty());
}

TEST(Recovery, DriverThatRecoversByItselfIsNeverResetAndTimedByItsLink) {
    Rig r;
    r.make();
    r.rec->set_driver_recovers(0, true);
    // An INTR_RESET, if one comes anyway: handed to the driver, no rte_eth_dev_reset.
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::driver_recovering);
    EXPECT_EQ(r.count("reset") + r.count("stop") + r.count("reattach"), 0u);
    r.drv.link = false;
    r.rec->on_link_poll(0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::driver_recovering);
    r.drv.clock += 0.3;
    r.drv.link = true;
    r.rec->on_link_poll(0);
    EXPECT_EQ(r.rec->stats(0).state, PortState::running);
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    // No event at all: the link going down and back up is the recovery, timed between the two.
    r.drv.link = false;
    r.rec->on_link_poll(0);
    const double down = r.drv.clock;
    EXPECT_EQ(r.rec->stats(0).state, PortState::driver_recovering);
    r.drv.clock += 0.25;
    r.drv.link = true;
    r.rec->on_link_poll(0);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.recovered, 2u);
    ASSERT_EQ(s.recovery_ms.size(), 2u);
    EXPECT_NEAR(s.recovery_ms[1], (r.drv.clock - down) * 1e3, 1.0);
    EXPECT_GE(s.recovery_ms[1], 250.0);
    EXPECT_EQ(r.count("reset") + r.count("stop") + r.count("reattach"), 0u);
    EXPECT_TRUE(r.journaled("state", "the driver recovered by itself"));
}

TEST(Recovery, TheResetStepIsSkippedForADriverThatRecoversByItself) {
    Rig r;
    r.policy.tx_stall_ms = 200;
    r.make();
    r.rec->set_driver_recovers(0, true);
    r.rec->watchdog_tick();
    for (int i = 0; i < 4; ++i) {  // a tx stall: the watchdog recovers it with the ladder
        r.drv.full += 100;
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    r.settle();
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 1u);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(r.count("stop"), 1u);
    EXPECT_EQ(r.count("start"), 1u);
    EXPECT_TRUE(r.journaled("recovery", "no rte_eth_dev_reset"));
}

TEST(RecoveryModel, IavfAutoResetByVersionAndDevargs) {
    const uint32_t v2211 = RTE_VERSION_NUM(22, 11, 0, 0), v2311 = RTE_VERSION_NUM(23, 11, 0, 0),
                   v2607 = RTE_VERSION_NUM(26, 7, 0, 0);
    EXPECT_FALSE(glue::recovery_model("net_iavf", v2211, "0000:3b:02.0").driver_recovers);
    EXPECT_FALSE(glue::recovery_model("net_iavf", v2211, "0000:3b:02.0,auto_reset=1").driver_recovers);
    EXPECT_FALSE(glue::recovery_model("net_iavf", v2311, "0000:3b:02.0").driver_recovers);
    EXPECT_TRUE(glue::recovery_model("net_iavf", v2311, "0000:3b:02.0,auto_reset=1").driver_recovers);
    EXPECT_TRUE(glue::recovery_model("net_iavf", v2607, "0000:3b:02.0").driver_recovers);
    EXPECT_FALSE(glue::recovery_model("net_iavf", v2607, "0000:3b:02.0,auto_reset=0").driver_recovers);
    EXPECT_FALSE(glue::recovery_model("net_e1000_igb_vf", v2607, "0000:00:03.0").driver_recovers);
    EXPECT_FALSE(glue::recovery_model("net_null", v2607, "net_null0,auto_reset=1").driver_recovers);
    EXPECT_NE(glue::recovery_model("net_iavf", v2607, "x").why.find("26.07"), std::string::npos);
}

TEST(Recovery, ResetStormHoldsThePortOnItsStandbyThenRecoversOnce) {
    Rig r;
    r.drv.standby_of0 = 1;
    r.policy.storm_resets = 3;
    r.policy.storm_window_ms = 60000;
    r.policy.storm_hold_ms = 2000;
    r.make();
    for (int i = 0; i < 2; ++i) {
        r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
        r.settle();
    }
    EXPECT_EQ(r.rec->stats(0).recovered, 2u);
    EXPECT_EQ(r.rec->stats(0).storms, 0u);
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);  // the third within the window
    EXPECT_EQ(r.rec->stats(0).storms, 1u);
    EXPECT_EQ(r.rec->stats(0).state, PortState::storm);
    EXPECT_TRUE(r.rec->stats(0).on_standby);
    EXPECT_TRUE(r.journaled("storm", "reset storm"));
    const size_t resets_before = r.count("reset");
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);  // during the hold: counted only
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
    EXPECT_EQ(r.rec->stats(0).storm_merged, 2u);
    const double took = r.settle();
    EXPECT_GE(took, 2.0);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.recovered, 3u);  // the two before, and one after the hold
    EXPECT_EQ(r.count("reset"), resets_before + 1);
    EXPECT_FALSE(s.on_standby);  // traffic back once recovered
    EXPECT_EQ(s.failovers, 1u);
}

TEST(Recovery, StormsInARowHoldLonger) {
    Rig r;
    r.policy.storm_resets = 2;
    r.policy.storm_hold_ms = 1000;
    r.make();
    std::vector<double> holds;
    for (int i = 0; i < 6; ++i) {
        r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
        holds.push_back(r.settle());
    }
    EXPECT_EQ(r.rec->stats(0).storms, 3u);
    EXPECT_LT(holds[0], 0.5);
    EXPECT_GE(holds[1], 1.0);
    EXPECT_GE(holds[3], 2.0);
    EXPECT_GE(holds[5], 4.0);
}

// From DPDK 26.07 net_iavf resets a VF itself (auto_reset by default) and raises no INTR_RESET:
// the query follows the DPDK that runs, whatever the one built against.
TEST(DpdkVersions, IavfResetsItselfFrom2607) {
    EXPECT_FALSE(glue::iavf_resets_itself("22.11.11"));
    EXPECT_FALSE(glue::iavf_resets_itself("24.11.8"));
    EXPECT_FALSE(glue::iavf_resets_itself("25.11.1"));
    EXPECT_FALSE(glue::iavf_resets_itself("26.03.0"));
    EXPECT_TRUE(glue::iavf_resets_itself("26.07.0"));
    EXPECT_TRUE(glue::iavf_resets_itself("26.07.0-rc1"));
    EXPECT_TRUE(glue::iavf_resets_itself("26.11.0"));
    EXPECT_TRUE(glue::iavf_resets_itself("27.03.0"));
    EXPECT_FALSE(glue::iavf_resets_itself(""));
    EXPECT_FALSE(glue::iavf_resets_itself("DPDK 26.07.0"));  // the prefix is stripped before
    EXPECT_FALSE(glue::iavf_resets_itself("26"));
}

// The version this process runs on is the one the test binary loaded: the same year.month as
// the headers it was built against (one ABI), formatted alike.
TEST(DpdkVersions, RunningAndBuiltShareYearAndMonth) {
    const std::string built = glue::dpdk_version_built(), running = glue::dpdk_version_running();
    ASSERT_GE(built.size(), 7u) << built;
    EXPECT_EQ(running.substr(0, 6), built.substr(0, 6)) << running << " vs " << built;
    EXPECT_TRUE(glue::version_at_least(running, 22, 11)) << running;
}

// An operator's stop: quiesced exactly as a recovery (pause, quiesce, then the device), journaled,
// counted apart from faults; events and the watchdog leave the stopped port alone; start brings
// it back without counting a recovery.
TEST(RecoveryAdmin, StopQuiescesThenStopsAndNothingRecoversAStoppedPort) {
    Rig r;
    r.drv.quiesce_checks = 3;
    r.drv.rx = 100;
    r.make();
    ASSERT_TRUE(r.rec->admin(0, AdminOp::stop));
    EXPECT_EQ(r.rec->stats(0).state, PortState::quiescing);
    EXPECT_EQ(r.count("stop"), 0u) << "the device is touched only once workers left it";
    r.settle();
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::stopped);
    ASSERT_GE(r.drv.calls.size(), 3u);
    EXPECT_EQ(r.drv.calls[0], "pause");
    EXPECT_EQ(r.drv.calls[1], "quiesce");
    EXPECT_EQ(r.drv.calls.back(), "stop");
    EXPECT_EQ(s.admin_stops, 1u);
    EXPECT_EQ(s.events, 0u);
    EXPECT_TRUE(r.journaled("admin", "stop requested by an operator"));
    EXPECT_TRUE(r.journaled("state", "quiescing -> stopped"));

    // Stopping again, or starting a running port, is refused and changes nothing.
    const auto again = r.rec->admin(0, AdminOp::stop);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), "port p0 is already stopped");
    const auto not_stopped = r.rec->admin(1, AdminOp::start);
    ASSERT_FALSE(not_stopped);
    EXPECT_EQ(not_stopped.error(), "port p1 is not stopped (state: running)");

    // A reset on the stopped port is journaled and counted, not recovered; nor does the
    // watchdog or the link poll touch it.
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
    EXPECT_FALSE(r.rec->busy());
    EXPECT_EQ(s.resets, 1u);
    EXPECT_EQ(r.count("reset"), 0u);
    for (int i = 0; i < 50; ++i) {
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
        r.rec->on_link_poll(0);
    }
    EXPECT_EQ(s.state, PortState::stopped);
    EXPECT_EQ(s.watchdog_triggers, 0u);
    r.rec->on_pf_mac(0, "the PF set a MAC");  // nor a MAC the PF set
    EXPECT_FALSE(r.rec->busy());
    EXPECT_EQ(r.count("reattach"), 0u);

    ASSERT_TRUE(r.rec->admin(0, AdminOp::start));
    r.settle();
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(r.count("start"), 1u);
    EXPECT_EQ(r.drv.calls.back(), "resume");
    EXPECT_EQ(s.admin_starts, 1u);
    EXPECT_EQ(s.recovered, 0u);
    EXPECT_TRUE(s.recovery_ms.empty());
}

TEST(RecoveryAdmin, RestartStopsAndStartsAndIsRefusedDuringARecovery) {
    Rig r;
    r.make();
    ASSERT_TRUE(r.rec->admin(1, AdminOp::restart));
    r.settle();
    EXPECT_EQ(r.rec->stats(1).state, PortState::running);
    EXPECT_EQ(r.count("stop"), 1u);
    EXPECT_EQ(r.count("start"), 1u);
    EXPECT_EQ(r.rec->stats(1).admin_restarts, 1u);
    EXPECT_EQ(r.rec->stats(1).recovered, 0u);

    r.drv.reset_busy_until[0] = r.drv.clock + 0.1;  // a recovery that takes a while
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, r.drv.clock);
    const auto busy = r.rec->admin(0, AdminOp::stop);
    ASSERT_FALSE(busy);
    EXPECT_NE(busy.error().find("port p0 is busy (resetting: recovering)"), std::string::npos)
        << busy.error();
    r.settle();
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    EXPECT_EQ(r.rec->stats(0).admin_stops, 0u);
}

TEST(RecoveryAdmin, AStartTheDeviceRefusesLeavesThePortStopped) {
    Rig r;
    r.make();
    ASSERT_TRUE(r.rec->admin(0, AdminOp::stop));
    r.settle();
    r.drv.start_answer = -EIO;
    ASSERT_TRUE(r.rec->admin(0, AdminOp::start));
    r.settle();
    EXPECT_EQ(r.rec->stats(0).state, PortState::stopped);
    EXPECT_TRUE(r.journaled("admin", "the port stays stopped"));
}
