// Control: the jobs the CLI starts. `run` owns the whole life of a forwarding job on the main
// (control) thread: config -> plan -> EAL -> probe -> re-plan -> runtime -> live stats -> report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vfpath::control {

// Exit codes shared by every subcommand.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_runtime = 1;  // something failed at run time (EAL, device, pool)
inline constexpr int k_exit_usage = 2;    // bad CLI argument or config: nothing was started

struct RunOptions {
    std::optional<std::string> config_path;  // unset: the built-in default
    std::optional<double> duration_s;        // override run.duration_s
    std::optional<double> stats_interval_s;  // override run.stats_interval_s
    std::optional<std::string> log_level;    // override run.log_level
    std::string report_path;                 // empty: no JSON report
    std::vector<std::string> eal_args;       // after `--`
    std::vector<std::string> faults;         // --fault SPEC, repeatable (see control/cp/faults.h)
    std::string root = "/";  // hidden --root: sysfs ROOT/sys (unless --sys-root), procfs ROOT/proc
    std::string journal_path;                // --journal FILE: event journal as JSON lines
    std::string ladder;  // --recovery-ladder, e.g. "reset,restart,reattach"; empty: default
    std::string sys_root = "/sys";
    bool stop_after_faults = false;  // --stop-after-faults
    std::string stats_json_path;  // --stats-json FILE: one JSON line per stats interval
};

// Returns the process exit code.
int run_job(const RunOptions& opt);

// What `vfpath --version` prints: vfpath's version, then the DPDK it was built against and the
// one it runs on ("vfpath 0.1.0\nDPDK 22.11.11 (built against 22.11.11)").
std::string version_text();

// --log-format: "text" or "json" for every log line from here on (see util/log.h).
void set_log_format(const std::string& format);
// One error for the user on stderr: "error: MESSAGE", or with --log-format json a JSON log line
// (level "error", logger "vfpath.cli") like every other line.
void print_error(const std::string& message);
// `check --json` that stops before judging anything (a bad argument, an unreadable config): the
// JSON object on stdout still comes, {"ok": false, "findings": [{"check": "usage", ...}]}.
void print_check_json_error(const std::string& config, const std::string& message);
// `vfpath gen`: the traffic generator and analyzer (lib/gen) on the config's gen: section. Each
// option set here replaces the config's value.
struct GenOptions {
    std::optional<std::string> config_path;  // required: the built-in default has no gen:
    std::optional<std::string> rate;         // "1Mpps", "500Mbit", "10%", "max"
    std::optional<std::string> size;         // "64", "64,128,1518", "imix"
    std::optional<uint32_t> flows;
    std::optional<double> duration_s;
    std::optional<uint64_t> count;
    std::optional<double> warmup_s;
    std::optional<double> probe_share;
    std::optional<double> stats_interval_s;  // override run.stats_interval_s
    std::optional<std::string> log_level;    // override run.log_level
    std::string report_path;
    // After the results, keep the ports open (nothing polled) until SIGINT/SIGTERM, so that a
    // peer process (net_memif) can leave while this side is not polling.
    bool hold = false;
    std::vector<std::string> eal_args;       // after `--`
    std::string sys_root = "/sys";
};
int gen_job(const GenOptions& opt);

inline constexpr int k_exit_refused = 3;  // a host change refused by a safety check: nothing written

struct CheckOptions {
    std::optional<std::string> config_path;  // unset: the host, and the built-in default's plan
    std::string root = "/";                  // --root: sysfs under ROOT/sys, procfs ROOT/proc
    std::string sys_root;                    // hidden --sys-root: sysfs elsewhere (old fixtures)
    bool json = false;                       // {"ok","findings",...} on stdout, nothing else
    bool suggest = false;                    // print the config with a corrected placement
};
// Loads, validates and plans without starting EAL; prints the plan, then judges the host and the
// plan (NUMA alignment, preflight, policy drift). Exit 0 ok, 1 a finding of severity error,
// 2 bad CLI argument or config.
int check_job(const CheckOptions& opt);

// `vfpath ctl`: operates a running instance over its DPDK telemetry socket
// (RUNTIME_DIR/dpdk/PREFIX/dpdk_telemetry.v2, as dpdk-telemetry.py finds it).
inline constexpr const char* k_default_file_prefix = "rte";  // EAL's, when the config sets none
struct CtlOptions {
    std::string prefix = k_default_file_prefix;
    int instance = -1;    // N of dpdk_telemetry.v2:N (0: the plain name); -1: the first vfpath
    bool json = false;
    std::string command;  // ports, xstats, port, latency, log-level, journal, fault
    std::string op;       // port: stop, start, restart
    std::string port;     // xstats, port
    std::string arg;      // latency: on|off; log-level: LEVEL; fault: SPEC
    bool queues = false;  // ports --queues
    bool all = false;     // xstats --all
    bool follow = false;  // journal --follow
};
// Exit 0; 1 no instance (the message names the prefix and the socket) or the instance refused;
// 2 an unknown port (the message lists those there are).
int ctl_job(const CtlOptions& opt);
// The socket `vfpath ctl --file-prefix PREFIX` connects to.
std::string ctl_socket_path(const std::string& prefix);

// `vfpath host ...`: SR-IOV on this host (or a fixture tree with --root).
struct HostOptions {
    std::string root = "/";
    bool json = false;     // list
    bool dry_run = false;  // print each sysfs write instead of making it
    bool force = false;    // override the refusals that allow it
    double wait_s = 10;    // create-vfs/bind: how long to wait for the kernel to show the result
};
int host_list(const HostOptions& opt);
int host_create_vfs(const HostOptions& opt, const std::string& pf, unsigned count,
                    std::optional<bool> autoprobe);
int host_bind(const HostOptions& opt, const std::string& bdf, const std::string& driver);
int host_unbind(const HostOptions& opt, const std::string& bdf);
int host_restore(const HostOptions& opt, const std::string& bdf);
// set-vf: values as typed on the command line, validated here.
struct SetVfArgs {
    std::string pf;  // BDF or netdev
    unsigned vf = 0;
    std::optional<std::string> mac, spoofchk, trust, link_state;
    std::optional<unsigned> vlan, qos, max_rate;
};
int host_set_vf(const HostOptions& opt, const SetVfArgs& args);

}  // namespace vfpath::control
