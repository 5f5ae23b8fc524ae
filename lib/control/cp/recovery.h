// Per-port recovery, owned by the control thread (STYLE §9): one explicit state per port, every
// transition journaled with its duration, a fixed order (pause -> quiesce -> reset/restart/
// re-attach -> reconfigure -> start -> resume), bounded retries with exponential backoff, and
// "failed" after the last attempt while the process and the other ports go on.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "control/cp/journal.h"
#include "drivers-glue/events.h"
#include "util/result.h"

namespace vfpath::control {

enum class PortState {
    running, link_down, quiescing, resetting, reconfiguring, reattaching, driver_recovering,
    failed
};
std::string_view to_string(PortState s);

// The recovery ladder, lightest step first.
enum class Step { reset, restart, reattach };
std::string_view to_string(Step s);
// "reset,restart,reattach" (any non-empty subset, in the order to try).
Result<std::vector<Step>> parse_ladder(std::string_view text);

struct RecoveryPolicy {
    std::vector<Step> ladder{Step::reset, Step::restart, Step::reattach};
    unsigned max_attempts = 5;         // full passes over the ladder before "failed"
    unsigned backoff_ms = 10;          // before pass n+1: backoff_ms << n
    unsigned quiesce_timeout_ms = 1000;
    // rte_eth_dev_reset may answer -EAGAIN while the PF is still resetting the VF; VPP waits
    // 50 x 20 ms for an iavf reset (src/drivers/iavf), so do we.
    unsigned reset_eagain_tries = 50;
    unsigned reset_eagain_wait_ms = 20;
    unsigned first_packet_timeout_ms = 1000;
    // Silent-failure watchdog (some VF resets and FLRs raise no event in 22.11). 0 turns a check
    // off. tx: frames are offered to the port but none is accepted for this long while its link
    // is up. rx: nothing is received for this long while the paired port still receives (its
    // link partner is alive); off by default, as traffic may legitimately be one-way.
    unsigned tx_stall_ms = 2000;
    unsigned rx_stall_ms = 0;
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
    virtual bool quiesce(unsigned timeout_ms) = 0;
    virtual glue::ErrMode err_mode(uint16_t port_id) = 0;
    virtual int reset(uint16_t port_id) = 0;
    virtual int stop(uint16_t port_id) = 0;
    virtual int start(uint16_t port_id) = 0;
    // Full port configuration from the plan (queues, descriptors, MTU, MAC, promisc, RSS), started.
    virtual Status setup(uint16_t pidx, uint16_t port_id) = 0;
    virtual Result<uint16_t> reattach(uint16_t pidx) = 0;
    virtual bool link_up(uint16_t port_id) = 0;
    virtual uint64_t rx_packets(uint16_t pidx) = 0;
    virtual uint64_t not_ready(uint16_t pidx) = 0;
    virtual uint64_t tx_packets(uint16_t pidx) = 0;  // accepted by the port's tx rings
    virtual uint64_t tx_full(uint16_t pidx) = 0;     // refused by a full tx ring
    virtual uint16_t peer(uint16_t pidx) = 0;        // paired port (itself when reflecting)
    virtual uint16_t standby(uint16_t pidx) = 0;     // its standby port, or config::k_no_port
    virtual void sleep_us(unsigned us) = 0;
    virtual double now_s() = 0;  // same clock as event timestamps (monotonic), seconds
};

struct PortHealthStats {
    PortState state = PortState::running;
    uint64_t events = 0;
    std::map<std::string, uint64_t> events_by_type;
    uint64_t resets = 0, removals = 0, recovered = 0, failed = 0, link_changes = 0;
    uint64_t dropped_during_recovery = 0;
    uint64_t watchdog_triggers = 0;
    uint64_t failovers = 0;
    bool on_standby = false;  // its traffic goes to the standby port now
    std::vector<double> recovery_ms;  // event -> first packet received again
};

class Recovery {
public:
    Recovery(PortDriver& drv, Journal& journal, RecoveryPolicy policy,
             std::vector<std::string> port_names, double t0_s);
    // One event for the port with plan index `pidx`, recorded at `event_s` (PortDriver::now_s).
    void on_event(uint16_t pidx, int type, double event_s);
    // Link state seen by polling (the fallback when a device raises no LSC).
    void on_link_poll(uint16_t pidx);
    // Before workers start: a port whose link is down is neither polled nor sent to until its
    // link first comes up (LSC or link poll). Some PMDs (net_memif) set their rings up from
    // their own thread when the link comes up, and must not be polled before.
    void hold_ports_without_link();
    // Checks every running port for a silent stall; recovers a stalled one. Call periodically.
    void watchdog_tick();
    const PortHealthStats& stats(uint16_t pidx) const { return stats_[pidx]; }
    size_t ports() const { return stats_.size(); }

private:
    void recover(uint16_t pidx, double event_s, size_t first_step, const char* cause);
    bool try_step(uint16_t pidx, Step step, uint16_t& id);
    bool do_reset(uint16_t pidx, uint16_t id);
    void set_state(uint16_t pidx, PortState s, std::string why = {});
    void fail_over(uint16_t pidx, const char* why);
    void handle_link(uint16_t pidx, bool from_poll);
    double rel(double s) const { return s - t0_s_; }

    PortDriver& drv_;
    Journal& journal_;
    RecoveryPolicy policy_;
    std::vector<std::string> names_;
    std::vector<PortHealthStats> stats_;
    std::vector<double> state_since_;
    std::vector<bool> link_;           // last known link state
    std::vector<double> driver_rec_t_; // ERR_RECOVERING time, for proactive drivers
    double t0_s_;
    struct Watch {
        uint64_t tx = 0, full = 0, rx = 0, peer_rx = 0;
        double tx_since = -1, rx_since = -1;  // when the counter last moved (-1: unknown)
    };
    std::vector<Watch> watch_;
};

}  // namespace vfpath::control
