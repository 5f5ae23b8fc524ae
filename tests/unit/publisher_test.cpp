// The published view (lib/control/cp/publisher.cpp): readers get a view no older than they ask
// for, wait (bounded) for the control thread otherwise, and get nothing once the run has ended;
// fault requests queue up, bounded, and go to the schedule (FaultSchedule::add).
#include "control/cp/publisher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "control/cp/faults.h"

namespace vfpath::control {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<report::View> view(double t_s) {
    auto v = std::make_shared<report::View>();
    v->snap.t_s = t_s;
    return v;
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(Publisher, NoViewYetWaitsBoundedThenNull) {
    Publisher pub;
    EXPECT_FALSE(pub.wanted());
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(pub.get(0.1, 0.05), nullptr);
    EXPECT_GE(since(t0), 0.04);
    EXPECT_TRUE(pub.wanted());  // the control thread is asked for one
}

TEST(Publisher, ReaderWaitsForTheControlThreadsNextView) {
    Publisher pub;
    std::atomic<bool> stop{false};
    // A control thread: builds a view whenever one is wanted, as ControlLoop::serve_readers does.
    std::thread control([&] {
        double t = 0;
        while (!stop) {
            if (pub.wanted()) pub.publish(view(t += 1));
            std::this_thread::sleep_for(1ms);
        }
    });
    const auto a = pub.get(0.0, 5.0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->seq, 1u);
    // Young enough: the same view, no new snapshot.
    const auto b = pub.get(60.0, 5.0);
    EXPECT_EQ(b, a);
    EXPECT_FALSE(pub.wanted());
    // Too old: a newer one.
    std::this_thread::sleep_for(5ms);
    const auto c = pub.get(0.001, 5.0);
    ASSERT_NE(c, nullptr);
    EXPECT_GT(c->seq, a->seq);
    EXPECT_GT(c->snap.t_s, a->snap.t_s);
    stop = true;
    control.join();
}

TEST(Publisher, StaleViewWhenTheControlThreadIsBusy) {
    Publisher pub;
    pub.publish(view(1));
    std::this_thread::sleep_for(20ms);
    // Nobody publishes: after the wait the reader gets the view there is, marked by its seq/t_s.
    const auto v = pub.get(0.001, 0.02);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->seq, 1u);
}

TEST(Publisher, CloseReleasesWaitersAndRefusesFaults) {
    Publisher pub;
    pub.publish(view(1));
    std::thread closer([&] {
        std::this_thread::sleep_for(20ms);
        pub.close();
    });
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(pub.get(0.0, 10.0), nullptr);
    EXPECT_LT(since(t0), 5.0);
    closer.join();
    EXPECT_EQ(pub.get(1e9, 0.0), nullptr);
    auto f = parse_fault("reset:p0@0");
    ASSERT_TRUE(f);
    EXPECT_FALSE(pub.request_fault(*f));
}

TEST(Publisher, FaultRequestsQueueInOrderAndAreBounded) {
    Publisher pub;
    for (size_t i = 0; i < Publisher::k_max_pending_faults; ++i) {
        auto f = parse_fault("reset:p" + std::to_string(i) + "@0");
        ASSERT_TRUE(f);
        ASSERT_TRUE(pub.request_fault(*f)) << i;
    }
    auto extra = parse_fault("reset:p0@0");
    const Status st = pub.request_fault(*extra);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().find("already waiting"), std::string::npos) << st.error();
    const auto taken = pub.take_faults();
    ASSERT_EQ(taken.size(), Publisher::k_max_pending_faults);
    EXPECT_EQ(taken[0].port, "p0");
    EXPECT_EQ(taken[5].port, "p5");
    EXPECT_TRUE(pub.take_faults().empty());
    EXPECT_EQ(pub.faults_requested(), Publisher::k_max_pending_faults);
    EXPECT_TRUE(pub.request_fault(*extra));
}

TEST(FaultSchedule, SpecsAddedWhileRunningFireLikeTheOthers) {
    FaultSchedule s({*parse_fault("reset:p0@1s")});
    auto f = parse_fault("link-down:p1@0,for=200ms");
    ASSERT_TRUE(f);
    f->at_s += 5.0;  // requested at t = 5 s
    s.add(*f);
    ASSERT_EQ(s.specs().size(), 2u);
    EXPECT_EQ(s.due(1.0).size(), 1u);  // the first spec
    EXPECT_DOUBLE_EQ(s.next_in(2.0), 3.0);
    auto due = s.due(5.0);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].spec, 1u);
    EXPECT_EQ(due[0].kind, FaultKind::link_down);
    EXPECT_FALSE(due[0].end);
    due = s.due(5.25);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_TRUE(due[0].end);  // link back up after for=200ms
    EXPECT_EQ(s.fired(1), 1u);
}

}  // namespace
}  // namespace vfpath::control
