#include <algorithm>
#include <cstdio>
#include <fstream>

#include "report/api.h"

namespace vfpath::report {

using nlohmann::json;

namespace {

json recovery_json(const PortHealth& h) {
    std::vector<double> v = h.recovery_ms;
    std::sort(v.begin(), v.end());
    json ms = json(nullptr);
    if (!v.empty()) {
        const double median = v.size() % 2 ? v[v.size() / 2]
                                           : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        ms = {{"min", v.front()}, {"median", median}, {"max", v.back()}, {"count", v.size()}};
    }
    json by_type = json::object();
    for (const auto& [k, n] : h.events_by_type) by_type[k] = n;
    return {{"events", h.events},
            {"events_by_type", by_type},
            {"resets", h.resets},
            {"removals", h.removals},
            {"recovered", h.recovered},
            {"failed", h.failed},
            {"recovery_ms", ms},
            {"dropped_during_recovery", h.dropped_during_recovery},
            {"watchdog_triggers", h.watchdog_triggers}};
}

}  // namespace

json to_json(const config::Plan& plan, const dataplane::Snapshot& s,
             const dataplane::ShutdownReport& shut, const RunInfo& info) {
    json j;
    j["vfpath_version"] = "0.1.0";
    j["config"] = info.config_file;
    j["mode"] = std::string(config::to_string(plan.mode));
    j["duration_s"] = info.duration_s;
    j["stop_reason"] = info.stop_reason;
    j["ports"] = json::array();
    for (size_t i = 0; i < plan.ports.size() && i < s.ports.size(); ++i) {
        const config::PortPlan& pp = plan.ports[i];
        const dataplane::PortSnapshot& ps = s.ports[i];
        json p;
        p["name"] = pp.name;
        p["device"] = pp.device;
        p["port_id"] = ps.port_id;
        p["socket"] = pp.socket;
        p["mac"] = ps.mac;
        p["peer"] = pp.peer == config::k_no_port ? json(nullptr) : json(plan.ports[pp.peer].name);
        p["rx_packets"] = ps.rx_packets();
        p["tx_packets"] = ps.tx_packets();
        p["rx_bytes"] = ps.rx_bytes();
        p["tx_bytes"] = ps.tx_bytes();
        p["drops"] = ps.drops();
        p["drained_at_stop"] = i < shut.drained_at_stop.size() ? shut.drained_at_stop[i] : 0;
        p["not_ready_drops"] = ps.not_ready();
        const PortHealth h = i < info.health.size() ? info.health[i] : PortHealth{};
        p["state"] = h.state;
        p["link_changes"] = h.link_changes;
        p["recovery"] = recovery_json(h);
        p["failover"] = {{"standby", h.standby.empty() ? json(nullptr) : json(h.standby)},
                         {"failovers", h.failovers},
                         {"on_standby", h.on_standby}};
        p["vf_mailbox"] = json::array();
        for (const auto& m : h.vf_mailbox)
            p["vf_mailbox"].push_back({{"vf", m.vf}, {"accepted", m.accepted}, {"refused", m.refused}});
        p["hw"] = {{"ipackets", ps.hw.ipackets}, {"opackets", ps.hw.opackets},
                   {"imissed", ps.hw.imissed},   {"ierrors", ps.hw.ierrors},
                   {"oerrors", ps.hw.oerrors},   {"rx_nombuf", ps.hw.rx_nombuf}};
        p["queues"] = json::array();
        for (const auto& q : ps.queues) {
            p["queues"].push_back({{"queue", q.queue},
                                   {"lcore", q.rx_lcore >= 0 ? q.rx_lcore : q.tx_lcore},
                                   {"rx_lcore", q.rx_lcore},
                                   {"tx_lcore", q.tx_lcore},
                                   {"rx_packets", q.rx_packets},
                                   {"tx_packets", q.tx_packets},
                                   {"rx_bytes", q.rx_bytes},
                                   {"tx_bytes", q.tx_bytes},
                                   {"drops", q.drops},
                                   {"not_ready_drops", q.not_ready}});
        }
        j["ports"].push_back(std::move(p));
    }
    j["mempools"] = json::array();
    bool leak = false;
    for (const auto& mp : shut.pools) {
        j["mempools"].push_back({{"name", mp.name},
                                 {"socket", mp.socket},
                                 {"size", mp.size},
                                 {"cache_size", mp.cache_size},
                                 {"memory_bytes", mp.memory_bytes},
                                 {"in_use_at_exit", mp.in_use_at_exit}});
        leak = leak || mp.in_use_at_exit != 0;
    }
    j["lcores"] = json::array();
    for (const auto& lp : plan.lcores) {
        json l{{"lcore", lp.lcore}, {"socket", lp.socket}, {"queues", json::array()}};
        for (const auto& a : lp.rx)
            l["queues"].push_back({{"port", plan.ports[a.port].name}, {"queue", a.queue}});
        j["lcores"].push_back(std::move(l));
    }
    j["journal"] = info.journal;
    j["clean_exit"] = shut.workers_stopped && !leak;
    return j;
}

Status write_json(const std::string& path, const json& j) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) return fail("cannot write report " + path + ": cannot open " + tmp);
        out << j.dump(2) << "\n";
        if (!out) return fail("cannot write report " + path);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        return fail("cannot write report " + path + ": rename failed");
    return ok();
}

}  // namespace vfpath::report
