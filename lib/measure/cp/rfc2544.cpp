// RFC 2544 search: parameters, the verdict on one trial, the binary search. See rfc2544.h.
#include "measure/cp/rfc2544.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "measure/cp/histogram_stats.h"
#include "measure/cp/rates.h"

namespace vfpath::measure::rfc2544 {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// 'text', built by appending: GCC 12 warns (-Wrestrict, a false positive) on "'" + string.
std::string quote(std::string_view text) {
    std::string q(1, '\'');
    q.append(text);
    q += '\'';
    return q;
}

// "12.5" + rest of the text; nullopt when it does not start with a finite number.
std::optional<std::pair<double, std::string>> number_and_unit(std::string_view text) {
    const std::string s(text);
    if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!std::isfinite(v)) return std::nullopt;
    return std::pair{v, lower(std::string_view(s).substr(used))};
}

// j[key] when j is an object holding a number there.
std::optional<double> num(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

std::string fmt(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

}  // namespace

double RateSpec::to_pps(double line_pps) const {
    return unit == RateUnit::percent ? value * line_pps / 100 : value;
}

std::string RateSpec::str() const {
    return fmt("%.10g", value) + (unit == RateUnit::percent ? "%" : "pps");
}

Result<RateSpec> parse_rate(std::string_view text) {
    const auto nu = number_and_unit(text);
    const std::string quoted = quote(text);
    if (!nu) return fail(quoted + " is not a rate: use N% (of line rate) or Npps, kpps, Mpps");
    const auto& [v, unit] = *nu;
    if (unit.empty())
        return fail(quoted + " has no unit: write " + std::string(text) + "% (of line rate) or " +
                    std::string(text) + "pps");
    if (unit == "%") return RateSpec{v, RateUnit::percent};
    if (unit == "pps") return RateSpec{v, RateUnit::pps};
    if (unit == "kpps") return RateSpec{v * 1e3, RateUnit::pps};
    if (unit == "mpps") return RateSpec{v * 1e6, RateUnit::pps};
    return fail(quoted + ": unknown unit '" + unit + "' (use %, pps, kpps or Mpps)");
}

Result<double> parse_link_speed(std::string_view text) {
    const auto nu = number_and_unit(text);
    const std::string quoted = quote(text);
    if (!nu) return fail(quoted + " is not a link speed: use e.g. 10G, 25Gbps, 100000M");
    auto [v, unit] = *nu;
    for (std::string_view suffix : {"bit/s", "bps", "b"}) {
        if (unit.size() >= suffix.size() && unit.ends_with(suffix)) {
            unit.resize(unit.size() - suffix.size());
            break;
        }
    }
    double scale = 0;
    if (unit.empty())
        scale = 1;
    else if (unit == "k")
        scale = 1e3;
    else if (unit == "m")
        scale = 1e6;
    else if (unit == "g")
        scale = 1e9;
    else if (unit == "t")
        scale = 1e12;
    if (scale == 0) return fail(quoted + ": unknown unit (use K, M, G or T, optionally + bps)");
    if (v * scale < 1e6) return fail(quoted + " is below 1 Mbit/s: not an Ethernet link speed");
    return v * scale;
}

std::vector<std::string> check_params(const Params& p, bool link_pending) {
    std::vector<std::string> e;
    auto positive = [&](double v, const char* name) {
        if (!(v > 0) || !std::isfinite(v))
            e.push_back(std::string(name) + " must be > 0 seconds, got " + fmt("%g", v));
    };
    if (p.frame_sizes.empty()) e.push_back("--sizes: no frame size given");
    for (uint32_t s : p.frame_sizes) {
        if (s < k_min_frame || s > k_max_frame)
            e.push_back("--sizes: frame size " + std::to_string(s) + " is outside " +
                        std::to_string(k_min_frame) + ".." + std::to_string(k_max_frame) +
                        " bytes (FCS included)");
    }
    positive(p.trial_s, "--trial");
    positive(p.verify_trial_s, "--verify-trial");
    positive(p.latency_trial_s, "--latency-trial");
    if (!(p.warmup_s >= 0) || !std::isfinite(p.warmup_s))
        e.push_back("--warmup must be >= 0 seconds, got " + fmt("%g", p.warmup_s));
    if (p.latency_trials == 0) e.push_back("--latency-trials must be at least 1");
    if (!(p.resolution.value > 0))
        e.push_back("--resolution must be > 0, got " + p.resolution.str());
    if (!(p.min_rate.value >= 0)) e.push_back("--min-rate must be >= 0, got " + p.min_rate.str());
    if (!(p.max_rate.value > 0)) e.push_back("--max-rate must be > 0, got " + p.max_rate.str());
    if (p.max_iterations == 0) e.push_back("--max-iter must be at least 1");
    if (!(p.pdr_loss_ratio >= 0 && p.pdr_loss_ratio < 1))
        e.push_back("--pdr-loss must be a loss ratio in [0, 1), got " +
                    fmt("%g", p.pdr_loss_ratio));
    for (const auto& l : p.latency_limits) {
        if (!(l.max_ns > 0) || !std::isfinite(l.max_ns))
            e.push_back("latency limit on " + l.key + " must be > 0, got " + fmt("%g", l.max_ns) +
                        " ns");
    }
    if (p.flows == 0) e.push_back("--flows must be at least 1");
    if (!(p.probe_share >= 0 && p.probe_share <= 1))
        e.push_back("--probe-share must be in [0, 1], got " + fmt("%g", p.probe_share));
    if (!p.latency_limits.empty() && p.probe_share == 0)
        e.push_back("a latency limit needs probes: --probe-share must be > 0");
    if (!(p.tx_tolerance >= 0 && p.tx_tolerance < 1))
        e.push_back("--tx-tolerance must be in [0, 1), got " + fmt("%g", p.tx_tolerance));
    if (!(p.link_bps >= 0) || !std::isfinite(p.link_bps))
        e.push_back("link speed must be > 0 bit/s, got " + fmt("%g", p.link_bps));
    if (!e.empty() || (link_pending && p.link_bps == 0)) return e;

    // Checks that need each frame size's line rate.
    const bool uses_percent = p.resolution.unit == RateUnit::percent ||
                              p.min_rate.unit == RateUnit::percent ||
                              p.max_rate.unit == RateUnit::percent;
    if (uses_percent && p.link_bps == 0) {
        e.push_back(
            "the link speed is unknown, so rates in % of line rate cannot be used "
            "(--max-rate defaults to 100%): give --link-speed, or every rate in pps");
        return e;
    }
    for (uint32_t s : p.frame_sizes) {
        const double line = line_rate_pps(p.link_bps, s);
        const double lo = p.min_rate.to_pps(line), hi = p.max_rate.to_pps(line);
        const std::string at = " for " + std::to_string(s) + "-byte frames";
        // "50% (7440476 pps)", or just "2000000pps".
        const auto shown = [](const RateSpec& r, double pps) {
            return r.unit == RateUnit::pps ? r.str() : r.str() + " (" + fmt("%.0f", pps) + " pps)";
        };
        if (lo >= hi)
            e.push_back("--min-rate " + shown(p.min_rate, lo) + " is not below --max-rate " +
                        shown(p.max_rate, hi) + at);
        if (line > 0 && hi > line * (1 + 1e-9))
            e.push_back("--max-rate " + shown(p.max_rate, hi) + " is above the line rate (" +
                        fmt("%.0f", line) + " pps)" + at);
    }
    return e;
}

// Indexed by the enums' values (declared in the same order).
constexpr std::string_view k_phase_names[] = {"ndr", "pdr", "latency"};
constexpr std::string_view k_kind_names[] = {"search", "verify", "latency"};

std::string_view to_string(Phase p) {
    return k_phase_names[static_cast<size_t>(p)];
}
std::string_view to_string(Kind k) {
    return k_kind_names[static_cast<size_t>(k)];
}

Verdict judge(const TrialSpec& spec, const TrialResult& r, double loss_limit,
              const std::vector<LatencyLimit>& limits, double tx_tolerance) {
    Verdict v;
    std::vector<std::string> why;
    if (r.sent == 0) {
        why.push_back("nothing was sent");
    } else {
        v.loss_ratio = static_cast<double>(r.lost) / static_cast<double>(r.sent);
        if (r.tx_pps < spec.rate_pps * (1 - tx_tolerance)) {
            v.short_tx = true;
            why.push_back("the generator offered " + fmt("%.0f", r.tx_pps) + " pps, " +
                          fmt("%.2f", 100 * r.tx_pps / spec.rate_pps) + "% of the rate (" +
                          std::to_string(r.refused) + " refused by a full tx ring, " +
                          std::to_string(r.pacer_forfeited) +
                          " frames of credit forfeited while the lcore lagged)");
        }
        if (loss_limit == 0 ? r.lost > 0 : v.loss_ratio > loss_limit)
            why.push_back("lost " + std::to_string(r.lost) + " (ratio " +
                          fmt("%.3g", v.loss_ratio) + " > " + fmt("%g", loss_limit) + ")");
    }
    for (const auto& l : limits) {
        const auto value = num(r.latency_ns, l.key.c_str());
        if (num(r.latency_ns, "count").value_or(0) <= 0 || !value) {
            why.push_back("no latency samples to judge " + l.key + " against");
        } else if (*value > l.max_ns) {
            why.push_back("latency " + l.key + " " + fmt("%.0f", *value) + " ns > " +
                          fmt("%.0f", l.max_ns) + " ns");
        }
    }
    v.pass = why.empty();
    for (const auto& w : why) v.reason += (v.reason.empty() ? "" : "; ") + w;
    return v;
}

namespace {

// One observation of the search: the outcome of a trial under the criterion being searched.
struct Obs {
    double rate;
    bool pass, verify, short_tx;
    double loss_ratio;
};

struct Ctx {
    const Params& p;
    uint32_t frame_size;
    const TrialRunner& run;
    const Progress& progress;
    SizeResult& out;
};

Trial run_trial(Ctx& c, Phase phase, Kind kind, unsigned iteration, double rate,
                double loss_limit) {
    Trial t;
    t.phase = phase;
    t.kind = kind;
    t.iteration = iteration;
    t.line_rate_pps = c.out.line_rate_pps;
    const double seconds = kind == Kind::search   ? c.p.trial_s
                           : kind == Kind::verify ? c.p.verify_trial_s
                                                  : c.p.latency_trial_s;
    t.spec = TrialSpec{rate, c.frame_size, seconds, c.p.warmup_s, c.p.flows, c.p.probe_share};
    t.result = c.run(t.spec);
    const Verdict v = judge(t.spec, t.result, loss_limit, c.p.latency_limits, c.p.tx_tolerance);
    t.loss_ratio = v.loss_ratio;
    t.pass = v.pass;
    t.short_tx = v.short_tx;
    t.reason = v.reason;
    c.out.log.push_back(t);
    if (c.progress) c.progress(t);
    return t;
}

// A trial the generator could not offer because its own lcore lagged (the host took the CPU,
// and the pacer forfeited credit) says nothing about the path under test. It is run again, at
// most this many times per search, instead of counting as a failure. Shortfalls from a full tx
// ring (the path pushing back) still count.
constexpr unsigned k_lag_retries = 3;

RateResult search(Ctx& c, Phase phase, double loss_limit, std::vector<Obs> obs) {
    const double lo_rate = c.out.min_rate_pps, hi_rate = c.out.max_rate_pps;
    const double res = c.out.resolution_pps;
    unsigned lag_retries = 0;
    RateResult r;
    r.loss_limit = loss_limit;
    for (;;) {
        // Ceiling: the lowest failure. Floor: the highest pass below it.
        const Obs* fail_at = nullptr;
        for (const Obs& o : obs)
            if (!o.pass && (!fail_at || o.rate < fail_at->rate)) fail_at = &o;
        const double ceiling = fail_at ? fail_at->rate : hi_rate;
        // Once a verification trial failed, shorter trials are not trusted any more: only
        // verification-length passes count, and the search goes on with such trials.
        const bool long_mode =
            std::any_of(obs.begin(), obs.end(), [](const Obs& o) { return o.verify && !o.pass; });
        const Obs* pass_at = nullptr;
        for (const Obs& o : obs) {
            if (!o.pass || (fail_at && o.rate >= ceiling) || (long_mode && !o.verify)) continue;
            // Prefer the verification trial at the same rate: it is the one that counts.
            if (!pass_at || o.rate > pass_at->rate || (o.rate == pass_at->rate && o.verify))
                pass_at = &o;
        }
        const double floor = pass_at ? pass_at->rate : lo_rate;
        r.converged = !obs.empty() && ceiling - floor <= res;
        r.rate_pps = pass_at ? pass_at->rate : 0;
        r.verified = pass_at && pass_at->verify;
        r.loss_ratio = pass_at ? pass_at->loss_ratio : 0;
        r.limited_by_generator = fail_at && fail_at->short_tx;

        double rate = 0;
        Kind kind = Kind::search;
        if (obs.empty()) {
            rate = hi_rate;
        } else if (!r.converged) {
            rate = (floor + ceiling) / 2;
            if (long_mode) kind = Kind::verify;
        } else if (pass_at) {
            if (r.verified) return r;
            rate = pass_at->rate;
            kind = Kind::verify;
        } else {
            const bool min_tried = std::any_of(obs.begin(), obs.end(), [&](const Obs& o) {
                return o.rate == lo_rate && (o.verify || !long_mode);
            });
            if (lo_rate == 0 || min_tried) return r;
            rate = lo_rate;
            if (long_mode) kind = Kind::verify;
        }
        if (r.iterations >= c.p.max_iterations) return r;
        ++r.iterations;
        const Trial t = run_trial(c, phase, kind, r.iterations, rate, loss_limit);
        if (t.short_tx && t.result.pacer_forfeited > 0 && lag_retries < k_lag_retries) {
            ++lag_retries;
            continue;  // the same rate again: obs is unchanged
        }
        obs.push_back({rate, t.pass, kind == Kind::verify, t.short_tx, t.loss_ratio});
    }
}

// RFC 8219 s. 7.2: report the median over the trials. Each numeric key of latency_ns is the
// median of that key over the trials; "count" is the total.
nlohmann::json median_latency(const std::vector<nlohmann::json>& trials) {
    if (trials.size() == 1) return trials.front();
    nlohmann::json out = nlohmann::json::object();
    double count = 0;
    for (const auto& t : trials) count += num(t, "count").value_or(0);
    for (const char* key : {"min", "mean", "p50", "p90", "p99", "p999", "p9999", "max"}) {
        std::vector<double> v;
        for (const auto& t : trials)
            if (num(t, "count").value_or(0) > 0 && num(t, key)) v.push_back(*num(t, key));
        if (const auto m = median(std::move(v))) out[key] = *m;
    }
    out["count"] = static_cast<uint64_t>(count);
    return out;
}

LatencyResult measure_latency(Ctx& c, double rate) {
    LatencyResult l;
    if (rate <= 0) return l;
    l.rate_pps = rate;
    for (unsigned i = 1; i <= c.p.latency_trials; ++i) {
        const Trial t = run_trial(c, Phase::latency, Kind::latency, i, rate, 0);
        l.per_trial.push_back(t.result.latency_ns);
    }
    l.latency_ns = median_latency(l.per_trial);
    if (num(l.latency_ns, "count").value_or(0) > 0) {
        l.typical_ns = num(l.latency_ns, "p50");
        l.worst_case_ns = num(l.latency_ns, "p999");
    }
    return l;
}

}  // namespace

SizeResult search_size(const Params& p, uint32_t frame_size, const TrialRunner& run,
                       const Progress& progress) {
    Params one = p;
    one.frame_sizes = {frame_size};
    if (auto errors = check_params(one); !errors.empty()) {
        std::string msg;
        for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
        throw std::invalid_argument(msg);
    }
    SizeResult out;
    out.frame_size = frame_size;
    out.line_rate_pps = line_rate_pps(p.link_bps, frame_size);
    out.resolution_pps = p.resolution.to_pps(out.line_rate_pps);
    out.min_rate_pps = p.min_rate.to_pps(out.line_rate_pps);
    out.max_rate_pps = p.max_rate.to_pps(out.line_rate_pps);
    Ctx c{p, frame_size, run, progress, out};

    out.ndr = search(c, Phase::ndr, 0, {});
    // PDR starts from what the NDR search saw, judged again: its trials are not repeated.
    std::vector<Obs> seen;
    for (const Trial& t : out.log) {
        const Verdict v =
            judge(t.spec, t.result, p.pdr_loss_ratio, p.latency_limits, p.tx_tolerance);
        seen.push_back({t.spec.rate_pps, v.pass, t.kind == Kind::verify, v.short_tx, v.loss_ratio});
    }
    out.pdr = search(c, Phase::pdr, p.pdr_loss_ratio, std::move(seen));
    out.latency = measure_latency(c, out.ndr.rate_pps);
    return out;
}

std::vector<SizeResult> search_all(const Params& p, const TrialRunner& run,
                                   const Progress& progress) {
    std::vector<SizeResult> out;
    for (uint32_t s : p.frame_sizes) out.push_back(search_size(p, s, run, progress));
    return out;
}

}  // namespace vfpath::measure::rfc2544
