// Phase figures as JSON (the report contract), as a final table and as a live line.
#include <algorithm>
#include <cstdio>
#include <string>

#include "gen/api.h"
#include "measure/cp/rates.h"

namespace vfpath::gen {

using nlohmann::json;

uint64_t PhaseStats::received() const {
    uint64_t n = 0;
    for (const auto& s : streams) n += s.received;
    // With every frame a probe, a frame without one is not the generator's (kernel chatter on a
    // tap, say); with fewer probes, frames without one are counted as the generator's.
    if (probe_share < 1) n += non_probe;
    return n;
}

uint64_t PhaseStats::duplicates() const {
    uint64_t n = 0;
    for (const auto& s : streams) n += s.duplicates;
    return n;
}

uint64_t PhaseStats::reordered() const {
    uint64_t n = 0;
    for (const auto& s : streams) n += s.reordered;
    return n;
}

uint64_t PhaseStats::lost() const {
    const uint64_t r = received();
    return tx_packets > r ? tx_packets - r : 0;
}

namespace {

// Ethernet frame bits per second, FCS included (counters hold pkt_len, without it).
double frame_bps(uint64_t packets, uint64_t bytes, double s) {
    return measure::throughput(packets, bytes, s).frame_bps;
}

double per_s(uint64_t n, double s) { return s > 0 ? double(n) / s : 0; }

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string us(uint64_t ns) { return fmt("%.1f", double(ns) / 1e3); }

}  // namespace

json stream_json(const StreamStats& s, bool analyzed) {
    json j = {{"id", s.id},
              {"port", s.port},
              {"queue", s.queue},
              {"frames", s.frames},
              {"bytes", s.bytes},
              {"sent", s.sent},
              {"refused", s.refused},
              {"alloc_failures", s.alloc_failures},
              {"pacer_forfeited", s.pacer_forfeited}};
    if (analyzed) {
        j["received"] = s.received;
        j["lost"] = s.lost;
        j["reordered"] = s.reordered;
        j["duplicates"] = s.duplicates;
        j["too_old"] = s.too_old;
    } else {
        for (const char* k : {"received", "lost", "reordered", "duplicates", "too_old"})
            j[k] = nullptr;
    }
    j["latency_clock"] = s.latency_clock;
    if (s.latency_clock != "tsc") {
        j["hw_timed"] = s.hw_timed;
        j["tsc_fallback"] = s.tsc_fallback;
    }
    j["latency_ns"] = measure::summarize(s.latency);
    j["latency_histogram"] = measure::histogram_json(s.latency);
    return j;
}

json phase_json(const PhaseStats& p) {
    const double t = p.tx_s;
    json j = {{"duration_s", p.elapsed_s},
              {"tx_s", p.tx_s},
              {"drain_s", p.drain_s},
              {"stopped", p.stopped},
              {"probe_share", p.probe_share},
              {"analyzed", p.analyzed},
              {"tx_packets", p.tx_packets},
              {"tx_bytes", p.tx_bytes},
              {"rx_packets", p.rx_packets},
              {"rx_bytes", p.rx_bytes},
              {"sent", p.tx_packets},
              {"tx_pps", per_s(p.tx_packets, t)},
              {"tx_bps", frame_bps(p.tx_packets, p.tx_bytes, t)},
              {"rx_pps", per_s(p.analyzed ? p.received() : 0, t)},
              {"rx_bps", frame_bps(p.rx_packets, p.rx_bytes, t)}};
    if (p.analyzed) {
        j["received"] = p.received();
        j["lost"] = p.lost();
        j["loss_ratio"] = p.tx_packets ? double(p.lost()) / double(p.tx_packets) : 0.0;
        j["reordered"] = p.reordered();
        j["duplicates"] = p.duplicates();
    } else {
        for (const char* k : {"received", "lost", "loss_ratio", "reordered", "duplicates"})
            j[k] = nullptr;
    }
    j["rejected"] = {{"non_probe", p.non_probe},
                     {"unknown_stream", p.unknown_stream},
                     {"future_tsc", p.future_tsc},
                     {"stale", p.stale},
                     {"flushed_before_phase", p.flushed_before}};
    json sizes = json::array();
    for (size_t i = 0; i < p.size_values.size(); ++i)
        sizes.push_back({{"frame_size", p.size_values[i]},
                         {"tx_packets", p.tx_sizes[i]},
                         {"rx_packets", p.rx_sizes[i]}});
    j["sizes"] = sizes;
    j["rx_other_sizes"] = p.rx_other_sizes;
    j["latency_clock"] = p.latency_clock;
    if (p.latency_clock != "tsc") {
        uint64_t hw = 0, fallback = 0;
        for (const auto& s : p.streams) {
            hw += s.hw_timed;
            fallback += s.tsc_fallback;
        }
        j["hw_timed"] = hw;
        j["tsc_fallback"] = fallback;
    }
    j["latency_ns"] = measure::summarize(p.latency);
    j["latency_histogram"] = measure::histogram_json(p.latency);
    json streams = json::array();
    uint64_t forfeited = 0, refused = 0;
    for (const auto& s : p.streams) {
        streams.push_back(stream_json(s, p.analyzed));
        forfeited += s.pacer_forfeited;
        refused += s.refused;
    }
    j["pacer_forfeited"] = forfeited;  // credit the pacer dropped because the lcore lagged
    j["refused"] = refused;            // frames a full tx ring did not take (sent later)
    j["streams"] = streams;
    json ports = json::array();
    for (const auto& port : p.ports)
        ports.push_back({{"name", port.name},
                         {"tx_packets", port.tx_packets},
                         {"tx_bytes", port.tx_bytes},
                         {"rx_packets", port.rx_packets},
                         {"rx_bytes", port.rx_bytes},
                         {"tx_pps", per_s(port.tx_packets, t)},
                         {"rx_pps", per_s(port.rx_packets, t)}});
    j["port_counters"] = ports;
    return j;
}

namespace {

// Like bench rfc2544 (its tx_tolerance): less than this share of the rate is under-delivery.
constexpr double k_rate_tolerance = 0.01;

size_t tx_ports(const PhaseStats& p) {
    std::vector<std::string> names;
    for (const auto& s : p.streams)
        if (std::find(names.begin(), names.end(), s.port) == names.end()) names.push_back(s.port);
    return names.empty() ? 1 : names.size();
}

}  // namespace

std::string rate_shortfall(const PhaseStats& p, double rate_pps) {
    if (rate_pps <= 0 || p.tx_s <= 0) return "";
    const double per_port = per_s(p.tx_packets, p.tx_s) / static_cast<double>(tx_ports(p));
    if (per_port >= rate_pps * (1 - k_rate_tolerance)) return "";
    uint64_t refused = 0, forfeited = 0;
    for (const auto& s : p.streams) {
        refused += s.refused;
        forfeited += s.pacer_forfeited;
    }
    return "sent " + fmt("%.0f", per_port) + " pps per tx port, " +
           fmt("%.1f", 100 * per_port / rate_pps) + "% of the " + fmt("%.0f", rate_pps) +
           " pps asked (" + std::to_string(refused) + " frames refused by a full tx ring, " +
           std::to_string(forfeited) +
           " frames of pacer credit forfeited while the lcore lagged): the port or the "
           "generator lcore cannot keep up, so the results are for the lower rate";
}

std::string format_live(const PhaseStats& now, const PhaseStats* prev, double rate_pps) {
    const double dt = prev ? now.elapsed_s - prev->elapsed_s : now.elapsed_s;
    const uint64_t dtx = now.tx_packets - (prev ? prev->tx_packets : 0);
    const uint64_t dtxb = now.tx_bytes - (prev ? prev->tx_bytes : 0);
    const uint64_t drx = now.rx_packets - (prev ? prev->rx_packets : 0);
    const uint64_t drxb = now.rx_bytes - (prev ? prev->rx_bytes : 0);
    std::string s = fmt("%7.1fs", now.elapsed_s) + "  tx " + fmt("%8.3f", per_s(dtx, dt) / 1e6) +
                    " Mpps " + fmt("%7.3f", frame_bps(dtx, dtxb, dt) / 1e9) + " Gbit/s";
    if (now.analyzed) {
        const uint64_t r = now.received();
        s += "  rx " + fmt("%8.3f", per_s(drx, dt) / 1e6) + " Mpps " +
             fmt("%7.3f", frame_bps(drx, drxb, dt) / 1e9) + " Gbit/s  not back " +
             std::to_string(now.tx_packets > r ? now.tx_packets - r : 0);
        if (now.latency.count > 0) {
            const auto l = measure::summarize(now.latency);
            s += "  latency us p50 " + us(l.p50) + " p99 " + us(l.p99) + " max " + us(l.max);
        }
    }
    // Only while sending (the last interval, cut short, says nothing), over an interval long
    // enough that bursts and a late tick cannot look like a shortfall, and by more than 5%.
    const double want = rate_pps * static_cast<double>(tx_ports(now));
    if (rate_pps > 0 && now.sending && dt > 0 && want * dt >= 1000 &&
        per_s(dtx, dt) < want * 0.95)
        s += "  BELOW RATE: " + fmt("%.1f", 100 * per_s(dtx, dt) / want) + "% of " +
             fmt("%.0f", rate_pps) + " pps per port";
    return s;
}

std::string format_table(const PhaseStats& p) {
    std::string o;
    char line[256];
    std::snprintf(line, sizeof line, "%-6s %-10s %5s %14s %14s %12s %10s %10s  %s\n", "stream",
                  "port", "queue", "sent", "received", "lost", "reordered", "duplicates",
                  "latency us: min p50 p99 p99.9 max");
    o += line;
    for (const auto& s : p.streams) {
        const auto l = measure::summarize(s.latency);
        const std::string lat = l.count ? us(l.min) + " " + us(l.p50) + " " + us(l.p99) + " " +
                                              us(l.p999) + " " + us(l.max)
                                        : std::string("-");
        auto num = [&](uint64_t v) { return p.analyzed ? std::to_string(v) : std::string("-"); };
        std::snprintf(line, sizeof line, "%-6u %-10s %5u %14llu %14s %12s %10s %10s  %s\n", s.id,
                      s.port.c_str(), s.queue, (unsigned long long)s.sent, num(s.received).c_str(),
                      num(s.lost).c_str(), num(s.reordered).c_str(), num(s.duplicates).c_str(),
                      lat.c_str());
        o += line;
    }
    const double t = p.tx_s;
    o += "tx: " + std::to_string(p.tx_packets) + " frames in " + fmt("%.3f", t) + " s, " +
         fmt("%.4f", per_s(p.tx_packets, t) / 1e6) + " Mpps, " +
         fmt("%.4f", frame_bps(p.tx_packets, p.tx_bytes, t) / 1e9) + " Gbit/s\n";
    if (p.analyzed) {
        o += "rx: " + std::to_string(p.received()) + " frames of this run (" +
             std::to_string(p.rx_packets) + " received in all), " +
             fmt("%.4f", per_s(p.received(), t) / 1e6) + " Mpps; lost " +
             std::to_string(p.lost()) + " (" +
             fmt("%.6f", p.tx_packets ? 100.0 * double(p.lost()) / double(p.tx_packets) : 0.0) +
             "%), reordered " + std::to_string(p.reordered()) + ", duplicates " +
             std::to_string(p.duplicates()) + "; drained " + fmt("%.3f", p.drain_s) + " s\n";
        o += "rejected: non-probe " + std::to_string(p.non_probe) + ", unknown stream " +
             std::to_string(p.unknown_stream) + ", tx TSC in the future " +
             std::to_string(p.future_tsc) + ", stale " + std::to_string(p.stale) + "\n";
    } else {
        o += "rx: no gen.rx port, nothing analyzed\n";
    }
    if (p.size_values.size() > 1) {
        o += "sizes (tx/rx frames):";
        for (size_t i = 0; i < p.size_values.size(); ++i) {
            std::snprintf(line, sizeof line, " %u: %llu/%llu", p.size_values[i],
                          (unsigned long long)p.tx_sizes[i], (unsigned long long)p.rx_sizes[i]);
            o += line;
        }
        o += "\n";
    }
    if (p.latency.count) {
        const auto l = measure::summarize(p.latency);
        o += "latency (" + p.latency_clock + ", all streams, us): min " + us(l.min) + " mean " +
             fmt("%.1f", l.mean / 1e3) + " p50 " + us(l.p50) + " p90 " + us(l.p90) + " p99 " +
             us(l.p99) + " p99.9 " + us(l.p999) + " p99.99 " + us(l.p9999) + " max " + us(l.max) +
             " (" + std::to_string(l.count) + " probes)\n";
    }
    return o;
}

measure::TrialResult trial_result(const PhaseStats& p) {
    measure::TrialResult r;
    r.sent = p.tx_packets;
    r.received = p.received();
    r.lost = p.lost();
    r.reordered = p.reordered();
    r.duplicates = p.duplicates();
    r.tx_pps = per_s(p.tx_packets, p.tx_s);
    r.rx_pps = per_s(r.received, p.tx_s);
    for (const auto& s : p.streams) {
        r.refused += s.refused;
        r.pacer_forfeited += s.pacer_forfeited;
    }
    r.latency_ns = measure::summarize(p.latency);
    r.latency_clock = p.latency_clock;
    return r;
}

}  // namespace vfpath::gen
