// `vfpath run`: the life of a forwarding job, on the main (control) thread.
#include <atomic>
#include <cstdio>
#include <optional>

#include "control/api.h"
#include "control/cp/check_numa.h"
#include "control/cp/control_loop.h"
#include "control/cp/exporters.h"
#include "control/cp/load.h"
#include "control/cp/signals.h"
#include "dataplane/api.h"
#include "drivers-glue/glue.h"
#include "drivers-glue/mailbox.h"
#include "report/api.h"
#include "sriov/api.h"
#include "topology/api.h"
#include "util/log.h"

namespace vfpath::control {

namespace {

// Recovery settings and faults: the config's, then the CLI's (faults add up; the CLI's ladder and
// journal replace the config's). Bad specs are reported before anything starts.
std::optional<ControlOptions> control_options(const config::Config& cfg, const RunOptions& opt) {
    ControlOptions c;
    const config::RecoveryConfig& rc = cfg.recovery;
    c.policy.max_attempts = rc.max_attempts;
    c.policy.backoff_ms = rc.backoff_ms;
    c.policy.quiesce_timeout_ms = rc.quiesce_timeout_ms;
    c.policy.tx_stall_ms = rc.tx_stall_ms;
    c.policy.rx_stall_ms = rc.rx_stall_ms;
    c.policy.first_packet_timeout_ms = rc.first_frame_timeout_ms;
    c.policy.recur_window_ms = rc.recurrence_window_ms;
    c.policy.recur_backoff_ms = rc.recurrence_backoff_ms;
    c.policy.escalate_after = rc.escalate_after;
    c.policy.storm_resets = rc.storm_resets;
    c.policy.storm_window_ms = rc.storm_window_ms;
    c.policy.storm_hold_ms = rc.storm_hold_ms;
    c.policy.removed_poll_ms = rc.removed_poll_ms;
    c.policy.removed_wait_ms = rc.removed_wait_ms;
    c.pf_watch_s = rc.pf_watch_ms / 1e3;
    c.policy.link_up_settle_ms = rc.link_up_settle_ms;
    c.restart_on_link_up = rc.restart_on_link_up;
    c.link_poll_s = rc.link_poll_ms / 1e3;
    c.journal_path = opt.journal_path.empty() ? rc.journal : opt.journal_path;
    std::string ladder_text;
    for (const auto& s : rc.ladder) ladder_text += (ladder_text.empty() ? "" : ",") + s;
    auto ladder = parse_ladder(opt.ladder.empty() ? ladder_text : opt.ladder);
    if (!ladder) {
        std::fprintf(stderr, "error: --recovery-ladder: %s\n", ladder.error().c_str());
        return std::nullopt;
    }
    c.policy.ladder = *ladder;
    std::vector<config::Diag> errors;
    auto add = [&](const std::string& text, config::Loc loc, const std::string& path) {
        auto f = parse_fault(text);
        if (!f)
            errors.push_back({cfg.file, loc, path, f.error()});
        else if (!cfg.find_port(f->port))
            errors.push_back({cfg.file, loc, path, "fault \"" + text + "\": no port named " + f->port});
        else
            c.faults.push_back(*f);
    };
    for (size_t i = 0; i < cfg.faults.size(); ++i)
        add(cfg.faults[i].text, cfg.faults[i].loc, "faults[" + std::to_string(i) + "]");
    for (const std::string& text : opt.faults) add(text, {}, "");
    for (auto& e : errors) {
        if (e.path.empty()) {  // from the command line
            std::fprintf(stderr, "error: --fault: %s\n", e.message.c_str());
        } else {
            std::fprintf(stderr, "error: %s\n", e.str().c_str());
        }
    }
    if (!errors.empty()) return std::nullopt;
    c.stop_after_faults = opt.stop_after_faults;
    if (opt.stop_after_faults) {
        const char* why = c.faults.empty() ? "there are no faults (--fault or faults:)" : nullptr;
        for (const FaultSpec& f : c.faults)
            if (f.every_s > 0 && f.count == 0) why = "a fault repeats until the run ends (count=0)";
        if (why) {
            std::fprintf(stderr, "error: --stop-after-faults: %s\n", why);
            return std::nullopt;
        }
    }
    return c;
}

// No-IOMMU mode lets every device on vfio-pci DMA anywhere in host memory: say so on every run.
void warn_noiommu(const config::Config& cfg, const topology::HostRoot& root) {
    if (!sriov::read_vfio(root).noiommu) return;
    bool pci = false;
    for (const auto& p : cfg.ports) pci = pci || p.is_pci();
    log::get("run")->warn(
        "vfio is in NO-IOMMU mode ({} = Y): devices on vfio-pci can DMA anywhere in host "
        "memory, so a faulty or hostile device or DPDK process can read and overwrite the "
        "kernel and every other process. Use it only on test machines; with an IOMMU "
        "(intel_iommu=on iommu=pt, or amd_iommu=on) set the parameter to N{}",
        (root.sys() / "module/vfio/parameters/enable_unsafe_noiommu_mode").string(),
        pci ? "" : " (this job's ports are all vdevs, which do not use vfio)");
}

// vf_policy acts only through a DPDK-driven ixgbe or i40e PF's VF mailbox events; on any other
// port it can do nothing, which the user should hear about rather than trust it.
void warn_vf_policy(const config::Config& cfg, const std::vector<uint16_t>& port_ids) {
    for (size_t i = 0; i < cfg.vf_policy.size(); ++i) {
        const auto& vp = cfg.vf_policy[i];
        for (size_t p = 0; p < cfg.ports.size() && p < port_ids.size(); ++p) {
            if (cfg.ports[p].name != vp.pf) continue;
            const std::string drv = glue::port_driver_name(port_ids[p]);
            if (glue::driver_kind(drv) != glue::DriverKind::unknown) continue;
            log::get("run")->warn(
                "vf_policy[{}]{}: port {} runs on {}, not a DPDK-driven ixgbe or i40e PF, so no "
                "VF mailbox request reaches vfpath there and this policy is ignored",
                i, vp.loc.line > 0 ? " (" + cfg.file + ":" + std::to_string(vp.loc.line) + ")" : "",
                vp.pf, drv.empty() ? "an unknown driver" : drv);
        }
    }
}

int run_started(dataplane::Runtime& rt, const config::Config& cfg, const RunOptions& opt,
                ControlOptions copt) {
    auto lg = log::get("run");
    Publisher* const pub = copt.publisher;
    ControlLoop control(rt, cfg, std::move(copt));
    if (auto st = control.open(); !st) {
        lg->error("{}", st.error());
        rt.shutdown();
        return k_exit_runtime;
    }
    if (auto st = rt.launch(); !st) {
        lg->error("{}", st.error());
        rt.shutdown();
        return k_exit_runtime;
    }
    lg->info("forwarding in {} mode{}", config::to_string(cfg.forward.mode),
             cfg.run.duration_s > 0 ? " for " + std::to_string(cfg.run.duration_s) + " s"
                                    : " until Ctrl-C / SIGTERM");
    report::RunInfo info;
    info.config_file = cfg.file;
    info.dpdk = dpdk_versions();
    info.stop_reason = control.run(stop_signal());
    if (pub) pub->close();  // no view comes after the control loop: readers stop waiting
    rt.stop_workers();
    info.health = control.health();
    info.journal = control.journal().to_json();
    info.timeline = control.timeline();
    const dataplane::Snapshot final_snap = rt.snapshot();
    info.duration_s = final_snap.t_s;
    const dataplane::ShutdownReport shut = rt.shutdown();
    std::fputs(report::format_summary(rt.plan(), final_snap, shut, info).c_str(), stdout);
    std::fflush(stdout);
    int rc = k_exit_ok;
    if (!opt.report_path.empty()) {
        auto st = report::write_json(opt.report_path,
                                     report::to_json(rt.plan(), final_snap, shut, info));
        if (!st) {
            lg->error("{}", st.error());
            rc = k_exit_runtime;
        } else {
            lg->info("report written to {}", opt.report_path);
        }
    }
    for (const auto& p : shut.pools)
        if (p.in_use_at_exit != 0) rc = k_exit_runtime;
    return rc;
}

}  // namespace

int run_job(const RunOptions& opt) {
    if (!sys_root_ok(opt.sys_root)) return k_exit_usage;
    auto cfg = load_job_config(opt.config_path, opt.stats_interval_s, opt.log_level);
    if (!cfg) return k_exit_usage;
    if (opt.duration_s) cfg->run.duration_s = *opt.duration_s;
    auto lg = log::get("run");
    // --sys-root, when given, wins; otherwise sysfs is under --root.
    const topology::HostRoot root{opt.root, opt.sys_root != "/sys" ? opt.sys_root : ""};
    const std::string sys = root.sys().string();
    const auto cgroup = topology::read_cgroup(root);
    const auto host = topology::read_host(root, cgroup);
    for (const auto& p : cgroup.problems) lg->warn("cgroup: {}", p);
    config::apply_host_defaults(*cfg, host);  // lcores from the container's cpuset when unset
    if (!cfg->eal.lcores_source.empty())
        lg->info("eal.lcores is not set: using the {}", cfg->eal.lcores_source);
    for (const auto& p : cfg->ports)
        if (p.device_ref)
            lg->info("port {}: {} is {} ({}{})", p.name, p.device, p.device_ref->str(),
                     p.device_ref->env_var,
                     p.device_ref->vfio_dev.empty() ? "" : ", vfio " + p.device_ref->vfio_dev);
    // Everything that can be checked before EAL is checked here: a bad config never half-starts.
    auto pre = config::build_plan(*cfg, host, pre_probe_facts(*cfg, sys));
    print_diags(pre.errors, "error");
    if (!pre.plan) return k_exit_usage;
    if (!numa_gate(*cfg, *pre.plan, sys)) return k_exit_usage;  // numa: strict

    auto copt = control_options(*cfg, opt);
    if (!copt) return k_exit_usage;
    const char* journal_flag = opt.journal_path.empty() ? "recovery.journal" : "--journal";
    if (!check_report_path(opt.report_path) ||
        !check_writable(copt->journal_path, journal_flag) ||
        !check_writable(opt.stats_json_path, "--stats-json"))
        return k_exit_usage;
    if (!opt.stats_json_path.empty()) {
        if (cfg->run.stats_interval_s <= 0) {
            std::fprintf(stderr, "error: --stats-json writes one line per stats interval, and "
                                 "the interval is 0: give --stats-interval S with S > 0\n");
            return k_exit_usage;
        }
        auto w = report::StatsJsonWriter::open(opt.stats_json_path);
        if (!w) {
            std::fprintf(stderr, "error: %s\n", w.error().c_str());
            return k_exit_usage;
        }
        copt->stats_json = std::move(*w);
    }
    warn_noiommu(*cfg, root);
    // Before EAL: a Ctrl-C during its init (hugepage mapping, probing) is a stop request, not the
    // default action that kills the process and leaves its hugepage files behind.
    install_signal_handlers();
    if (auto st = dataplane::init_eal(dataplane::eal_args(*cfg, opt.eal_args)); !st) {
        lg->error("{}", st.error());
        return k_exit_runtime;
    }
    auto probed = dataplane::probe_and_plan(*cfg, host);
    print_diags(probed.plan.warnings, "warning");
    if (!probed.plan.plan) {
        print_diags(probed.plan.errors, "error");
        dataplane::cleanup_eal();
        return k_exit_usage;
    }
    lg->info("plan:\n{}", config::format_plan(*probed.plan.plan));
    warn_vf_policy(*cfg, probed.port_ids);
    // Telemetry and /metrics; before the ports start, so a port that cannot be bound leaves nothing
    // half-started.
    auto exporters = Exporters::start(*cfg);
    if (!exporters) {
        lg->error("{}", exporters.error());
        dataplane::cleanup_eal();
        return k_exit_runtime;
    }
    copt->publisher = (*exporters)->publisher();
    copt->host_root = root;
    int rc = k_exit_runtime;
    {
        auto rt = dataplane::Runtime::create(*probed.plan.plan, probed.port_ids);
        if (!rt) {
            lg->error("{}", rt.error());
        } else {
            rc = run_started(**rt, *cfg, opt, std::move(*copt));
        }
    }  // the runtime is destroyed (ports closed, pools freed) before EAL goes away
    exporters->reset();
    dataplane::cleanup_eal();
    return rc;
}

}  // namespace vfpath::control
