#include <algorithm>
#include <cstdio>
#include <string>

#include "report/api.h"

namespace vfpath::report {

namespace {

std::string row(const char* fmt, auto... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

double rate(uint64_t now, uint64_t prev, double dt) {
    return dt > 0 && now >= prev ? double(now - prev) / dt : 0.0;
}

constexpr const char* k_head = "%-14s %5s %10s %10s %9s %9s %12s\n";
constexpr const char* k_line = "%-14s %5s %10.3f %10.3f %9.3f %9.3f %12llu\n";

}  // namespace

std::string format_table(const config::Plan& plan, const dataplane::Snapshot& prev,
                         const dataplane::Snapshot& now, const std::vector<PortHealth>& health) {
    const double dt = now.t_s - prev.t_s;
    std::string out = row("--- t=%.1fs\n", now.t_s);
    out += row(k_head, "port", "queue", "rx Mpps", "tx Mpps", "rx Gb/s", "tx Gb/s", "drops");
    for (size_t i = 0; i < plan.ports.size() && i < now.ports.size() && i < prev.ports.size();
         ++i) {
        const auto &a = prev.ports[i], &b = now.ports[i];
        out += row(k_line, plan.ports[i].name.c_str(), "all",
                   rate(b.rx_packets(), a.rx_packets(), dt) / 1e6,
                   rate(b.tx_packets(), a.tx_packets(), dt) / 1e6,
                   rate(b.rx_bytes(), a.rx_bytes(), dt) * 8 / 1e9,
                   rate(b.tx_bytes(), a.tx_bytes(), dt) * 8 / 1e9,
                   static_cast<unsigned long long>(b.drops()));
        if (i < health.size() && (health[i].state != "running" || health[i].events > 0)) {
            const PortHealth& h = health[i];
            out += row("%-14s %s, resets %llu, recovered %llu, failed %llu, link changes %llu\n",
                       "", h.state.c_str(), (unsigned long long)h.resets,
                       (unsigned long long)h.recovered, (unsigned long long)h.failed,
                       (unsigned long long)h.link_changes);
        }
        if (b.queues.size() < 2) continue;
        for (size_t q = 0; q < b.queues.size() && q < a.queues.size(); ++q) {
            const auto &qa = a.queues[q], &qb = b.queues[q];
            out += row(k_line, "", std::to_string(q).c_str(),
                       rate(qb.rx_packets, qa.rx_packets, dt) / 1e6,
                       rate(qb.tx_packets, qa.tx_packets, dt) / 1e6,
                       rate(qb.rx_bytes, qa.rx_bytes, dt) * 8 / 1e9,
                       rate(qb.tx_bytes, qa.tx_bytes, dt) * 8 / 1e9,
                       static_cast<unsigned long long>(qb.drops));
        }
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
        std::vector<double> v = h.recovery_ms;
        std::sort(v.begin(), v.end());
        out += row("%-14s %s: %llu events, %llu resets, %llu removals, %llu recovered, %llu failed",
                   plan.ports[i].name.c_str(), h.state.c_str(), (unsigned long long)h.events,
                   (unsigned long long)h.resets, (unsigned long long)h.removals,
                   (unsigned long long)h.recovered, (unsigned long long)h.failed);
        if (!v.empty()) out += row(", recovery median %.3f ms", v[v.size() / 2]);
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
