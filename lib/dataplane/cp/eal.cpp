// EAL bootstrap: arguments from the config, DPDK's log routed into spdlog, init and cleanup.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pdump.h>

#include "dataplane/api.h"
#include "util/log.h"

namespace vfpath::dataplane {

namespace {

// DPDK writes its log to a FILE*; this one forwards each line to spdlog at the message's level,
// so both logs share one timeline and one format.
ssize_t dpdk_log_write(void*, const char* buf, size_t size) {
    static auto lg = log::get("dpdk");
    std::string_view msg(buf, size);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.remove_suffix(1);
    if (msg.empty()) return static_cast<ssize_t>(size);
    spdlog::level::level_enum lv = spdlog::level::info;
    switch (rte_log_cur_msg_loglevel()) {
        case RTE_LOG_EMERG:
        case RTE_LOG_ALERT:
        case RTE_LOG_CRIT: lv = spdlog::level::critical; break;
        case RTE_LOG_ERR: lv = spdlog::level::err; break;
        case RTE_LOG_WARNING: lv = spdlog::level::warn; break;
        case RTE_LOG_NOTICE:
        case RTE_LOG_INFO: lv = spdlog::level::info; break;
        default: lv = spdlog::level::debug; break;
    }
    lg->log(lv, "{}", msg);
    return static_cast<ssize_t>(size);
}

FILE* dpdk_log_stream() {
    static cookie_io_functions_t fns{nullptr, dpdk_log_write, nullptr, nullptr};
    static FILE* f = [] {
        FILE* s = fopencookie(nullptr, "w", fns);
        if (s) setvbuf(s, nullptr, _IOLBF, 0);
        return s;
    }();
    return f;
}

// DPDK's own verbosity follows ours: its INFO level is a firehose, so our "info" maps to NOTICE.
const char* dpdk_level() {
    const auto lv = log::get("dpdk")->level();
    if (lv <= spdlog::level::debug) return "8";
    if (lv <= spdlog::level::info) return "6";
    if (lv <= spdlog::level::warn) return "5";
    return "4";
}

// Packet capture (dpdk-dumpcap, dpdk-pdump) attaches as a secondary process and asks us, over
// EAL's multi-process channel, to copy a port's frames into its ring. That needs the channel and
// memory a secondary can map: hugepages and shared runtime files. --no-huge gives private memory,
// and --no-shconf / --in-memory switch the channel off (rte_mp_action_register: ENOTSUP), so
// with any of them capture is not offered. The arguments are judged as EAL got them, CLI
// arguments after `--` included.
bool g_pdump = false;

void init_capture(const std::vector<std::string>& args) {
    auto lg = log::get("eal");
    std::string prefix = "rte";  // EAL's default --file-prefix
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--no-huge" || a == "--no-shconf" || a == "--in-memory") {
            lg->debug("packet capture (dpdk-dumpcap) is off: EAL runs with {}; it needs "
                      "eal.hugepages: true and eal.in_memory: false", a);
            return;
        }
        if (a.rfind("--file-prefix=", 0) == 0) prefix = a.substr(14);
        if (a == "--file-prefix" && i + 1 < args.size()) prefix = args[i + 1];
    }
    if (rte_pdump_init() != 0) {
        lg->warn("packet capture is off: rte_pdump_init failed: {}", rte_strerror(rte_errno));
        return;
    }
    g_pdump = true;
    lg->info("packet capture on: dpdk-dumpcap --file-prefix={} -i <port> -w FILE.pcapng", prefix);
}

// The file EAL locks while a primary process runs with this prefix (eal_filesystem.h:
// <runtime dir>/dpdk/<prefix>/config; the runtime dir is /var/run for root, else
// $XDG_RUNTIME_DIR or /tmp). Empty when the arguments give EAL no shared files.
std::string runtime_config_file(const std::vector<std::string>& args) {
    std::string prefix = "rte";
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--no-shconf" || a == "--in-memory") return "";
        if (a.rfind("--file-prefix=", 0) == 0) prefix = a.substr(14);
        if (a == "--file-prefix" && i + 1 < args.size()) prefix = args[i + 1];
    }
    std::string dir = "/var/run";
    if (::getuid() != 0) {
        const char* xdg = std::getenv("XDG_RUNTIME_DIR");
        dir = xdg && *xdg ? xdg : "/tmp";
    }
    return dir + "/dpdk/" + prefix + "/config";
}

// A second primary with the same prefix fails in rte_eal_init without setting rte_errno ("EAL
// initialisation failed: Success"). Ask the lock first: a holder is named with its pid.
Status check_prefix_free(const std::vector<std::string>& args) {
    const std::string path = runtime_config_file(args);
    if (path.empty()) return ok();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ok();  // no such file: nobody runs with this prefix
    struct flock lk{};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    const bool held = ::fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
    ::close(fd);
    if (!held) return ok();
    const std::string prefix = path.substr(0, path.size() - 7);  // drop "/config"
    return fail("another DPDK primary process (pid " + std::to_string(lk.l_pid) +
                ") runs with the same file prefix: it holds the lock on " + path +
                ". Stop it, or give this job its own eal.file_prefix (" +
                prefix.substr(prefix.rfind('/') + 1) + " is taken)");
}

