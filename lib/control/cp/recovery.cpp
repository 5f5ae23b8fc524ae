// The per-port recovery state machine (recovery.h). Every wait is a state with a deadline that
// tick() checks; nothing here sleeps.
#include "control/cp/recovery.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "config/plan.h"
#include "util/log.h"

namespace vfpath::control {

namespace {

std::string fmt_ms(double ms) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f ms", ms);
    return b;
}

// How often a pending quiescence and a port waiting for its first frame are checked: fine enough
// that they add little to a recovery's time (net_null recovers in ~0.2 ms, perf/RESULTS.md); the
// control thread wakes this often only while a port is in one of these two states.
constexpr double k_quiesce_poll_s = 0.0001;
constexpr double k_traffic_poll_s = 0.0001;
// Restarts done again because they were slow (slow_restart_ms), per recovery.
constexpr unsigned k_slow_restarts = 2;
// The cause of a recovery that follows a removal (INTR_RMV).
constexpr const char* k_cause_removed = "INTR_RMV";
// The cause of a re-attach that takes a MAC the PF set (on_pf_mac).
constexpr const char* k_cause_pf_mac = "PF set MAC";

}  // namespace

std::string_view to_string(PortState s) {
    switch (s) {
        case PortState::running: return "running";
        case PortState::link_down: return "link_down";
        case PortState::quiescing: return "quiescing";
        case PortState::resetting: return "resetting";
        case PortState::reconfiguring: return "reconfiguring";
        case PortState::reattaching: return "reattaching";
        case PortState::backoff: return "backoff";
        case PortState::awaiting_traffic: return "awaiting_traffic";
        case PortState::driver_recovering: return "driver_recovering";
        case PortState::storm: return "storm";
        case PortState::device_gone: return "device_gone";
        case PortState::degraded: return "degraded";
        case PortState::stopped: return "stopped";
        case PortState::failed: return "failed";
    }
    return "?";
}

std::string_view to_string(AdminOp op) {
    switch (op) {
        case AdminOp::stop: return "stop";
        case AdminOp::start: return "start";
        case AdminOp::restart: return "restart";
    }
    return "?";
}

std::string_view to_string(Step s) {
    switch (s) {
        case Step::reset: return "reset";
        case Step::restart: return "restart";
        case Step::reattach: return "reattach";
    }
    return "?";
}

Result<std::vector<Step>> parse_ladder(std::string_view text) {
    std::vector<Step> out;
    while (!text.empty()) {
        const auto c = text.find(',');
        const std::string_view w = text.substr(0, c);
        text = c == std::string_view::npos ? std::string_view{} : text.substr(c + 1);
        Step s;
        if (w == "reset") s = Step::reset;
        else if (w == "restart") s = Step::restart;
        else if (w == "reattach") s = Step::reattach;
        else return fail("unknown step \"" + std::string(w) + "\" (reset, restart, reattach)");
        if (std::find(out.begin(), out.end(), s) != out.end())
            return fail("step \"" + std::string(w) + "\" listed twice");
        out.push_back(s);
    }
    if (out.empty()) return fail("empty ladder");
    return out;
}

Recovery::Recovery(PortDriver& drv, Journal& journal, RecoveryPolicy policy,
                   std::vector<std::string> port_names, double t0_s)
    : drv_(drv),
      journal_(journal),
      policy_(std::move(policy)),
      names_(std::move(port_names)),
      stats_(names_.size()),
      state_since_(names_.size(), t0_s),
      link_(names_.size(), true),
      link_was_down_(names_.size(), false),
      restart_on_link_up_(names_.size(), false),
      link_restart_at_(names_.size(), -1),
      driver_recovers_(names_.size(), false),
      starts_(names_.size()),
      storm_run_(names_.size(), 0),
      last_storm_s_(names_.size(), -1),
      driver_rec_t_(names_.size(), 0),
      jobs_(names_.size()),
      pending_(names_.size()),
      mac_(names_.size()),
      mac_known_(names_.size(), false),
      last_end_s_(names_.size(), -1),
      last_no_traffic_(names_.size(), false),
      streak_(names_.size(), 0),
      t0_s_(t0_s),
      watch_(names_.size()) {}

void Recovery::note(uint16_t pidx, const std::string& kind, const std::string& detail) {
    journal_.add(rel(drv_.now_s()), names_[pidx], kind, detail);
}

void Recovery::set_state(uint16_t pidx, PortState s, std::string why) {
    const double now = drv_.now_s();
    PortHealthStats& st = stats_[pidx];
    if (st.state == s) return;
    journal_.add(rel(now), names_[pidx], "state",
                 std::string(to_string(st.state)) + " -> " + std::string(to_string(s)) + " after " +
                     fmt_ms((now - state_since_[pidx]) * 1e3) + (why.empty() ? "" : ": " + why));
    st.state = s;
    state_since_[pidx] = now;
}

