#include <algorithm>
#include <cstdio>
#include <string>

#include "measure/cp/histogram_stats.h"
#include "measure/cp/rates.h"
#include "report/api.h"

namespace vfpath::report {

namespace {

std::string row(const char* fmt, auto... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

constexpr const char* k_head = "%-14s %5s %10s %10s %9s %9s %12s %11s %7s %10s\n";
constexpr const char* k_line = "%-14s %5s %10.3f %10.3f %9.3f %9.3f %12llu %11.3f %7s %10s\n";

// Rates of one direction over an interval, as measure::throughput computes them: frames per
// second, Gbit/s of the frames (FCS included) and on the wire (+20 bytes a frame), % of link.
struct Rates {
    double mpps = 0, gbps = 0, wire_gbps = 0;
    std::string link_pct = "-";  // "-" when the link speed is unknown
};
Rates rates(uint64_t pkts_now, uint64_t pkts_prev, uint64_t bytes_now, uint64_t bytes_prev,
            double dt, uint32_t link_mbps) {
    Rates r;
    const auto t = measure::interval_throughput(pkts_now, pkts_prev, bytes_now, bytes_prev, dt,
                                                link_mbps * 1e6);
    r.mpps = t.pps / 1e6;
    r.gbps = t.frame_bps / 1e9;
    r.wire_gbps = t.wire_bps / 1e9;
    if (t.percent_of_link) {
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.1f", *t.percent_of_link);
        r.link_pct = pct;
    }
    return r;
}

// A port's or a queue's counters, for one table line.
struct Counts {
    uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, drops;
};
Counts counts(const dataplane::PortSnapshot& p) {
    return {p.rx_packets(), p.rx_bytes(), p.tx_packets(), p.tx_bytes(), p.drops()};
}
Counts counts(const dataplane::QueueSnapshot& q) {
    return {q.rx_packets, q.rx_bytes, q.tx_packets, q.tx_bytes, q.drops};
}

// Every column is of the interval, drops included (a counter that went back, after a port
// reset, counts from 0). A vdev's link speed is nominal: its share is "n/a".
std::string counters_line(const char* name, const char* queue, const Counts& a, const Counts& b,
                          double dt, uint32_t link, bool nominal, const std::string& dev = "-") {
    const Rates rx = rates(b.rx_packets, a.rx_packets, b.rx_bytes, a.rx_bytes, dt, link);
    const Rates tx = rates(b.tx_packets, a.tx_packets, b.tx_bytes, a.tx_bytes, dt, link);
    const uint64_t drops = b.drops >= a.drops ? b.drops - a.drops : b.drops;
    return row(k_line, name, queue, rx.mpps, tx.mpps, rx.gbps, tx.gbps,
               static_cast<unsigned long long>(drops), rx.wire_gbps,
               nominal ? "n/a" : rx.link_pct.c_str(), dev.c_str());
}

// Dwell latency of the last interval: the difference of two cumulative histograms.
std::string latency_line(const char* port, size_t q, const measure::HistogramData& a,
                         const measure::HistogramData& b) {
    measure::HistogramData d = b;
    d.count = 0;
    d.sum = b.sum >= a.sum ? b.sum - a.sum : 0;
    for (size_t i = 0; i < d.counts.size(); ++i) {
        d.counts[i] = b.counts[i] >= a.counts[i] ? b.counts[i] - a.counts[i] : 0;
        d.count += d.counts[i];
    }
    if (d.count == 0) return {};
    // min/max are cumulative; the interval's are within its lowest and highest non-empty bucket.
    const auto rows = measure::nonempty_buckets(d);
    d.min = std::max(b.min, rows.front().lower_ns);
    d.max = std::min(b.max, rows.back().upper_ns - 1);
    const auto s = measure::summarize(d);
    return row("%-14s %5zu dwell ns: p50 %llu  p99 %llu  p99.9 %llu  max %llu  (%llu frames)\n",
               port, q, (unsigned long long)s.p50, (unsigned long long)s.p99,
               (unsigned long long)s.p999, (unsigned long long)s.max,
               (unsigned long long)s.count);
}

}  // namespace

std::string format_table(const config::Plan& plan, const dataplane::Snapshot& prev,
                         const dataplane::Snapshot& now, const std::vector<PortHealth>& health) {
    const double dt = now.t_s - prev.t_s;
    std::string out = row("--- t=%.1fs\n", now.t_s);
    out += row(k_head, "port", "queue", "rx Mpps", "tx Mpps", "rx Gb/s", "tx Gb/s", "drops",
               "rx wire Gb", "rx %lnk", "dev drops");
    for (size_t i = 0; i < plan.ports.size() && i < now.ports.size() && i < prev.ports.size();
         ++i) {
        const auto &a = prev.ports[i], &b = now.ports[i];
        const uint32_t link = b.hw.link_speed_mbps;
        const bool nominal = b.hw.link_speed_nominal;
        // The device's drops in the interval: imissed + ierrors + rx_nombuf + oerrors.
        const uint64_t da = a.hw.device_drops(), db = b.hw.device_drops();
        out += counters_line(plan.ports[i].name.c_str(), "all", counts(a), counts(b), dt, link,
                             nominal, std::to_string(db >= da ? db - da : db));
        if (i < health.size() && (health[i].state != "running" || health[i].events > 0)) {
            const PortHealth& h = health[i];
            out += row("%-14s %s, resets %llu, recovered %llu, failed %llu, link changes %llu\n",
                       "", h.state.c_str(), (unsigned long long)h.resets,
                       (unsigned long long)h.recovered, (unsigned long long)h.failed,
                       (unsigned long long)h.link_changes);
        }
        for (size_t q = 0; q < b.queues.size() && q < a.queues.size(); ++q) {
            const auto &qa = a.queues[q], &qb = b.queues[q];
            if (b.queues.size() >= 2)
                out += counters_line("", std::to_string(q).c_str(), counts(qa), counts(qb), dt,
                                     link, nominal);
            if (qa.latency && qb.latency)
                out += latency_line(plan.ports[i].name.c_str(), q, *qa.latency, *qb.latency);
        }
    }
    // Per worker lcore over the interval: share of cycles in iterations that received frames,
    // busy cycles per received frame, and how full the rx bursts were.
    for (size_t l = 0; l < now.lcores.size() && l < prev.lcores.size(); ++l) {
        const auto &a = prev.lcores[l], &b = now.lcores[l];
        dataplane::LcoreSnapshot d;
        d.busy_cycles = b.busy_cycles - a.busy_cycles;
        d.idle_cycles = b.idle_cycles - a.idle_cycles;
        d.rx_packets = b.rx_packets - a.rx_packets;
        for (size_t k = 0; k < d.rx_bursts.size(); ++k) d.rx_bursts[k] = b.rx_bursts[k] - a.rx_bursts[k];
        const uint64_t polls = d.polls();
        out += row("lcore %-8u busy %5.1f%%  %7.1f cycles/pkt  %5.1f pkts/poll  empty polls %5.1f%%\n",
                   b.lcore, d.busy_share() * 100, d.cycles_per_packet(),
                   polls ? double(d.rx_packets) / double(polls) : 0.0,
                   polls ? 100.0 * double(d.rx_bursts[0]) / double(polls) : 0.0);
    }
    return out;
}

std::string format_summary(const config::Plan& plan, const dataplane::Snapshot& s,
                           const dataplane::ShutdownReport& shut, const RunInfo& info) {
    std::string out = row("=== summary: %s mode, %.2f s, stopped by %s\n",
                          std::string(config::to_string(plan.mode)).c_str(), info.duration_s,
                          info.stop_reason.c_str());
    out += row("%-14s %14s %14s %12s %10s %10s\n", "port", "rx packets", "tx packets", "drops",
               "rx Mpps", "tx Mpps");
    const double d = info.duration_s > 0 ? info.duration_s : 1;
    for (size_t i = 0; i < plan.ports.size() && i < s.ports.size(); ++i) {
        const auto& p = s.ports[i];
        out += row("%-14s %14llu %14llu %12llu %10.3f %10.3f\n", plan.ports[i].name.c_str(),
                   static_cast<unsigned long long>(p.rx_packets()),
                   static_cast<unsigned long long>(p.tx_packets()),
                   static_cast<unsigned long long>(p.drops()), p.rx_packets() / d / 1e6,
                   p.tx_packets() / d / 1e6);
    }
    for (size_t i = 0; i < plan.ports.size() && i < info.health.size(); ++i) {
        const PortHealth& h = info.health[i];
        if (h.events == 0 && h.state == "running" && h.watchdog_triggers == 0) continue;
        out += row("%-14s %s: %llu events, %llu resets, %llu removals, %llu recovered, %llu failed",
                   plan.ports[i].name.c_str(), h.state.c_str(), (unsigned long long)h.events,
                   (unsigned long long)h.resets, (unsigned long long)h.removals,
                   (unsigned long long)h.recovered, (unsigned long long)h.failed);
        if (h.restarted_no_traffic)
            out += row(", %llu restarted without traffic",
                       (unsigned long long)h.restarted_no_traffic);
        if (h.degraded) out += row(", degraded %llu time(s)", (unsigned long long)h.degraded);
        if (h.mac_changes) out += row(", %llu MAC change(s)", (unsigned long long)h.mac_changes);
        if (const auto median = measure::median(h.recovery_ms))
            out += row(", recovery median %.3f ms", *median);
        if (h.failovers) out += row(", failovers %llu%s", (unsigned long long)h.failovers,
                                    h.on_standby ? (" (on " + h.standby + ")").c_str() : "");
        out += "\n";
    }
    for (const auto& mp : shut.pools) {
        out += row("mempool %s: %u mbufs (%.1f MiB), in use at exit: %u%s\n", mp.name.c_str(),
                   mp.size, mp.memory_bytes / 1048576.0, mp.in_use_at_exit,
                   mp.in_use_at_exit ? "  <-- LEAK" : "");
    }
    return out;
}

}  // namespace vfpath::report
