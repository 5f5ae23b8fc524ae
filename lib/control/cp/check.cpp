// `vfpath check`: config -> plan (the one `run` would execute) -> judged against the host:
// NUMA alignment, preflight (vfio, IOMMU, drivers, hugepages, isolation) and policy drift.
#include <cstdio>

#include "check/api.h"
#include "control/api.h"
#include "control/cp/check_numa.h"
#include "control/cp/load.h"
#include "topology/api.h"

namespace vfpath::control {

namespace {

// Config and plan diagnostics as findings, for --json.
void add_diags(std::vector<check::Finding>& f, const std::vector<config::Diag>& d,
               check::Severity s) {
    for (const auto& x : d) f.push_back({s, "", "config", x.str()});
}

int emit_json(const std::string& file, const std::vector<check::Finding>& f,
              const std::vector<check::NumaRow>& rows, int rc) {
    std::fputs(check::report_json(file, f, rows).c_str(), stdout);
    return rc;
}

// check_host speaks of the whole host, check_numa and check_ports of this job's ports and lcores.
// Where both say the same thing (a port's numa_node of -1, no isolated CPU) only the job's
// finding, the more specific one, is kept: it was listed twice.
void drop_repeats(std::vector<check::Finding>& host, const std::vector<check::Finding>& job) {
    std::erase_if(host, [&](const check::Finding& h) {
        for (const auto& j : job) {
            if (j.check != h.check) continue;
            if (h.check != "numa.unknown") return true;
            const std::string bdf = h.message.substr(0, h.message.find(": "));
            if (j.message.find("(" + bdf + ")") != std::string::npos) return true;
        }
        return false;
    });
}

}  // namespace

void print_check_json_error(const std::string& config, const std::string& message) {
    std::fputs(check::report_json(config, {{check::Severity::error, "", "usage", message}}, {})
                   .c_str(),
               stdout);
    std::fflush(stdout);
}

int check_job(const CheckOptions& opt) {
    if (!sys_root_ok(opt.sys_root)) {
        if (opt.json)
            print_check_json_error(opt.config_path.value_or(""),
                                   "--sys-root " + opt.sys_root + ": no such directory");
        return k_exit_usage;
    }
    topology::HostRoot root{opt.root, opt.sys_root};
    const std::string sys = root.sys().string();
    const std::string text =
        opt.config_path ? std::string() : std::string(config::default_config_text());
    config::LoadResult lr = opt.config_path
                                ? config::load_file(*opt.config_path)
                                : config::load_string(text, config::k_default_config_name);
    std::vector<check::Finding> findings;
    if (!lr.errors.empty()) {
        if (!opt.json) {
            print_diags(lr.errors, "error");
            return k_exit_usage;
        }
        add_diags(findings, lr.errors, check::Severity::error);
        return emit_json(opt.config_path.value_or(""), findings, {}, k_exit_usage);
    }
    config::Config& cfg = *lr.config;
    // The host is read once: its CPUs and cgroup give the plan, all of it is judged below.
    const check::HostView view = check::read_host_view(root);
    const config::HostFacts& host = view.cpus;
    config::apply_host_defaults(cfg, host);  // the same lcores `run` would take
    auto r = config::build_plan(cfg, host, pre_probe_facts(cfg, sys));
    if (!r.plan) {
        if (!opt.json) {
            print_diags(r.warnings, "warning");
            print_diags(r.errors, "error");
            return k_exit_usage;
        }
        add_diags(findings, r.errors, check::Severity::error);
        return emit_json(cfg.file, findings, {}, k_exit_usage);
    }
    const auto ports = check::read_port_views(root, cfg);

    if (opt.suggest) {
        std::string original = text;
        if (opt.config_path) {
            auto t = read_config_text(*opt.config_path);
            if (!t) {
                std::fprintf(stderr, "error: %s\n", t.error().c_str());
                return k_exit_usage;
            }
            original = *t;
        }
        const auto s = check::suggest(cfg, *r.plan, view, ports);
        auto yaml = check::suggest_yaml(original, cfg, s, ports);
        if (!yaml) {
            std::fprintf(stderr, "error: %s\n", yaml.error().c_str());
            return k_exit_usage;
        }
        std::fputs(yaml->c_str(), stdout);
        return k_exit_ok;
    }

    if (opt.json) add_diags(findings, r.warnings, check::Severity::warning);
    auto host_findings = check::check_host(view);
    auto port_findings = check::check_ports(cfg, view, ports);
    const check::NumaReport numa = check::check_numa(cfg, *r.plan, view, ports);
    port_findings.insert(port_findings.end(), numa.findings.begin(), numa.findings.end());
    drop_repeats(host_findings, port_findings);
    for (auto& f : host_findings) findings.push_back(std::move(f));
    for (auto& f : port_findings) findings.push_back(std::move(f));
    auto source = vf_attr_source(root);
    for (auto& f : check::check_drift(cfg, ports, *source)) findings.push_back(std::move(f));
    const int rc = check::has_errors(findings) ? k_exit_runtime : k_exit_ok;
    if (opt.json) return emit_json(cfg.file, findings, numa.rows, rc);
    print_diags(r.warnings, "warning");
    std::printf("%s: valid\n%s", cfg.file.c_str(), config::format_plan(*r.plan).c_str());
    std::fputs(check::format_numa(numa).c_str(), stdout);
    std::printf("host (%s):\n", root.dir.c_str());
    std::fputs(check::format_findings(findings).c_str(), stdout);
    return rc;
}

}  // namespace vfpath::control
