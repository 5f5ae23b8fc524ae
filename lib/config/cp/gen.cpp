// The `gen:` section: its key table, the rate and frame-size parsers (shared with the CLI's
// overrides) and its checks against the ports.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <set>

#include "config/cp/load_internal.h"

namespace vfpath::config {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// A finite decimal number (no sign, no "inf"/"nan") at the start of s; the rest goes to *rest.
std::optional<double> leading_number(std::string_view s, std::string_view* rest) {
    double v = 0;
    if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.'))
        return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || !std::isfinite(v)) return std::nullopt;
    *rest = s.substr(static_cast<size_t>(end - s.data()));
    return v;
}

std::string format_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void set_why(std::string* why, std::string msg) {
    if (why) *why = std::move(msg);
}

}  // namespace

std::optional<RateSpec> parse_rate(std::string_view text, std::string* why) {
    constexpr std::string_view usage =
        "a rate like 1Mpps, 250kpps, 1000pps, 500Mbit, 10Gbit, 10% (of the link) or max";
    const std::string_view s = trim(text);
    if (iequal(s, "max")) return RateSpec{};
    std::string_view unit;
    const auto v = leading_number(s, &unit);
    if (!v) {
        set_why(why, std::string("expected ") + std::string(usage) + ", got \"" + std::string(s) +
                         "\"");
        return std::nullopt;
    }
    unit = trim(unit);
    RateSpec r;
    double scale = 1;
    if (unit == "%") {
        r.unit = RateSpec::Unit::percent;
    } else {
        // Optional k/M/G prefix, then pps, bit or bps.
        std::string_view base = unit;
        if (!base.empty() && std::string_view("kKmMgG").find(base.front()) != std::string_view::npos &&
            base.size() > 1) {
            const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(base.front())));
            scale = p == 'k' ? 1e3 : p == 'm' ? 1e6 : 1e9;
            base.remove_prefix(1);
        }
        if (base.empty() || iequal(base, "pps")) {
            r.unit = RateSpec::Unit::pps;
            if (base.empty() && scale != 1) {
                set_why(why, "\"" + std::string(s) + "\": say pps or bit after the prefix");
                return std::nullopt;
            }
        } else if (iequal(base, "bit") || iequal(base, "bps") || iequal(base, "bit/s")) {
            r.unit = RateSpec::Unit::bps;
        } else {
            set_why(why, "unknown rate unit \"" + std::string(unit) + "\" in \"" + std::string(s) +
                             "\"; expected " + std::string(usage));
            return std::nullopt;
        }
    }
    r.value = *v * scale;
    if (!(r.value > 0)) {
        set_why(why, "rate \"" + std::string(s) + "\" must be above 0 (use max for unpaced)");
        return std::nullopt;
    }
    return r;
}

std::string to_string(const RateSpec& r) {
    switch (r.unit) {
        case RateSpec::Unit::max: return "max";
        case RateSpec::Unit::pps: return format_value(r.value) + " pps";
        case RateSpec::Unit::bps: return format_value(r.value) + " bit/s";
        case RateSpec::Unit::percent: return format_value(r.value) + "% of link";
    }
    return "?";
}

std::optional<SizeSpec> parse_sizes(std::string_view text, std::string* why) {
    const std::string_view s = trim(text);
    SizeSpec out;
    if (iequal(s, "imix")) {
        out.pattern.assign(std::begin(k_imix_pattern), std::end(k_imix_pattern));
        out.name = "imix";
        return out;
    }
    out.pattern.clear();
    std::string_view rest = s;
    while (true) {
        const size_t comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        uint32_t v = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc{} || end != item.data() + item.size()) {
            set_why(why, "expected a frame size like 64, a list like 64,128,1518, or imix; got \"" +
                             std::string(s) + "\"");
            return std::nullopt;
        }
        if (v < k_min_frame_size || v > k_max_frame_size) {
            set_why(why, "frame size " + std::to_string(v) + " is outside " +
                             std::to_string(k_min_frame_size) + ".." +
                             std::to_string(k_max_frame_size) + " (bytes, FCS included)");
            return std::nullopt;
        }
        out.pattern.push_back(v);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    out.name.clear();
    for (uint32_t v : out.pattern) {
        if (!out.name.empty()) out.name += ',';
        out.name += std::to_string(v);
    }
    return out;
}

