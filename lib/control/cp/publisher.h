// The published view for readers on other threads (DPDK telemetry's threads, the /metrics server).
// The control thread builds an immutable report::View and swaps it in; a reader takes the
// shared_ptr and renders at leisure. Nothing here is on the hot path: workers never see it.
//
// Views are built on demand: a reader that finds the newest view too old asks for a new one and
// waits (bounded) while the control loop, at its next tick (<= 20 ms), takes a snapshot. So a run
// nobody watches takes no extra snapshot (a snapshot copies every queue's 28 KiB latency
// histogram), and a reader polling in a loop causes at most one per `max_age_s`.
//
// Readers may also queue fault-injection requests (/vfpath/fault); the control loop takes them at
// its next tick and fires them through the same event path as --fault. Operator actions on a port
// (/vfpath/port: stop, start, restart) go the same way, but the reader waits for the control
// thread's answer: accepted (the port's state machine has begun it), or why not.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "control/cp/faults.h"
#include "report/view.h"
#include "util/result.h"

namespace vfpath::control {

class Publisher {
public:
    // How long a reader waits for a fresh view by default: long enough for a control loop in the
    // middle of a recovery step (quiescence waits up to 1 s by default), short enough for a scrape.
    static constexpr double k_default_wait_s = 1.5;
    // Bound on faults queued and on faults requested over a run, so a client in a loop cannot
    // grow the control loop's schedule without limit.
    static constexpr size_t k_max_pending_faults = 64;
    static constexpr uint64_t k_max_requested_faults = 10'000;

    // --- readers, any thread
    // The newest view when it is at most max_age_s old; otherwise asks the control thread for a
    // new one and waits up to wait_s for it, then returns the newest there is (maybe older). Null
    // before the first view and once the run has ended.
    std::shared_ptr<const report::View> get(double max_age_s = 0.1,
                                            double wait_s = k_default_wait_s);
    // Queues a parsed fault; its at_s counts from when the control loop takes it. Fails when the
    // run has ended or too many are queued.
    Status request_fault(FaultSpec f);

    // Asks the control thread to act on a port (the port's plan name; op is "stop", "start" or
    // "restart") and waits up to wait_s for its answer: ok once the port's state machine has begun
    // it, or why it was refused.
    Status request_admin(const std::string& port, const std::string& op,
                         double wait_s = k_default_wait_s);

    // --- control thread
    struct AdminRequest {
        uint64_t id = 0;
        std::string port, op;
    };
    std::vector<AdminRequest> take_admin();
    void answer_admin(uint64_t id, Status st);
    // True when a reader waits for a newer view.
    bool wanted() const;
    // Numbers the view (View::seq) and makes it the newest.
    void publish(std::shared_ptr<report::View> v);
    std::vector<FaultSpec> take_faults();
    uint64_t faults_requested() const;
    // The run is over: readers get null from now on, waiting ones return at once.
    void close();

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::shared_ptr<const report::View> view_;
    double view_mono_s_ = 0;  // when view_ was published (steady clock)
    uint64_t seq_ = 0;
    bool wanted_ = false;
    bool closed_ = false;
    std::vector<FaultSpec> faults_;
    std::vector<AdminRequest> admin_;
    std::vector<std::pair<uint64_t, Status>> admin_answers_;
    uint64_t admin_seq_ = 0;
    uint64_t faults_requested_ = 0;
};

}  // namespace vfpath::control