void Recovery::set_mac(uint16_t pidx, const config::MacAddr& mac) {
    mac_[pidx] = mac;
    mac_known_[pidx] = true;
}

// Traffic for the port goes to its standby: the port stays unpolled, and its control word now
// carries the standby's DPDK id, so workers transmit there on the same queue numbers.
void Recovery::fail_over(uint16_t pidx, const char* why) {
    const uint16_t sb = drv_.standby(pidx);
    if (sb == config::k_no_port || stats_[pidx].on_standby) return;
    drv_.redirect(pidx, sb);
    stats_[pidx].on_standby = true;
    ++stats_[pidx].failovers;
    note(pidx, "failover", std::string("traffic moved to standby ") + names_[sb] + ": " + why);
}

void Recovery::on_event(uint16_t pidx, int type, double event_s) {
    PortHealthStats& st = stats_[pidx];
    ++st.events;
    ++st.events_by_type[glue::event_name(type)];
    journal_.add(rel(event_s), names_[pidx], "event", glue::event_name(type));
    if (st.state == PortState::stopped && type != RTE_ETH_EVENT_INTR_LSC) {
        // Stopped by an operator: nothing to recover until it is started again.
        note(pidx, "recovery", "the port is stopped by an operator: the event is left alone");
        if (type == RTE_ETH_EVENT_INTR_RESET) ++st.resets;
        if (type == RTE_ETH_EVENT_INTR_RMV) ++st.removals;
        return;
    }
    switch (type) {
        case RTE_ETH_EVENT_INTR_LSC:
            handle_link(pidx, false);
            break;
        case RTE_ETH_EVENT_INTR_RESET:
            ++st.resets;
            if (st.state == PortState::failed) break;  // only a removal/re-add revives it
            if (st.state == PortState::driver_recovering) {
                // Never rte_eth_dev_reset while the driver is recovering the port.
                note(pidx, "recovery", "INTR_RESET while the driver recovers: left to the driver");
                break;
            }
            if (driver_recovers_[pidx]) {
                // Never rte_eth_dev_reset while the driver recovers: hand it the port as for
                // ERR_RECOVERING; its link coming back up ends it.
                if (jobs_[pidx].active) break;
                driver_rec_t_[pidx] = event_s;
                drv_.publish(pidx, drv_.port_id(pidx), true, true);
                (void)drv_.quiesce_start();
                set_state(pidx, PortState::driver_recovering,
                          "INTR_RESET: the driver recovers by itself");
                break;
            }
            trigger(pidx, event_s, 0, "INTR_RESET");
            break;
        case RTE_ETH_EVENT_INTR_RMV: {
            ++st.removals;
            // The device is gone: only re-attaching it can help.
            size_t first = 0;
            while (first < policy_.ladder.size() && policy_.ladder[first] != Step::reattach)
                ++first;
            trigger(pidx, event_s, first, k_cause_removed);
            break;
        }
        case RTE_ETH_EVENT_ERR_RECOVERING:
            // A proactive driver (bnxt, hns3) recovers by itself: hands off the port meanwhile.
            // No wait for quiescence: the driver does not wait for us either.
            if (jobs_[pidx].active) break;
            driver_rec_t_[pidx] = event_s;
            drv_.publish(pidx, drv_.port_id(pidx), true, true);
            (void)drv_.quiesce_start();
            set_state(pidx, PortState::driver_recovering, "driver recovers by itself");
            break;
        case RTE_ETH_EVENT_RECOVERY_SUCCESS:
            if (st.state != PortState::driver_recovering) break;
            drv_.publish(pidx, drv_.port_id(pidx), false, false);
            ++st.recovered;
            st.recovery_ms.push_back((drv_.now_s() - driver_rec_t_[pidx]) * 1e3);
            set_state(pidx, PortState::running, "driver reported RECOVERY_SUCCESS");
            break;
        case RTE_ETH_EVENT_RECOVERY_FAILED: {
            // The driver gave up: take over with the heavier steps of the ladder.
            size_t first = 0;
            while (first < policy_.ladder.size() && policy_.ladder[first] == Step::reset) ++first;
            if (st.state == PortState::driver_recovering) set_state(pidx, PortState::running);
            trigger(pidx, driver_rec_t_[pidx] ? driver_rec_t_[pidx] : event_s, first,
                    "RECOVERY_FAILED");
            break;
        }
        default:
            break;  // NEW, DESTROY, VF_MBOX: journaled and counted only
    }
}

