// make_gen_runner: the one place where `vfpath bench` meets the traffic generator. The session
// (EAL, ports, pools, lcores) lives as long as the returned backend: the runner's lambda holds it.
#include "control/cp/gen_runner.h"

#include <memory>

#include "gen/api.h"

namespace vfpath::control {

Result<TrialBackend> make_gen_runner(const config::Config& cfg,
                                     const std::vector<std::string>& eal_args) {
    auto opened = gen::GenSession::open(cfg, eal_args);
    if (!opened) return Error{opened.error()};
    std::shared_ptr<gen::GenSession> session = std::move(*opened);
    auto link = session->tx_link_bps();  // unknown: the search needs --link-speed
    return TrialBackend{[session](const measure::TrialSpec& t) { return session->run_trial(t); },
                        link ? *link : 0.0};
}

}  // namespace vfpath::control
