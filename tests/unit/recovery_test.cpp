// Recovery state machine through a fake of the port/driver boundary; fault spec and ladder parsing.
#include <algorithm>
#include <cerrno>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rte_ethdev.h>

#include "control/cp/faults.h"
#include "control/cp/journal.h"
#include "control/cp/recovery.h"
#include "drivers-glue/version.h"

using namespace vfpath;
using namespace vfpath::control;

namespace {

// A scripted device: each call is recorded; reset answers come from a queue.
class FakeDriver : public PortDriver {
public:
    glue::ErrMode mode = glue::ErrMode::passive;
    std::deque<int> reset_answers;  // empty: 0
    int start_answer = 0;
    bool setup_ok = true;
    int reattach_fail = 0;  // number of failing re-attaches before success
    uint16_t reattach_id = 7;
    bool link = true;
    bool quiesce_ok = true;
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
        if (!paused) rx += 10;  // traffic flows again as soon as the port is polled
    }
    std::vector<uint16_t> redirected_to;
    void redirect(uint16_t, uint16_t standby_pidx) override {
        redirected_to.push_back(standby_pidx);
        calls.push_back("redirect");
    }
    bool quiesce(unsigned) override {
        calls.push_back("quiesce");
        return quiesce_ok;
    }
    glue::ErrMode err_mode(uint16_t) override { return mode; }
    int reset(uint16_t) override {
        calls.push_back("reset");
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
        return start_answer;
    }
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
        return reattach_id;
    }
    bool link_up(uint16_t) override { return link; }
    uint64_t rx_packets(uint16_t pidx) override { return pidx == 1 ? peer_rx : rx; }
    uint64_t not_ready(uint16_t) override { return dropped += 5; }
    uint64_t tx = 0, full = 0, peer_rx = 0;
    uint64_t tx_packets(uint16_t) override { return tx; }
    uint64_t tx_full(uint16_t) override { return full; }
    uint16_t peer(uint16_t pidx) override { return pidx ^ 1; }
    uint16_t standby_of0 = 0xffff;
    uint16_t standby(uint16_t pidx) override { return pidx == 0 ? standby_of0 : 0xffff; }
    void sleep_us(unsigned us) override {
        clock += us / 1e6;
        calls.push_back("sleep:" + std::to_string(us));
    }
    double now_s() override { return clock += 0.0001; }
};

struct Rig {
    FakeDriver drv;
    Journal journal;
    RecoveryPolicy policy;
    std::unique_ptr<Recovery> rec;
    void make() { rec = std::make_unique<Recovery>(drv, journal, policy, std::vector<std::string>{"p0", "p1"}, 100.0); }
    size_t count(const std::string& call) const {
        return std::count(drv.calls.begin(), drv.calls.end(), call);
    }
};

}  // namespace

TEST(Recovery, PassiveResetRetriesEagainThenReconfigures) {
    Rig r;
    r.drv.reset_answers = {-EAGAIN, -EAGAIN, 0};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(s.resets, 1u);
    EXPECT_EQ(s.recovered, 1u);
    EXPECT_EQ(r.count("reset"), 3u);
    EXPECT_EQ(r.count("setup:3"), 1u);  // full reconfiguration after the reset
    // Fixed order: pause, quiesce, reset..., setup, resume.
    ASSERT_GE(r.drv.calls.size(), 4u);
    EXPECT_EQ(r.drv.calls[0], "pause");
    EXPECT_EQ(r.drv.calls[1], "quiesce");
    EXPECT_EQ(r.drv.calls.back(), "resume");
    ASSERT_EQ(s.recovery_ms.size(), 1u);
    EXPECT_GT(s.recovery_ms[0], 0.0);
    EXPECT_GT(s.dropped_during_recovery, 0u);
}

TEST(Recovery, NoResetSupportFallsBackToStopStart) {
    Rig r;
    r.drv.mode = glue::ErrMode::none;
    r.drv.reset_answers = {-ENOTSUP};
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
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
    const auto& s = r.rec->stats(1);
    EXPECT_EQ(s.removals, 1u);
    EXPECT_EQ(s.state, PortState::running);
    EXPECT_EQ(r.count("reset"), 0u);
    EXPECT_EQ(r.count("reattach"), 3u);
    // Exponential backoff between passes: 10 ms, then 20 ms.
    EXPECT_EQ(r.count("sleep:10000"), 1u);
    EXPECT_EQ(r.count("sleep:20000"), 1u);
}

TEST(Recovery, GivesUpAfterMaxAttemptsAndStaysOutOfService) {
    Rig r;
    r.policy.max_attempts = 3;
    r.drv.reset_answers = {-EIO, -EIO, -EIO};
    r.drv.start_answer = -EIO;
    r.drv.reattach_fail = 100;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
    const auto& s = r.rec->stats(0);
    EXPECT_EQ(s.state, PortState::failed);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(s.recovered, 0u);
    EXPECT_EQ(r.count("reattach"), 3u);
    EXPECT_TRUE(r.drv.published.back().paused);
    EXPECT_TRUE(r.drv.published.back().blocked);
    // A later reset on a failed port is counted but not acted on.
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 101.0);
    EXPECT_EQ(r.rec->stats(0).resets, 2u);
    EXPECT_EQ(r.count("reattach"), 3u);
}

TEST(Recovery, NoQuiescenceMeansNoTouchingThePort) {
    Rig r;
    r.drv.quiesce_ok = false;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
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

TEST(Recovery, ProactiveFailureTakesOverWithoutReset) {
    Rig r;
    r.drv.mode = glue::ErrMode::proactive;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_ERR_RECOVERING, 100.0);
    r.rec->on_event(0, RTE_ETH_EVENT_RECOVERY_FAILED, 100.2);
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
}

TEST(Recovery, EveryTransitionIsJournaledWithItsDuration) {
    Rig r;
    r.make();
    r.rec->on_event(0, RTE_ETH_EVENT_INTR_RESET, 100.0);
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
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 1u);
    EXPECT_EQ(r.rec->stats(0).recovered, 1u);
    bool journaled = false;
    for (const auto& e : r.journal.entries())
        journaled |= e.kind == "watchdog" && e.detail.find("tx stalled") != std::string::npos;
    EXPECT_TRUE(journaled);
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

TEST(Watchdog, RxFrozenWhileThePeerStillReceives) {
    Rig r;
    r.policy.tx_stall_ms = 0;
    r.policy.rx_stall_ms = 300;
    r.make();
    r.rec->watchdog_tick();
    for (int i = 0; i < 4; ++i) {
        r.drv.peer_rx += 1000;  // p1 still receives, p0 receives nothing
        r.drv.clock += 0.1;
        r.rec->watchdog_tick();
    }
    EXPECT_EQ(r.rec->stats(0).watchdog_triggers, 1u);
    EXPECT_EQ(r.rec->stats(1).watchdog_triggers, 0u);
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
