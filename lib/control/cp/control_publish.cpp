// The control loop's side of the published view (control/cp/publisher.h): at each tick it takes the
// faults readers asked for, and builds a new view when a reader waits for one.
#include "control/cp/control_loop.h"

namespace vfpath::control {

namespace {

// Every state a port can be in, for the enum metrics of every view: built on first use.
const std::vector<std::string>& port_state_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        // PortState's values run from running to failed (recovery.h), in that order.
        for (int s = 0; s <= static_cast<int>(PortState::failed); ++s)
            n.emplace_back(to_string(static_cast<PortState>(s)));
        return n;
    }();
    return names;
}

}  // namespace

void ControlLoop::serve_readers(double now) {
    Publisher& pub = *opt_.publisher;
    for (FaultSpec& f : pub.take_faults()) {
        const config::PortConfig* p = cfg_.find_port(f.port);
        if (!p) continue;  // the reader checked the name against the same plan
        journal_.add(now, f.port, "fault", "requested over telemetry: " + f.text);
        f.at_s += now;  // the spec's time counts from now, not from the start
        fault_port_.push_back(static_cast<uint16_t>(p - cfg_.ports.data()));
        schedule_.add(std::move(f));
    }
    for (const Publisher::AdminRequest& r : pub.take_admin()) {
        if (r.op == "latency_on" || r.op == "latency_off") {
            const bool on = r.op == "latency_on";
            Status st = rt_.set_latency(on);
            journal_.add(now, "", "admin",
                         std::string("latency timing ") + (on ? "on" : "off") +
                             " requested by an operator" + (st ? "" : ": refused: " + st.error()));
            pub.answer_admin(r.id, std::move(st));
            continue;
        }
        const config::PortConfig* p = cfg_.find_port(r.port);
        if (!p) {
            pub.answer_admin(r.id, fail("no port named " + r.port));
            continue;
        }
        const AdminOp op = r.op == "stop"    ? AdminOp::stop
                           : r.op == "start" ? AdminOp::start
                                             : AdminOp::restart;
        pub.answer_admin(r.id,
                         recovery_->admin(static_cast<uint16_t>(p - cfg_.ports.data()), op));
    }
    if (!pub.wanted()) return;

    if (!view_plan_) view_plan_ = std::make_shared<const config::Plan>(rt_.plan());
    auto v = std::make_shared<report::View>();
    v->plan = view_plan_;
    const bool copy_latency = view_latency_t_ < 0 || now - view_latency_t_ >= 1.0;
    v->snap = rt_.snapshot(copy_latency);
    if (copy_latency) {
        view_latency_t_ = now;
        view_latency_.assign(v->snap.ports.size(), {});
        for (size_t p = 0; p < v->snap.ports.size(); ++p)
            for (const auto& q : v->snap.ports[p].queues) view_latency_[p].push_back(q.latency);
    } else {
        for (size_t p = 0; p < v->snap.ports.size() && p < view_latency_.size(); ++p)
            for (size_t q = 0; q < v->snap.ports[p].queues.size() && q < view_latency_[p].size(); ++q)
                v->snap.ports[p].queues[q].latency = view_latency_[p][q];
    }
    v->health = health();
    v->port_states = port_state_names();
    for (uint16_t i = 0; i < view_plan_->pools.size(); ++i) {
        const config::PoolPlan& pp = view_plan_->pools[i];
        v->pools.push_back({pp.name, pp.socket, pp.size, rt_.pool_in_use(i)});
    }
    const auto& entries = journal_.entries();
    const size_t first =
        entries.size() > report::k_view_events ? entries.size() - report::k_view_events : 0;
    for (size_t i = first; i < entries.size(); ++i)
        v->recent.push_back({entries[i].t_s, entries[i].port, entries[i].kind, entries[i].detail});
    v->journal_total = journal_.total();
    v->faults_requested = pub.faults_requested();
    v->dpdk = dpdk_;
    v->latency_on = rt_.latency_on();
    pub.publish(std::move(v));
}

}  // namespace vfpath::control