void Recovery::handle_link(uint16_t pidx, bool from_poll) {
    PortHealthStats& st = stats_[pidx];
    const bool driver = driver_recovers_[pidx] && st.state == PortState::driver_recovering;
    if (st.state != PortState::running && st.state != PortState::link_down &&
        st.state != PortState::degraded && !driver)
        return;
    const bool up = drv_.link_up(drv_.port_id(pidx));
    if (up == link_[pidx] && !(driver && up)) return;
    if (up != link_[pidx]) ++st.link_changes;
    link_[pidx] = up;
    const char* how = from_poll ? "seen by link polling" : "LSC";
    if (driver_recovers_[pidx]) {
        // The driver recovers by itself and raises no event: its link going down and coming
        // back is the only sign, and the downtime is measured between the two.
        const double now = drv_.now_s();
        if (!up) {
            if (st.state != PortState::driver_recovering) driver_rec_t_[pidx] = now;
            drv_.publish(pidx, drv_.port_id(pidx), false, true);
            set_state(pidx, PortState::driver_recovering,
                      std::string("link down (") + how + "): the driver recovers by itself");
            return;
        }
        if (st.state == PortState::driver_recovering) {
            const double ms = (now - driver_rec_t_[pidx]) * 1e3;
            drv_.publish(pidx, drv_.port_id(pidx), false, false);
            ++st.recovered;
            st.recovery_ms.push_back(ms);
            set_state(pidx, PortState::running,
                      "the driver recovered by itself: link back up after " + fmt_ms(ms) + " (" +
                          how + ")");
            return;
        }
    }
    if (!up) {
        // Frames for the port are dropped and counted, never queued forever; the port is still
        // polled (a link can come back with frames already in the ring).
        link_was_down_[pidx] = true;
        link_restart_at_[pidx] = -1;  // a restart waiting for the link to settle waits again
        drv_.publish(pidx, drv_.port_id(pidx), false, true);
        set_state(pidx, PortState::link_down, how);
        return;
    }
    if (link_was_down_[pidx] && restart_on_link_up_[pidx]) {
        // A VF whose PF reset (a PF link bounce does it) keeps rx and tx disabled until the VF
        // redoes its reset handshake, which a stop/start does; its link comes back regardless.
        // The VF's link can show up before its PF has finished bringing itself up, and a VF
        // reset handshake sent meanwhile goes unanswered (igb under QEMU: a stop/start 0.5 s or
        // 1 s after the link returned sat in mailbox timeouts until ~5 s after it, and left the
        // VF's tx disabled). The restart waits link_up_settle_ms (0 by default), the port out
        // of service meanwhile; a restart that was slow is done again (slow_restart_ms).
        note(pidx, "recovery",
             std::string("link came back up (") + how + "): restarting the port " +
                 (policy_.link_up_settle_ms
                      ? "in " + std::to_string(policy_.link_up_settle_ms) +
                            " ms (the PF may still be bringing itself up)"
                      : std::string("now")) +
                 ", as its PF may have reset it");
        link_restart_at_[pidx] = drv_.now_s() + policy_.link_up_settle_ms / 1e3;
        if (policy_.link_up_settle_ms == 0) restart_after_link_up(pidx);
        return;
    }
    link_was_down_[pidx] = false;
    drv_.publish(pidx, drv_.port_id(pidx), false, false);
    set_state(pidx, PortState::running, how);
}

void Recovery::on_link_poll(uint16_t pidx) { handle_link(pidx, true); }

void Recovery::restart_after_link_up(uint16_t pidx) {
    link_restart_at_[pidx] = -1;
    ++stats_[pidx].link_bounce_restarts;
    size_t first = 0;
    while (first < policy_.ladder.size() && policy_.ladder[first] == Step::reset) ++first;
    if (first == policy_.ladder.size()) first = 0;
    trigger(pidx, drv_.now_s(), first, "link up after down");
}

void Recovery::on_pf_mac(uint16_t pidx, const std::string& what) {
    const PortState s = stats_[pidx].state;
    note(pidx, "mac", what + (s == PortState::failed    ? ": the port has failed, left as it is"
                              : s == PortState::stopped ? ": the port is stopped by an operator, "
                                                          "left as it is until it is started"
                                                        : ": re-attaching the port to take it"));
    if (s == PortState::failed || s == PortState::stopped) return;
    trigger(pidx, drv_.now_s(), 0, k_cause_pf_mac);
}