// In JSON log mode every stderr line must be a JSON object, but EAL writes some lines straight
// to stderr ("EAL: FATAL: ...", usage text). While rte_eal_init runs, fd 2 goes to a memory
// file; afterwards each captured line is passed on: JSON lines (our own log) as they are, the
// others wrapped as log lines of vfpath.dpdk.
class StderrCapture {
public:
    StderrCapture() {
        std::fflush(stderr);
        mem_ = ::memfd_create("vfpath-eal-stderr", MFD_CLOEXEC);
        saved_ = mem_ >= 0 ? ::dup(STDERR_FILENO) : -1;
        if (saved_ < 0 || ::dup2(mem_, STDERR_FILENO) < 0) close_all();
    }
    ~StderrCapture() { finish(); }
    void finish() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, STDERR_FILENO);
        std::string text;
        char buf[4096];
        ::lseek(mem_, 0, SEEK_SET);
        for (ssize_t n; (n = ::read(mem_, buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
        close_all();
        auto lg = log::get("dpdk");
        size_t at = 0;
        while (at < text.size()) {
            size_t nl = text.find('\n', at);
            if (nl == std::string::npos) nl = text.size();
            const std::string line = text.substr(at, nl - at);
            at = nl + 1;
            if (line.empty()) continue;
            if (line.front() == '{') {
                std::fputs((line + "\n").c_str(), stderr);
            } else {
                const bool bad = line.find("FATAL") != std::string::npos ||
                                 line.find("rror") != std::string::npos ||
                                 line.find("annot") != std::string::npos;
                lg->log(bad ? spdlog::level::err : spdlog::level::info, "{}", line);
            }
        }
        std::fflush(stderr);
    }

private:
    void close_all() {
        if (saved_ >= 0) ::close(saved_);
        if (mem_ >= 0) ::close(mem_);
        saved_ = mem_ = -1;
    }
    int mem_ = -1, saved_ = -1;
};

}  // namespace

std::vector<std::string> eal_args(const config::Config& cfg,
                                  const std::vector<std::string>& cli_args) {
    std::vector<std::string> a{"vfpath"};
    // -l from the parsed list, not the text as written: the loader accepts blanks EAL may not.
    std::string lcores;
    // Appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on "lit" + string&&.
    for (unsigned l : config::parse_cpu_list(cfg.eal.lcores).value_or(std::vector<unsigned>{})) {
        if (!lcores.empty()) lcores += ',';
        lcores += std::to_string(l);
    }
    a.insert(a.end(), {"-l", lcores, "--main-lcore", std::to_string(cfg.eal.main_lcore)});
    a.insert(a.end(), {"-m", std::to_string(cfg.eal.memory_mb)});
    // Without hugepages EAL runs in legacy memory mode, which refuses --in-memory; --no-shconf is
    // what keeps such runs from sharing files. With hugepages, --in-memory does both. Either one
    // turns off DPDK's multi-process channel, which net_memif needs (its probe registers an IPC
    // action), so in_memory: false leaves both out: runtime files then go under file_prefix.
    if (!cfg.eal.hugepages) {
        a.push_back("--no-huge");
        if (cfg.eal.in_memory) a.push_back("--no-shconf");
    } else if (cfg.eal.in_memory) {
        a.push_back("--in-memory");
    }
    if (!cfg.eal.file_prefix.empty()) a.push_back("--file-prefix=" + cfg.eal.file_prefix);
    a.push_back(std::string("--log-level=") + dpdk_level());
    for (auto& d : glue::device_eal_args(cfg)) a.push_back(d);
    a.insert(a.end(), cfg.eal.extra_args.begin(), cfg.eal.extra_args.end());
    a.insert(a.end(), cli_args.begin(), cli_args.end());
    return a;
}

Status init_eal(const std::vector<std::string>& args) {
    if (FILE* f = dpdk_log_stream()) rte_openlog_stream(f);
    std::string joined;
    for (const auto& s : args) joined += (joined.empty() ? "" : " ") + s;
    log::get("eal")->info("EAL args: {}", joined);
    // rte_eal_init may permute argv; give it its own copies.
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& s : copy) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (auto st = check_prefix_free(args); !st)
        return fail("EAL cannot start: " + st.error() + " (EAL args: " + joined + ")");
    std::optional<StderrCapture> capture;
    if (log::json()) capture.emplace();
    rte_errno = 0;
    const int rc = rte_eal_init(static_cast<int>(copy.size()), argv.data());
    const int err = rte_errno;
    if (capture) capture->finish();
    if (rc < 0) {
        // Some failures set no rte_errno: then EAL's own lines above are the reason.
        return fail(std::string("EAL initialisation failed: ") +
                    (err != 0 ? rte_strerror(err) : "see EAL's messages above") +
                    " (EAL args: " + joined + ")");
    }
    init_capture(args);
    return ok();
}

void cleanup_eal() {
    if (g_pdump) rte_pdump_uninit();
    g_pdump = false;
    rte_eal_cleanup();
}

}  // namespace vfpath::dataplane
