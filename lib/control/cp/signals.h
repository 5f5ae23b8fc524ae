// Shared by the jobs that run until told to stop (`run`, `gen`): SIGINT/SIGTERM only record which
// signal came; the control thread polls it.
#pragma once

#include <atomic>

namespace vfpath::control {

// The last stop signal received (0: none).
std::atomic<int>& stop_signal();
void install_signal_handlers();

}  // namespace vfpath::control
