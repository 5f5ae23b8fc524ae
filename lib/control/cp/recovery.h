// Per-port recovery, owned by the control thread (STYLE §9): one explicit state per port, every
// transition journaled with its duration, a fixed order (pause -> quiesce -> reset/restart/
// re-attach -> reconfigure -> start -> re-read the MAC -> resume -> wait for traffic).
//
// Nothing here blocks: each port's recovery is a state machine that `tick` steps. Waits (for
// quiescence, between -EAGAIN answers of rte_eth_dev_reset, backoffs, for the first frame) are
// states with a deadline; the control loop calls `tick` on every wake-up and sleeps at most until
// `next_due_s`. So N ports recover at once, and telemetry keeps answering meanwhile.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/api.h"
#include "control/cp/journal.h"
#include "drivers-glue/events.h"
#include "util/result.h"

namespace vfpath::control {

// The enum metric lists every value from running to failed, in this order (control_publish.cpp):
// failed stays last.
enum class PortState {
    running, link_down, quiescing, resetting, reconfiguring, reattaching, backoff,
    awaiting_traffic, driver_recovering, storm, device_gone, degraded, stopped, failed
};
std::string_view to_string(PortState s);

// What an operator asks of a port (`vfpath ctl port stop|start|restart`).
enum class AdminOp { stop, start, restart };
std::string_view to_string(AdminOp op);

// The recovery ladder, lightest step first.
enum class Step { reset, restart, reattach };
std::string_view to_string(Step s);
// "reset,restart,reattach" (any non-empty subset, in the order to try).
Result<std::vector<Step>> parse_ladder(std::string_view text);

struct RecoveryPolicy {
    std::vector<Step> ladder{Step::reset, Step::restart, Step::reattach};
    unsigned max_attempts = 5;         // full passes over the ladder before "failed"
    unsigned backoff_ms = 10;          // before pass n+1: backoff_ms << (n-1)
    unsigned quiesce_timeout_ms = 1000;
    // rte_eth_dev_reset may answer -EAGAIN while the PF is still resetting the VF; VPP waits
    // 50 x 20 ms for an iavf reset (src/drivers/iavf), so do we.
    unsigned reset_eagain_tries = 50;
    unsigned reset_eagain_wait_ms = 20;
    // After the port is back: how long to wait for the first frame on a port expected to receive
    // (one that received before the fault). Without one by then, the outcome is "restarted, no
    // traffic yet" rather than "recovered".
    unsigned first_packet_timeout_ms = 1000;
    // Silent-failure watchdog (some VF resets and FLRs raise no event in 22.11). 0 turns a check
    // off. tx: frames are offered to the port but none is accepted for this long while its link
    // is up. rx: nothing is received for this long while the paired port still receives (its
    // link partner is alive); off by default, as traffic may legitimately be one-way.
    unsigned tx_stall_ms = 2000;
    unsigned rx_stall_ms = 0;
    // A fault found again (by the watchdog, or after a restart that brought no traffic) within
    // this long of the previous recovery's end is a recurrence: recovery waits
    // recur_backoff_ms << (n-1) first, re-attaches at the escalate_after-th recurrence, and
    // declares the port degraded (kept in service, no more automatic restarts) after that.
    unsigned recur_window_ms = 10000;
    unsigned recur_backoff_ms = 500;
    unsigned escalate_after = 3;
    // Reset storm: the storm_resets-th recovery to start within storm_window_ms declares a storm;
    // the port is held out of service (its traffic on the standby, if any) for storm_hold_ms,
    // doubling with each storm in a row (at most 16x), then recovered once. 0: no detection.
    unsigned storm_resets = 10;
    unsigned storm_window_ms = 60000;
    unsigned storm_hold_ms = 10000;
    // A removed device (INTR_RMV: hot-unplug, sriov_numvfs lowered, PF driver unbound) that
    // re-attaching cannot find after max_attempts is waited for: probed again every
    // removed_poll_ms, for removed_wait_ms at most (0: for as long as vfpath runs), then failed.
    unsigned removed_poll_ms = 1000;
    // A port restarted because its link came back (restart_on_link_up) is restarted this long
    // after the link returned: its PF may still be bringing itself up, and a VF reset
    // handshake sent meanwhile goes unanswered.
    unsigned link_up_settle_ms = 0;
    // A stop/start that takes longer than this waited out the driver's handshake with its PF
    // and may have left the VF half-enabled: it is done again (twice at most). 0: never.
    unsigned slow_restart_ms = 1000;
    unsigned removed_wait_ms = 0;
};

// What recovery needs from the runtime and the driver. The real one wraps Runtime and
// drivers-glue; unit tests use a fake.
class PortDriver {
public:
    virtual ~PortDriver() = default;
    virtual uint16_t port_id(uint16_t pidx) = 0;
    virtual void publish(uint16_t pidx, uint16_t port_id, bool rx_paused, bool tx_blocked) = 0;
    // Frames for `pidx` go to `standby_pidx`'s device; `pidx` keeps its own id, stays unpolled.
    virtual void redirect(uint16_t pidx, uint16_t standby_pidx) = 0;
    // Quiescence without waiting: a token now, then whether every worker has passed a quiescent
    // state since (so none still polls a port paused before quiesce_start).
    virtual uint64_t quiesce_start() = 0;
    virtual bool quiesced(uint64_t token) = 0;
    virtual glue::ErrMode err_mode(uint16_t port_id) = 0;
    virtual int reset(uint16_t port_id) = 0;
    virtual int stop(uint16_t port_id) = 0;
    virtual int start(uint16_t port_id) = 0;
    // Full port configuration from the plan (queues, descriptors, MTU, MAC, promisc, RSS), started.
    virtual Status setup(uint16_t pidx, uint16_t port_id) = 0;
    virtual Result<uint16_t> reattach(uint16_t pidx) = 0;
    virtual bool link_up(uint16_t port_id) = 0;
    // The MAC the device reports now (rte_eth_macaddr_get), and where vfpath uses a port's MAC
    // (l2 source MAC of frames sent on it, report, table, metrics): set while the port is
    // quiesced and not transmitted to.
    virtual config::MacAddr read_mac(uint16_t port_id) = 0;
    virtual void use_mac(uint16_t pidx, const config::MacAddr& mac) = 0;
    virtual uint64_t rx_packets(uint16_t pidx) = 0;
    virtual uint64_t not_ready(uint16_t pidx) = 0;
    virtual uint64_t tx_packets(uint16_t pidx) = 0;  // accepted by the port's tx rings
    virtual uint64_t tx_full(uint16_t pidx) = 0;     // refused by a full tx ring
    virtual uint16_t peer(uint16_t pidx) = 0;        // paired port (itself when reflecting)
    virtual uint16_t standby(uint16_t pidx) = 0;     // its standby port, or config::k_no_port
    virtual double now_s() = 0;  // same clock as event timestamps (monotonic), seconds
};

struct PortHealthStats {
    PortState state = PortState::running;
    uint64_t events = 0;
    std::map<std::string, uint64_t> events_by_type;
    uint64_t resets = 0, removals = 0, link_changes = 0;
    // Outcomes, one per recovery: recovered (back up and, when it is expected to receive, a
    // frame arrived), restarted_no_traffic (back up, no frame within first_packet_timeout_ms),
    // failed (every attempt failed), degraded (the fault kept recurring: given up on restarting).
    uint64_t recovered = 0, restarted_no_traffic = 0, failed = 0, degraded = 0;
    uint64_t recurrences = 0;  // faults found again right after a recovery
    uint64_t escalations = 0;  // re-attaches chosen because the fault recurred
    uint64_t mac_changes = 0;  // the MAC read after a restart or re-attach differed
    uint64_t link_bounce_restarts = 0;  // restarts after a link down/up (possible PF reset)
    uint64_t storms = 0;                // reset storms declared
    uint64_t storm_merged = 0;          // faults seen during a storm hold (no recovery of their own)
    uint64_t dropped_during_recovery = 0;
    uint64_t watchdog_triggers = 0;
    uint64_t failovers = 0;
    // Operator actions (ctl), counted apart from faults: none of them is an event or a recovery.
    uint64_t admin_stops = 0, admin_starts = 0, admin_restarts = 0;
    bool on_standby = false;  // its traffic goes to the standby port now
    std::vector<double> recovery_ms;  // event -> first packet received again (recovered only)
};

class Recovery {
public:
    Recovery(PortDriver& drv, Journal& journal, RecoveryPolicy policy,
             std::vector<std::string> port_names, double t0_s);
    // One event for the port with plan index `pidx`, recorded at `event_s` (PortDriver::now_s).
    void on_event(uint16_t pidx, int type, double event_s);
    // Link state seen by polling (the fallback when a device raises no LSC).
    void on_link_poll(uint16_t pidx);
    // The port's PF now holds another MAC for it (control/cp/pf_watch.h): journaled, and the
    // port re-attached, which reads the MAC again (a restart does not, on every driver).
    void on_pf_mac(uint16_t pidx, const std::string& what);
    // Whether a link that went down and came back means the port must be restarted (a VF whose
    // PF may have reset it: drivers-glue's rule per driver, or the config's choice).
    void set_restart_on_link_up(uint16_t pidx, bool on) { restart_on_link_up_[pidx] = on; }
    // The driver recovers the port by itself (drivers-glue's recovery_model): vfpath never calls
    // rte_eth_dev_reset on it, and a link down/up is its recovery, timed from the transitions.
    void set_driver_recovers(uint16_t pidx, bool on) { driver_recovers_[pidx] = on; }
    // The MAC vfpath uses for the port now (read at start); a different one read after a restart
    // or re-attach is journaled and put in its place.
    void set_mac(uint16_t pidx, const config::MacAddr& mac);
    const config::MacAddr& mac(uint16_t pidx) const { return mac_[pidx]; }
    // Before workers start: a port whose link is down is neither polled nor sent to until its
    // link first comes up (LSC or link poll). Some PMDs (net_memif) set their rings up from
    // their own thread when the link comes up, and must not be polled before.
    void hold_ports_without_link();
    // An operator's stop/start/restart. stop: out of service (neither polled nor sent to, its
    // frames counted as not-ready drops), quiesced exactly as for a recovery, then
    // rte_eth_dev_stop; the port stays `stopped`, and neither events nor the watchdog recover it,
    // until a start. start: rte_eth_dev_start, then back in service. restart: both, one after the
    // other (a stopped port is only started). Journaled with kind "admin". Fails, changing
    // nothing, when the port is in the middle of a recovery or the request makes no sense in its
    // state (stopping a stopped port); the message says why.
    Status admin(uint16_t pidx, AdminOp op);
    // Checks every running port for a silent stall; recovers a stalled one. Call periodically.
    void watchdog_tick();
    // Steps every port's recovery whose next action is due. Call on every control-loop wake-up.
    void tick();
    // When the next recovery action is due (PortDriver::now_s clock); a large number when none.
    double next_due_s() const;
    // Some port is in the middle of a recovery.
    bool busy() const;
    const PortHealthStats& stats(uint16_t pidx) const { return stats_[pidx]; }
    size_t ports() const { return stats_.size(); }

private:
    // One port's recovery in progress.
    struct Job {
        bool active = false;
        std::string cause;
        double event_s = 0;      // when the fault was seen (recovery time counts from here)
        double due = 0;          // next action of the current state
        double deadline = 0;     // quiescing: give up; awaiting_traffic: outcome without traffic
        uint64_t token = 0;      // quiescence token
        size_t first_step = 0, step = 0;
        unsigned attempt = 0;    // passes over the ladder done
        unsigned eagain = 0;     // -EAGAIN answers of the current reset
        // Before the first attempt, once quiesced: wait hold_s in hold_state (a recurrence's
        // backoff, a storm's hold).
        double hold_s = 0;
        PortState hold_state = PortState::backoff;
        std::string hold_why;
        bool storm = false;          // this recovery follows a storm declaration
        bool reattach_only = false;  // escalation: the ladder is [reattach]
        bool remac = false;          // quiescing again because the MAC changed: then resume
        bool expect_rx = false;      // the port received before the fault
        bool admin = false;          // an operator's stop/start/restart, not a recovery
        AdminOp admin_op = AdminOp::stop;
        bool removal = false;        // the device was removed (INTR_RMV): it may come back late
        unsigned slow_restarts = 0;  // stop/starts done again because they were slow
        double gone_since = -1;      // device_gone: when the wait for it began
        uint64_t probes = 0;         // device_gone: probes that did not find it
        std::string gone_error;      // device_gone: what the last probe said
        uint16_t id = 0;
        uint64_t dropped_before = 0, rx_before = 0;
    };
    // Faults seen while the port was being recovered: each gets a recovery of its own after.
    struct Pending {
        double event_s;
        size_t first_step;
        std::string cause;
    };

