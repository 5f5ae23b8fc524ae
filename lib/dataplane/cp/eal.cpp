// EAL bootstrap: arguments from the config, DPDK's log routed into spdlog, init and cleanup.
#include <cstdio>
#include <cstring>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

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

}  // namespace

std::vector<std::string> eal_args(const config::Config& cfg,
                                  const std::vector<std::string>& cli_args) {
    std::vector<std::string> a{"vfpath"};
    // -l from the parsed list, not the text as written: the loader accepts blanks EAL may not.
    std::string lcores;
    for (unsigned l : config::parse_cpu_list(cfg.eal.lcores).value_or(std::vector<unsigned>{}))
        lcores += (lcores.empty() ? "" : ",") + std::to_string(l);
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
    if (rte_eal_init(static_cast<int>(copy.size()), argv.data()) < 0) {
        return fail(std::string("EAL initialisation failed: ") + rte_strerror(rte_errno) +
                    " (EAL args: " + joined + ")");
    }
    return ok();
}

void cleanup_eal() { rte_eal_cleanup(); }

}  // namespace vfpath::dataplane
