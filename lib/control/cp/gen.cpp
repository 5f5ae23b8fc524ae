// `vfpath gen`: config -> CLI overrides -> checks -> GenSession -> warm-up -> measured phase with
// a live line -> table and JSON report. On the main (control) thread.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "control/api.h"
#include "control/cp/load.h"
#include "control/cp/signals.h"
#include "gen/api.h"
#include "report/api.h"
#include "topology/api.h"
#include "util/log.h"

namespace vfpath::control {

namespace {

bool usage_error(const std::string& what) {
    std::fprintf(stderr, "error: %s\n", what.c_str());
    return false;
}

// The CLI's overrides, each checked like the config key it replaces.
bool apply_overrides(config::GenConfig& g, const GenOptions& opt) {
    std::string why;
    if (opt.rate) {
        auto r = config::parse_rate(*opt.rate, &why);
        if (!r) return usage_error("--rate: " + why);
        g.rate = *r;
    }
    if (opt.size) {
        auto s = config::parse_sizes(*opt.size, &why);
        if (!s) return usage_error("--size: " + why);
        g.size = *s;
    }
    if (opt.flows) {
        if (*opt.flows < 1 || *opt.flows > config::k_max_flows)
            return usage_error("--flows: expected 1.." + std::to_string(config::k_max_flows) +
                               ", got " + std::to_string(*opt.flows));
        g.flows = *opt.flows;
    }
    if (opt.probe_share) {
        if (!(*opt.probe_share >= 0 && *opt.probe_share <= 1))
            return usage_error("--probe-share: expected a number in 0..1");
        g.probe_share = *opt.probe_share;
    }
    if (opt.duration_s) g.duration_s = *opt.duration_s;
    if (opt.count) g.count = *opt.count;
    if (opt.warmup_s) g.warmup_s = *opt.warmup_s;
    return true;
}

std::string stop_reason(const gen::PhaseStats& p, const config::GenConfig& g, int sig) {
    if (sig == SIGINT) return "SIGINT";
    if (sig == SIGTERM) return "SIGTERM";
    if (g.count > 0 && (g.duration_s == 0 || p.tx_s + 1e-3 < g.duration_s)) return "count";
    return "duration";
}

nlohmann::json settings_json(const config::GenConfig& g, double pps) {
    return {{"rate", config::to_string(g.rate)},
            {"rate_pps_per_port", g.rate.unit == config::RateSpec::Unit::max
                                      ? nlohmann::json(nullptr)
                                      : nlohmann::json(pps)},
            {"sizes", g.size.name},
            {"size_pattern", g.size.pattern},
            {"mean_frame_size", config::mean_size(g.size)},
            {"flows", g.flows},
            {"probe_share", g.probe_share},
            {"duration_s", g.duration_s},
            {"count", g.count},
            {"warmup_s", g.warmup_s},
            {"drain_ms", g.drain_ms},
            {"burst", g.burst},
            {"tx", g.tx},
            {"rx", g.rx}};
}

int run_session(gen::GenSession& s, const config::Config& cfg, const GenOptions& opt) {
    auto lg = log::get("gen");
    const config::GenConfig& g = *cfg.gen;
    auto pps = s.rate_pps(g.rate, config::mean_size(g.size));
    if (!pps) {
        std::fprintf(stderr, "error: %s\n", pps.error().c_str());
        return k_exit_usage;
    }
    gen::PhaseSpec spec;
    spec.rate_pps = *pps;
    spec.sizes = g.size.pattern;
    spec.flows = g.flows;
    spec.probe_share = g.probe_share;
    std::atomic<int>& sig = stop_signal();
    const auto signalled = [&] { return sig.load(std::memory_order_relaxed) != 0; };
    nlohmann::json warm_json = nullptr;
    if (g.warmup_s > 0) {
        spec.seconds = g.warmup_s;
        lg->info("warm-up: {} s at {}", g.warmup_s, config::to_string(g.rate));
        auto warm = s.run_phase(spec, 0, {}, signalled);
        if (!warm) {
            lg->error("{}", warm.error());
            return k_exit_runtime;
        }
        warm_json = {{"tx_packets", warm->tx_packets},
                     {"rx_packets", warm->rx_packets},
                     {"drain_s", warm->drain_s}};
    }
    spec.seconds = g.duration_s;
    spec.count = g.count;
    // The live line: one per stats interval (none when it is 0).
    const double interval = cfg.run.stats_interval_s;
    gen::PhaseStats last;
    bool have_last = false;
    auto tick = [&](const gen::PhaseStats& now) {
        std::printf("%s\n",
                    gen::format_live(now, have_last ? &last : nullptr, spec.rate_pps).c_str());
        std::fflush(stdout);
        last = now;
        have_last = true;
    };
    if (sig.load() == 0) {
        lg->info("sending {} at {}{}{}", g.size.name, config::to_string(g.rate),
                 g.duration_s > 0 ? " for " + std::to_string(g.duration_s) + " s" : "",
                 g.count > 0 ? ", " + std::to_string(g.count) + " frames per port" : "");
        if (g.duration_s == 0 && g.count == 0) lg->info("until Ctrl-C / SIGTERM");
    }
    auto res = s.run_phase(spec, interval, tick, signalled);
    if (!res) {
        lg->error("{}", res.error());
        return k_exit_runtime;
    }
    const gen::PhaseStats& p = *res;
    std::fputs(gen::format_table(p).c_str(), stdout);
    // Under-delivery is said where the figures are, not only in the JSON's counters.
    const std::string shortfall = gen::rate_shortfall(p, spec.rate_pps);
    if (!shortfall.empty()) {
        std::printf("WARNING: below the rate asked: %s\n", shortfall.c_str());
        lg->warn("below the rate asked: {}", shortfall);
    }
    std::fflush(stdout);
    nlohmann::json ports = s.ports_json();
    const report::DpdkVersions dpdk = dpdk_versions();
    nlohmann::json j = {{"vfpath_version", VFPATH_VERSION},
                        {"dpdk", {{"built", dpdk.built}, {"running", dpdk.running}}},
                        {"command", "gen"},
                        {"config", cfg.file},
                        {"stop_reason", stop_reason(p, g, sig.load())},
                        {"settings", settings_json(g, *pps)},
                        {"warmup", warm_json}};
    j.update(gen::phase_json(p));
    j["rate_shortfall"] = shortfall.empty() ? nlohmann::json(nullptr) : nlohmann::json(shortfall);
    // One object per port: the session's counters next to the device's own.
    for (auto& port : ports)
        for (const auto& c : j["port_counters"])
            if (c["name"] == port["name"]) port.update(c);
    j.erase("port_counters");
    j["ports"] = ports;
    if (opt.hold && sig.load() == 0) {
        // Closing a net_memif port unmaps the shared rings under a peer that still polls them
        // (DPDK 22.11 net_memif frees its regions without waiting for the datapath), so the
        // peer leaves first: here nothing polls, and its disconnect is safe.
        lg->info("holding the ports open, not polled, until Ctrl-C / SIGTERM");
        while (sig.load(std::memory_order_relaxed) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const gen::GenSession::Closed closed = s.close();
    j["mempools"] = closed.mempools;
    j["clean_exit"] = closed.clean;
    int rc = closed.clean ? k_exit_ok : k_exit_runtime;
    if (!opt.report_path.empty()) {
        if (auto st = report::write_json(opt.report_path, j); !st) {
            lg->error("{}", st.error());
            rc = k_exit_runtime;
        } else {
            lg->info("report written to {}", opt.report_path);
        }
    }
    return rc;
}

}  // namespace

int gen_job(const GenOptions& opt) {
    if (!opt.config_path) {
        // The built-in default is a forwarding job: it has no gen: section.
        std::fprintf(stderr, "error: vfpath gen needs -c CONFIG with a gen: section (see "
                             "config/gen-memif.yaml and docs/gen.md)\n");
        return k_exit_usage;
    }
    auto cfg = load_job_config(opt.config_path, opt.stats_interval_s, opt.log_level);
    if (!cfg) return k_exit_usage;
    if (cfg->gen && !apply_overrides(*cfg->gen, opt)) return k_exit_usage;
    // Everything checkable before EAL is checked here: a bad config never half-starts.
    const auto pre = gen::preflight(*cfg);
    print_diags(pre, "error");
    if (!pre.empty()) return k_exit_usage;
    const auto host = topology::read_host(opt.sys_root);
    const config::Config planned = gen::planning_config(*cfg);
    auto plan = config::build_plan(planned, host, pre_probe_facts(planned, opt.sys_root));
    print_diags(plan.errors, "error");
    if (!plan.plan) return k_exit_usage;
    if (!check_report_path(opt.report_path)) return k_exit_usage;
    install_signal_handlers();
    // Checks that need the probed devices (their limits) come back as diagnostics, like the above.
    std::vector<config::Diag> config_errors;
    auto session = gen::GenSession::open(*cfg, opt.eal_args, &config_errors);
    if (!session) {
        if (!config_errors.empty()) {
            print_diags(config_errors, "error");
            return k_exit_usage;
        }
        log::get("gen")->error("{}", session.error());
        return k_exit_runtime;
    }
    return run_session(**session, *cfg, opt);
}

}  // namespace vfpath::control
