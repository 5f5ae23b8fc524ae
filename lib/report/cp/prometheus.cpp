// Prometheus text exposition of a View (see report/prometheus.h and docs/operations.md, "Prometheus metrics").
#include "report/prometheus.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>

namespace vfpath::report {

namespace {

using Labels = std::vector<std::pair<const char*, std::string>>;

// A label value with \, " and newline escaped, as the text format requires.
std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '"')
            out += '\\', out += c;
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "+Inf" : "-Inf";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip form
    return std::string(buf, r.ptr);
}

class Writer {
public:
    // Starts a metric family: its HELP and TYPE lines. Every sample of the family follows.
    void family(std::string_view name, const char* type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, const Labels& labels, const std::string& value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            for (size_t i = 0; i < labels.size(); ++i) {
                out_ += i ? "," : "";
                out_ += labels[i].first;
                out_ += "=\"" + escape(labels[i].second) + '"';
            }
            out_ += '}';
        }
        out_ += ' ' + value + '\n';
    }
    void sample(std::string_view name, const Labels& labels, uint64_t v) {
        sample(name, labels, std::to_string(v));
    }
    void sample(std::string_view name, const Labels& labels, double v) {
        sample(name, labels, number(v));
    }
    // One histogram: cumulative buckets at `bounds` (already in the metric's unit), +Inf, sum and
    // count.
    void histogram(const std::string& name, const Labels& labels, std::span<const double> bounds,
                   std::span<const uint64_t> cumulative, double sum, uint64_t count) {
        Labels l = labels;
        l.emplace_back("le", "");
        for (size_t i = 0; i < bounds.size(); ++i) {
            l.back().second = number(bounds[i]);
            sample(name + "_bucket", l, cumulative[i]);
        }
        l.back().second = "+Inf";
        sample(name + "_bucket", l, count);
        sample(name + "_sum", labels, sum);
        sample(name + "_count", labels, count);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

constexpr std::array<uint64_t, 25> k_latency_bounds_ns = [] {
    std::array<uint64_t, 25> b{};
    uint64_t decade = 100;  // 100 ns
    for (size_t i = 0; i + 1 < b.size(); i += 3, decade *= 10) {
        b[i] = decade;
        b[i + 1] = 2 * decade;
        b[i + 2] = 5 * decade;
    }
    b.back() = decade;  // 10 s
    return b;
}();
static_assert(k_latency_bounds_ns.back() == 10'000'000'000ull);

// Recovery time (event -> first frame received again), in ms: 1-2-5 from 100 us (a vdev's
// restart takes a few hundred us) to 10 s (a VF reset with the PF's retries).
constexpr std::array<double, 16> k_recovery_bounds_ms{0.1, 0.2, 0.5, 1,   2,    5,    10,   20,
                                                      50,  100, 200, 500, 1000, 2000, 5000, 10000};

struct PortMetric {
    const char* name;
    const char* type;
    const char* help;
    std::function<uint64_t(const dataplane::PortSnapshot&)> value;
};

struct QueueMetric {
    const char* name;
    const char* help;
    uint64_t dataplane::QueueSnapshot::*field;
};

struct HealthMetric {
    const char* name;
    const char* help;
    uint64_t PortHealth::*field;
};

void port_counters(Writer& w, const View& v) {
    using PS = dataplane::PortSnapshot;
    const PortMetric metrics[] = {
        {"vfpath_port_rx_packets_total", "counter",
         "Frames received on the port by vfpath's workers.", &PS::rx_packets},
        {"vfpath_port_tx_packets_total", "counter", "Frames transmitted on the port.",
         &PS::tx_packets},
        {"vfpath_port_rx_bytes_total", "counter", "Bytes received on the port.", &PS::rx_bytes},
        {"vfpath_port_tx_bytes_total", "counter", "Bytes transmitted on the port.", &PS::tx_bytes},
        {"vfpath_port_drops_total", "counter",
         "Frames towards the port that were dropped (tx ring full, or the port not ready).",
         &PS::drops},
        {"vfpath_port_not_ready_drops_total", "counter",
         "Frames towards the port dropped because it was down or being recovered.", &PS::not_ready},
        {"vfpath_port_hw_rx_packets_total", "counter",
         "The device's own count of received frames (rte_eth_stats.ipackets; restarts on reset).",
         [](const PS& s) { return s.hw.ipackets; }},
        {"vfpath_port_hw_tx_packets_total", "counter",
         "The device's own count of transmitted frames (rte_eth_stats.opackets).",
         [](const PS& s) { return s.hw.opackets; }},
        {"vfpath_port_hw_rx_bytes_total", "counter", "The device's received bytes (ibytes).",
         [](const PS& s) { return s.hw.ibytes; }},
        {"vfpath_port_hw_tx_bytes_total", "counter", "The device's transmitted bytes (obytes).",
         [](const PS& s) { return s.hw.obytes; }},
        {"vfpath_port_hw_rx_missed_total", "counter",
         "Frames the device dropped because its rx ring was full (imissed).",
         [](const PS& s) { return s.hw.imissed; }},
        {"vfpath_port_hw_rx_errors_total", "counter", "Erroneous received frames (ierrors).",
         [](const PS& s) { return s.hw.ierrors; }},
        {"vfpath_port_hw_tx_errors_total", "counter", "Failed transmissions (oerrors).",
         [](const PS& s) { return s.hw.oerrors; }},
        {"vfpath_port_hw_rx_nombuf_total", "counter",
         "Receive mbuf allocation failures (rx_nombuf).",
         [](const PS& s) { return s.hw.rx_nombuf; }},
        {"vfpath_port_device_drops_total", "counter",
         "Frames the device dropped or could not handle: imissed + ierrors + rx_nombuf + "
         "oerrors.",
         [](const PS& s) { return s.hw.device_drops(); }},
    };
    for (const PortMetric& m : metrics) {
        w.family(m.name, m.type, m.help);
        for (size_t i = 0; i < v.plan->ports.size() && i < v.snap.ports.size(); ++i)
            w.sample(m.name, {{"port", v.plan->ports[i].name}}, m.value(v.snap.ports[i]));
    }
    // Every extended stat the driver offers, one labelled series each (as grout does): their
    // names and meanings are the driver's; most are counters, some are not, and one family
    // holds them all, so it is a gauge (rate() the counters among them).
    w.family("vfpath_port_xstat", "gauge",
             "The driver's extended stats (rte_eth_xstats_get), one series per name; most are "
             "counters: rate() them.");
    for (size_t i = 0; i < v.plan->ports.size() && i < v.snap.ports.size(); ++i)
        for (const glue::Xstat& x : v.snap.ports[i].xstats)
            w.sample("vfpath_port_xstat", {{"port", v.plan->ports[i].name}, {"name", x.name}},
                     x.value);
}

void queue_counters(Writer& w, const View& v) {
    using QS = dataplane::QueueSnapshot;
    const QueueMetric metrics[] = {
        {"vfpath_queue_rx_packets_total", "Frames received on the rx queue.", &QS::rx_packets},
        {"vfpath_queue_tx_packets_total", "Frames transmitted on the tx queue.", &QS::tx_packets},
        {"vfpath_queue_rx_bytes_total", "Bytes received on the rx queue.", &QS::rx_bytes},
        {"vfpath_queue_tx_bytes_total", "Bytes transmitted on the tx queue.", &QS::tx_bytes},
        {"vfpath_queue_drops_total",
         "Frames the tx queue did not take, or sent while the port was not ready.", &QS::drops},
        {"vfpath_queue_not_ready_drops_total",
         "Frames for the tx queue dropped while the port was down or being recovered.",
         &QS::not_ready},
    };
    for (const QueueMetric& m : metrics) {
        w.family(m.name, "counter", m.help);
        for (size_t i = 0; i < v.plan->ports.size() && i < v.snap.ports.size(); ++i)
            for (const QS& q : v.snap.ports[i].queues)
                w.sample(m.name,
                         {{"port", v.plan->ports[i].name}, {"queue", std::to_string(q.queue)}},
                         q.*m.field);
    }
    // The device's own per-queue counters, where the PMD keeps them: labelled source="device"
    // so a dashboard can put them beside vfpath's (source="software" is the series above).
    using QH = glue::QueueHwStats;
    struct DeviceQueueMetric {
        const char* name;
        const char* help;
        uint64_t QH::*field;
    };
    const DeviceQueueMetric device[] = {
        {"vfpath_queue_device_rx_packets_total",
         "The device's count of frames received on the queue (rte_eth_stats q_ipackets).",
         &QH::ipackets},
        {"vfpath_queue_device_tx_packets_total",
         "The device's count of frames sent on the queue (q_opackets).", &QH::opackets},
        {"vfpath_queue_device_errors_total", "The device's per-queue errors (q_errors).",
         &QH::errors},
    };
    for (const DeviceQueueMetric& m : device) {
        w.family(m.name, "counter", m.help);
        for (size_t i = 0; i < v.plan->ports.size() && i < v.snap.ports.size(); ++i) {
            const auto& hq = v.snap.ports[i].hw.queues;
            for (size_t q = 0; q < hq.size(); ++q)
                w.sample(m.name,
                         {{"port", v.plan->ports[i].name},
                          {"queue", std::to_string(q)},
                          {"source", "device"}},
                         hq[q].*m.field);
        }
    }
}

void latency(Writer& w, const View& v) {
    std::vector<double> bounds_s;
    for (uint64_t b : k_latency_bounds_ns) bounds_s.push_back(double(b) / 1e9);
    const char* name = "vfpath_queue_latency_seconds";
    w.family(name, "histogram",
             "Dwell time of frames received on the queue: after rx_burst to after tx_burst.");
    for (size_t i = 0; i < v.plan->ports.size() && i < v.snap.ports.size(); ++i)
        for (const auto& q : v.snap.ports[i].queues) {
            if (!q.latency) continue;
            w.histogram(name, {{"port", v.plan->ports[i].name}, {"queue", std::to_string(q.queue)}},
                        bounds_s, cumulative_counts(*q.latency, k_latency_bounds_ns),
                        double(q.latency->sum) / 1e9, q.latency->count);
        }
}

void health(Writer& w, const View& v) {
    const size_t n = std::min(v.plan->ports.size(), v.health.size());
    auto port = [&](size_t i) { return v.plan->ports[i].name; };
    w.family(
        "vfpath_port_state", "gauge",
        "1 for the state the port is in (running, link_down, resetting, failed, ...), else 0.");
    for (size_t i = 0; i < n; ++i)
        for (const std::string& s : v.port_states)
            w.sample("vfpath_port_state", {{"port", port(i)}, {"state", s}},
                     uint64_t(v.health[i].state == s));
    w.family("vfpath_port_events_total", "counter", "Ethdev events seen on the port, by type.");
    for (size_t i = 0; i < n; ++i)
        for (const auto& [type, count] : v.health[i].events_by_type)
            w.sample("vfpath_port_events_total", {{"port", port(i)}, {"type", type}}, count);
    const HealthMetric metrics[] = {
        {"vfpath_port_resets_total", "Reset events (INTR_RESET) seen on the port.",
         &PortHealth::resets},
        {"vfpath_port_removals_total", "Removal events (INTR_RMV) seen on the port.",
         &PortHealth::removals},
        {"vfpath_port_recoveries_total", "Recoveries that brought the port back.",
         &PortHealth::recovered},
        {"vfpath_port_recovery_failures_total", "Recoveries that gave up (the port is failed).",
         &PortHealth::failed},
        {"vfpath_port_restarted_no_traffic_total",
         "Recoveries that brought the port up but no frame within the first-frame timeout, "
         "although it received before.",
         &PortHealth::restarted_no_traffic},
        {"vfpath_port_degraded_total",
         "Times the port was declared degraded: its fault recurred after a re-attach.",
         &PortHealth::degraded},
        {"vfpath_port_fault_recurrences_total",
         "Faults found again right after a recovery (they back off, then escalate).",
         &PortHealth::recurrences},
        {"vfpath_port_mac_changes_total",
         "MAC changes found by re-reading the MAC after a restart or re-attach.",
         &PortHealth::mac_changes},
        {"vfpath_port_link_bounce_restarts_total",
         "Restarts after the link went down and came back (a PF may have reset the VF).",
         &PortHealth::link_bounce_restarts},
        {"vfpath_port_device_stat_jumps_total",
         "Device counters that went back or jumped (e.g. to 2^32 after a PF bounce): counted from "
         "a new base.",
         &PortHealth::counter_jumps},
        {"vfpath_port_reset_storms_total",
         "Reset storms declared (too many recoveries in the window): the port was held out of "
         "service, on its standby if configured.",
         &PortHealth::storms},
        {"vfpath_port_link_changes_total", "Link state changes seen.", &PortHealth::link_changes},
        {"vfpath_port_watchdog_triggers_total", "Silent stalls found by the watchdog.",
         &PortHealth::watchdog_triggers},
        {"vfpath_port_failovers_total", "Moves of the port's traffic to its standby.",
         &PortHealth::failovers},
        {"vfpath_port_recovery_dropped_packets_total",
         "Frames dropped towards the port while it was being recovered.",
         &PortHealth::dropped_during_recovery},
        {"vfpath_port_admin_stops_total",
         "Stops asked for by an operator (vfpath ctl port stop); not faults.",
         &PortHealth::admin_stops},
        {"vfpath_port_admin_starts_total",
         "Starts asked for by an operator (vfpath ctl port start).", &PortHealth::admin_starts},
        {"vfpath_port_admin_restarts_total",
         "Restarts asked for by an operator (vfpath ctl port restart); not recoveries.",
         &PortHealth::admin_restarts},
    };
    for (const HealthMetric& m : metrics) {
        w.family(m.name, "counter", m.help);
        for (size_t i = 0; i < n; ++i) w.sample(m.name, {{"port", port(i)}}, v.health[i].*m.field);
    }
    w.family("vfpath_port_on_standby", "gauge", "1 while the port's traffic goes to its standby.");
    for (size_t i = 0; i < n; ++i)
        w.sample("vfpath_port_on_standby", {{"port", port(i)}}, uint64_t(v.health[i].on_standby));
    w.family("vfpath_port_recovery_seconds", "histogram",
             "Recovery time: from the event to the first frame received again (proactive drivers: "
             "to RECOVERY_SUCCESS).");
    std::vector<double> bounds_s;
    for (double ms : k_recovery_bounds_ms) bounds_s.push_back(ms / 1e3);
    for (size_t i = 0; i < n; ++i) {
        const std::vector<double>& r = v.health[i].recovery_ms;
        std::vector<uint64_t> cum;
        for (double b : k_recovery_bounds_ms)
            cum.push_back(
                uint64_t(std::count_if(r.begin(), r.end(), [&](double x) { return x <= b; })));
        double sum = 0;
        for (double x : r) sum += x / 1e3;
        w.histogram("vfpath_port_recovery_seconds", {{"port", port(i)}}, bounds_s, cum, sum,
                    r.size());
    }
}

void lcores(Writer& w, const View& v) {
    using LS = dataplane::LcoreSnapshot;
    auto lab = [](const LS& l) { return Labels{{"lcore", std::to_string(l.lcore)}}; };
    struct Counter {
        const char* name;
        const char* help;
        uint64_t LS::*field;
    };
    const Counter counters[] = {
        {"vfpath_lcore_iterations_total",
         "Worker loop iterations (each polls every queue of the lcore once).", &LS::iterations},
        {"vfpath_lcore_busy_cycles_total", "TSC cycles of iterations that received frames.",
         &LS::busy_cycles},
        {"vfpath_lcore_idle_cycles_total", "TSC cycles of iterations that received nothing.",
         &LS::idle_cycles},
        {"vfpath_lcore_rx_packets_total", "Frames received by the lcore.", &LS::rx_packets},
    };
    for (const Counter& c : counters) {
        w.family(c.name, "counter", c.help);
        for (const LS& l : v.snap.lcores) w.sample(c.name, lab(l), l.*c.field);
    }
    w.family("vfpath_lcore_rx_polls_total", "counter",
             "rx_burst calls by the number of frames they returned (burst: 0, 1, 2-3, ..., 256).");
    for (const LS& l : v.snap.lcores)
        for (size_t k = 0; k < l.rx_bursts.size(); ++k) {
            Labels ls = lab(l);
            ls.emplace_back("burst", burst_bin_label(k));
            w.sample("vfpath_lcore_rx_polls_total", ls, l.rx_bursts[k]);
        }
    w.family("vfpath_lcore_busy_ratio", "gauge",
             "Busy cycles over all cycles since the start (0..1); rate() the cycle counters for "
             "a recent figure.");
    for (const LS& l : v.snap.lcores) w.sample("vfpath_lcore_busy_ratio", lab(l), l.busy_share());
    w.family("vfpath_lcore_cycles_per_packet", "gauge",
             "Busy TSC cycles per received frame since the start (0 before the first frame).");
    for (const LS& l : v.snap.lcores)
        w.sample("vfpath_lcore_cycles_per_packet", lab(l), l.cycles_per_packet());
}

}  // namespace

std::span<const uint64_t> latency_bounds_ns() {
    return k_latency_bounds_ns;
}

std::vector<uint64_t> cumulative_counts(const measure::HistogramData& h,
                                        std::span<const uint64_t> bounds_ns) {
    std::vector<uint64_t> out(bounds_ns.size(), 0);
    for (uint32_t i = 0; i < h.counts.size(); ++i) {
        if (h.counts[i] == 0) continue;
        const uint64_t mid = measure::hist_bucket_mid(i);
        const auto it = std::lower_bound(bounds_ns.begin(), bounds_ns.end(), mid);
        if (it != bounds_ns.end()) out[size_t(it - bounds_ns.begin())] += h.counts[i];
    }
    for (size_t i = 1; i < out.size(); ++i) out[i] += out[i - 1];
    return out;
}

std::string prometheus_text(const View& v) {
    Writer w;
    w.family("vfpath_info", "gauge", "Always 1; the labels say which vfpath runs and how.");
    w.sample("vfpath_info",
             {{"version", VFPATH_VERSION}, {"mode", std::string(config::to_string(v.plan->mode))}},
             uint64_t{1});
    w.family("vfpath_build_info", "gauge",
             "Always 1; the labels say which vfpath and which DPDK: the version it was built "
             "against and the one it runs on.");
    w.sample("vfpath_build_info",
             {{"version", VFPATH_VERSION},
              {"dpdk_built", v.dpdk.built},
              {"dpdk_running", v.dpdk.running}},
             uint64_t{1});
    w.family("vfpath_uptime_seconds", "gauge", "Seconds since the workers were launched.");
    w.sample("vfpath_uptime_seconds", {}, v.snap.t_s);
    w.family("vfpath_tsc_frequency_hertz", "gauge",
             "TSC frequency, to turn cycle counters into time.");
    w.sample("vfpath_tsc_frequency_hertz", {}, v.snap.tsc_hz);
    port_counters(w, v);
    queue_counters(w, v);
    latency(w, v);
    health(w, v);
    lcores(w, v);
    w.family("vfpath_mempool_size_mbufs", "gauge", "Mbufs in the pool.");
    for (const PoolUse& p : v.pools)
        w.sample("vfpath_mempool_size_mbufs",
                 {{"pool", p.name}, {"socket", std::to_string(p.socket)}}, uint64_t{p.size});
    w.family("vfpath_mempool_in_use_mbufs", "gauge",
             "Mbufs taken from the pool (in rings, in flight, in lcore caches).");
    for (const PoolUse& p : v.pools)
        w.sample("vfpath_mempool_in_use_mbufs",
                 {{"pool", p.name}, {"socket", std::to_string(p.socket)}}, uint64_t{p.in_use});
    w.family("vfpath_journal_entries_total", "counter",
             "Entries written to the event journal (events, faults, state changes).");
    w.sample("vfpath_journal_entries_total", {}, v.journal_total);
    w.family("vfpath_faults_requested_total", "counter", "Faults requested over DPDK telemetry.");
    w.sample("vfpath_faults_requested_total", {}, v.faults_requested);
    return w.take();
}

}  // namespace vfpath::report