void Recovery::hold_ports_without_link() {
    for (uint16_t i = 0; i < stats_.size(); ++i) {
        const uint16_t id = drv_.port_id(i);
        if (drv_.link_up(id)) continue;
        link_[i] = false;
        drv_.publish(i, id, true, true);
        set_state(i, PortState::link_down, "link down at start: not polled until it comes up");
    }
}

std::vector<Step> Recovery::ladder_of(const Job& j) const {
    if (j.reattach_only) return {Step::reattach};
    return policy_.ladder;
}

void Recovery::trigger(uint16_t pidx, double event_s, size_t first_step, const std::string& cause) {
    Job& j = jobs_[pidx];
    if (stats_[pidx].state == PortState::stopped && !j.active) {
        // Stopped by an operator: it is recovered by nothing but a start.
        note(pidx, "recovery", "the port is stopped by an operator: no recovery (" + cause + ")");
        return;
    }
    if (j.active && j.storm) {
        // During a storm's hold more resets only confirm it: one recovery follows the hold.
        ++stats_[pidx].storm_merged;
        return;
    }
    if (j.active) {
        // The device faulted again while being recovered: that one gets a recovery of its own
        // once this one ends (a reset is never lost, and never merged into another).
        pending_[pidx].push_back({event_s, first_step, cause});
        return;
    }
    begin(pidx, event_s, first_step, cause);
}

void Recovery::begin(uint16_t pidx, double event_s, size_t first_step, const std::string& cause) {
    PortHealthStats& st = stats_[pidx];
    Job& j = jobs_[pidx];
    const double now = drv_.now_s();
    // A recurrence: the same silent failure found again (the watchdog), or any fault after a
    // restart that brought no traffic back, soon after the previous recovery ended.
    const bool recurring =
        last_end_s_[pidx] >= 0 && event_s - last_end_s_[pidx] < policy_.recur_window_ms / 1e3 &&
        (cause == "watchdog" || last_no_traffic_[pidx]);
    streak_[pidx] = recurring ? streak_[pidx] + 1 : 0;
    const unsigned n = streak_[pidx];
    if (n > 0) {
        ++st.recurrences;
        note(pidx, "recovery",
             "the fault recurred " + std::to_string(n) + " time(s) right after a recovery (" +
                 cause + ")");
    }
    if (n > 0 && n > policy_.escalate_after) {
        // Restarting and re-attaching did not help: stop trying, never loop. The port stays in
        // service as it is; the watchdog leaves it alone until it receives again.
        ++st.degraded;
        last_end_s_[pidx] = now;
        pending_[pidx].clear();
        note(pidx, "recovery",
             "degraded: the fault recurred after a re-attach too; no more automatic restarts "
             "until the port receives again");
        log::get("reset")->error("port {}: degraded: the fault keeps recurring", names_[pidx]);
        set_state(pidx, PortState::degraded, cause);
        return;
    }
    j = Job{};
    j.active = true;
    j.cause = cause;
    j.event_s = event_s;
    j.first_step = j.step = first_step;
    j.removal = cause == k_cause_removed;
    if (n > 0) {
        j.hold_s = policy_.recur_backoff_ms / 1e3 * double(1u << (n - 1));
        j.hold_state = PortState::backoff;
        j.hold_why = "recurrence " + std::to_string(n) + ": waiting " + fmt_ms(j.hold_s * 1e3) +
                     " before acting";
    }
    // Reset storm: too many recoveries in the window. Hold the port out of service (its traffic
    // on the standby), longer for each storm in a row, then recover it once.
    auto& starts = starts_[pidx];
    starts.push_back(event_s);
    while (!starts.empty() && event_s - starts.front() > policy_.storm_window_ms / 1e3)
        starts.pop_front();
    if (policy_.storm_resets > 0 && starts.size() >= policy_.storm_resets) {
        const bool in_a_row = last_storm_s_[pidx] >= 0 &&
                              event_s - last_storm_s_[pidx] < 2 * policy_.storm_window_ms / 1e3;
        storm_run_[pidx] = in_a_row ? std::min(storm_run_[pidx] + 1, 4u) : 0;
        last_storm_s_[pidx] = event_s;
        starts.clear();
        ++st.storms;
        j.storm = true;
        j.hold_s = std::max(j.hold_s, policy_.storm_hold_ms / 1e3 * double(1u << storm_run_[pidx]));
        j.hold_state = PortState::storm;
        j.hold_why = std::to_string(policy_.storm_resets) + " recoveries within " +
                     std::to_string(policy_.storm_window_ms) + " ms: holding the port for " +
                     fmt_ms(j.hold_s * 1e3);
        note(pidx, "storm", "reset storm: " + j.hold_why);
        log::get("reset")->error("port {}: reset storm: {}", names_[pidx], j.hold_why);
    }
    j.reattach_only = n > 0 && n == policy_.escalate_after;
    if (cause == k_cause_pf_mac) {
        j.reattach_only = true;
        j.first_step = j.step = 0;
    } else if (j.reattach_only) {
        j.first_step = j.step = 0;
        ++st.escalations;
        note(pidx, "recovery", "escalating to a re-attach (it re-reads the MAC)");
    }
    j.id = drv_.port_id(pidx);
    j.dropped_before = drv_.not_ready(pidx);
    j.expect_rx = drv_.rx_packets(pidx) > 0;
    // 1. out of service: nobody polls it, nobody sends to it; 2. wait until every worker left it.
    drv_.publish(pidx, j.id, true, true);
    set_state(pidx, PortState::quiescing, cause);
    j.token = drv_.quiesce_start();
    j.deadline = now + policy_.quiesce_timeout_ms / 1e3;
    j.due = now;
    step(pidx, now);
}