double mean_size(const SizeSpec& s) {
    if (s.pattern.empty()) return 0;
    return std::accumulate(s.pattern.begin(), s.pattern.end(), 0.0) /
           static_cast<double>(s.pattern.size());
}

namespace detail {

namespace {

void decode_port_list(Reader& r, const In& in, std::vector<std::string>& names,
                      std::vector<Loc>& locs) {
    r.each_item(in, "a list of port names like [p0]", [&](const In& item) {
        locs.push_back(item.loc);
        names.push_back(r.text(item, "a port name").value_or(""));
    });
}

// Bounds: a phase longer than a day or a drain longer than a minute is a typo.
constexpr double k_max_seconds = 86400;
constexpr double k_max_drain_ms = 60000;
constexpr uint64_t k_max_gen_burst = 256;  // the generator's per-lcore burst arrays

void number_in(Reader& r, const In& in, double lo, double hi, double& out) {
    if (auto v = r.number(in, lo)) {
        if (*v > hi)
            r.expected(in, "a number in " + format_value(lo) + ".." + format_value(hi));
        else
            out = *v;
    }
}

const Key<GenConfig> k_gen_keys[] = {
    {"tx",
     {"list of port names, not empty",
      "—",
      "[p0]",
      "Ports that send. Each tx queue of each is one probe stream; a port has "
      "`ports[].tx_queues` queues (default 1)."},
     [](Reader& r, const In& in, GenConfig& g) {
         g.tx_loc = in.loc;
         decode_port_list(r, in, g.tx, g.tx_item_locs);
         if (in.node.IsSequence() && g.tx.empty())
             r.error(in, "at least one port must transmit");
     },
     true},
    {"rx",
     {"list of port names",
      "`[]`",
      "[p1]",
      "Ports whose frames are analyzed, every rx queue of each. May name a tx port "
      "(a loopback, a reflecting DUT). Empty: nothing is analyzed and the rx figures "
      "are `null`."},
     [](Reader& r, const In& in, GenConfig& g) {
         g.rx_loc = in.loc;
         decode_port_list(r, in, g.rx, g.rx_item_locs);
     }},
    {"rate",
     {"rate string",
      "`max`",
      "10%",
      "Per tx port, split evenly over its queues. `pps`/`kpps`/`Mpps`/`Gpps` (a bare "
      "number is pps); `bit`/`bps` with `k`/`M`/`G` counts Ethernet frame bits, FCS "
      "included; `N%` is of the port's link speed on the wire (frame + 20 bytes of "
      "preamble and gap; needs a port that reports its speed, as net_null (10G) and "
      "net_memif do); `max` is unpaced. Prefixes are case-insensitive."},
     [](Reader& r, const In& in, GenConfig& g) {
         g.rate_loc = in.loc;
         std::string why;
         auto s = r.text(in, "a rate like 1Mpps, 500Mbit, 10% or max");
         if (!s) return;
         if (auto rate = parse_rate(*s, &why))
             g.rate = *rate;
         else
             r.error(in, why);
     }},
    {"size",
     {"`64`, a list `[64, 128, 1518]` or `imix`",
      "`64`",
      "[64, 128, 1518]",
      "Frame sizes in bytes with FCS (RFC 2544), 64..9216, sent round robin in the "
      "order given (at most 64). Every size must fit one mbuf (`mempool.data_room` - "
      "128 + 4) and each tx port's MTU (`ports[].mtu`, default 1500, + 18)."},
     [](Reader& r, const In& in, GenConfig& g) {
         g.size_loc = in.loc;
         std::string text;
         if (in.node.IsSequence()) {
             for (const auto& item : in.node)
                 text += (text.empty() ? "" : ",") + (item.IsScalar() ? item.Scalar() : "?");
             if (text.empty()) text = "(empty list)";
         } else if (auto s = r.text(in, "a frame size, a list of sizes or imix")) {
             text = *s;
         } else {
             return;
         }
         std::string why;
         if (auto sz = parse_sizes(text, &why))
             g.size = *sz;
         else
             r.error(in, why);
     }},
    {"flows",
     {"integer 1..65535",
      "`1`",
      "256",
      "Distinct flows, used in turn frame after frame."},
     [](Reader& r, const In& in, GenConfig& g) { r.set(in, 1, k_max_flows, g.flows); }},
    {"probe_share",
     {"number 0..1",
      "`1`",
      "0.5",
      "Share of frames that carry a probe header, spread evenly: exactly floor(n × "
      "share) of the first n frames do."},
     [](Reader& r, const In& in, GenConfig& g) { number_in(r, in, 0, 1, g.probe_share); }},
    {"duration_s",
     {"number 0..86400",
      "`10`",
      "10",
      "How long the measured phase sends. `0`: no time limit."},
     [](Reader& r, const In& in, GenConfig& g) { number_in(r, in, 0, k_max_seconds, g.duration_s); }},
    {"count",
     {"integer >= 0",
      "`0`",
      "1000000",
      "Frames per tx port in the measured phase. `0`: no limit. With neither limit, "
      "it sends until Ctrl-C or SIGTERM."},
     [](Reader& r, const In& in, GenConfig& g) {
         r.set(in, 0, std::numeric_limits<uint64_t>::max(), g.count);
     }},
    {"warmup_s",
     {"number 0..86400",
      "`0`",
      "1",
      "A phase sent first at the same rate and not counted (it fills caches, lets a "
      "DUT learn MACs)."},
     [](Reader& r, const In& in, GenConfig& g) { number_in(r, in, 0, k_max_seconds, g.warmup_s); }},
    {"drain_ms",
     {"number 1..60000",
      "`100`",
      "100",
      "A phase ends when every lcore has stopped sending and rx has then been quiet "
      "for this long. The drain is capped at the larger of 2 s and 10 × `drain_ms`, "
      "for a port that never runs dry."},
     [](Reader& r, const In& in, GenConfig& g) { number_in(r, in, 1, k_max_drain_ms, g.drain_ms); }},
    {"burst",
     {"integer 1..256",
      "`32`",
      "32",
      "Frames per tx burst (at most) and per rx burst."},
     [](Reader& r, const In& in, GenConfig& g) { r.set(in, 1, k_max_gen_burst, g.burst); }},
};

}  // namespace

void gen_rows(KeyRows& out, const std::string& path) { map_rows<k_gen_keys>(out, path); }

void decode_gen(Reader& r, const In& in, Config& c) {
    GenConfig& g = c.gen.emplace();
    g.loc = in.loc;
    decode_map(r, in, k_gen_keys, g);
}

void validate_gen(Reader& r, const Config& c) {
    if (!c.gen) return;
    const GenConfig& g = *c.gen;
    bool names_ok = true;
    for (size_t i = 0; i < c.ports.size(); ++i)
        if (r.has_error("ports[" + std::to_string(i) + "].name")) names_ok = false;
    auto check = [&](const std::vector<std::string>& names, const std::vector<Loc>& locs,
                     const char* key) {
        std::set<std::string> seen;
        for (size_t i = 0; i < names.size(); ++i) {
            const std::string path = std::string("gen.") + key + "[" + std::to_string(i) + "]";
            if (r.has_error(path) || names[i].empty()) continue;
            if (!c.find_port(names[i])) {
                if (!names_ok) continue;
                std::string known;
                for (const auto& p : c.ports) known += (known.empty() ? "" : ", ") + p.name;
                r.error(locs[i], path, "no port named '" + names[i] + "'; ports are: " + known);
            } else if (!seen.insert(names[i]).second) {
                r.error(locs[i], path, "port '" + names[i] + "' is listed twice");
            }
        }
    };
    check(g.tx, g.tx_item_locs, "tx");
    check(g.rx, g.rx_item_locs, "rx");
}

}  // namespace detail

}  // namespace vfpath::config
