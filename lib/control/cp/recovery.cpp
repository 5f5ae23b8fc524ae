#include "control/cp/recovery.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

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

}  // namespace

std::string_view to_string(PortState s) {
    switch (s) {
        case PortState::running: return "running";
        case PortState::link_down: return "link_down";
        case PortState::quiescing: return "quiescing";
        case PortState::resetting: return "resetting";
        case PortState::reconfiguring: return "reconfiguring";
        case PortState::reattaching: return "reattaching";
        case PortState::driver_recovering: return "driver_recovering";
        case PortState::failed: return "failed";
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
      driver_rec_t_(names_.size(), 0),
      t0_s_(t0_s),
      watch_(names_.size()) {}

void Recovery::watchdog_tick() {
    const double now = drv_.now_s();
    for (uint16_t i = 0; i < stats_.size(); ++i) {
        Watch& w = watch_[i];
        const uint64_t tx = drv_.tx_packets(i), full = drv_.tx_full(i), rx = drv_.rx_packets(i);
        const uint16_t q = drv_.peer(i);
        const uint64_t peer_rx = q != i ? drv_.rx_packets(q) : 0;
        const bool watching = stats_[i].state == PortState::running && link_[i];
        if (!watching || w.tx_since < 0) {
            w = {tx, full, rx, peer_rx, now, now};
            continue;
        }
        // tx: offered (ring full) but nothing accepted since tx_since.
        if (tx != w.tx || full == w.full) w.tx_since = now;
        // rx: nothing received while the paired port kept receiving.
        if (rx != w.rx || q == i || peer_rx == w.peer_rx) w.rx_since = now;
        w.tx = tx, w.full = full, w.rx = rx, w.peer_rx = peer_rx;
        std::string why;
        if (policy_.tx_stall_ms && (now - w.tx_since) * 1e3 >= policy_.tx_stall_ms)
            why = "tx stalled: frames offered but none accepted for " +
                  std::to_string(policy_.tx_stall_ms) + " ms with the link up";
        else if (policy_.rx_stall_ms && (now - w.rx_since) * 1e3 >= policy_.rx_stall_ms)
            why = "rx frozen for " + std::to_string(policy_.rx_stall_ms) + " ms while " +
                  names_[q] + " still receives";
        if (why.empty()) continue;
        ++stats_[i].watchdog_triggers;
        journal_.add(rel(now), names_[i], "watchdog", why);
        log::get("reset")->warn("port {}: {}; recovering", names_[i], why);
        w.tx_since = -1;
        recover(i, now, 0, "watchdog");
    }
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

// Traffic for the port goes to its standby: the port stays unpolled, and its control word now
// carries the standby's DPDK id, so workers transmit there on the same queue numbers.
void Recovery::fail_over(uint16_t pidx, const char* why) {
    const uint16_t sb = drv_.standby(pidx);
    if (sb == config::k_no_port || stats_[pidx].on_standby) return;
    drv_.redirect(pidx, sb);
    stats_[pidx].on_standby = true;
    ++stats_[pidx].failovers;
    journal_.add(rel(drv_.now_s()), names_[pidx], "failover",
                 std::string("traffic moved to standby ") + names_[sb] + ": " + why);
}

void Recovery::on_event(uint16_t pidx, int type, double event_s) {
    PortHealthStats& st = stats_[pidx];
    ++st.events;
    ++st.events_by_type[glue::event_name(type)];
    journal_.add(rel(event_s), names_[pidx], "event", glue::event_name(type));
    switch (type) {
        case RTE_ETH_EVENT_INTR_LSC:
            handle_link(pidx, false);
            break;
        case RTE_ETH_EVENT_INTR_RESET:
            ++st.resets;
            if (st.state == PortState::failed) break;  // only a removal/re-add revives it
            recover(pidx, event_s, 0, "INTR_RESET");
            break;
        case RTE_ETH_EVENT_INTR_RMV: {
            ++st.removals;
            // The device is gone: only re-attaching it can help.
            size_t first = 0;
            while (first < policy_.ladder.size() && policy_.ladder[first] != Step::reattach)
                ++first;
            recover(pidx, event_s, first, "INTR_RMV");
            break;
        }
        case RTE_ETH_EVENT_ERR_RECOVERING:
            // A proactive driver (bnxt, hns3) recovers by itself: hands off the port meanwhile.
            driver_rec_t_[pidx] = event_s;
            drv_.publish(pidx, drv_.port_id(pidx), true, true);
            drv_.quiesce(policy_.quiesce_timeout_ms);
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
            recover(pidx, driver_rec_t_[pidx] ? driver_rec_t_[pidx] : event_s, first,
                    "RECOVERY_FAILED");
            break;
        }
        default:
            break;  // NEW, DESTROY, VF_MBOX: journaled and counted only
    }
}

void Recovery::handle_link(uint16_t pidx, bool from_poll) {
    PortHealthStats& st = stats_[pidx];
    if (st.state != PortState::running && st.state != PortState::link_down) return;
    const bool up = drv_.link_up(drv_.port_id(pidx));
    if (up == link_[pidx]) return;
    link_[pidx] = up;
    ++st.link_changes;
    // Link down: frames for the port are dropped and counted, never queued forever; the port
    // is still polled (a link can come back with frames already in the ring).
    drv_.publish(pidx, drv_.port_id(pidx), false, !up);
    set_state(pidx, up ? PortState::running : PortState::link_down,
              from_poll ? "seen by link polling" : "LSC");
}

void Recovery::on_link_poll(uint16_t pidx) { handle_link(pidx, true); }

void Recovery::hold_ports_without_link() {
    for (uint16_t i = 0; i < stats_.size(); ++i) {
        const uint16_t id = drv_.port_id(i);
        if (drv_.link_up(id)) continue;
        link_[i] = false;
        drv_.publish(i, id, true, true);
        set_state(i, PortState::link_down, "link down at start: not polled until it comes up");
    }
}

bool Recovery::do_reset(uint16_t pidx, uint16_t id) {
    for (unsigned i = 0; i < policy_.reset_eagain_tries; ++i) {
        const int ret = drv_.reset(id);
        if (ret == 0) return true;
        if (ret != -EAGAIN) {
            journal_.add(rel(drv_.now_s()), names_[pidx], "recovery",
                         "rte_eth_dev_reset: " + std::string(rte_strerror(-ret)) +
                             (ret == -ENOTSUP ? " (driver has no reset: next step)" : ""));
            return false;
        }
        drv_.sleep_us(policy_.reset_eagain_wait_ms * 1000);
    }
    journal_.add(rel(drv_.now_s()), names_[pidx], "recovery",
                 "rte_eth_dev_reset still -EAGAIN after " +
                     std::to_string(policy_.reset_eagain_tries) + " tries");
    return false;
}

bool Recovery::try_step(uint16_t pidx, Step step, uint16_t& id) {
    switch (step) {
        case Step::reset: {
            set_state(pidx, PortState::resetting, "rte_eth_dev_reset");
            if (!do_reset(pidx, id)) return false;
            set_state(pidx, PortState::reconfiguring);
            auto st = drv_.setup(pidx, id);
            if (!st) journal_.add(rel(drv_.now_s()), names_[pidx], "recovery", st.error());
            return bool(st);
        }
        case Step::restart: {
            set_state(pidx, PortState::resetting, "stop/start");
            drv_.stop(id);
            const int ret = drv_.start(id);
            if (ret != 0)
                journal_.add(rel(drv_.now_s()), names_[pidx], "recovery",
                             "rte_eth_dev_start: " + std::string(rte_strerror(-ret)));
            return ret == 0;
        }
        case Step::reattach: {
            set_state(pidx, PortState::reattaching, "detach and probe again");
            auto nid = drv_.reattach(pidx);
            if (!nid) {
                journal_.add(rel(drv_.now_s()), names_[pidx], "recovery", nid.error());
                return false;
            }
            id = *nid;
            set_state(pidx, PortState::reconfiguring);
            auto st = drv_.setup(pidx, id);
            if (!st) journal_.add(rel(drv_.now_s()), names_[pidx], "recovery", st.error());
            return bool(st);
        }
    }
    return false;
}

void Recovery::recover(uint16_t pidx, double event_s, size_t first_step, const char* cause) {
    auto lg = log::get("reset");
    PortHealthStats& st = stats_[pidx];
    uint16_t id = drv_.port_id(pidx);
    const uint64_t dropped_before = drv_.not_ready(pidx);
    // 1. out of service: nobody polls it, nobody sends to it; 2. wait until every worker left it.
    drv_.publish(pidx, id, true, true);
    set_state(pidx, PortState::quiescing, cause);
    if (!drv_.quiesce(policy_.quiesce_timeout_ms)) {
        // A worker that never reaches a quiescent state may still be inside the port: touching
        // it now could crash. Leave it out of service.
        ++st.failed;
        set_state(pidx, PortState::failed, "workers did not quiesce");
        return;
    }
    // A removed device may take long to come back (live migration): its traffic moves to the
    // standby meanwhile. A reset is quick, so its frames are dropped for that short while.
    if (std::string_view(cause) == "INTR_RMV") fail_over(pidx, "device removed");
    bool ok = false;
    for (unsigned attempt = 0; attempt < policy_.max_attempts && !ok; ++attempt) {
        if (attempt > 0) drv_.sleep_us((policy_.backoff_ms << (attempt - 1)) * 1000);
        for (size_t k = first_step; k < policy_.ladder.size() && !ok; ++k)
            ok = try_step(pidx, policy_.ladder[k], id);
        if (!ok)
            journal_.add(rel(drv_.now_s()), names_[pidx], "recovery",
                         "attempt " + std::to_string(attempt + 1) + " of " +
                             std::to_string(policy_.max_attempts) + " failed");
    }
    if (!ok) {
        ++st.failed;
        st.dropped_during_recovery += drv_.not_ready(pidx) - dropped_before;
        set_state(pidx, PortState::failed, "every step of the ladder failed");
        fail_over(pidx, "recovery failed");
        lg->error("port {}: recovery after {} failed; the port stays out of service", names_[pidx],
                  cause);
        return;
    }
    // 5. back in service, then measure until the first frame is received again.
    const uint64_t rx_before = drv_.rx_packets(pidx);
    drv_.publish(pidx, id, false, false);
    if (st.on_standby) {
        st.on_standby = false;
        journal_.add(rel(drv_.now_s()), names_[pidx], "failover",
                     "traffic moved back from the standby");
    }
    link_[pidx] = true;
    const double deadline = drv_.now_s() + policy_.first_packet_timeout_ms / 1e3;
    while (drv_.rx_packets(pidx) == rx_before && drv_.now_s() < deadline) drv_.sleep_us(20);
    const double done = drv_.now_s();
    const bool traffic = drv_.rx_packets(pidx) != rx_before;
    st.dropped_during_recovery += drv_.not_ready(pidx) - dropped_before;
    ++st.recovered;
    st.recovery_ms.push_back((done - event_s) * 1e3);
    set_state(pidx, PortState::running,
              "recovered in " + fmt_ms((done - event_s) * 1e3) +
                  (traffic ? " (event to first frame received)" : " (no frame arrived yet)"));
}

}  // namespace vfpath::control