void Recovery::tick() {
    for (uint16_t i = 0; i < jobs_.size(); ++i) {
        if (link_restart_at_[i] >= 0 && drv_.now_s() >= link_restart_at_[i] && !jobs_[i].active) {
            if (stats_[i].state == PortState::link_down)
                restart_after_link_up(i);
            else
                link_restart_at_[i] = -1;  // recovered meanwhile by another path
        }
        if (!jobs_[i].active) continue;
        const double now = drv_.now_s();
        if (now >= jobs_[i].due) step(i, now);
    }
}

double Recovery::next_due_s() const {
    double best = std::numeric_limits<double>::max();
    for (const Job& j : jobs_)
        if (j.active) best = std::min(best, j.due);
    for (const double t : link_restart_at_)
        if (t >= 0) best = std::min(best, t);
    return best;
}

bool Recovery::busy() const {
    for (const Job& j : jobs_)
        if (j.active) return true;
    for (const double t : link_restart_at_)
        if (t >= 0) return true;
    return false;
}

void Recovery::step(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    PortHealthStats& st = stats_[pidx];
    switch (st.state) {
        case PortState::quiescing:
            if (!drv_.quiesced(j.token)) {
                if (now < j.deadline) {
                    j.due = now + k_quiesce_poll_s;
                    return;
                }
                // A worker that never reaches a quiescent state may still be inside the port:
                // touching it now could crash. Leave it out of service.
                log::get("reset")->error("port {}: workers did not quiesce within {} ms",
                                         names_[pidx], policy_.quiesce_timeout_ms);
                give_up(pidx, "workers did not quiesce");
                return;
            }
            if (j.remac) {
                resume(pidx, now);
                return;
            }
            if (j.admin) {
                admin_quiesced(pidx, now);
                return;
            }
            // A removed device may take long to come back (live migration): its traffic moves
            // to the standby meanwhile. A reset is quick, so its frames are dropped meanwhile.
            if (j.removal) fail_over(pidx, "device removed");
            if (j.storm) fail_over(pidx, "reset storm");
            if (j.hold_s > 0) {
                j.due = now + j.hold_s;
                j.hold_s = 0;
                set_state(pidx, j.hold_state, j.hold_why);
                return;
            }
            run_ladder(pidx, now);
            return;
        case PortState::backoff:
        case PortState::storm:
        case PortState::resetting:  // a reset that answered -EAGAIN, retried now
            run_ladder(pidx, now);
            return;
        case PortState::device_gone:
            probe_gone(pidx, now);
            return;
        case PortState::awaiting_traffic: {
            const bool rx = drv_.rx_packets(pidx) != j.rx_before;
            if (rx || now >= j.deadline) {
                finish(pidx, now, rx);
                return;
            }
            j.due = now + k_traffic_poll_s;
            return;
        }
        default:
            return;
    }
}

void Recovery::run_ladder(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    const std::vector<Step> ladder = ladder_of(j);
    while (j.step < ladder.size()) {
        bool wait = false;
        const bool ok = try_step(pidx, ladder[j.step], wait, now);
        if (wait) return;
        if (ok) {
            step_succeeded(pidx, now);
            return;
        }
        ++j.step;
        j.eagain = 0;
    }
    pass_failed(pidx, now);
}

