// `vfpath bench ...` subcommands: argument parsing only; the work is in lib/control/bench.h.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfpath::app {

class BenchCommands {
public:
    // Adds `bench` and its subcommands to `app`.
    explicit BenchCommands(CLI::App& app);
    ~BenchCommands();
    bool parsed() const;  // `bench` was given (it takes EAL arguments after --)
    // After parsing: the exit code of the bench command that was given, nullopt if none was.
    std::optional<int> dispatch(const std::vector<std::string>& eal_args) const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace vfpath::app
