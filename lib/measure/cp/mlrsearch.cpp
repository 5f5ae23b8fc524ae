// RFC 9971 MLRsearch: goals, load classification, conditional throughput, the search. See
// mlrsearch.h; the load selection is described in docs/mlrsearch.md.
#include "measure/cp/mlrsearch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "measure/cp/rates.h"

namespace vfpath::measure::mlrsearch {

namespace {

std::string fmt(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

// A finite number, optionally followed by "%" when percent_ok (then divided by 100).
std::optional<double> number(const std::string& s, bool percent_ok) {
    if (s.empty()) return std::nullopt;
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!std::isfinite(v)) return std::nullopt;
    const std::string rest = trim(std::string_view(s).substr(used));
    if (rest.empty()) return v;
    if (percent_ok && rest == "%") return v / 100;
    return std::nullopt;
}

bool valid_ratio(double v) {
    return v >= 0 && v < 1;
}
bool positive(double v) {
    return v > 0 && std::isfinite(v);
}

}  // namespace

std::vector<Goal> default_goals() {
    Goal ndr;
    ndr.name = "ndr";
    ndr.loss_ratio = 0;
    Goal pdr = ndr;
    pdr.name = "pdr";
    pdr.loss_ratio = 0.005;
    return {ndr, pdr};
}

Result<Goal> parse_goal(std::string_view text) {
    const std::string t = trim(text);
    for (const Goal& d : default_goals())
        if (t == d.name) return d;
    Goal g;
    g.name.clear();
    size_t at = 0;
    std::set<std::string> seen;
    while (at <= t.size()) {
        const size_t comma = std::min(t.find(',', at), t.size());
        const std::string item = trim(std::string_view(t).substr(at, comma - at));
        at = comma + 1;
        if (item.empty()) {
            if (comma >= t.size()) break;
            return fail("'" + t + "': empty item between commas");
        }
        const size_t eq = item.find('=');
        if (eq == std::string::npos)
            return fail("'" + item + "' is not key=value (keys: name, loss, exceed, initial, " +
                        "final, sum, width; or just ndr / pdr)");
        const std::string key = trim(std::string_view(item).substr(0, eq));
        const std::string value = trim(std::string_view(item).substr(eq + 1));
        if (!seen.insert(key).second) return fail("'" + key + "' is given twice");
        if (key == "name") {
            if (value.empty()) return fail("name= is empty");
            g.name = value;
            continue;
        }
        double* into = key == "loss"      ? &g.loss_ratio
                       : key == "exceed"  ? &g.exceed_ratio
                       : key == "initial" ? &g.initial_trial_s
                       : key == "final"   ? &g.final_trial_s
                       : key == "sum"     ? &g.duration_sum_s
                       : key == "width"   ? &g.width
                                          : nullptr;
        if (!into)
            return fail("unknown key '" + key +
                        "' (keys: name, loss, exceed, initial, final, sum, width)");
        const bool pct = key == "loss" || key == "width" || key == "exceed";
        const auto v = number(value, pct);
        if (!v) return fail(key + "='" + value + "' is not a number");
        *into = *v;
    }
    if (g.name.empty()) return fail("'" + t + "' has no name= (every goal needs one)");
    // A final duration given alone: the initial one follows it (it may not be longer).
    if (seen.count("final") && !seen.count("initial"))
        g.initial_trial_s = std::min(g.initial_trial_s, g.final_trial_s);
    return g;
}

Compliance rfc2544_compliance(const Goal& g) {
    if (g.loss_ratio != 0 || g.exceed_ratio != 0) return Compliance::none;
    return g.final_trial_s >= 60 ? Compliance::unconditional : Compliance::conditional;
}

std::string_view to_string(Compliance c) {
    constexpr std::string_view names[] = {"no", "conditional", "unconditional"};
    return names[static_cast<size_t>(c)];
}

std::string compliance_reason(const Goal& g) {
    switch (rfc2544_compliance(g)) {
        case Compliance::unconditional:
            return "loss ratio 0, exceed ratio 0 and final trials of at least 60 s (RFC 9971 "
                   "section 4.10.2)";
        case Compliance::conditional:
            return "loss ratio 0 and exceed ratio 0, but final trials shorter than the 60 s of "
                   "RFC 2544 section 24";
        case Compliance::none:
            break;
    }
    std::string why;
    if (g.loss_ratio != 0) why = "loss ratio " + fmt("%g", g.loss_ratio) + " is not 0";
    if (g.exceed_ratio != 0)
        why += (why.empty() ? "" : " and ") + ("exceed ratio " + fmt("%g", g.exceed_ratio)) +
               " is not 0";
    return why + " (RFC 2544 throughput needs both 0)";
}

std::vector<std::string> check_params(const Params& p, bool link_pending) {
    std::vector<std::string> e;
    if (p.frame_sizes.empty()) e.push_back("--sizes: no frame size given");
    for (uint32_t s : p.frame_sizes)
        if (s < rfc2544::k_min_frame || s > rfc2544::k_max_frame)
            e.push_back("--sizes: frame size " + std::to_string(s) + " is outside " +
                        std::to_string(rfc2544::k_min_frame) + ".." +
                        std::to_string(rfc2544::k_max_frame) + " bytes (FCS included)");
    if (p.goals.empty()) e.push_back("--goal: no search goal given");
    std::set<std::string> names;
    for (const Goal& g : p.goals) {
        const std::string at = "goal '" + g.name + "': ";
        if (g.name.empty()) e.push_back("goal with an empty name");
        if (!names.insert(g.name).second) e.push_back(at + "the name is used twice");
        if (!valid_ratio(g.loss_ratio))
            e.push_back(at + "loss ratio must be in [0, 1), got " + fmt("%g", g.loss_ratio));
        if (!valid_ratio(g.exceed_ratio))
            e.push_back(at + "exceed ratio must be in [0, 1), got " + fmt("%g", g.exceed_ratio));
        if (!positive(g.final_trial_s))
            e.push_back(at + "final trial duration must be > 0 s, got " +
                        fmt("%g", g.final_trial_s));
        if (!positive(g.initial_trial_s))
            e.push_back(at + "initial trial duration must be > 0 s, got " +
                        fmt("%g", g.initial_trial_s));
        else if (g.initial_trial_s > g.final_trial_s)
            e.push_back(at + "initial trial duration " + fmt("%g", g.initial_trial_s) +
                        " s is longer than the final one (" + fmt("%g", g.final_trial_s) + " s)");
        if (!positive(g.duration_sum_s))
            e.push_back(at + "duration sum must be > 0 s, got " + fmt("%g", g.duration_sum_s));
        if (!(g.width > 0 && g.width < 1))
            e.push_back(at + "width must be in (0, 1) (relative), got " + fmt("%g", g.width));
    }
    if (!(p.warmup_s >= 0) || !std::isfinite(p.warmup_s))
        e.push_back("--warmup must be >= 0 seconds, got " + fmt("%g", p.warmup_s));
    if (!(p.min_rate.value >= 0)) e.push_back("--min-rate must be >= 0, got " + p.min_rate.str());
    if (!(p.max_rate.value > 0)) e.push_back("--max-rate must be > 0, got " + p.max_rate.str());
    if (p.flows == 0) e.push_back("--flows must be at least 1");
    if (!(p.probe_share >= 0 && p.probe_share <= 1))
        e.push_back("--probe-share must be in [0, 1], got " + fmt("%g", p.probe_share));
    if (!(p.tx_tolerance >= 0 && p.tx_tolerance < 1))
        e.push_back("--tx-tolerance must be in [0, 1), got " + fmt("%g", p.tx_tolerance));
    if (p.tx_ports == 0) e.push_back("at least one tx port is needed");
    if (p.max_trials == 0) e.push_back("--max-trials must be at least 1");
    if (!(p.link_bps >= 0) || !std::isfinite(p.link_bps))
        e.push_back("link speed must be > 0 bit/s, got " + fmt("%g", p.link_bps));
    if (!e.empty() || (link_pending && p.link_bps == 0)) return e;

    const bool uses_percent =
        p.min_rate.unit == RateUnit::percent || p.max_rate.unit == RateUnit::percent;
    if (uses_percent && p.link_bps == 0) {
        e.push_back(
            "the link speed is unknown, so rates in % of line rate cannot be used "
            "(--max-rate defaults to 100%): give --link-speed, or every rate in pps");
        return e;
    }
    for (uint32_t s : p.frame_sizes) {
        const double line = line_rate_pps(p.link_bps, s);
        const double hi = p.max_rate.to_pps(line);
        const double lo = p.min_rate.value > 0 ? p.min_rate.to_pps(line) : hi / 1000;
        const std::string at = " for " + std::to_string(s) + "-byte frames";
        if (hi < 1) e.push_back("--max-rate " + p.max_rate.str() + " is below 1 pps" + at);
        if (lo >= hi)
            e.push_back("--min-rate " + p.min_rate.str() + " (" + fmt("%.0f", lo) +
                        " pps) is not below --max-rate " + p.max_rate.str() + " (" +
                        fmt("%.0f", hi) + " pps)" + at);
        if (line > 0 && hi > line * (1 + 1e-9))
            e.push_back("--max-rate " + p.max_rate.str() + " (" + fmt("%.0f", hi) +
                        " pps) is above the line rate (" + fmt("%.0f", line) + " pps)" + at);
    }
    return e;
}

std::string_view to_string(Bound b) {
    constexpr std::string_view names[] = {"undecided", "lower_bound", "upper_bound"};
    return names[static_cast<size_t>(b)];
}

LoadStats load_stats(const std::vector<TrialOutcome>& trials, const Goal& g) {
    LoadStats s;
    for (const TrialOutcome& t : trials) {
        const bool high = t.loss_ratio > g.loss_ratio;
        const bool full = t.duration_s >= g.final_trial_s;
        (full ? (high ? s.full_length_high_loss_s : s.full_length_low_loss_s)
              : (high ? s.short_high_loss_s : s.short_low_loss_s)) += t.effective_duration_s;
    }
    // Appendix A of RFC 9971, step by step (section 6.1's names).
    const double exceed_coefficient = g.exceed_ratio / (1.0 - g.exceed_ratio);
    const double balancing_s = s.short_low_loss_s * exceed_coefficient;
    const double positive_excess_s = std::max(0.0, s.short_high_loss_s - balancing_s);
    s.effective_high_loss_s = s.full_length_high_loss_s + positive_excess_s;
    s.effective_full_length_s = s.full_length_low_loss_s + s.effective_high_loss_s;
    s.effective_whole_s = std::max(s.effective_full_length_s, g.duration_sum_s);
    s.missing_s = s.effective_whole_s - s.effective_full_length_s;
    const double quantile_duration_s = s.effective_whole_s * g.exceed_ratio;
    const double pessimistic_high_loss_s = s.effective_whole_s - s.full_length_low_loss_s;
    s.optimistic_exceed_ratio = s.effective_high_loss_s / s.effective_whole_s;
    s.pessimistic_exceed_ratio = pessimistic_high_loss_s / s.effective_whole_s;
    const bool pessimistic_is_lower = pessimistic_high_loss_s <= quantile_duration_s;
    const bool optimistic_is_lower = s.effective_high_loss_s <= quantile_duration_s;
    s.bound = pessimistic_is_lower   ? Bound::lower
              : !optimistic_is_lower ? Bound::upper
                                     : Bound::undecided;
    return s;
}

double conditional_throughput(double load_pps, const std::vector<TrialOutcome>& trials,
                              const Goal& g) {
    // Appendix B of RFC 9971.
    std::vector<TrialOutcome> full;
    double full_length_s = 0;
    for (const TrialOutcome& t : trials)
        if (t.duration_s >= g.final_trial_s) {
            full.push_back(t);
            full_length_s += t.effective_duration_s;
        }
    std::stable_sort(full.begin(), full.end(), [](const TrialOutcome& a, const TrialOutcome& b) {
        return a.loss_ratio < b.loss_ratio;
    });
    const double whole_s = std::max(g.duration_sum_s, full_length_s);
    double remaining = whole_s * (1.0 - g.exceed_ratio);
    std::optional<double> quantile_loss_ratio;
    bool broke = false;
    for (const TrialOutcome& t : full) {
        if (!quantile_loss_ratio || remaining > 0.0) {
            quantile_loss_ratio = t.loss_ratio;
            remaining -= t.effective_duration_s;
        } else {
            broke = true;
            break;
        }
    }
    if (!broke && remaining > 0.0) quantile_loss_ratio = 1.0;
    return load_pps * (1.0 - quantile_loss_ratio.value_or(1.0));
}

namespace {

// --- The search. Each goal is reached through stages: preceding stages decide each load with
// one trial (duration sum = trial duration) at a wider width, the final stage is the goal itself.
struct Stage {
    Goal g;  // the goal with this stage's final trial duration, duration sum and width
    bool final = false;
};

std::vector<Stage> stages_of(const Goal& goal) {
    std::vector<Stage> out;
    const double ratio = goal.final_trial_s / goal.initial_trial_s;
    const int pre = ratio > 1 ? std::max(1, static_cast<int>(std::ceil(std::log2(ratio) / 2))) : 1;
    for (int k = 0; k < pre; ++k) {
        Stage s{goal, false};
        s.g.final_trial_s = goal.initial_trial_s * std::pow(ratio, double(k) / pre);
        s.g.duration_sum_s = s.g.final_trial_s;
        s.g.width = std::min(0.5, goal.width * std::pow(2.0, pre - k));
        out.push_back(s);
    }
    out.push_back({goal, true});
    return out;
}

bool width_ok(double lower, double upper, double width) {
    return upper - lower <= width * upper * (1 + 1e-12) || upper - lower <= 1;
}

// Every valid (not generator-short) trial, by load.
using Db = std::map<double, std::vector<TrialOutcome>>;

struct Bounds {
    std::optional<double> lower, upper;
    std::vector<double> lowers, uppers;  // every load of each class, ascending
    std::vector<double> undecided;       // measured, ascending
};

Bounds bounds_of(const Db& db, const Goal& g) {
    Bounds b;
    for (const auto& [load, trials] : db) {
        switch (load_stats(trials, g).bound) {
            case Bound::lower:
                b.lowers.push_back(load);
                break;
            case Bound::upper:
                b.uppers.push_back(load);
                break;
            case Bound::undecided:
                b.undecided.push_back(load);
                break;
        }
    }
    if (!b.uppers.empty()) b.upper = b.uppers.front();
    for (double l : b.lowers)
        if (!b.upper || l < *b.upper) b.lower = l;
    return b;
}

struct Limits {
    double min_load = 0, max_load = 0;  // as configured (integer pps)
    double max_eff = 0;                 // max_load, or below what the generator could not offer
    double generator_limit = 0;         // lowest load the generator failed; 0: none
};

// Whether a stage has its answer; if not, the next load for it.
struct Need {
    bool done = false;
    double load = 0;
};

Need next_for(const Db& db, const Stage& st, const Stage* prev, const Limits& lim) {
    const Goal& g = st.g;
    const Bounds b = bounds_of(db, g);
    const auto& L = b.lower;
    const auto& U = b.upper;
    if (L && U && width_ok(*L, *U, g.width)) return {true};
    if (!L && U && *U <= lim.min_load) return {true};  // Min Load is an Upper Bound
    if (L && *L >= lim.max_eff) return {true};         // Max Load (or the generator's) reached
    const double step = 1 - g.width;
    auto in_range = [&](double x) { return x >= lim.min_load && x <= lim.max_eff; };
    double cand = 0;
    if (!L && !U) {
        std::optional<double> hint;
        if (prev) {
            const Bounds pb = bounds_of(db, prev->g);
            if (pb.lower && in_range(*pb.lower))
                hint = pb.lower;
            else if (pb.upper && in_range(*pb.upper))
                hint = pb.upper;
        }
        cand = hint.value_or(lim.max_eff);
    } else if (U && !L) {
        // Downwards: steps growing as powers of two of (1 - width), the first from a single upper
        // bound going straight to the forwarding rate seen there (RFC 9971 section 1.1: FRMOL)
        // when that is lower; a measured undecided load close below is finished first.
        const auto k = static_cast<double>(b.uppers.size());
        cand = *U * std::pow(step, std::pow(2.0, k - 1));
        if (k == 1) {
            double fwd = *U;
            for (const TrialOutcome& t : db.at(*U)) fwd = std::min(fwd, *U * (1 - t.loss_ratio));
            cand = std::min(cand, std::floor(fwd));
        }
        // A measured, undecided load within the next step down: finish it instead.
        std::optional<double> near;
        for (double d : b.undecided)
            if (d < *U && in_range(d) && d >= *U * std::pow(step, std::pow(2.0, k))) near = d;
        if (near) cand = *near;
        cand = std::min(std::max(cand, lim.min_load), *U - 1);
    } else if (L && !U) {
        const auto k = static_cast<double>(b.lowers.size());
        cand = *L / std::pow(step, std::pow(2.0, k - 1));
        // A measured, undecided load within the next step up: finish it instead.
        for (double u : b.undecided)
            if (u > *L && in_range(u) && u <= *L / std::pow(step, std::pow(2.0, k))) {
                cand = u;
                break;
            }
        cand = std::max(std::min(cand, lim.max_eff), *L + 1);
    } else {
        cand = std::sqrt(*L * *U);  // both outcomes leave the same relative width
        for (double u : b.undecided)
            if (u > *L && u < *U && in_range(u)) {
                cand = u;
                break;
            }
        cand = std::min(cand, lim.max_eff);
        cand = std::min(std::max(cand, *L + 1), *U - 1);
    }
    return {false, std::round(cand)};
}

// A trial's outcome for the database (only when the generator offered the load).
TrialOutcome outcome(const Trial& t) {
    return {t.spec.seconds, t.spec.seconds, t.loss_ratio};
}

GoalResult goal_result(const Db& db, const Goal& g, const Limits& lim, bool trial_limit) {
    GoalResult r;
    r.goal = g;
    const Bounds b = bounds_of(db, g);
    r.relevant_lower_pps = b.lower;
    r.relevant_upper_pps = b.upper;
    r.generator_limit_pps = lim.generator_limit;
    if (b.lower) {
        const auto& trials = db.at(*b.lower);
        r.lower_stats = load_stats(trials, g);
        r.trials_at_lower = static_cast<unsigned>(trials.size());
        r.conditional_throughput_pps = conditional_throughput(*b.lower, trials, g);
    }
    if (b.upper) {
        const auto& trials = db.at(*b.upper);
        r.upper_stats = load_stats(trials, g);
        r.trials_at_upper = static_cast<unsigned>(trials.size());
        for (double l : b.lowers)
            if (l > *b.upper) r.inverted_lower_bounds_pps.push_back(l);
    }
    r.regular = b.lower && b.upper && width_ok(*b.lower, *b.upper, g.width);
    if (r.regular) return r;
    const auto pps = [](double v) { return fmt("%.0f", v) + " pps"; };
    if (b.lower && !b.upper) {
        r.irregular = lim.generator_limit > 0 && *b.lower >= lim.max_eff
                          ? "no upper bound: the generator could not offer " +
                                pps(lim.generator_limit) + ", and " + pps(*b.lower) +
                                " below it is a lower bound"
                          : "no upper bound: Max Load " + pps(*b.lower) + " is a lower bound";
    } else if (!b.lower && b.upper && *b.upper <= lim.min_load) {
        r.irregular = "no lower bound: Min Load " + pps(*b.upper) + " is an upper bound";
    } else if (b.lower && b.upper && lim.generator_limit > 0 && *b.lower >= lim.max_eff) {
        r.irregular = "width not reached: the generator could not offer " +
                      pps(lim.generator_limit) + ", between the bounds";
    } else if (lim.max_eff < lim.min_load) {
        r.irregular = "the generator could not offer Min Load " + pps(lim.min_load);
    } else {
        r.irregular = trial_limit ? "search stopped at --max-trials" : "search incomplete";
    }
    return r;
}

// How many times a load the generator fell short of is tried before it counts as out of reach.
constexpr unsigned k_generator_attempts = 3;

}  // namespace

SizeResult search_size(const Params& p, uint32_t frame_size, const TrialRunner& run,
                       const Progress& progress, const Clock& clock) {
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
    Limits lim;
    lim.max_load = std::max(1.0, std::floor(p.max_rate.to_pps(out.line_rate_pps)));
    lim.min_load =
        std::max(1.0, std::ceil(p.min_rate.value > 0 ? p.min_rate.to_pps(out.line_rate_pps)
                                                     : lim.max_load / 1000));
    lim.min_load = std::min(lim.min_load, lim.max_load);
    lim.max_eff = lim.max_load;
    out.min_load_pps = lim.min_load;
    out.max_load_pps = lim.max_load;
    const double start = clock ? clock() : 0;
    double narrowest_width = 1;
    for (const Goal& g : p.goals) narrowest_width = std::min(narrowest_width, g.width);

    std::vector<std::vector<Stage>> stages;
    for (const Goal& g : p.goals) stages.push_back(stages_of(g));
    std::vector<size_t> reached(stages.size(), 0);
    Db db;
    std::map<double, unsigned> short_count;
    std::map<double, double> best_offered;

    for (;;) {
        // Each goal's first stage without its answer, and the load it needs.
        std::optional<std::pair<double, double>> pick;  // (trial duration, load)
        size_t pick_goal = 0, pick_stage = 0;
        if (lim.max_eff >= lim.min_load) {
            for (size_t gi = 0; gi < stages.size(); ++gi) {
                // A goal whose final stage has its answer (other goals' trials may give it) needs
                // nothing, whatever its preceding stages say.
                const size_t last = stages[gi].size() - 1;
                if (next_for(db, stages[gi][last], last ? &stages[gi][last - 1] : nullptr, lim)
                        .done)
                    continue;
                // A stage once done stays behind: later trials may move its bounds, but the
                // goal does not go back to shorter trials.
                for (size_t si = reached[gi]; si < stages[gi].size(); ++si) {
                    const Stage* prev = si ? &stages[gi][si - 1] : nullptr;
                    const Need n = next_for(db, stages[gi][si], prev, lim);
                    if (n.done) {
                        reached[gi] = std::min(si + 1, stages[gi].size() - 1);
                        if (stages[gi][si].final) break;
                        continue;
                    }
                    const std::pair<double, double> c{stages[gi][si].g.final_trial_s, n.load};
                    if (!pick || c < *pick) {
                        pick = c;
                        pick_goal = gi;
                        pick_stage = si;
                    }
                    break;
                }
            }
        }
        if (!pick) break;
        if (out.trials.size() >= p.max_trials) {
            out.trial_limit_hit = true;
            break;
        }
        Trial t;
        t.index = static_cast<unsigned>(out.trials.size() + 1);
        t.goal = p.goals[pick_goal].name;
        t.stage = static_cast<unsigned>(pick_stage);
        t.final_stage = stages[pick_goal][pick_stage].final;
        t.line_rate_pps = out.line_rate_pps;
        t.spec =
            TrialSpec{pick->second, frame_size, pick->first, p.warmup_s, p.flows, p.probe_share};
        t.result = run(t.spec);
        const double load = t.spec.rate_pps;
        t.intended_frames = static_cast<uint64_t>(std::llround(load * t.spec.seconds * p.tx_ports));
        t.shortfall_frames =
            t.result.sent < t.intended_frames ? t.intended_frames - t.result.sent : 0;
        t.offered_pps = static_cast<double>(t.result.sent) / (t.spec.seconds * p.tx_ports);
        t.generator_short = t.result.sent == 0 || t.offered_pps < load * (1 - p.tx_tolerance);
        t.loss_ratio = t.result.sent
                           ? static_cast<double>(t.result.lost) / static_cast<double>(t.result.sent)
                           : 0;
        t.forwarding_rate_pps = load * (1 - t.loss_ratio);
        out.trial_time_s += t.spec.seconds + t.spec.warmup_s;
        if (t.generator_short) {
            best_offered[load] = std::max(best_offered[load], t.offered_pps);
            if (++short_count[load] >= k_generator_attempts) {
                lim.generator_limit =
                    lim.generator_limit > 0 ? std::min(lim.generator_limit, load) : load;
                const double below =
                    std::floor(std::min(load * (1 - narrowest_width), best_offered[load]));
                lim.max_eff = std::min(lim.max_eff, below);
            }
        } else {
            db[load].push_back(outcome(t));
        }
        const auto at = db.find(load);
        for (const Goal& g : p.goals)
            t.classes.push_back(at == db.end() ? Bound::undecided
                                               : load_stats(at->second, g).bound);
        if (clock) t.end_s = clock() - start;
        out.trials.push_back(std::move(t));
        if (progress) progress(out.trials.back(), out);
    }
    for (const Goal& g : p.goals) out.goals.push_back(goal_result(db, g, lim, out.trial_limit_hit));
    out.search_s = clock ? clock() - start : out.trial_time_s;
    return out;
}

}  // namespace vfpath::measure::mlrsearch
