#include "control/cp/load.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/api.h"
#include "drivers-glue/version.h"
#include "topology/api.h"
#include "util/escape.h"
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
    print_error("--sys-root " + dir + ": no such directory");
    return false;
}
void set_log_format(const std::string& format) { log::set_format(format); }

void print_error(const std::string& message) {
    if (log::json()) {
        log::get("cli")->error("{}", message);
        return;
    }
    std::fprintf(stderr, "error: %s\n", escape_control(message, true).c_str());
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

bool check_report_path(const std::string& path) { return check_writable(path, "--report"); }

namespace {

const char* file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

}  // namespace

bool check_writable(const std::string& path, const char* flag) {
    if (path.empty()) return true;
    const std::string what = std::string(flag) + " " + path + ": ";
    // vfpath replaces (report) or truncates (stats) the file it writes: whatever stands at the
    // path is gone afterwards. Only a regular file may be there (a symlink to one is fine);
    // a device node, a directory or a FIFO is refused before anything starts.
    struct stat st{};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        print_error(what + "that is " + file_kind(st.st_mode) +
                    ", not a regular file; vfpath writes a file there and would replace it: "
                    "give the path of a file");
        return false;
    }
    if (!exists && errno != ENOENT) {
        print_error(what + "cannot write there (" + std::strerror(errno) + ")");
        return false;
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::string dir = parent.empty() ? "." : parent.string();
    struct stat dst{};
    if (::stat(dir.c_str(), &dst) != 0) {
        print_error(what + "cannot write there (" + dir + ": " + std::strerror(errno) + ")");
        return false;
    }
    if (!S_ISDIR(dst.st_mode)) {
        print_error(what + "cannot write there (" + dir + " is not a directory)");
        return false;
    }
    // The report is written to FILE.tmp and renamed, so the directory must take new files; an
    // existing file must be writable itself (the journal appends to it).
    if (::access(dir.c_str(), W_OK | X_OK) != 0 ||
        (exists && ::access(path.c_str(), W_OK) != 0)) {
        print_error(what + "cannot write there (" + std::strerror(errno) + ")");
        return false;
    }
    const std::string tmp = path + ".tmp";
    if (::lstat(tmp.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            print_error(what + tmp + " is " + file_kind(st.st_mode) +
                        ", and vfpath writes the file there first");
            return false;
        }
        return true;  // a leftover of an earlier run: it will be replaced
    }
    // access() says yes to root everywhere (/proc, a read-only mount): create the temporary
    // file the report goes through, and remove it again.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
        print_error(what + "cannot write there (" + std::strerror(errno) + ")");
        return false;
    }
    ::close(fd);
    ::unlink(tmp.c_str());
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
