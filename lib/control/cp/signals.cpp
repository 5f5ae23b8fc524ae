#include "control/cp/signals.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace vfpath::control {

namespace {

// The only thing the signal handler does: record which signal asked us to stop.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_signal(int sig) { g_signal.store(sig, std::memory_order_relaxed); }

}  // namespace

std::atomic<int>& stop_signal() { return g_signal; }

void install_signal_handlers() {
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool report_path_writable(const std::string& path) {
    const std::string probe = path + ".tmp";
    FILE* f = std::fopen(probe.c_str(), "w");
    if (!f) {
        std::fprintf(stderr, "error: --report %s: cannot write there (%s)\n", path.c_str(),
                     std::strerror(errno));
        return false;
    }
    std::fclose(f);
    std::remove(probe.c_str());
    return true;
}

}  // namespace vfpath::control
