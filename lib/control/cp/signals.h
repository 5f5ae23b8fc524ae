// Shared by the jobs that run until told to stop (`run`, `gen`): SIGINT/SIGTERM only record which
// signal came; the control thread polls it.
#pragma once

#include <atomic>
#include <string>

namespace vfpath::control {

// The last stop signal received (0: none).
std::atomic<int>& stop_signal();
void install_signal_handlers();

// Checks before anything starts that a --report file can be written there (creates and removes
// FILE.tmp); prints the error and returns false when not.
bool report_path_writable(const std::string& path);

}  // namespace vfpath::control