bool Recovery::try_step(uint16_t pidx, Step step, bool& wait, double now) {
    Job& j = jobs_[pidx];
    switch (step) {
        case Step::reset: {
            if (driver_recovers_[pidx]) {
                note(pidx, "recovery",
                     "no rte_eth_dev_reset: the driver recovers this port by itself (next step)");
                return false;
            }
            set_state(pidx, PortState::resetting, "rte_eth_dev_reset");
            const int ret = drv_.reset(j.id);
            if (ret == -EAGAIN) {
                // The PF is still resetting the VF: ask again later, without blocking.
                if (++j.eagain < policy_.reset_eagain_tries) {
                    if (j.eagain == 1)
                        note(pidx, "recovery",
                             "rte_eth_dev_reset: -EAGAIN (the PF is still resetting the VF); "
                             "asking again every " +
                                 std::to_string(policy_.reset_eagain_wait_ms) + " ms");
                    j.due = now + policy_.reset_eagain_wait_ms / 1e3;
                    wait = true;
                    return false;
                }
                note(pidx, "recovery",
                     "rte_eth_dev_reset still -EAGAIN after " +
                         std::to_string(policy_.reset_eagain_tries) + " tries");
                return false;
            }
            if (ret != 0) {
                note(pidx, "recovery",
                     "rte_eth_dev_reset: " + std::string(rte_strerror(-ret)) +
                         (ret == -ENOTSUP ? " (driver has no reset: next step)" : ""));
                return false;
            }
            set_state(pidx, PortState::reconfiguring);
            auto st = drv_.setup(pidx, j.id);
            if (!st) note(pidx, "recovery", st.error());
            return bool(st);
        }
        case Step::restart: {
            set_state(pidx, PortState::resetting, "stop/start");
            const double t0 = drv_.now_s();
            drv_.stop(j.id);
            const int ret = drv_.start(j.id);
            if (ret != 0)
                note(pidx, "recovery", "rte_eth_dev_start: " + std::string(rte_strerror(-ret)));
            const double took_ms = (drv_.now_s() - t0) * 1e3;
            if (ret == 0 && policy_.slow_restart_ms && took_ms > policy_.slow_restart_ms &&
                j.slow_restarts < k_slow_restarts) {
                // A start that took this long waited out the driver's handshake with its PF
                // (igbvf: 1 s mailbox timeouts while the PF was still coming up after a link
                // bounce), and such a start can leave the VF's tx disabled though it returns 0.
                // The PF answers by now: once more.
                ++j.slow_restarts;
                note(pidx, "recovery",
                     "stop/start took " + fmt_ms(took_ms) + " (over slow_restart_ms " +
                         std::to_string(policy_.slow_restart_ms) +
                         ": the driver waited for its PF); restarting once more");
                j.due = now;
                wait = true;
                return false;
            }
            return ret == 0;
        }
        case Step::reattach: {
            set_state(pidx, PortState::reattaching, "detach and probe again");
            auto nid = drv_.reattach(pidx);
            if (!nid) {
                note(pidx, "recovery", nid.error());
                return false;
            }
            j.id = *nid;
            set_state(pidx, PortState::reconfiguring);
            auto st = drv_.setup(pidx, j.id);
            if (!st) note(pidx, "recovery", st.error());
            return bool(st);
        }
    }
    return false;
}

// A removed device, probed again every removed_poll_ms. Failed probes are counted, not
// journaled one by one (a VF may stay away for hours); the first success is.
void Recovery::probe_gone(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    auto nid = drv_.reattach(pidx);
    if (!nid) {
        ++j.probes;
        j.gone_error = nid.error();
        if (policy_.removed_wait_ms && now - j.gone_since >= policy_.removed_wait_ms / 1e3) {
            note(pidx, "recovery",
                 "the device did not come back within " + std::to_string(policy_.removed_wait_ms) +
                     " ms (" + std::to_string(j.probes) + " probes; last: " + j.gone_error + ")");
            give_up(pidx, "the removed device did not come back");
            return;
        }
        j.due = now + policy_.removed_poll_ms / 1e3;
        return;
    }
    note(pidx, "recovery",
         "the device is back after " + fmt_ms((now - j.gone_since) * 1e3) + " (" +
             std::to_string(j.probes + 1) + " probes)");
    j.id = *nid;
    set_state(pidx, PortState::reconfiguring);
    auto st = drv_.setup(pidx, j.id);
    if (!st) {
        // Back, but not usable yet (a VF without its MAC or vfio-pci binding): keep waiting.
        note(pidx, "recovery", st.error());
        ++j.probes;
        j.due = now + policy_.removed_poll_ms / 1e3;
        set_state(pidx, PortState::device_gone, "the device is back but could not be set up");
        return;
    }
    step_succeeded(pidx, now);
}

