#include "control/cp/load.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "control/api.h"
#include "drivers-glue/version.h"
#include "topology/api.h"
#include "util/log.h"

namespace vfpath::control {

report::DpdkVersions dpdk_versions() {
    return {glue::dpdk_version_built(), glue::dpdk_version_running()};
}

std::string version_text() {
    const report::DpdkVersions d = dpdk_versions();
    return "vfpath " VFPATH_VERSION "\nDPDK " + d.running + " (built against " + d.built + ")";
}

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

bool sys_root_ok(const std::string& dir) {
    std::error_code ec;
    if (dir.empty() || std::filesystem::is_directory(dir, ec)) return true;
    std::fprintf(stderr, "error: --sys-root %s: no such directory\n", dir.c_str());
    return false;
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

bool check_report_path(const std::string& path) { return check_writable(path, "--report"); }

bool check_writable(const std::string& path, const char* flag) {
    if (path.empty()) return true;
    const std::string probe = path + ".tmp";
    FILE* f = std::fopen(probe.c_str(), "w");
    if (!f) {
        std::fprintf(stderr, "error: %s %s: cannot write there (%s)\n", flag, path.c_str(),
                     std::strerror(errno));
        return false;
    }
    std::fclose(f);
    std::remove(probe.c_str());
    return true;
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
