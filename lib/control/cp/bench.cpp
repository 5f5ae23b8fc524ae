// `vfpath bench rfc2544`: options -> search parameters -> backend -> search per frame size ->
// table and JSON report. Main thread.
#include "control/bench.h"

#include <cstdio>
#include <exception>
#include <iostream>
#include <ostream>

#include "control/api.h"
#include "control/cp/gen_runner.h"
#include "control/cp/load.h"
#include "gen/api.h"
#include "measure/cp/rfc2544.h"
#include "report/api.h"

namespace vfpath::control {

namespace {

namespace r2544 = measure::rfc2544;

// The options as search parameters; every option that does not parse is named in `errors`.
r2544::Params to_params(const BenchOptions& o, std::vector<std::string>& errors) {
    r2544::Params p;
    p.frame_sizes = o.sizes;
    p.trial_s = o.trial_s;
    p.warmup_s = o.warmup_s;
    p.verify_trial_s = o.verify_trial_s;
    p.latency_trial_s = o.latency_trial_s;
    p.latency_trials = o.latency_trials;
    p.max_iterations = o.max_iter;
    p.pdr_loss_ratio = o.pdr_loss;
    if (o.latency_p999_max_us) p.latency_limits.push_back({"p999", *o.latency_p999_max_us * 1e3});
    p.flows = o.flows;
    p.probe_share = o.probe_share;
    p.tx_tolerance = o.tx_tolerance;
    const auto rate = [&](const std::string& text, const char* option, r2544::RateSpec& into) {
        if (auto r = r2544::parse_rate(text))
            into = *r;
        else
            errors.push_back(std::string(option) + ": " + r.error());
    };
    rate(o.resolution, "--resolution", p.resolution);
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

}  // namespace

int bench_rfc2544_job(const BenchOptions& opt, const BackendFactory& make_backend,
                      std::ostream& out, std::ostream& err, const Preflight& preflight) {
    std::vector<std::string> errors;
    r2544::Params p = to_params(opt, errors);
    // The link speed may come from the device: what needs it is checked once it is known.
    // (An option that did not parse keeps its default in p, which is valid: no false errors.)
    for (auto& e : r2544::check_params(p, /*link_pending=*/p.link_bps == 0)) errors.push_back(e);
    if (!report_errors(errors, err)) return k_exit_usage;
    if (!check_report_path(opt.report_path)) return k_exit_usage;
    // bench has no --stats-interval or --log-level: the config's run.log_level applies.
    auto cfg = load_job_config(opt.config_path, std::nullopt, std::nullopt);
    if (!cfg) return k_exit_usage;
    if (preflight) {
        const auto diags = preflight(*cfg);
        if (!diags.empty()) {
            print_diags(diags, "error");
            return k_exit_usage;
        }
    }

    auto backend = make_backend(*cfg, opt.eal_args);
    if (!backend) {
        err << "error: " << backend.error() << "\n";
        return k_exit_runtime;
    }
    if (p.link_bps == 0) p.link_bps = backend->link_bps;
    if (!report_errors(r2544::check_params(p), err)) return k_exit_usage;

    out << "rfc2544: frame sizes";
    for (uint32_t s : p.frame_sizes) out << " " << s;
    char link[64] = "speed unknown", head[256];
    if (p.link_bps > 0) std::snprintf(link, sizeof link, "%g Gbit/s", p.link_bps / 1e9);
    std::snprintf(head, sizeof head,
                  "; link %s; trials %g s (verification %g s, warm-up %g s); resolution %s; "
                  "PDR loss ratio %g\n",
                  link, p.trial_s, p.verify_trial_s, p.warmup_s, p.resolution.str().c_str(),
                  p.pdr_loss_ratio);
    out << head << std::flush;

    std::vector<r2544::SizeResult> results;
    std::string failure;
    const auto progress = [&](const r2544::Trial& t) {
        out << r2544::progress_line(t) << "\n" << std::flush;
    };
    for (uint32_t size : p.frame_sizes) {
        try {
            results.push_back(r2544::search_size(p, size, backend->run, progress));
        } catch (const std::exception& e) {
            failure = "frame size " + std::to_string(size) + ": trial failed: " + e.what();
            break;
        }
    }
    out << "\n" << r2544::format_table(results) << std::flush;

    int rc = k_exit_ok;
    if (!failure.empty()) {
        err << "error: " << failure << "\n";
        rc = k_exit_runtime;
    }
    if (!opt.report_path.empty()) {
        nlohmann::json j = r2544::report_json(p, results);
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

int bench_rfc2544_job(const BenchOptions& opt) {
    return bench_rfc2544_job(opt, make_gen_runner, std::cout, std::cerr, gen::preflight);
}

}  // namespace vfpath::control
