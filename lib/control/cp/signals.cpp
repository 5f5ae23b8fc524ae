#include "control/cp/signals.h"

#include <csignal>

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
    // Installed before EAL starts: a signal during its init must not interrupt its system
    // calls (EINTR), only be remembered.
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace vfpath::control
