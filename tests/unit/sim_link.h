// A simulated link for tests of the RFC 2544 search and `vfpath bench`: its capacity is known, so
// the right answer is too.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "measure/trial.h"

namespace vfpath::measure {

// A link that carries `capacity` frames/s and holds `buffer` frames: a trial of t seconds at rate r
// loses max(0, (r - capacity) * t - buffer) frames, exactly. Optional: a generator that cannot
// offer more than tx_cap, random single-frame loss, a latency that jumps above a rate.
struct SimLink {
    double capacity = 0;
    double buffer = 0;
    double tx_cap = std::numeric_limits<double>::infinity();
    double noise_p = 0;  // probability that a trial loses one extra frame
    std::mt19937 rng{1};
    double latency_knee = std::numeric_limits<double>::infinity();  // above it, latency explodes
    std::vector<TrialSpec> calls;

    TrialResult operator()(const TrialSpec& s) {
        calls.push_back(s);
        const double offered = std::min(s.rate_pps, tx_cap);
        const auto sent = static_cast<uint64_t>(std::llround(offered * s.seconds));
        const double excess = std::max(0.0, (offered - capacity) * s.seconds - buffer);
        uint64_t lost = std::min<uint64_t>(sent, static_cast<uint64_t>(std::llround(excess)));
        if (noise_p > 0 && std::bernoulli_distribution(noise_p)(rng) && lost < sent) ++lost;
        const bool slow = s.rate_pps > latency_knee;
        const double p50 = slow ? 400'000 : 5'000, p999 = slow ? 1'000'000 : 12'000;
        const auto probes = static_cast<uint64_t>(std::llround((sent - lost) * s.probe_share));
        nlohmann::json lat = {{"count", probes}, {"min", 1000},         {"mean", p50},
                              {"p50", p50},      {"p90", p50 * 1.5},    {"p99", p999 / 2},
                              {"p999", p999},    {"p9999", p999 * 1.2}, {"max", p999 * 2}};
        return TrialResult{sent, sent - lost, lost, 0, 0, offered, (sent - lost) / s.seconds, lat};
    }
    TrialRunner runner() {
        return [this](const TrialSpec& s) { return (*this)(s); };
    }
};

}  // namespace vfpath::measure
