// MLRsearch output: the progress line per trial, the final table, the JSON report (RFC 9971 terms).
#include <cstdarg>
#include <cstdio>

#include "measure/cp/mlrsearch.h"

namespace vfpath::measure::mlrsearch {

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

nlohmann::json opt(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json percent_json(const std::optional<double>& pps, double line) {
    return pps && line > 0 ? nlohmann::json(100 * *pps / line) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const LoadStats& s) {
    return {{"full_length_low_loss_sum_s", s.full_length_low_loss_s},
            {"full_length_high_loss_sum_s", s.full_length_high_loss_s},
            {"short_low_loss_sum_s", s.short_low_loss_s},
            {"short_high_loss_sum_s", s.short_high_loss_s},
            {"effective_high_loss_sum_s", s.effective_high_loss_s},
            {"effective_full_sum_s", s.effective_full_length_s},
            {"effective_whole_sum_s", s.effective_whole_s},
            {"missing_sum_s", s.missing_s},
            {"optimistic_exceed_ratio", s.optimistic_exceed_ratio},
            {"pessimistic_exceed_ratio", s.pessimistic_exceed_ratio},
            {"classification", to_string(s.bound)}};
}

nlohmann::json to_json(const GoalResult& r, double line) {
    nlohmann::json j = {
        {"search_goal", r.goal.name},
        {"regular", r.regular},
        {"irregular_reason", r.regular ? nlohmann::json(nullptr) : nlohmann::json(r.irregular)},
        {"relevant_lower_bound_pps", opt(r.relevant_lower_pps)},
        {"relevant_upper_bound_pps", opt(r.relevant_upper_pps)},
        {"conditional_throughput_pps", opt(r.conditional_throughput_pps)},
        {"relevant_lower_bound_percent_line_rate", percent_json(r.relevant_lower_pps, line)},
        {"relevant_upper_bound_percent_line_rate", percent_json(r.relevant_upper_pps, line)},
        {"conditional_throughput_percent_line_rate",
         percent_json(r.conditional_throughput_pps, line)},
        {"trials_at_relevant_lower_bound", r.trials_at_lower},
        {"trials_at_relevant_upper_bound", r.trials_at_upper},
        {"loss_inversion_lower_bounds_pps", r.inverted_lower_bounds_pps},
        {"generator_limit_pps", r.generator_limit_pps > 0 ? nlohmann::json(r.generator_limit_pps)
                                                          : nlohmann::json(nullptr)},
        {"rfc2544_compliance", to_string(rfc2544_compliance(r.goal))}};
    j["load_stats_at_relevant_lower_bound"] =
        r.relevant_lower_pps ? to_json(r.lower_stats) : nlohmann::json(nullptr);
    j["load_stats_at_relevant_upper_bound"] =
        r.relevant_upper_pps ? to_json(r.upper_stats) : nlohmann::json(nullptr);
    return j;
}

// Flags after a result in the table: what the reader must not take at face value.
std::string flags(const GoalResult& r) {
    std::string f;
    if (!r.regular) f += "i";
    if (!r.inverted_lower_bounds_pps.empty()) f += "x";
    if (r.generator_limit_pps > 0) f += "g";
    return f;
}

std::string pps_or_dash(const std::optional<double>& v) {
    return v ? printf_str("%.0f", *v) : "-";
}

}  // namespace

std::string progress_line(const Trial& t, const std::vector<Goal>& goals) {
    std::string pct;
    if (t.line_rate_pps > 0) pct = printf_str(" (%.2f%%)", 100 * t.spec.rate_pps / t.line_rate_pps);
    std::string s = printf_str(
        "mlrsearch %uB #%u %s %s %.0f pps%s %g s: sent %llu received %llu lost %llu loss ratio "
        "%.3g",
        t.spec.frame_size, t.index, t.goal.c_str(),
        t.final_stage ? "final" : printf_str("stage %u", t.stage + 1).c_str(), t.spec.rate_pps,
        pct.c_str(), t.spec.seconds, static_cast<unsigned long long>(t.result.sent),
        static_cast<unsigned long long>(t.result.received),
        static_cast<unsigned long long>(t.result.lost), t.loss_ratio);
    if (t.shortfall_frames > 0)
        s += printf_str(" generator shortfall %llu",
                        static_cast<unsigned long long>(t.shortfall_frames));
    if (t.generator_short) {
        s += printf_str(
            " -> GENERATOR SHORT: offered %.0f pps, %.2f%% of the load (%llu refused by a full "
            "tx ring, %llu frames of credit forfeited while the lcore lagged); not classified",
            t.offered_pps, 100 * t.offered_pps / t.spec.rate_pps,
            static_cast<unsigned long long>(t.result.refused),
            static_cast<unsigned long long>(t.result.pacer_forfeited));
        return s;
    }
    s += " ->";
    for (size_t i = 0; i < goals.size() && i < t.classes.size(); ++i)
        s += printf_str("%s %s %s", i ? "," : "", goals[i].name.c_str(),
                        std::string(to_string(t.classes[i])).c_str());
    return s;
}

std::string format_table(const std::vector<SizeResult>& results) {
    std::string s = printf_str("%6s %-8s %9s %7s %13s %13s %15s %8s %11s %7s %9s\n", "frame",
                               "goal", "loss", "exceed", "lower pps", "upper pps", "cond. thr. pps",
                               "cond. %", "lower trials", "trials", "time s");
    bool any_flag = false;
    for (const SizeResult& r : results) {
        for (const GoalResult& g : r.goals) {
            const std::string f = flags(g);
            any_flag = any_flag || !f.empty();
            const std::string pct =
                g.conditional_throughput_pps && r.line_rate_pps > 0
                    ? printf_str("%.2f", 100 * *g.conditional_throughput_pps / r.line_rate_pps)
                    : "-";
            s += printf_str("%6u %-8s %9.3g %7.3g %13s %13s %15s %8s %11u %7zu %9.1f\n",
                            r.frame_size, g.goal.name.c_str(), g.goal.loss_ratio,
                            g.goal.exceed_ratio, pps_or_dash(g.relevant_lower_pps).c_str(),
                            pps_or_dash(g.relevant_upper_pps).c_str(),
                            (pps_or_dash(g.conditional_throughput_pps) + f).c_str(), pct.c_str(),
                            g.trials_at_lower, r.trials.size(), r.search_s);
        }
    }
    if (any_flag)
        s += "flags: i = irregular result (see the report's irregular_reason), x = loss inversion "
             "(a lower bound above the upper bound, not used), g = the generator could not offer "
             "a load\n";
    return s;
}

nlohmann::json to_json(const Goal& g) {
    return {{"name", g.name},
            {"goal_loss_ratio", g.loss_ratio},
            {"goal_exceed_ratio", g.exceed_ratio},
            {"goal_initial_trial_duration_s", g.initial_trial_s},
            {"goal_final_trial_duration_s", g.final_trial_s},
            {"goal_duration_sum_s", g.duration_sum_s},
            {"goal_width", g.width},
            {"goal_width_unit", "relative: (upper - lower) / upper"},
            {"rfc2544_compliance", to_string(rfc2544_compliance(g))},
            {"rfc2544_compliance_reason", compliance_reason(g)}};
}

nlohmann::json to_json(const Params& p) {
    nlohmann::json goals = nlohmann::json::array();
    for (const Goal& g : p.goals) goals.push_back(to_json(g));
    const auto rate = [](const RateSpec& r) {
        return nlohmann::json{{"value", r.value},
                              {"unit", r.unit == RateUnit::percent ? "%" : "pps"}};
    };
    return {{"frame_sizes", p.frame_sizes},
            {"link_bps", p.link_bps > 0 ? nlohmann::json(p.link_bps) : nlohmann::json(nullptr)},
            {"search_goals", goals},
            {"min_load", rate(p.min_rate)},
            {"max_load", rate(p.max_rate)},
            {"warmup_s", p.warmup_s},
            {"flows", p.flows},
            {"probe_share", p.probe_share},
            {"tx_tolerance", p.tx_tolerance},
            {"tx_ports", p.tx_ports},
            {"max_trials", p.max_trials},
            {"trial_load_unit", "frames/s per tx port (intended load)"},
            {"trial_effective_duration", "equal to the trial duration"}};
}

nlohmann::json to_json(const Trial& t, const std::vector<Goal>& goals) {
    nlohmann::json classes = nlohmann::json::object();
    for (size_t i = 0; i < goals.size() && i < t.classes.size(); ++i)
        classes[goals[i].name] = t.generator_short ? "not_classified" : to_string(t.classes[i]);
    const double line = t.line_rate_pps;
    return {{"index", t.index},
            {"selected_for_goal", t.goal},
            {"stage",
             t.final_stage ? std::string("final") : "preceding " + std::to_string(t.stage + 1)},
            {"trial_load_pps", t.spec.rate_pps},
            {"trial_load_percent_line_rate",
             line > 0 ? nlohmann::json(100 * t.spec.rate_pps / line) : nlohmann::json(nullptr)},
            {"trial_duration_s", t.spec.seconds},
            {"trial_effective_duration_s", t.spec.seconds},
            {"warmup_s", t.spec.warmup_s},
            {"trial_loss_ratio", t.loss_ratio},
            {"trial_forwarding_ratio", 1 - t.loss_ratio},
            {"trial_forwarding_rate_pps", t.forwarding_rate_pps},
            {"intended_frames", t.intended_frames},
            {"sent", t.result.sent},
            {"received", t.result.received},
            {"lost", t.result.lost},
            {"generator_shortfall_frames", t.shortfall_frames},
            {"offered_load_pps", t.offered_pps},
            {"generator_short", t.generator_short},
            {"refused", t.result.refused},
            {"pacer_forfeited", t.result.pacer_forfeited},
            {"reordered", t.result.reordered},
            {"duplicates", t.result.duplicates},
            {"tx_pps", t.result.tx_pps},
            {"rx_pps", t.result.rx_pps},
            {"end_s", t.end_s},
            {"load_classification", classes},
            {"latency_clock", t.result.latency_clock},
            {"latency_ns", t.result.latency_ns}};
}

nlohmann::json to_json(const SizeResult& r) {
    std::vector<Goal> goals;
    nlohmann::json gr = nlohmann::json::array();
    for (const GoalResult& g : r.goals) {
        goals.push_back(g.goal);
        gr.push_back(to_json(g, r.line_rate_pps));
    }
    nlohmann::json trials = nlohmann::json::array();
    uint64_t shortfall = 0, lost = 0, sent = 0;
    for (const Trial& t : r.trials) {
        trials.push_back(to_json(t, goals));
        shortfall += t.shortfall_frames;
        lost += t.result.lost;
        sent += t.result.sent;
    }
    return {{"frame_size", r.frame_size},
            {"line_rate_pps",
             r.line_rate_pps > 0 ? nlohmann::json(r.line_rate_pps) : nlohmann::json(nullptr)},
            {"min_load_pps", r.min_load_pps},
            {"max_load_pps", r.max_load_pps},
            {"goal_results", gr},
            {"trial_count", r.trials.size()},
            {"search_duration_s", r.search_s},
            {"trial_time_s", r.trial_time_s},
            {"trial_limit_reached", r.trial_limit_hit},
            {"frames", {{"sent", sent}, {"lost", lost}, {"generator_shortfall", shortfall}}},
            {"trials", trials}};
}

nlohmann::json report_json(const Params& p, const std::vector<SizeResult>& results) {
    nlohmann::json rs = nlohmann::json::array();
    for (const SizeResult& r : results) rs.push_back(to_json(r));
    return {{"bench", "mlrsearch"},
            {"method", "RFC 9971 Multiple Loss Ratio Search"},
            {"params", to_json(p)},
            {"results", rs}};
}

}  // namespace vfpath::measure::mlrsearch
