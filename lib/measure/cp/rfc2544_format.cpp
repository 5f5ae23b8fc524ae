// RFC 2544 search output: the progress line per trial, the final table, the JSON report.
#include <cstdarg>
#include <cstdio>

#include "measure/cp/rfc2544.h"

namespace vfpath::measure::rfc2544 {

namespace {

std::string printf_str(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string printf_str(const char* f, ...) {
    char b[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(b, sizeof b, f, ap);
    va_end(ap);
    return b;
}

// "(50.00%)" of line rate, or "" when the line rate is unknown.
std::string percent_of(double pps, double line) {
    return line > 0 ? printf_str("%.2f%%", 100 * pps / line) : "";
}

nlohmann::json percent_json(double pps, double line) {
    return line > 0 ? nlohmann::json(100 * pps / line) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const RateSpec& r) {
    return {{"value", r.value}, {"unit", r.unit == RateUnit::percent ? "%" : "pps"}};
}

nlohmann::json to_json(const RateResult& r, double line) {
    return {{"rate_pps", r.rate_pps},     {"percent_line_rate", percent_json(r.rate_pps, line)},
            {"loss_ratio", r.loss_ratio}, {"loss_limit", r.loss_limit},
            {"iterations", r.iterations}, {"verified", r.verified},
            {"converged", r.converged},   {"limited_by_generator", r.limited_by_generator}};
}

std::string us(const std::optional<double>& ns) {
    return ns ? printf_str("%.2f", *ns / 1e3) : "-";
}

// Flags after a rate in the table: what the reader must not take at face value.
std::string flags(const RateResult& r) {
    std::string f;
    if (r.rate_pps > 0 && !r.verified) f += "v";
    if (!r.converged) f += "c";
    if (r.limited_by_generator) f += "g";
    return f;
}

}  // namespace

std::string progress_line(const Trial& t) {
    const double line = t.line_rate_pps;
    const std::string pct = percent_of(t.spec.rate_pps, line);
    // "ndr #3 search", "ndr #10 verify", "latency #1".
    std::string kind;
    if (t.kind != Kind::latency) (kind = " ") += to_string(t.kind);
    std::string s = printf_str(
        "rfc2544 %uB %s #%u%s %.0f pps%s%s%s sent %llu received %llu lost %llu ratio %.3g",
        t.spec.frame_size, std::string(to_string(t.phase)).c_str(), t.iteration, kind.c_str(),
        t.spec.rate_pps, pct.empty() ? "" : " (", pct.c_str(), pct.empty() ? "" : ")",
        static_cast<unsigned long long>(t.result.sent),
        static_cast<unsigned long long>(t.result.received),
        static_cast<unsigned long long>(t.result.lost), t.loss_ratio);
    if (t.kind == Kind::latency) {
        const auto& j = t.result.latency_ns;
        const bool have = j.is_object() && j.contains("p50") && j["p50"].is_number() &&
                          j.contains("p999") && j["p999"].is_number();
        return s + (have ? printf_str(" latency p50 %.0f ns p99.9 %.0f ns", j["p50"].get<double>(),
                                      j["p999"].get<double>())
                         : std::string(" latency: no samples"));
    }
    return s + (t.pass ? " pass" : " FAIL: " + t.reason);
}

std::string format_table(const std::vector<SizeResult>& results) {
    std::string s = printf_str("%6s %13s %13s %8s %13s %8s %10s %10s %12s %6s\n", "frame",
                               "line pps", "NDR pps", "NDR %", "PDR pps", "PDR %", "PDR loss",
                               "p50 us", "p99.9 us", "trials");
    bool any_flag = false;
    for (const SizeResult& r : results) {
        const std::string nf = flags(r.ndr), pf = flags(r.pdr);
        any_flag = any_flag || !nf.empty() || !pf.empty();
        const auto pct = [&](double pps) {
            const std::string p = percent_of(pps, r.line_rate_pps);
            return p.empty() ? std::string("-") : p.substr(0, p.size() - 1);
        };
        s += printf_str(
            "%6u %13.0f %13s %8s %13s %8s %10.3g %10s %12s %6zu\n", r.frame_size, r.line_rate_pps,
            (printf_str("%.0f", r.ndr.rate_pps) + nf).c_str(), pct(r.ndr.rate_pps).c_str(),
            (printf_str("%.0f", r.pdr.rate_pps) + pf).c_str(), pct(r.pdr.rate_pps).c_str(),
            r.pdr.loss_ratio, us(r.latency.typical_ns).c_str(), us(r.latency.worst_case_ns).c_str(),
            r.log.size());
    }
    if (any_flag)
        s += "flags: v = not verified, c = not converged (--max-iter reached), "
             "g = the generator could not offer the rate above\n";
    return s;
}

nlohmann::json to_json(const Params& p) {
    nlohmann::json limits = nlohmann::json::object();
    for (const auto& l : p.latency_limits) limits[l.key] = l.max_ns;
    return {{"frame_sizes", p.frame_sizes},
            {"link_bps", p.link_bps > 0 ? nlohmann::json(p.link_bps) : nlohmann::json(nullptr)},
            {"trial_s", p.trial_s},
            {"warmup_s", p.warmup_s},
            {"verify_trial_s", p.verify_trial_s},
            {"latency_trial_s", p.latency_trial_s},
            {"latency_trials", p.latency_trials},
            {"resolution", to_json(p.resolution)},
            {"min_rate", to_json(p.min_rate)},
            {"max_rate", to_json(p.max_rate)},
            {"max_iterations", p.max_iterations},
            {"pdr_loss_ratio", p.pdr_loss_ratio},
            {"latency_limits_ns", limits},
            {"flows", p.flows},
            {"probe_share", p.probe_share},
            {"tx_tolerance", p.tx_tolerance}};
}

nlohmann::json to_json(const Trial& t) {
    const double line = t.line_rate_pps;
    return {{"phase", to_string(t.phase)},
            {"kind", to_string(t.kind)},
            {"iteration", t.iteration},
            {"rate_pps", t.spec.rate_pps},
            {"percent_line_rate", percent_json(t.spec.rate_pps, line)},
            {"seconds", t.spec.seconds},
            {"sent", t.result.sent},
            {"received", t.result.received},
            {"lost", t.result.lost},
            {"reordered", t.result.reordered},
            {"duplicates", t.result.duplicates},
            {"tx_pps", t.result.tx_pps},
            {"rx_pps", t.result.rx_pps},
            {"refused", t.result.refused},
            {"pacer_forfeited", t.result.pacer_forfeited},
            {"loss_ratio", t.loss_ratio},
            {"verdict", t.kind == Kind::latency ? "n/a"
                        : t.pass                ? "pass"
                                                : "fail"},
            {"reason", t.reason},
            {"latency_clock", t.result.latency_clock},
            {"latency_ns", t.result.latency_ns}};
}

nlohmann::json to_json(const SizeResult& r) {
    const double line = r.line_rate_pps;
    nlohmann::json log = nlohmann::json::array();
    for (const Trial& t : r.log) log.push_back(to_json(t));
    const auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    // The latency trials' clock (one session: the same for all of them).
    std::string clock = "tsc";
    for (const Trial& t : r.log)
        if (t.kind == Kind::latency) clock = t.result.latency_clock;
    return {{"frame_size", r.frame_size},
            {"line_rate_pps", line > 0 ? nlohmann::json(line) : nlohmann::json(nullptr)},
            {"throughput_pps", r.ndr.rate_pps},
            {"throughput_percent_line_rate", percent_json(r.ndr.rate_pps, line)},
            {"loss_ratio", r.ndr.loss_ratio},
            {"trials", r.log.size()},
            {"iterations", r.ndr.iterations + r.pdr.iterations},
            {"resolution_pps", r.resolution_pps},
            {"ndr", to_json(r.ndr, line)},
            {"pdr", to_json(r.pdr, line)},
            {"latency_ns", r.latency.rate_pps > 0 ? r.latency.latency_ns : nlohmann::json(nullptr)},
            {"latency",
             {{"rate_pps", r.latency.rate_pps},
              {"latency_clock", clock},
              {"trials", r.latency.per_trial.size()},
              {"typical_ns", opt(r.latency.typical_ns)},
              {"worst_case_ns", opt(r.latency.worst_case_ns)},
              {"per_trial", r.latency.per_trial}}},
            {"trial_log", log}};
}

nlohmann::json report_json(const Params& p, const std::vector<SizeResult>& results) {
    nlohmann::json rs = nlohmann::json::array();
    for (const SizeResult& r : results) rs.push_back(to_json(r));
    return {{"bench", "rfc2544"}, {"params", to_json(p)}, {"results", rs}};
}

}  // namespace vfpath::measure::rfc2544
