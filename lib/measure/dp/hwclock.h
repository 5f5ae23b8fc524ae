// A NIC clock mapped onto the TSC, for hardware rx timestamps (RTE_ETH_RX_OFFLOAD_TIMESTAMP).
// Pure (no DPDK): the control thread fits the mapping from (device clock, TSC) sample pairs
// (cp/clock_calibration.h) and publishes it here; rx lcores read it once per burst and convert
// each frame's device timestamp with one subtraction, one 128-bit multiply and one shift.
//
// The device clock may be narrower than 64 bits (`bits`): a difference is taken modulo 2^bits
// and read as signed, so a timestamp up to half the counter's range before or after the anchor
// converts correctly across a wrap. Timestamps before the anchor are the normal case: the anchor
// moves forward at every refresh while frames wait in rx rings.
#pragma once

#include <atomic>
#include <cstdint>

namespace vfpath::measure {

// Where a received mbuf carries its hardware timestamp: the offset of the dynamic field
// (RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, a uint64_t) and the ol_flags bit that says it was filled
// (RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME), as rte_mbuf_dyn_rx_timestamp_register returns them.
// flag 0: not registered (no port uses the hardware clock).
struct RxTimestampField {
    int offset = -1;
    uint64_t flag = 0;
};

// tsc = anchor_tsc + (dev - anchor_dev) * slope, slope in TSC cycles per device tick as 32.32
// fixed point: for a 1 GHz device clock and a 2.6 GHz TSC the slope is 2.6, represented within
// 2^-33 (relative 1e-10: 0.1 cycle over a second of device ticks).
struct ClockFit {
    uint64_t anchor_dev = 0;  // a device clock value (already reduced to `bits`)
    uint64_t anchor_tsc = 0;  // the TSC at that device time
    uint64_t slope_q32 = 0;   // TSC cycles per device tick << 32; 0: no valid fit
    uint64_t mask = ~uint64_t{0};  // 2^bits - 1

    static constexpr uint64_t mask_of(unsigned bits) noexcept {
        return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    }
    constexpr bool valid() const noexcept { return slope_q32 != 0; }

    // Signed device ticks from the anchor to `dev`, modulo 2^bits (half the range each way).
    constexpr int64_t ticks_from_anchor(uint64_t dev) const noexcept {
        const uint64_t d = (dev - anchor_dev) & mask;
        const uint64_t sign = (mask >> 1) + 1;
        return static_cast<int64_t>((d & sign) ? (d | ~mask) : d);
    }
    constexpr uint64_t to_tsc(uint64_t dev) const noexcept {
        const __int128 cycles =
            (static_cast<__int128>(ticks_from_anchor(dev)) * static_cast<__int128>(slope_q32)) >> 32;
        return anchor_tsc + static_cast<uint64_t>(static_cast<int64_t>(cycles));
    }
};

// The fit as published to rx lcores: one writer (the control thread), any number of readers,
// no locks. A sequence counter (seqlock): odd while a write is in progress, bumped twice per
// write. A reader that sees the counter odd or changed retries, a bounded number of times: an
// lcore never waits on a control thread that was descheduled mid-write, it times that burst with
// the TSC instead (and counts it). All-zero memory is "nothing published" (rte_zmalloc'd).
class alignas(64) PublishedClock {
public:
    // How often a reader retries a read that raced a write before giving up on the burst.
    static constexpr int k_read_tries = 4;

    // Control thread only.
    void publish(const ClockFit& f) noexcept {
        begin_write();
        store(f);
        end_write();
    }
    // publish() in its three steps, public so that a test can stop a writer between them.
    void begin_write() noexcept {
        seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
    void store(const ClockFit& f) noexcept {
        anchor_dev_.store(f.anchor_dev, std::memory_order_relaxed);
        anchor_tsc_.store(f.anchor_tsc, std::memory_order_relaxed);
        slope_q32_.store(f.slope_q32, std::memory_order_relaxed);
        mask_.store(f.mask, std::memory_order_relaxed);
    }
    void end_write() noexcept {
        seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    // No valid mapping (before calibration, while a port is being recovered): readers fall back.
    void invalidate() noexcept { publish(ClockFit{0, 0, 0, ~uint64_t{0}}); }

    // Any thread. False when nothing valid is published or the read raced writes k_read_tries
    // times in a row.
    bool read(ClockFit& out) const noexcept {
        for (int i = 0; i < k_read_tries; ++i) {
            const uint64_t s1 = seq_.load(std::memory_order_acquire);
            if (s1 & 1) continue;
            out.anchor_dev = anchor_dev_.load(std::memory_order_relaxed);
            out.anchor_tsc = anchor_tsc_.load(std::memory_order_relaxed);
            out.slope_q32 = slope_q32_.load(std::memory_order_relaxed);
            out.mask = mask_.load(std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (seq_.load(std::memory_order_relaxed) == s1) return out.valid();
        }
        return false;
    }
    uint64_t generation() const noexcept { return seq_.load(std::memory_order_acquire) / 2; }

private:
    std::atomic<uint64_t> seq_{0};
    std::atomic<uint64_t> anchor_dev_{0}, anchor_tsc_{0}, slope_q32_{0}, mask_{0};
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

}  // namespace vfpath::measure
