// The analyzer's per-frame step: find the probe, check it belongs to this run, then feed the
// stream's sequence tracker and latency histogram. Pure (no DPDK): the rx lcore passes each frame's
// bytes and the TSC read right after its rx burst. Owned by one rx lcore; the counters are Relaxed
// so the control thread reads them live.
//
// One-way latency = rx TSC - the probe's tx TSC, converted to ns. It is valid because both TSC
// reads happen on the same host, whose TSC is invariant and synchronised across cores (the usual
// x86 case DPDK relies on for rte_rdtsc): across lcores, and across processes too (the TSC is a
// per-host counter, not per-process), e.g. a generator in one process and an analyzer in another.
// It includes the rx burst's batching: the TSC is read once per burst, after rte_eth_rx_burst.
// With hardware rx timestamps the rx lcore passes instead each frame's NIC timestamp mapped onto
// the TSC (dp/hwclock.h), which excludes the time the frame waited in the rx ring; frames of such
// a port that carry no timestamp are timed with the burst's TSC and counted apart (RxTime).
//
// Verdicts (one per frame):
//   probe       counted by the stream's SeqTracker, latency recorded (not for duplicates)
//   duplicate   a probe seen before on this stream (SeqTracker window): no latency
//   non_probe   no well-formed probe (dp/probe.h parse_probe): another protocol, our frames
//               without a probe, or a probe whose magic/version/layout is damaged
//   unknown     a well-formed probe whose stream id is not one of this run's
//   future      tx TSC after the rx TSC: impossible on one host, so a corrupt or foreign stamp
//   stale       tx TSC before this phase started: a late frame of an earlier phase or run
// future and stale probes are never recorded as latency nor counted as received.
#pragma once

#include <cstddef>
#include <cstdint>

#include "measure/dp/histogram.h"
#include "measure/dp/probe.h"
#include "measure/dp/relaxed.h"
#include "measure/dp/seqtrack.h"
#include "measure/dp/tsc.h"

namespace vfpath::measure {

enum class Verdict : uint8_t { probe, duplicate, non_probe, unknown, future, stale };

// Where a frame's rx time came from: the TSC read after its rx burst (a port timed with the
// TSC), its NIC timestamp (hw), or the burst's TSC on a port whose frames should have carried a
// NIC timestamp and this one did not (fallback). Constant in a TSC-only loop, so free there.
enum class RxTime : uint8_t { tsc, hw, fallback };

// One stream as seen by one rx lcore. All-zero memory is an empty one (rte_zmalloc'd).
struct StreamRx {
    SeqTracker<> seq;      // dp: rw / cp: ro
    Histogram latency;     // dp: rw / cp: ro, one-way latency in ns
    Relaxed hw_timed;      // dp: rw / cp: ro, latency samples from a NIC timestamp
    Relaxed tsc_fallback;  // dp: rw / cp: ro, from the burst's TSC on a hardware-clock port
};

// Frames an rx lcore set aside, by verdict (probes are in their StreamRx).
struct RejectCounters {
    Relaxed non_probe;  // dp: rw / cp: ro
    Relaxed unknown;
    Relaxed future;
    Relaxed stale;
};

struct AnalyzerCtx {
    StreamRx* streams;      // dp: rw, indexed by stream id
    uint32_t n_streams;     // dp: ro
    uint64_t phase_start;   // dp: ro, TSC when this phase began; older stamps are stale
    TscToNs to_ns;          // dp: ro
    RejectCounters* rejects;  // dp: rw
};

inline Verdict analyze_frame(const AnalyzerCtx& a, const uint8_t* frame, size_t len,
                             uint64_t rx_tsc, RxTime how = RxTime::tsc) noexcept {
    ProbeFields p;
    if (!parse_probe(frame, len, p)) {
        a.rejects->non_probe.add(1);
        return Verdict::non_probe;
    }
    if (p.stream_id >= a.n_streams) [[unlikely]] {
        a.rejects->unknown.add(1);
        return Verdict::unknown;
    }
    if (p.tx_tsc > rx_tsc) [[unlikely]] {
        a.rejects->future.add(1);
        return Verdict::future;
    }
    if (p.tx_tsc < a.phase_start) [[unlikely]] {
        a.rejects->stale.add(1);
        return Verdict::stale;
    }
    StreamRx& s = a.streams[p.stream_id];
    if (s.seq.update(p.seq) == Arrival::duplicate) return Verdict::duplicate;
    s.latency.record(a.to_ns(rx_tsc - p.tx_tsc));
    if (how == RxTime::hw)
        s.hw_timed.add(1);
    else if (how == RxTime::fallback)
        s.tsc_fallback.add(1);
    return Verdict::probe;
}

}  // namespace vfpath::measure
