#include "control/cp/control_loop.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include <rte_ethdev.h>

#include "util/log.h"

namespace vfpath::control {

// PortEvent::info of a VF_MBOX event: bits 0-15 VF, 16-23 request kind, 24 accepted, 25 decided.
constexpr uint32_t k_mbox_accepted = 1u << 24;
constexpr uint32_t k_mbox_decided = 1u << 25;

// The real PortDriver: the runtime for what workers see, drivers-glue for the device.
class ControlLoop::RuntimeDriver : public PortDriver {
public:
    RuntimeDriver(dataplane::Runtime& rt, const config::Config& cfg,
                  const std::vector<bool>& forced_down)
        : rt_(rt), cfg_(cfg), forced_down_(forced_down),
          reset_busy_until_(rt.plan().ports.size(), 0) {}
    uint16_t port_id(uint16_t pidx) override { return rt_.port_id(pidx); }
    void publish(uint16_t pidx, uint16_t id, bool rx_paused, bool tx_blocked) override {
        rt_.set_port_state(pidx, id, rx_paused, tx_blocked);
    }
    void redirect(uint16_t pidx, uint16_t standby_pidx) override {
        rt_.redirect_tx(pidx, rt_.port_id(standby_pidx));
    }
    uint64_t quiesce_start() override { return rt_.quiesce_start(); }
    bool quiesced(uint64_t token) override { return rt_.quiesced(token); }
    glue::ErrMode err_mode(uint16_t id) override { return glue::err_mode(id); }
    // A reset fault with slow=DUR: the device answers -EAGAIN until then, as a VF does while its
    // PF is still resetting it; afterwards the driver's own answer.
    int reset(uint16_t id) override {
        for (uint16_t i = 0; i < reset_busy_until_.size(); ++i)
            if (rt_.port_id(i) == id && now_s() < reset_busy_until_[i]) return -EAGAIN;
        return glue::port_reset(id);
    }
    void slow_reset(uint16_t pidx, double until_s) { reset_busy_until_[pidx] = until_s; }
    int stop(uint16_t id) override { return glue::port_stop(id); }
    int start(uint16_t id) override { return glue::port_start(id); }
    Status setup(uint16_t pidx, uint16_t id) override {
        rt_.set_port_open(pidx, true);
        return glue::port_setup(id, rt_.plan().ports[pidx], rt_.port_pool(pidx));
    }
    Result<uint16_t> reattach(uint16_t pidx) override {
        const config::PortConfig& pc = cfg_.ports[pidx];
        rt_.set_port_open(pidx, false);  // closed and detached from here on
        const std::string name = glue::device_name(pc);
        return glue::port_reattach(rt_.port_id(pidx), pc.is_pci() ? name : pc.device, name);
    }
    bool link_up(uint16_t id) override {
        for (uint16_t i = 0; i < forced_down_.size(); ++i)
            if (rt_.port_id(i) == id && forced_down_[i]) return false;
        return glue::port_link(id).up;
    }
    config::MacAddr read_mac(uint16_t id) override { return glue::port_mac(id); }
    void use_mac(uint16_t pidx, const config::MacAddr& mac) override { rt_.set_port_mac(pidx, mac); }
    uint64_t rx_packets(uint16_t pidx) override { return rt_.port_rx_packets(pidx); }
    uint64_t not_ready(uint16_t pidx) override { return rt_.port_not_ready(pidx); }
    uint64_t tx_packets(uint16_t pidx) override { return rt_.port_tx_packets(pidx); }
    uint64_t tx_full(uint16_t pidx) override {
        return rt_.port_drops(pidx) - rt_.port_not_ready(pidx);
    }
    uint16_t standby(uint16_t pidx) override { return rt_.plan().ports[pidx].standby; }
    uint16_t peer(uint16_t pidx) override {
        const uint16_t p = rt_.plan().ports[pidx].peer;
        return p == config::k_no_port ? pidx : p;
    }
    double now_s() override { return glue::monotonic_ns() / 1e9; }

private:
    dataplane::Runtime& rt_;
    const config::Config& cfg_;
    const std::vector<bool>& forced_down_;
    std::vector<double> reset_busy_until_;  // per plan port, PortDriver::now_s clock
};

ControlLoop::ControlLoop(dataplane::Runtime& rt, const config::Config& cfg, ControlOptions opt)
    : rt_(rt),
      cfg_(cfg),
      opt_(std::move(opt)),
      schedule_(opt_.faults),
      forced_down_(rt.plan().ports.size(), false) {
    driver_ = std::make_unique<RuntimeDriver>(rt, cfg, forced_down_);
}

ControlLoop::~ControlLoop() = default;

Status ControlLoop::open() {
    if (!opt_.journal_path.empty() && !journal_.open_file(opt_.journal_path))
        return fail("cannot open journal file " + opt_.journal_path);
    for (const FaultSpec& f : opt_.faults) {
        const config::PortConfig* p = cfg_.find_port(f.port);
        if (!p) return fail("fault \"" + f.text + "\": no port named " + f.port);
        fault_port_.push_back(static_cast<uint16_t>(p - cfg_.ports.data()));
    }
    std::vector<std::string> names;
    for (const auto& p : rt_.plan().ports) names.push_back(p.name);
    t0_s_ = glue::monotonic_ns() / 1e9;
    vf_mbox_.resize(names.size());
    recovery_ = std::make_unique<Recovery>(*driver_, journal_, opt_.policy, names, t0_s_);
    recovery_->hold_ports_without_link();
    for (uint16_t i = 0; i < names.size(); ++i) {
        const uint16_t id = rt_.port_id(i);
        recovery_->set_mac(i, rt_.port_mac(i));
        // Restart after a link down/up: the driver's rule (drivers-glue), or the config's choice.
        const glue::LinkBounceRule rule = glue::link_bounce_rule(id);
        const bool restart = opt_.restart_on_link_up == "always" ||
                             (opt_.restart_on_link_up == "auto" && rule.restart);
        recovery_->set_restart_on_link_up(i, restart);
        // Who recovers it from a reset: vfpath, or the driver by itself (drivers-glue).
        const glue::RecoveryModel model = glue::recovery_model(id, cfg_.ports[i].device);
        recovery_->set_driver_recovers(i, model.driver_recovers);
        journal_.add(0, names[i], "state", "recovery model: " + model.why);
        journal_.add(0, names[i], "state",
                     std::string("running; driver error handling: ") +
                         glue::to_string(glue::err_mode(id)) + "; restart after link down/up: " +
                         (restart ? "yes" : "no") + " (" + opt_.restart_on_link_up +
                         (opt_.restart_on_link_up == "auto" ? ": " + rule.why : "") + ")");
    }
    if (opt_.host_root && opt_.host_root->live() && opt_.pf_watch_s > 0) {
        std::vector<std::pair<uint16_t, std::string>> pci;
        for (uint16_t i = 0; i < names.size(); ++i)
            if (cfg_.ports[i].is_pci()) pci.emplace_back(i, glue::device_name(cfg_.ports[i]));
        std::vector<std::string> skipped;
        auto targets = pf_watch_targets(*opt_.host_root, pci, &skipped);
        for (const auto& t : targets)
            journal_.add(0, names[t.pidx], "state",
                         "the MAC its PF holds for it is watched (" + t.pf_netdev + " vf " +
                             std::to_string(t.vf) + ")");
        if (!targets.empty()) pf_watch_ = std::make_unique<PfWatch>(std::move(targets), rtnl_);
    }
    // VF mailbox: decided synchronously in the callback (the PF PMD reads retval when it
    // returns); the verdict is packed into the event for counting on the control thread.
    mbox_.resize(RTE_MAX_ETHPORTS);
    for (uint16_t i = 0; i < names.size(); ++i) {
        rte_eth_dev_info info{};
        const uint16_t id = rt_.port_id(i);
        if (rte_eth_dev_info_get(id, &info) != 0 || !info.driver_name) continue;
        mbox_[id] = {glue::driver_kind(info.driver_name), glue::policy_table(cfg_, names[i])};
    }
    return events_.open([this](uint16_t port_id, int, void* ret_param) -> uint32_t {
        if (port_id >= mbox_.size()) return 0;
        const MboxPort& m = mbox_[port_id];
        auto v = glue::handle_vf_mbox(m.kind, ret_param, m.table);
        if (!v) return 0;
        return k_mbox_decided | (v->decision.accept ? k_mbox_accepted : 0) |
               (uint32_t(v->request.kind) << 16) | v->request.vf;
    });
}

void ControlLoop::dispatch_events() {
    glue::PortEvent ev;
    while (events_.pop(ev)) {
        bool ours = false;
        for (uint16_t i = 0; i < rt_.plan().ports.size(); ++i) {
            if (rt_.port_id(i) != ev.port_id) continue;
            // A port being detached raises DESTROY/NEW for itself: recovery is the cause, not a
            // new fault. Only journal them while the port is out of service.
            ours = true;
            if (ev.type == RTE_ETH_EVENT_VF_MBOX && (ev.info & k_mbox_decided)) {
                const uint16_t vf = ev.info & 0xffff;
                const bool accepted = ev.info & k_mbox_accepted;
                const auto kind = static_cast<glue::MailboxRequest::Kind>((ev.info >> 16) & 0xff);
                auto& c = vf_mbox_[i][vf];
                ++(accepted ? c.first : c.second);
                journal_.add(ev.ns / 1e9 - t0_s_, rt_.plan().ports[i].name, "mailbox",
                             "VF " + std::to_string(vf) + " " +
                                 std::string(glue::to_string(kind)) +
                                 (accepted ? " accepted" : " refused by policy"));
            }
            recovery_->on_event(i, ev.type, ev.ns / 1e9);
            break;
        }
        if (!ours)
            journal_.add(ev.ns / 1e9 - t0_s_, "port_id " + std::to_string(ev.port_id), "event",
                         glue::event_name(ev.type));
    }
}

void ControlLoop::fire(const FaultAction& a) {
    const uint16_t pidx = fault_port_[a.spec];
    const uint16_t id = rt_.port_id(pidx);
    const std::string& name = rt_.plan().ports[pidx].name;
    const double t = glue::monotonic_ns() / 1e9 - t0_s_;
    Status st = ok();
    switch (a.kind) {
        case FaultKind::reset: {
            const double slow = schedule_.specs()[a.spec].slow_s;
            if (slow > 0) driver_->slow_reset(pidx, glue::monotonic_ns() / 1e9 + slow);
            journal_.add(t, name, "fault",
                         slow > 0 ? "injected INTR_RESET; rte_eth_dev_reset answers -EAGAIN for " +
                                        std::to_string(int(slow * 1e3)) + " ms"
                                  : std::string("injected INTR_RESET"));
            st = glue::inject_event(id, RTE_ETH_EVENT_INTR_RESET);
            break;
        }
        case FaultKind::remove:
            journal_.add(t, name, "fault", "injected INTR_RMV");
            st = glue::inject_event(id, RTE_ETH_EVENT_INTR_RMV);
            break;
        case FaultKind::unplug:
            journal_.add(t, name, "fault", "injected RTE_DEV_EVENT_REMOVE (the bus's device request)");
            st = glue::inject_dev_remove(id);
            break;
        case FaultKind::err_recovering:
            journal_.add(t, name, "fault",
                         a.end ? "injected RECOVERY_SUCCESS" : "injected ERR_RECOVERING");
            st = glue::inject_event(id, a.end ? RTE_ETH_EVENT_RECOVERY_SUCCESS
                                              : RTE_ETH_EVENT_ERR_RECOVERING);
            break;
        case FaultKind::link_down:
            journal_.add(t, name, "fault", a.end ? "link set up" : "link set down");
            st = glue::set_link(id, a.end);
            if (!st) {
                // The device cannot change its link: hold it down in vfpath's view instead.
                journal_.add(t, name, "fault", st.error() + "; link held " +
                                                   (a.end ? "up" : "down") + " by vfpath");
                forced_down_[pidx] = !a.end;
                st = ok();
            }
            st = glue::inject_event(id, RTE_ETH_EVENT_INTR_LSC);
            break;
    }
    if (!st) journal_.add(t, name, "fault", "injection failed: " + st.error());
}

// The watchdog samples counters this often; stall thresholds are multiples of it.
constexpr double k_watchdog_period_s = 0.1;

// Device counters are read this often so a jump (hw_guard.h) shows between close readings.
constexpr double k_hw_sample_period_s = 1.0;

// With --stop-after-faults: how long every port must stay settled after the last fault.
constexpr double k_settle_s = 0.2;

bool ControlLoop::settled() const {
    if (recovery_->busy()) return false;
    for (uint16_t i = 0; i < recovery_->ports(); ++i) {
        const PortState st = recovery_->stats(i).state;
        if (st != PortState::running && st != PortState::failed && st != PortState::link_down &&
            st != PortState::degraded && st != PortState::stopped)
            return false;
    }
    return true;
}

std::string ControlLoop::run(const std::atomic<int>& signal) {
    const config::RunConfig& run = cfg_.run;
    double settled_since = -1;
    dataplane::Snapshot prev = rt_.snapshot();
    double next_print = run.stats_interval_s;
    double next_poll = opt_.link_poll_s;
    double next_watch = k_watchdog_period_s;
    double next_hw = k_hw_sample_period_s;
    double next_pf = opt_.pf_watch_s;
    for (;;) {
        double now = glue::monotonic_ns() / 1e9 - t0_s_;
        // Sleep until the next thing to do, at most 20 ms (signals are checked that often).
        // Recoveries in progress wake the loop when their next step is due (their waits are
        // states with deadlines, never sleeps: every port's recovery goes on at once).
        const double rec_due = recovery_->next_due_s() - t0_s_ - now;
        double wait = std::min({0.02, schedule_.next_in(now), std::max(0.0, next_poll - now),
                                std::max(0.0, rec_due)});
        if (run.stats_interval_s > 0) wait = std::min(wait, std::max(0.0, next_print - now));
        if (run.duration_s > 0) wait = std::min(wait, std::max(0.0, run.duration_s - now));
        events_.wait(static_cast<int64_t>(wait * 1e6));
        if (const int sig = signal.load(std::memory_order_relaxed)) return sig == 2 ? "SIGINT" : "SIGTERM";
        dispatch_events();
        recovery_->tick();
        now = glue::monotonic_ns() / 1e9 - t0_s_;
        if (opt_.publisher) serve_readers(now);
        rt_.tick_clocks();  // NIC clock fits for hardware rx timestamps (every 100 ms)
        for (const FaultAction& a : schedule_.due(now)) fire(a);
        dispatch_events();
        recovery_->tick();
        if (now >= next_poll) {
            for (uint16_t i = 0; i < rt_.plan().ports.size(); ++i) recovery_->on_link_poll(i);
            next_poll = now + opt_.link_poll_s;
        }
        if (now >= next_watch) {
            recovery_->watchdog_tick();
            next_watch = now + k_watchdog_period_s;
        }
        if (pf_watch_ && now >= next_pf) {
            watch_pfs();
            next_pf = now + opt_.pf_watch_s;
        }
        if (now >= next_hw) {
            rt_.sample_hw();
            note_hw_jumps(now);
            next_hw = now + k_hw_sample_period_s;
        }
        if (run.duration_s > 0 && now >= run.duration_s) return "duration";
        if (opt_.stop_after_faults && schedule_.finished() && settled()) {
            if (settled_since < 0) settled_since = now;
            if (now - settled_since >= k_settle_s) return "faults done";
        } else {
            settled_since = -1;
        }
        if (run.stats_interval_s > 0 && now >= next_print) {
            dataplane::Snapshot cur = rt_.snapshot();
            const std::vector<report::PortHealth> h = health();  // for the table and the json
            std::fputs(report::format_table(rt_.plan(), prev, cur, h).c_str(), stdout);
            timeline_.push_back(report::timeline_entry(rt_.plan(), prev, cur));
            std::fflush(stdout);
            if (opt_.stats_json) write_stats_json(prev, cur, h);
            prev = std::move(cur);
            next_print += run.stats_interval_s;
        }
    }
}

void ControlLoop::watch_pfs() {
    std::vector<std::string> notes;
    const auto changes = pf_watch_->poll(
        [&](uint16_t pidx) -> std::optional<config::MacAddr> {
            const PortState s = recovery_->stats(pidx).state;
            if (s != PortState::running && s != PortState::link_down) return std::nullopt;
            return recovery_->mac(pidx);
        },
        &notes);
    for (const auto& n : notes) log::get("reset")->info("PF watch: {}", n);
    for (const auto& c : changes)
        recovery_->on_pf_mac(c.pidx, "the PF (" + c.pf_netdev + " vf " + std::to_string(c.vf) +
                                         ") set this VF's MAC to " + config::format_mac(c.mac) +
                                         ", the port uses " +
                                         config::format_mac(recovery_->mac(c.pidx)));
}

void ControlLoop::note_hw_jumps(double now) {
    for (const dataplane::HwJump& j : rt_.take_hw_jumps()) {
        if (j.pidx >= counter_jumps_.size()) counter_jumps_.resize(j.pidx + 1, 0);
        ++counter_jumps_[j.pidx];
        journal_.add(now, rt_.plan().ports[j.pidx].name, "counters",
                     "device counter " + j.counter + " jumped from " + std::to_string(j.before) +
                         " to " + std::to_string(j.after) +
                         (j.after < j.before ? " (went back: the device reset it)" : "") +
                         "; counted from a new base, the reported figure goes on from where it was");
    }
}

void ControlLoop::write_stats_json(const dataplane::Snapshot& prev, const dataplane::Snapshot& cur,
                                   const std::vector<report::PortHealth>& health) {
    std::vector<unsigned> in_use;
    for (uint16_t k = 0; k < rt_.plan().pools.size(); ++k) in_use.push_back(rt_.pool_in_use(k));
    if (auto st = opt_.stats_json->write(rt_.plan(), prev, cur, health, in_use); !st)
        log::get("run")->error("{}", st.error());
}

std::vector<report::PortHealth> ControlLoop::health() const {
    std::vector<report::PortHealth> out;
    if (!recovery_) return out;
    for (uint16_t i = 0; i < recovery_->ports(); ++i) {
        const PortHealthStats& s = recovery_->stats(i);
        report::PortHealth h;
        h.state = std::string(to_string(s.state));
        h.events = s.events;
        for (const auto& [k, n] : s.events_by_type) h.events_by_type.emplace_back(k, n);
        h.resets = s.resets;
        h.removals = s.removals;
        h.recovered = s.recovered;
        h.restarted_no_traffic = s.restarted_no_traffic;
        h.failed = s.failed;
        h.degraded = s.degraded;
        h.recurrences = s.recurrences;
        h.escalations = s.escalations;
        h.mac_changes = s.mac_changes;
        h.link_bounce_restarts = s.link_bounce_restarts;
        h.storms = s.storms;
        h.counter_jumps = i < counter_jumps_.size() ? counter_jumps_[i] : 0;
        h.link_changes = s.link_changes;
        h.dropped_during_recovery = s.dropped_during_recovery;
        h.watchdog_triggers = s.watchdog_triggers;
        h.admin_stops = s.admin_stops;
        h.admin_starts = s.admin_starts;
        h.admin_restarts = s.admin_restarts;
        h.failovers = s.failovers;
        h.on_standby = s.on_standby;
        const uint16_t sb = rt_.plan().ports[i].standby;
        if (sb != config::k_no_port) h.standby = rt_.plan().ports[sb].name;
        if (i < vf_mbox_.size())
            for (const auto& [vf, c] : vf_mbox_[i]) h.vf_mailbox.push_back({vf, c.first, c.second});
        h.recovery_ms = s.recovery_ms;
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace vfpath::control
