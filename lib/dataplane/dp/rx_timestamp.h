// Reading a received frame's hardware timestamp (RTE_ETH_RX_OFFLOAD_TIMESTAMP) and placing it on
// the TSC. Runs on rx lcores (the forwarder's dwell latency, the generator's analyzer); one
// flag test, one load and one multiply per frame, only in the loops chosen for ports whose
// latency clock is the NIC's.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "measure/dp/hwclock.h"

namespace vfpath::dp {

// The frame's timestamp in device clock ticks, when the PMD filled it (its flag is set).
inline bool rx_timestamp(const rte_mbuf* m, const measure::RxTimestampField& f,
                         uint64_t& ticks) noexcept {
    if ((m->ol_flags & f.flag) == 0 || f.flag == 0) return false;
    ticks = *RTE_MBUF_DYNFIELD(m, f.offset, const rte_mbuf_timestamp_t*);
    return true;
}

// When the frame reached the NIC, on the TSC: its timestamp through `fit`. False (time it with
// the TSC instead) when it carries none, or when the mapped time is later than `latest`, a TSC
// read made after the frame was received: a NIC cannot stamp a frame after the host has it, so
// such a value is a calibration off by more than the frame's time in the ring, not a latency.
inline bool rx_arrival_tsc(const rte_mbuf* m, const measure::RxTimestampField& f,
                           const measure::ClockFit& fit, uint64_t latest, uint64_t& tsc) noexcept {
    uint64_t ticks;
    if (!rx_timestamp(m, f, ticks)) return false;
    const uint64_t t = fit.to_tsc(ticks);
    if (t > latest) return false;
    tsc = t;
    return true;
}

}  // namespace vfpath::dp
