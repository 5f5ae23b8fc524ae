// `vfpath bench mlrsearch`: options and goals -> search parameters -> backend -> MLRsearch per
// frame size -> table and JSON report. Main thread.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <ostream>
#include <set>

#include "control/api.h"
#include "control/bench.h"
#include "control/cp/gen_runner.h"
#include "control/cp/load.h"
#include "gen/api.h"
#include "measure/cp/mlrsearch.h"
#include "report/api.h"

namespace vfpath::control {

namespace {

namespace mlr = measure::mlrsearch;
namespace r2544 = measure::rfc2544;

// The goals of a --goals file: {goals: [{name, loss_ratio, exceed_ratio, initial_trial_s,
// final_trial_s, duration_sum_s, width}]}. Every problem goes to errors as "FILE:LINE: ...".
std::vector<mlr::Goal> read_goals_file(const std::string& path, std::vector<std::string>& errors) {
    std::vector<mlr::Goal> goals;
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        errors.push_back("--goals " + path + ": cannot read the file");
        return goals;
    } catch (const YAML::Exception& e) {
        errors.push_back("--goals " + path + ":" + std::to_string(e.mark.line + 1) +
                         ": not YAML: " + e.msg);
        return goals;
    }
    const auto at = [&](const YAML::Node& n) {
        return "--goals " + path + ":" + std::to_string(n.Mark().line + 1) + ": ";
    };
    const YAML::Node list = root.IsMap() ? root["goals"] : YAML::Node();
    if (!list || !list.IsSequence() || list.size() == 0) {
        errors.push_back("--goals " + path +
                         ": expected a map with \"goals:\", a list of {name, loss_ratio, "
                         "exceed_ratio, initial_trial_s, final_trial_s, duration_sum_s, width}");
        return goals;
    }
    for (size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const std::string where = "goals[" + std::to_string(i) + "]";
        if (!item.IsMap()) {
            errors.push_back(at(item) + where + ": expected a map");
            continue;
        }
        mlr::Goal g;
        g.name.clear();
        bool initial_given = false;
        for (const auto& kv : item) {
            const std::string key = kv.first.as<std::string>();
            const YAML::Node& v = kv.second;
            if (key == "name") {
                g.name = v.IsScalar() ? v.as<std::string>() : "";
                continue;
            }
            double* into = key == "loss_ratio"        ? &g.loss_ratio
                           : key == "exceed_ratio"    ? &g.exceed_ratio
                           : key == "initial_trial_s" ? &g.initial_trial_s
                           : key == "final_trial_s"   ? &g.final_trial_s
                           : key == "duration_sum_s"  ? &g.duration_sum_s
                           : key == "width"           ? &g.width
                                                      : nullptr;
            if (!into) {
                errors.push_back(at(kv.first) + where + ": unknown key '" + key +
                                 "' (name, loss_ratio, exceed_ratio, initial_trial_s, "
                                 "final_trial_s, duration_sum_s, width)");
                continue;
            }
            try {
                *into = v.as<double>();
            } catch (const YAML::Exception&) {
                errors.push_back(at(v) + where + "." + key + ": expected a number");
            }
            initial_given = initial_given || key == "initial_trial_s";
        }
        if (g.name.empty()) errors.push_back(at(item) + where + ": no name");
        if (!initial_given) g.initial_trial_s = std::min(g.initial_trial_s, g.final_trial_s);
        goals.push_back(g);
    }
    return goals;
}

mlr::Params to_params(const MlrOptions& o, std::vector<std::string>& errors) {
    mlr::Params p;
    p.frame_sizes = o.sizes;
    p.warmup_s = o.warmup_s;
    p.flows = o.flows;
    p.probe_share = o.probe_share;
    p.tx_tolerance = o.tx_tolerance;
    p.max_trials = o.max_trials;
    std::vector<mlr::Goal> goals;
    if (o.goals_file) goals = read_goals_file(*o.goals_file, errors);
    for (const std::string& text : o.goals) {
        if (auto g = mlr::parse_goal(text))
            goals.push_back(*g);
        else
            errors.push_back("--goal " + text + ": " + g.error());
    }
    if (o.goals_file || !o.goals.empty()) p.goals = goals;
    const auto rate = [&](const std::string& text, const char* option, r2544::RateSpec& into) {
        if (auto r = r2544::parse_rate(text))
            into = *r;
        else
            errors.push_back(std::string(option) + ": " + r.error());
    };
    rate(o.min_rate, "--min-rate", p.min_rate);
    rate(o.max_rate, "--max-rate", p.max_rate);
    if (o.link_speed) {
        if (auto s = r2544::parse_link_speed(*o.link_speed))
            p.link_bps = *s;
        else
            errors.push_back("--link-speed: " + s.error());
    }
    return p;
}

bool report_errors(const std::vector<std::string>& errors, std::ostream& err) {
    for (const auto& e : errors) err << "error: " << e << "\n";
    return errors.empty();
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int bench_mlrsearch_job(const MlrOptions& opt, const BackendFactory& make_backend,
                        std::ostream& out, std::ostream& err, const Preflight& preflight) {
    std::vector<std::string> errors;
    mlr::Params p = to_params(opt, errors);
    const bool parsed = errors.empty();
    // A goal that did not parse is left out of p.goals: check the rest only when all parsed, so
    // that no error is about something the user did not write.
    if (parsed)
        for (auto& e : mlr::check_params(p, /*link_pending=*/p.link_bps == 0)) errors.push_back(e);
    if (!report_errors(errors, err)) return k_exit_usage;
    if (!check_report_path(opt.report_path)) return k_exit_usage;
    auto cfg = load_job_config(opt.config_path, std::nullopt, std::nullopt);
    if (!cfg) return k_exit_usage;
    if (preflight) {
        const auto diags = preflight(*cfg);
        if (!diags.empty()) {
            print_diags(diags, "error");
            return k_exit_usage;
        }
    }
    if (cfg->gen && !cfg->gen->tx.empty()) p.tx_ports = static_cast<unsigned>(cfg->gen->tx.size());

    auto backend = make_backend(*cfg, opt.eal_args);
    if (!backend) {
        err << "error: " << backend.error() << "\n";
        return k_exit_runtime;
    }
    if (p.link_bps == 0) p.link_bps = backend->link_bps;
    if (!report_errors(mlr::check_params(p), err)) return k_exit_usage;

    out << "mlrsearch (RFC 9971): frame sizes";
    for (uint32_t s : p.frame_sizes) out << " " << s;
    char link[64] = "speed unknown";
    if (p.link_bps > 0) std::snprintf(link, sizeof link, "%g Gbit/s", p.link_bps / 1e9);
    out << "; link " << link << "; max load " << p.max_rate.str() << "\n";
    for (const mlr::Goal& g : p.goals) {
        char line[512];
        std::snprintf(line, sizeof line,
                      "goal %s: loss ratio %g, exceed ratio %g, trials %g s to %g s, duration "
                      "sum %g s, width %g%%; RFC 2544 compliant: %s (%s)\n",
                      g.name.c_str(), g.loss_ratio, g.exceed_ratio, g.initial_trial_s,
                      g.final_trial_s, g.duration_sum_s, 100 * g.width,
                      std::string(mlr::to_string(mlr::rfc2544_compliance(g))).c_str(),
                      mlr::compliance_reason(g).c_str());
        out << line;
    }
    out << std::flush;

    std::vector<mlr::SizeResult> results;
    std::string failure;
    const auto progress = [&](const mlr::Trial& t, const mlr::SizeResult&) {
        out << mlr::progress_line(t, p.goals) << "\n" << std::flush;
    };
    for (uint32_t size : p.frame_sizes) {
        try {
            results.push_back(mlr::search_size(p, size, backend->run, progress, now_s));
        } catch (const std::exception& e) {
            failure = "frame size " + std::to_string(size) + ": trial failed: " + e.what();
            break;
        }
    }
    out << "\n" << mlr::format_table(results) << std::flush;

    int rc = k_exit_ok;
    if (!failure.empty()) {
        err << "error: " << failure << "\n";
        rc = k_exit_runtime;
    }
    if (!opt.report_path.empty()) {
        nlohmann::json j = mlr::report_json(p, results);
        j["config_file"] = cfg->file;
        if (!failure.empty()) j["error"] = failure;
        if (auto st = report::write_json(opt.report_path, j); !st) {
            err << "error: " << st.error() << "\n";
            return k_exit_runtime;
        }
        out << "report written to " << opt.report_path << "\n";
    }
    return rc;
}

int bench_mlrsearch_job(const MlrOptions& opt) {
    return bench_mlrsearch_job(opt, make_gen_runner, std::cout, std::cerr, gen::preflight);
}

}  // namespace vfpath::control
