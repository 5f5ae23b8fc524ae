// The trial backend `vfpath bench` uses: the traffic generator (`vfpath gen`) on the config's
// ports.
#pragma once

#include <string>
#include <vector>

#include "control/bench.h"

namespace vfpath::control {

// Starts what the generator needs (EAL with eal_args, the config's ports) and returns a runner
// that runs one generator trial per call, with the tx port's link speed. An error names what
// could not start.
Result<TrialBackend> make_gen_runner(const config::Config& cfg,
                                     const std::vector<std::string>& eal_args);

}  // namespace vfpath::control