void Recovery::pass_failed(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    ++j.attempt;
    note(pidx, "recovery",
         "attempt " + std::to_string(j.attempt) + " of " + std::to_string(policy_.max_attempts) +
             " failed");
    if (j.attempt >= policy_.max_attempts) {
        const std::vector<Step> ladder = ladder_of(j);
        if (j.removal && std::find(ladder.begin(), ladder.end(), Step::reattach) != ladder.end()) {
            // Gone, not broken (and the ladder allows re-attaching): an operator who re-creates the VF (or re-binds its PF driver)
            // gets the port back without touching vfpath.
            j.gone_since = now;
            j.due = now + policy_.removed_poll_ms / 1e3;
            note(pidx, "recovery",
                 "the device is gone: probing for it every " +
                     std::to_string(policy_.removed_poll_ms) + " ms " +
                     (policy_.removed_wait_ms
                          ? "for " + std::to_string(policy_.removed_wait_ms) + " ms at most"
                          : std::string("until it comes back")));
            set_state(pidx, PortState::device_gone, "waiting for the device to come back");
            return;
        }
        give_up(pidx, "every step of the ladder failed");
        return;
    }
    j.step = j.first_step;
    j.eagain = 0;
    const double ms = double(policy_.backoff_ms) * (1u << (j.attempt - 1));
    j.due = now + ms / 1e3;
    set_state(pidx, PortState::backoff, "next attempt in " + fmt_ms(ms));
}

void Recovery::step_succeeded(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    // The device may have a new MAC now (a PF can set it): read it after every restart or
    // re-attach, and use it everywhere before the port transmits again.
    const config::MacAddr m = drv_.read_mac(j.id);
    if (mac_known_[pidx] && m != mac_[pidx]) {
        ++stats_[pidx].mac_changes;
        note(pidx, "mac",
             "MAC changed from " + config::format_mac(mac_[pidx]) + " to " +
                 config::format_mac(m));
        log::get("reset")->warn("port {}: MAC is now {}", names_[pidx], config::format_mac(m));
        set_mac(pidx, m);
        drv_.use_mac(pidx, m);
        // Workers may have read the old l2 header of a frame for this port that they will drop
        // (it is not sent to): one more grace period, and no worker holds the old one.
        j.remac = true;
        j.token = drv_.quiesce_start();
        j.deadline = now + policy_.quiesce_timeout_ms / 1e3;
        set_state(pidx, PortState::quiescing, "new MAC in place");
        step(pidx, now);
        return;
    }
    set_mac(pidx, m);
    resume(pidx, now);
}

// 5. back in service, then wait for the first frame received again.
void Recovery::resume(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    PortHealthStats& st = stats_[pidx];
    j.rx_before = drv_.rx_packets(pidx);
    drv_.publish(pidx, j.id, false, false);
    if (st.on_standby) {
        st.on_standby = false;
        note(pidx, "failover", "traffic moved back from the standby");
    }
    link_[pidx] = true;
    link_was_down_[pidx] = false;
    j.deadline = now + policy_.first_packet_timeout_ms / 1e3;
    if (!j.expect_rx && drv_.link_up(j.id)) {
        finish(pidx, now, false);  // nothing to wait for: it never received
        return;
    }
    set_state(pidx, PortState::awaiting_traffic, "back in service; waiting for the first frame");
    j.due = now + k_traffic_poll_s;
}

void Recovery::finish(uint16_t pidx, double now, bool traffic) {
    Job& j = jobs_[pidx];
    PortHealthStats& st = stats_[pidx];
    if (j.admin) {
        // Back after an operator's start/restart: not a recovery, no outcome counted.
        const bool up = drv_.link_up(j.id);
        link_[pidx] = up;
        if (!up) drv_.publish(pidx, j.id, false, true);
        watch_[pidx].tx_since = -1;
        set_state(pidx, up ? PortState::running : PortState::link_down,
                  std::string(to_string(j.admin_op)) + " by an operator done in " +
                      fmt_ms((now - j.event_s) * 1e3) +
                      (traffic ? " (first frame received)" : ""));
        j = Job{};
        return;
    }
    st.dropped_during_recovery += drv_.not_ready(pidx) - j.dropped_before;
    const double ms = (now - j.event_s) * 1e3;
    last_end_s_[pidx] = now;
    watch_[pidx].tx_since = -1;  // the watchdog starts over from here
    if (traffic || !j.expect_rx) {
        ++st.recovered;
        st.recovery_ms.push_back(ms);
        last_no_traffic_[pidx] = false;
        set_state(pidx, PortState::running,
                  "recovered in " + fmt_ms(ms) +
                      (traffic ? " (event to first frame received)"
                               : " (up again; no traffic expected: it had received nothing)"));
    } else {
        // Up again but silent: not a recovery (the fault may still be there).
        ++st.restarted_no_traffic;
        last_no_traffic_[pidx] = true;
        // Until it receives again, silence is what this port does: the rx check leaves it be.
        watch_[pidx].expect_rx = false;
        note(pidx, "recovery",
             "restarted, no traffic yet: no frame within " +
                 std::to_string(policy_.first_packet_timeout_ms) +
                 " ms although the port received before the fault");
        const bool up = drv_.link_up(j.id);
        link_[pidx] = up;
        if (!up) drv_.publish(pidx, j.id, false, true);
        set_state(pidx, up ? PortState::running : PortState::link_down,
                  "restarted in " + fmt_ms(ms) + ", no frame received yet");
    }
    j.active = false;
    if (!pending_[pidx].empty()) {
        const Pending p = pending_[pidx].front();
        pending_[pidx].pop_front();
        begin(pidx, p.event_s, p.first_step, p.cause);
    }
}

