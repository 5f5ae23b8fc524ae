#include "control/cp/load.h"

#include <cstdio>

#include "topology/api.h"
#include "util/log.h"

namespace vfpath::control {

void print_diags(const std::vector<config::Diag>& diags, const char* kind) {
    // With --log-format json a log shipper reads stderr line by line: the diagnostics go through
    // the logger, one JSON object each, like every other line.
    if (log::json()) {
        auto lg = log::get("config");
        const auto level = std::string_view(kind) == "error" ? spdlog::level::err
                                                             : spdlog::level::warn;
        for (const auto& d : diags) lg->log(level, "{}", d.str());
        return;
    }
    for (const auto& d : diags) std::fprintf(stderr, "%s: %s\n", kind, d.str().c_str());
}

void set_log_format(const std::string& format) { log::set_format(format); }

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