    void trigger(uint16_t pidx, double event_s, size_t first_step, const std::string& cause);
    void begin(uint16_t pidx, double event_s, size_t first_step, const std::string& cause);
    void step(uint16_t pidx, double now);
    void run_ladder(uint16_t pidx, double now);
    // One rung; true: it worked; false: go on; sets `wait` when it must be retried at job.due.
    bool try_step(uint16_t pidx, Step step, bool& wait, double now);
    void pass_failed(uint16_t pidx, double now);
    void probe_gone(uint16_t pidx, double now);
    void step_succeeded(uint16_t pidx, double now);
    void resume(uint16_t pidx, double now);
    void finish(uint16_t pidx, double now, bool traffic);
    void give_up(uint16_t pidx, const char* why);
    void admin_quiesced(uint16_t pidx, double now);
    void admin_start_device(uint16_t pidx, double now);
    void set_state(uint16_t pidx, PortState s, std::string why = {});
    void fail_over(uint16_t pidx, const char* why);
    void handle_link(uint16_t pidx, bool from_poll);
    void note(uint16_t pidx, const std::string& kind, const std::string& detail);
    double rel(double s) const { return s - t0_s_; }
    std::vector<Step> ladder_of(const Job& j) const;

    PortDriver& drv_;
    Journal& journal_;
    RecoveryPolicy policy_;
    std::vector<std::string> names_;
    std::vector<PortHealthStats> stats_;
    std::vector<double> state_since_;
    std::vector<bool> link_;           // last known link state
    std::vector<bool> link_was_down_;  // went down since the last restart
    std::vector<bool> restart_on_link_up_;
    std::vector<double> link_restart_at_;  // link back up: restart due then (-1: none)
    void restart_after_link_up(uint16_t pidx);
    std::vector<bool> driver_recovers_;
    std::vector<std::deque<double>> starts_;  // recent recovery starts, for storm detection
    std::vector<unsigned> storm_run_;         // storms in a row (the hold doubles)
    std::vector<double> last_storm_s_;
    std::vector<double> driver_rec_t_; // ERR_RECOVERING time, for proactive drivers
    std::vector<Job> jobs_;
    std::vector<std::deque<Pending>> pending_;
    std::vector<config::MacAddr> mac_;  // as last read from the device
    std::vector<bool> mac_known_;
    // Recurrence: when the last recovery ended, how it ended, and the current run of them.
    std::vector<double> last_end_s_;
    std::vector<bool> last_no_traffic_;
    std::vector<unsigned> streak_;
    double t0_s_;
    struct Watch {
        uint64_t tx = 0, full = 0, rx = 0;
        double tx_since = -1, rx_since = -1;  // when the counter last moved (-1: unknown)
        unsigned rx_moving = 0;  // consecutive watchdog periods in which it received
        // Learned: the port receives steadily, so a silence of rx_stall_ms is a stall. A port
        // that never received (egress only) is never expected to.
        bool expect_rx = false;
    };
    std::vector<Watch> watch_;
};

}  // namespace vfpath::control