void Recovery::give_up(uint16_t pidx, const char* why) {
    Job& j = jobs_[pidx];
    PortHealthStats& st = stats_[pidx];
    ++st.failed;
    st.dropped_during_recovery += drv_.not_ready(pidx) - j.dropped_before;
    set_state(pidx, PortState::failed, why);
    fail_over(pidx, "recovery failed");
    log::get("reset")->error("port {}: recovery after {} failed; the port stays out of service",
                             names_[pidx], j.cause);
    last_end_s_[pidx] = drv_.now_s();
    j = Job{};
    pending_[pidx].clear();  // a failed port is not acted on until a removal/re-add
}

}  // namespace vfpath::control

namespace vfpath::control {

Status Recovery::admin(uint16_t pidx, AdminOp op) {
    if (pidx >= stats_.size()) return fail("no such port");
    PortHealthStats& st = stats_[pidx];
    Job& j = jobs_[pidx];
    const std::string state(to_string(st.state));
    const bool stopped = st.state == PortState::stopped;
    if (j.active)
        return fail("port " + names_[pidx] + " is busy (" + state + (j.admin ? "" : ": recovering") +
                    "); try again once it has settled");
    if (op == AdminOp::stop && stopped) return fail("port " + names_[pidx] + " is already stopped");
    if (op == AdminOp::start && !stopped)
        return fail("port " + names_[pidx] + " is not stopped (state: " + state + ")");
    if (!stopped && st.state != PortState::running && st.state != PortState::link_down &&
        st.state != PortState::degraded && st.state != PortState::failed)
        return fail("port " + names_[pidx] + " is " + state + ": the driver or a hold owns it now");
    const double now = drv_.now_s();
    switch (op) {
        case AdminOp::stop: ++st.admin_stops; break;
        case AdminOp::start: ++st.admin_starts; break;
        case AdminOp::restart: ++st.admin_restarts; break;
    }
    note(pidx, "admin", std::string(to_string(op)) + " requested by an operator (state " + state + ")");
    j = Job{};
    j.active = true;
    j.admin = true;
    j.admin_op = op;
    j.cause = "admin " + std::string(to_string(op));
    j.event_s = now;
    j.id = drv_.port_id(pidx);
    if (stopped) {
        // Already out of service and quiesced: only the device needs starting.
        admin_start_device(pidx, now);
        return ok();
    }
    // Out of service exactly as for a recovery: nobody polls it, nobody sends to it, and every
    // worker has left it before the device is touched.
    drv_.publish(pidx, j.id, true, true);
    set_state(pidx, PortState::quiescing, j.cause);
    j.token = drv_.quiesce_start();
    j.deadline = now + policy_.quiesce_timeout_ms / 1e3;
    j.due = now;
    step(pidx, now);
    return ok();
}

void Recovery::admin_quiesced(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    const int ret = drv_.stop(j.id);
    if (ret != 0)
        note(pidx, "admin", "rte_eth_dev_stop: " + std::string(rte_strerror(-ret)));
    if (j.admin_op == AdminOp::stop) {
        set_state(pidx, PortState::stopped, "stopped by an operator");
        j = Job{};
        return;
    }
    admin_start_device(pidx, now);
}

void Recovery::admin_start_device(uint16_t pidx, double now) {
    Job& j = jobs_[pidx];
    const int ret = drv_.start(j.id);
    if (ret != 0) {
        // The device did not start: it stays stopped (out of service), as the operator left it.
        note(pidx, "admin", "rte_eth_dev_start: " + std::string(rte_strerror(-ret)) +
                                "; the port stays stopped");
        set_state(pidx, PortState::stopped, "start failed");
        j = Job{};
        return;
    }
    j.expect_rx = false;  // an operator's start waits for no frame
    resume(pidx, now);
}

}  // namespace vfpath::control
