// `vfpath host ...` subcommands: argument parsing only; the work is in lib/control.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace vfpath::app {

class HostCommands {
public:
    // Adds `host` and its subcommands to `app`.
    explicit HostCommands(CLI::App& app);
    ~HostCommands();
    // After parsing: the exit code of the host command that was given, nullopt if none was.
    std::optional<int> dispatch() const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace vfpath::app
