#include "control/cp/load.h"

#include <cstdio>

#include "topology/api.h"
#include "util/log.h"

namespace vfpath::control {

void print_diags(const std::vector<config::Diag>& diags, const char* kind) {
    for (const auto& d : diags) std::fprintf(stderr, "%s: %s\n", kind, d.str().c_str());
}

std::optional<config::Config> load_config(const std::optional<std::string>& path) {
    config::LoadResult r = path ? config::load_file(*path)
                                : config::load_string(config::default_config_text(),
                                                      config::k_default_config_name);
    if (!r.errors.empty()) {
        print_diags(r.errors, "error");
        return std::nullopt;
    }
    return std::move(r.config);
}

std::optional<config::Config> load_job_config(const std::optional<std::string>& path,
                                              std::optional<double> stats_interval_s,
                                              const std::optional<std::string>& log_level) {
    auto cfg = load_config(path);
    if (!cfg) return std::nullopt;
    if (stats_interval_s) cfg->run.stats_interval_s = *stats_interval_s;
    if (log_level) cfg->run.log_level = *log_level;
    if (!log::set_level(cfg->run.log_level)) {
        std::fprintf(stderr, "error: log level \"%s\" is not one of trace, debug, info, warn, "
                             "error, critical, off\n", cfg->run.log_level.c_str());
        return std::nullopt;
    }
    return cfg;
}

std::vector<config::PortFacts> pre_probe_facts(const config::Config& cfg,
                                               const std::string& sys_root) {
    std::vector<config::PortFacts> facts(cfg.ports.size());
    for (size_t i = 0; i < cfg.ports.size(); ++i) {
        if (!cfg.ports[i].is_pci()) continue;
        if (auto node = topology::pci_numa_node(cfg.ports[i].device, sys_root))
            facts[i].socket = *node;
    }
    return facts;
}

}  // namespace vfpath::control
