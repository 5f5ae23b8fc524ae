#include "app/bench_cmd.h"

#include "app/cli_checks.h"
#include "control/bench.h"

namespace vfpath::app {

struct BenchCommands::State {
    CLI::App* bench = nullptr;
    CLI::App* rfc2544 = nullptr;
    CLI::App* mlrsearch = nullptr;
    control::BenchOptions opt;
    control::MlrOptions mlr;
};

BenchCommands::BenchCommands(CLI::App& app) : s_(std::make_unique<State>()) {
    State& s = *s_;
    control::BenchOptions& o = s.opt;
    s.bench = app.add_subcommand("bench", "Benchmarks driven by the traffic generator");
    s.bench->require_subcommand(1);
    s.bench->footer("Guide: docs/bench.md (MLRsearch: docs/mlrsearch.md)");
    CLI::App* c = s.rfc2544 = s.bench->add_subcommand(
        "rfc2544",
        "RFC 2544 throughput search per frame size: zero-loss rate (NDR), rate at "
        "an acceptable loss ratio (PDR), latency at the NDR (RFC 8219)");
    c->footer("Guide: docs/bench.md");
    c->add_option("-c,--config", o.config_path, "YAML config (ports, EAL) as for run")
        ->check(config_file());
    c->add_option("--sizes", o.sizes, "Frame sizes in bytes, FCS included")
        ->delimiter(',')
        ->capture_default_str();
    c->add_option("--trial", o.trial_s, "Seconds per search trial")->capture_default_str();
    c->add_option("--warmup", o.warmup_s, "Seconds of traffic before each trial, not counted")
        ->capture_default_str();
    c->add_option("--verify-trial", o.verify_trial_s,
                  "Seconds of the verification trial at the rate found")
        ->capture_default_str();
    c->add_option("--latency-trial", o.latency_trial_s, "Seconds per latency trial")
        ->capture_default_str();
    c->add_option("--latency-trials", o.latency_trials,
                  "Latency trials at the NDR (RFC 8219: 20); figures are their median")
        ->capture_default_str();
    c->add_option("--resolution", o.resolution, "Search stops within this: N% of line rate or Npps")
        ->capture_default_str();
    c->add_option("--min-rate", o.min_rate, "Lowest rate searched (N%, Npps, Nkpps, NMpps)")
        ->capture_default_str();
    c->add_option("--max-rate", o.max_rate, "Highest rate searched, the first trial")
        ->capture_default_str();
    c->add_option("--link-speed", o.link_speed,
                  "Link speed for line rate, e.g. 10G, 25Gbps (default: as the port reports)");
    c->add_option("--max-iter", o.max_iter,
                  "Most trials per frame size for NDR, and again for PDR (verifications included)")
        ->capture_default_str();
    c->add_option("--pdr-loss", o.pdr_loss, "Acceptable loss ratio for PDR, in [0, 1)")
        ->capture_default_str();
    c->add_option("--latency-p999-max-us", o.latency_p999_max_us,
                  "A trial passes only if its 99.9th percentile latency is at most this (us)");
    c->add_option("--flows", o.flows, "Flows in the offered traffic")->capture_default_str();
    c->add_option("--probe-share", o.probe_share, "Share of frames carrying a latency probe")
        ->capture_default_str();
    c->add_option("--tx-tolerance", o.tx_tolerance,
                  "A trial where the generator offered less than (1 - this) x rate fails")
        ->capture_default_str();
    c->add_option("--report", o.report_path, "Write the JSON report to this file");

    control::MlrOptions& m = s.mlr;
    CLI::App* q = s.mlrsearch = s.bench->add_subcommand(
        "mlrsearch",
        "RFC 9971 MLRsearch per frame size: several loss-ratio goals (default NDR and PDR) in "
        "one search, many short trials per load, relevant bounds and conditional throughput");
    q->footer("Guide: docs/mlrsearch.md");
    q->add_option("-c,--config", m.config_path, "YAML config (ports, EAL) as for run")
        ->check(CLI::ExistingFile);
    q->add_option("--sizes", m.sizes, "Frame sizes in bytes, FCS included")
        ->delimiter(',')
        ->capture_default_str();
    q->add_option("--goal", m.goals,
                  "A search goal, repeatable: ndr, pdr, or name=N,loss=R,exceed=R,initial=S,"
                  "final=S,sum=S,width=R (default: ndr and pdr: loss 0 / 0.5%, exceed 0.5, "
                  "1 s trials, 21 s sum, width 0.5%)");
    q->add_option("--goals", m.goals_file, "YAML file with goals: [{name, loss_ratio, ...}]")
        ->check(CLI::ExistingFile);
    q->add_option("--warmup", m.warmup_s, "Seconds of traffic before each trial, not counted")
        ->capture_default_str();
    q->add_option("--min-rate", m.min_rate,
                  "Min Load (N%, Npps, Nkpps, NMpps); 0: max rate / 1000")
        ->capture_default_str();
    q->add_option("--max-rate", m.max_rate, "Max Load, the first trial")->capture_default_str();
    q->add_option("--link-speed", m.link_speed,
                  "Link speed for line rate, e.g. 10G, 25Gbps (default: as the port reports)");
    q->add_option("--flows", m.flows, "Flows in the offered traffic")->capture_default_str();
    q->add_option("--probe-share", m.probe_share, "Share of frames carrying a latency probe")
        ->capture_default_str();
    q->add_option("--tx-tolerance", m.tx_tolerance,
                  "A trial where the generator offered less than (1 - this) x load is a "
                  "generator shortfall: not classified, tried again")
        ->capture_default_str();
    q->add_option("--max-trials", m.max_trials, "Most trials per frame size (a safety stop)")
        ->capture_default_str();
    q->add_option("--report", m.report_path, "Write the JSON report to this file");
}

BenchCommands::~BenchCommands() = default;

bool BenchCommands::parsed() const {
    return s_->bench->parsed();
}

std::optional<int> BenchCommands::dispatch(const std::vector<std::string>& eal_args) const {
    if (s_->mlrsearch->parsed()) {
        control::MlrOptions opt = s_->mlr;
        opt.eal_args = eal_args;
        return control::bench_mlrsearch_job(opt);
    }
    if (!s_->rfc2544->parsed()) return std::nullopt;
    control::BenchOptions opt = s_->opt;
    opt.eal_args = eal_args;
    return control::bench_rfc2544_job(opt);
}

}  // namespace vfpath::app
