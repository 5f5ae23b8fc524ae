// make_gen_runner: the one place where `vfpath bench` meets the traffic generator.
//
// This build has no generator yet (it is being written on another branch). Once it is merged, the
// body below becomes one statement that builds a GenSession from (cfg, eal_args) and returns
// TrialBackend{[session](const measure::TrialSpec& t) { return session->trial(t); },
// session->link_bps()} -- the session held by a shared_ptr the lambda captures.
#include "control/cp/gen_runner.h"

namespace vfpath::control {

Result<TrialBackend> make_gen_runner(const config::Config& cfg,
                                     const std::vector<std::string>& eal_args) {
    (void)eal_args;
    return fail(
        "generator not available in this build: `vfpath bench` needs `vfpath gen` to run "
        "its trials (config " +
        cfg.file + ")");
}

}  // namespace vfpath::control
