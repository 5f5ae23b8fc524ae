#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "measure/cp/histogram_stats.h"
#include "measure/cp/rates.h"
#include "report/api.h"
#include "report/view.h"

namespace vfpath::report {

using nlohmann::json;

namespace {

json recovery_json(const PortHealth& h) {
    json ms = json(nullptr);
    if (const auto median = measure::median(h.recovery_ms)) {
        const auto [lo, hi] = std::minmax_element(h.recovery_ms.begin(), h.recovery_ms.end());
        ms = {{"min", *lo}, {"median", *median}, {"max", *hi}, {"count", h.recovery_ms.size()}};
    }
    json by_type = json::object();
    for (const auto& [k, n] : h.events_by_type) by_type[k] = n;
    return {{"events", h.events},
            {"events_by_type", by_type},
            {"resets", h.resets},
            {"removals", h.removals},
            {"recovered", h.recovered},
            {"restarted_no_traffic", h.restarted_no_traffic},
            {"failed", h.failed},
            {"degraded", h.degraded},
            {"recurrences", h.recurrences},
            {"escalations", h.escalations},
            {"mac_changes", h.mac_changes},
            {"link_bounce_restarts", h.link_bounce_restarts},
            {"counter_jumps", h.counter_jumps},
            {"storms", h.storms},
            {"recovery_ms", ms},
            {"dropped_during_recovery", h.dropped_during_recovery},
            {"watchdog_triggers", h.watchdog_triggers},
            {"admin_stops", h.admin_stops},
            {"admin_starts", h.admin_starts},
            {"admin_restarts", h.admin_restarts}};
}

// vfpath's own counts against the device's: frames the device counted as received but vfpath has
// not taken yet sit in the rx rings (at most rx_desc per queue), and frames vfpath handed to the
// tx rings but the device has not sent yet sit in the tx rings. A difference beyond that is not
// in flight: the report says so.
json counter_check(const config::PortPlan& pp, const dataplane::PortSnapshot& ps) {
    if (ps.hw.ipackets == 0 && ps.hw.opackets == 0 && ps.rx_packets() + ps.tx_packets() > 0)
        return {{"agree", nullptr}, {"note", "the device gave no counters (the port is closed)"}};
    const uint64_t rx_flight = uint64_t(pp.rx_desc) * pp.rx_queues;
    const uint64_t tx_flight = uint64_t(pp.tx_desc) * pp.tx_queues;
    const auto diff = [](uint64_t a, uint64_t b) { return int64_t(a) - int64_t(b); };
    const int64_t rx = diff(ps.hw.ipackets, ps.rx_packets());
    const int64_t tx = diff(ps.tx_packets(), ps.hw.opackets);
    const bool rx_ok = rx >= 0 && uint64_t(rx) <= rx_flight;
    const bool tx_ok = tx >= 0 && uint64_t(tx) <= tx_flight;
    json j{{"agree", rx_ok && tx_ok},
           {"rx_device_minus_software", rx},
           {"tx_software_minus_device", tx},
           {"rx_in_flight_max", rx_flight},
           {"tx_in_flight_max", tx_flight}};
    std::string note;
    if (!rx_ok)
        note = "the device counted " + std::to_string(ps.hw.ipackets) + " frames received, vfpath " +
               std::to_string(ps.rx_packets()) + ": more apart than the " +
               std::to_string(rx_flight) + " the rx rings can hold";
    if (!tx_ok)
        note += (note.empty() ? "" : "; ") + std::string("vfpath handed ") +
                std::to_string(ps.tx_packets()) + " frames to the tx rings, the device counted " +
                std::to_string(ps.hw.opackets) + " sent: more apart than the " +
                std::to_string(tx_flight) + " the tx rings can hold";
    if (!note.empty()) j["note"] = note + " (a device reset restarts its counters)";
    return j;
}

// Average rates over `seconds` from vfpath's counters: frames per second, bit/s of the frames
// (FCS included) and on the wire (+20 bytes a frame), % of the link when its speed is known.
json throughput_json(uint64_t packets, uint64_t bytes, double seconds, uint32_t link_mbps) {
    const measure::Throughput t = measure::throughput(packets, bytes, seconds, link_mbps * 1e6);
    return {{"pps", t.pps},
            {"bps", t.frame_bps},
            {"wire_bps", t.wire_bps},
            {"percent_of_link", t.percent_of_link ? json(*t.percent_of_link) : json(nullptr)}};
}

json lcore_json(const config::LcorePlan& lp, const config::Plan& plan,
                const dataplane::LcoreSnapshot* ls, double seconds) {
    json l{{"lcore", lp.lcore}, {"socket", lp.socket}, {"queues", json::array()}};
    for (const auto& a : lp.rx)
        l["queues"].push_back({{"port", plan.ports[a.port].name}, {"queue", a.queue}});
    if (!ls) return l;
    l["iterations"] = ls->iterations;
    l["busy_cycles"] = ls->busy_cycles;
    l["idle_cycles"] = ls->idle_cycles;
    l["busy_share"] = ls->busy_share();
    l["rx_packets"] = ls->rx_packets;
    l["rx_pps"] = seconds > 0 ? double(ls->rx_packets) / seconds : 0.0;
    l["cycles_per_packet"] = ls->cycles_per_packet();
    l["polls"] = ls->polls();
    l["busy_polls"] = ls->busy_polls();
    json bins = json::array();
    for (size_t b = 0; b < ls->rx_bursts.size(); ++b) {
        const BurstBin bin = burst_bin(b);
        bins.push_back({{"min", bin.min}, {"max", bin.max}, {"polls", ls->rx_bursts[b]}});
    }
    l["rx_bursts"] = std::move(bins);
    return l;
}

// Which clock timed a port's received frames, and why the TSC when it was not asked for.
json clock_json(const dataplane::PortClock& c) {
    json j = {{"latency_clock", c.hw ? "hw" : "tsc"},
              {"latency_clock_reason", c.why.empty() ? json(nullptr) : json(c.why)}};
    if (c.hw)
        j["nic_clock"] = {{"hz", c.device_hz},
                          {"samples", c.calibration.accepted},
                          {"rejected", c.calibration.non_monotonic},
                          {"steps", c.calibration.steps},
                          {"restarts", c.calibration.restarts},
                          {"read_failures", c.read_failures}};
    return j;
}

// The run's one word: "hw" or "tsc" when every port's frames are timed by that clock, else "mixed".
const char* run_clock(const dataplane::Snapshot& s) {
    size_t hw = 0;
    for (const auto& p : s.ports) hw += p.clock.hw ? 1 : 0;
    return hw == 0 ? "tsc" : hw == s.ports.size() ? "hw" : "mixed";
}

}  // namespace

json timeline_entry(const config::Plan& plan, const dataplane::Snapshot& prev,
                    const dataplane::Snapshot& now) {
    const double dt = now.t_s - prev.t_s;
    auto per_s = [dt](uint64_t b, uint64_t a) { return measure::per_second(b, a, dt); };
    json ports = json::array();
    for (size_t i = 0; i < plan.ports.size() && i < now.ports.size() && i < prev.ports.size();
         ++i) {
        const auto &a = prev.ports[i], &b = now.ports[i];
        ports.push_back({{"name", plan.ports[i].name},
                         {"rx_pps", per_s(b.rx_packets(), a.rx_packets())},
                         {"tx_pps", per_s(b.tx_packets(), a.tx_packets())},
                         {"rx_bps", per_s(b.rx_bytes(), a.rx_bytes()) * 8},
                         {"tx_bps", per_s(b.tx_bytes(), a.tx_bytes()) * 8},
                         {"drops_per_s", per_s(b.drops(), a.drops())}});
    }
    return {{"t_s", now.t_s}, {"ports", std::move(ports)}};
}

json to_json(const config::Plan& plan, const dataplane::Snapshot& s,
             const dataplane::ShutdownReport& shut, const RunInfo& info) {
    json j;
    j["vfpath_version"] = VFPATH_VERSION;
    j["dpdk"] = {{"built", info.dpdk.built}, {"running", info.dpdk.running}};
    j["config"] = info.config_file;
    j["mode"] = std::string(config::to_string(plan.mode));
    j["duration_s"] = info.duration_s;
    j["stop_reason"] = info.stop_reason;
    j["measure"] = {{"tsc_hz", s.tsc_hz},
                    {"latency", plan.latency},
                    {"latency_sample", plan.latency_sample},
                    {"latency_clock", run_clock(s)}};
    const double secs = s.t_s;
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
        p.update(clock_json(ps.clock));
        p["link_speed_mbps"] = ps.hw.link_speed_mbps ? json(ps.hw.link_speed_mbps) : json(nullptr);
        p["link_speed_nominal"] = ps.hw.link_speed_nominal;  // a vdev's: no wire behind it
        p["rx"] = throughput_json(ps.rx_packets(), ps.rx_bytes(), secs, ps.hw.link_speed_mbps);
        p["tx"] = throughput_json(ps.tx_packets(), ps.tx_bytes(), secs, ps.hw.link_speed_mbps);
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
                   {"oerrors", ps.hw.oerrors},   {"rx_nombuf", ps.hw.rx_nombuf},
                   {"device_drops", ps.hw.device_drops()}};
        json xs = json::object();
        for (const glue::Xstat& x : ps.xstats) xs[x.name] = x.value;
        p["hw"]["xstats"] = std::move(xs);
        p["counter_check"] = counter_check(pp, ps);
        p["queues"] = json::array();
        for (const auto& q : ps.queues) {
            json& jq = p["queues"].emplace_back(json{{"queue", q.queue},
                                   {"lcore", q.rx_lcore >= 0 ? q.rx_lcore : q.tx_lcore},
                                   {"rx_lcore", q.rx_lcore},
                                   {"tx_lcore", q.tx_lcore},
                                   {"rx_packets", q.rx_packets},
                                   {"tx_packets", q.tx_packets},
                                   {"rx_bytes", q.rx_bytes},
                                   {"tx_bytes", q.tx_bytes},
                                   {"drops", q.drops},
                                   {"not_ready_drops", q.not_ready}});
            jq["source"] = "software";
            if (q.queue < ps.hw.queues.size()) {
                const glue::QueueHwStats& d = ps.hw.queues[q.queue];
                jq["device"] = {{"source", "device"},    {"rx_packets", d.ipackets},
                                {"tx_packets", d.opackets}, {"rx_bytes", d.ibytes},
                                {"tx_bytes", d.obytes},     {"errors", d.errors}};
            }
            jq["rx"] = throughput_json(q.rx_packets, q.rx_bytes, secs, ps.hw.link_speed_mbps);
            jq["tx"] = throughput_json(q.tx_packets, q.tx_bytes, secs, ps.hw.link_speed_mbps);
            if (q.latency) {
                jq["latency_clock"] = ps.clock.hw ? "hw" : "tsc";
                if (ps.clock.hw) {
                    jq["hw_timed"] = q.hw_timed;
                    jq["tsc_fallback"] = q.tsc_fallback;
                }
                jq["latency_ns"] = measure::summarize(*q.latency);
                jq["latency_hist"] = measure::histogram_json(*q.latency);
            }
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
    for (size_t i = 0; i < plan.lcores.size(); ++i)
        j["lcores"].push_back(lcore_json(plan.lcores[i], plan,
                                         i < s.lcores.size() ? &s.lcores[i] : nullptr, secs));
    j["timeline"] = info.timeline;
    j["journal"] = info.journal;
    j["clean_exit"] = shut.workers_stopped && !leak;
    return j;
}

Status write_json(const std::string& path, const json& j) {
    // The rename below replaces whatever is at `path`: never a device node, directory or FIFO
    // (the CLI refuses those before the job; this holds if one appeared since).
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
        return fail("cannot write report " + path + ": it exists and is not a regular file");
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
