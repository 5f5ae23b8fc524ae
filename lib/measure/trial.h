// One measurement trial: the contract between whoever offers traffic (the generator, `vfpath gen`)
// and whoever decides what to offer next (the RFC 2544 search, lib/measure/cp/rfc2544.h). No DPDK
// types, so the search is tested with simulated links. Control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

namespace vfpath::measure {

// What to offer: rate_pps frames/s of frame_size bytes (FCS included, RFC 2544) for `seconds`,
// after warmup_s of the same traffic that is not counted; `flows` distinct flows; probe_share of
// the frames carry a latency probe (0..1).
struct TrialSpec {
    double rate_pps;
    uint32_t frame_size;
    double seconds;
    double warmup_s;
    uint32_t flows;
    double probe_share;
};

// What the trial measured (the counted part only). latency_ns is the report's latency object
// {"count","min","mean","p50","p90","p99","p999","p9999","max"} from the probes; count 0 (or an
// empty object) when no probe came back.
struct TrialResult {
    uint64_t sent, received, lost, reordered, duplicates;
    double tx_pps, rx_pps;
    nlohmann::json latency_ns;
};

// Runs one trial and returns when it is over. May throw std::exception when the trial could not
// run at all (device gone, EAL failure): the caller stops the search and reports the error.
using TrialRunner = std::function<TrialResult(const TrialSpec&)>;

}  // namespace vfpath::measure
