// vfpath CLI: parses arguments and calls lib/control. No logic of its own.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/bench_cmd.h"
#include "app/cli_checks.h"
#include "app/host_cmd.h"
#include "control/api.h"

int main(int argc, char** argv) {
    using namespace vfpath::control;
    using vfpath::app::seconds;
    // Everything after the first "--" goes to EAL untouched.
    std::vector<std::string> eal_args;
    int cli_argc = argc;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--") {
            cli_argc = i;
            eal_args.assign(argv + i + 1, argv + argc);
            break;
        }
    }

    CLI::App app{"vfpath: poll-mode forwarding and measurement on SR-IOV VFs (DPDK)"};
    app.require_subcommand(1);
    // Each command's help names its guide (tests/integration/cli_test.cpp checks they exist).
    app.footer("Guides: README.md (a five-minute tour), then docs/: run.md, check.md, gen.md, "
               "bench.md, host.md, recovery.md, operations.md, configuration.md");
    app.set_version_flag("--version", version_text());
    // Global, and on run/check too, so it may stand before or after the subcommand.
    std::string log_format;
    const auto add_log_format = [&log_format](CLI::App* on) {
        on->add_option("--log-format", log_format,
                       "text (default) or json: one JSON object per log line, for log shippers")
            ->check(CLI::IsMember({"text", "json"}));
    };
    add_log_format(&app);

    RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Forward packets as the config says "
                                              "(built-in default: two net_null ports, io mode)");
    run_cmd->footer("Guide: docs/run.md (faults and recovery: docs/recovery.md; config keys: "
                    "docs/configuration.md)");
    run_cmd->add_option("-c,--config", run.config_path, "YAML config file")
        ->check(vfpath::app::config_file());
    add_log_format(run_cmd);
    run_cmd->add_option("--root", run.root, "Host root: sysfs DIR/sys, procfs DIR/proc (tests)")
        ->check(CLI::ExistingDirectory)
        ->group("");
    run_cmd->add_option("--duration", run.duration_s, "Stop after S seconds (0: until a signal)")
        ->check(seconds());
    run_cmd->add_option("--report", run.report_path, "Write a JSON report to this file");
    run_cmd->add_option("--stats-interval", run.stats_interval_s,
                        "Seconds between live table prints (0: none)")
        ->check(seconds());
    run_cmd->add_option("--log-level", run.log_level,
                        "trace, debug, info, warn, error, critical, off")
        ->check(vfpath::app::one_of(
            {"trace", "debug", "info", "warn", "error", "critical", "off"}));
    run_cmd->add_option("--fault", run.faults,
                        "Inject a fault, repeatable: KIND:PORT@TIME[,every=DUR][,count=N]"
                        "[,for=DUR][,slow=DUR], KIND = reset|link-down|remove|err-recovering|unplug");
    run_cmd->add_option("--journal", run.journal_path,
                        "Append every event and state change to FILE as JSON lines");
    run_cmd->add_option("--recovery-ladder", run.ladder,
                        "Recovery steps in order (default reset,restart,reattach)");
    run_cmd->add_flag("--stop-after-faults", run.stop_after_faults,
                      "Stop once every fault has fired and every port has settled "
                      "(--duration still bounds the run)");
    run_cmd->add_option("--stats-json", run.stats_json_path,
                        "Write one JSON line per stats interval to FILE (counters, rates, pools)");
    run_cmd->add_option("--sys-root", run.sys_root, "sysfs root (tests)")->group("");

    CheckOptions check;
    auto* check_cmd = app.add_subcommand("check", "Validate a config and print the plan "
                                                  "without starting anything");
    check_cmd->footer("Guide: docs/check.md (config keys: docs/configuration.md)");
    check_cmd->add_option("-c,--config", check.config_path, "YAML config file")
        ->check(vfpath::app::config_file());
    add_log_format(check_cmd);
    check_cmd->add_option("--sys-root", check.sys_root, "sysfs root (tests)")->group("");
    check_cmd->add_option("--root", check.root, "Host root: sysfs DIR/sys, procfs DIR/proc")
        ->check(CLI::ExistingDirectory);
    check_cmd->add_flag("--json", check.json, "Findings as JSON ({\"ok\",\"findings\"})");
    check_cmd->add_flag("--suggest", check.suggest, "Print the config with a NUMA-local placement")
        ->excludes("--json");
    GenOptions gen;
    auto* gen_cmd = app.add_subcommand("gen", "Traffic generator and analyzer on the config's "
                                              "gen: section (rate, sizes, flows, probes)");
    gen_cmd->footer("Guide: docs/gen.md (config keys: docs/configuration.md)");
    gen_cmd->add_option("-c,--config", gen.config_path, "YAML config file with a gen: section")
        ->check(vfpath::app::config_file());
    gen_cmd->add_option("--rate", gen.rate, "Per tx port: 1Mpps, 250kpps, 500Mbit, 10Gbit, 10%, max");
    gen_cmd->add_option("--size", gen.size, "Frame size(s) with FCS: 64 | 64,128,1518 | imix");
    gen_cmd->add_option("--flows", gen.flows, "Distinct IP/UDP flows (1..65535)");
    gen_cmd->add_option("--duration", gen.duration_s, "Seconds to send (0: no time limit)")
        ->check(seconds());
    gen_cmd->add_option("--count", gen.count, "Frames per tx port (0: no limit)");
    gen_cmd->add_option("--warmup", gen.warmup_s, "Seconds sent first and not counted")
        ->check(seconds());
    gen_cmd->add_option("--probe-share", gen.probe_share, "Share of frames with a probe (0..1)");
    gen_cmd->add_option("--report", gen.report_path, "Write a JSON report to this file");
    gen_cmd->add_flag("--hold", gen.hold,
                      "After the results, keep the ports open and unpolled until Ctrl-C / "
                      "SIGTERM (stop a net_memif peer first)");
    gen_cmd->add_option("--stats-interval", gen.stats_interval_s,
                        "Seconds between live lines (0: none)")
        ->check(seconds());
    gen_cmd->add_option("--log-level", gen.log_level,
                        "trace, debug, info, warn, error, critical, off");
    gen_cmd->add_option("--sys-root", gen.sys_root, "sysfs root (tests)")->group("");
    const vfpath::app::HostCommands host(app);
    const vfpath::app::BenchCommands bench(app);
    CtlOptions ctl;
    auto* ctl_cmd = app.add_subcommand(
        "ctl", "Operate a running vfpath over its telemetry socket (the owner of the socket, "
               "normally root, only)");
    ctl_cmd->require_subcommand(1);
    ctl_cmd->fallthrough();  // --json and --file-prefix also after the command
    ctl_cmd->add_option("--file-prefix", ctl.prefix,
                        "The instance's EAL file prefix (eal.file_prefix; default: rte, EAL's)");
    ctl_cmd->add_option("--instance", ctl.instance,
                        "N of the socket dpdk_telemetry.v2:N, as dpdk-telemetry.py -i (a second "
                        "process with the same prefix); default: the first that is a vfpath")
        ->check(CLI::Range(0, 63));
    ctl_cmd->add_flag("--json", ctl.json, "Print JSON instead of tables");
    auto* ctl_ports = ctl_cmd->add_subcommand(
        "ports", "State, link, MAC, rates, drops and device drops per port");
    ctl_ports->add_flag("--queues", ctl.queues,
                        "Per queue too: vfpath's counters and the device's, where it keeps them");
    auto* ctl_xstats = ctl_cmd->add_subcommand("xstats", "The driver's extended stats of a port");
    ctl_xstats->add_option("PORT", ctl.port, "Port name")->required();
    ctl_xstats->add_flag("--all", ctl.all, "Zero ones too");
    auto* ctl_port = ctl_cmd->add_subcommand(
        "port", "Stop, start or restart a port through the control thread's state machine");
    ctl_port->add_option("OP", ctl.op, "stop, start or restart")
        ->required()
        ->check(vfpath::app::one_of({"stop", "start", "restart"}));
    ctl_port->add_option("PORT", ctl.port, "Port name")->required();
    auto* ctl_latency =
        ctl_cmd->add_subcommand("latency", "Turn dwell-latency sampling on or off");
    ctl_latency->add_option("STATE", ctl.arg, "on or off")
        ->required()
        ->check(vfpath::app::one_of({"on", "off"}));
    auto* ctl_log = ctl_cmd->add_subcommand("log-level", "Set the log level of the instance");
    ctl_log->add_option("LEVEL", ctl.arg, "trace, debug, info, warn, error, critical, off")
        ->required()
        ->check(vfpath::app::one_of(
            {"trace", "debug", "info", "warn", "error", "critical", "off"}));
    auto* ctl_journal = ctl_cmd->add_subcommand("journal", "The newest journal entries");
    ctl_journal->add_flag("--follow", ctl.follow, "Keep printing new entries until Ctrl-C");
    auto* ctl_fault = ctl_cmd->add_subcommand("fault", "Inject a fault, as run --fault");
    ctl_fault->add_option("SPEC", ctl.arg,
                          "KIND:PORT@TIME[,every=DUR][,count=N][,for=DUR][,slow=DUR]")
        ->required();

    if (const auto early = vfpath::app::early_log_format(cli_argc, argv); early && *early == "json")
        set_log_format("json");
    try {
        app.parse(cli_argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string message;
        const int rc = vfpath::app::usage_error(app, cli_argc, argv, e, &message);
        // `check --json` promises a JSON object on stdout, a refused command line included.
        bool json = false, is_check = false;
        std::string config;
        for (int i = 1; i < cli_argc; ++i) {
            const std::string w = argv[i];
            is_check = is_check || w == "check";
            json = json || (is_check && w == "--json");
            if (is_check && (w == "-c" || w == "--config") && i + 1 < cli_argc) config = argv[i + 1];
            if (is_check && w.rfind("--config=", 0) == 0) config = w.substr(9);
        }
        if (is_check && json) print_check_json_error(config, message);
        return rc;
    }
    if (!eal_args.empty() && !run_cmd->parsed() && !bench.parsed() && !gen_cmd->parsed()) {
        print_error("EAL arguments after -- are only taken by 'vfpath run', 'vfpath gen' and "
                    "'vfpath bench'");
        return k_exit_usage;
    }
    run.eal_args = eal_args;
    gen.eal_args = eal_args;
    if (!log_format.empty()) set_log_format(log_format);
    if (run_cmd->parsed()) return run_job(run);
    if (gen_cmd->parsed()) return gen_job(gen);
    if (ctl_cmd->parsed()) {
        for (auto* sc : ctl_cmd->get_subcommands()) ctl.command = sc->get_name();
        return ctl_job(ctl);
    }
    if (auto rc = host.dispatch()) return *rc;
    if (auto rc = bench.dispatch(eal_args)) return *rc;
    return check_job(check);
}
