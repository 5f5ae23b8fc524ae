// TSC-based pacing for the generator lcore: how many frames may be sent now. Owned by one lcore;
// start() and the rate come from the control thread's plan (cp/rates.h converts bit/s or % of
// link to pps, and pps to the micro-pps the pacer takes).
//
// A token bucket computed exactly rather than accumulated: the frames due by time t are
// floor((t - t0) * rate / (tsc_hz * 1e6)) in 128-bit integers, so there is no drift however long
// the run (1e12 frames at 14.88 Mpps arrive on the exact cycle). ready() returns due - consumed,
// capped at `burst`: when the sender falls behind by more than a burst (tx ring full, a stall), the
// excess credit is forfeited (counted) rather than sent as a line-rate catch-up burst. So over any
// interval of d cycles at most burst + rate * d frames are released.
//
// When nothing is due, ready() remembers the cycle at which the next frame falls due, so an idle
// generator spins on one compare instead of a 128-bit division.
//
// Unpaced ("as fast as possible") generation should not use a Pacer at all: pick the unpaced loop
// at launch (STYLE §5) instead of testing a flag per burst.
#pragma once

#include <cstdint>

namespace vfpath::measure {

inline constexpr uint64_t k_upps_per_pps = 1'000'000;  // rates are in micro-packets per second

class Pacer {
public:
    // tsc_hz >= 1, burst >= 1, rate_upps = pps * 1e6 (0: never sends). Frames start falling due
    // at now_tsc. Not for the packet loop (it resets the counters), but allocation-free.
    void start(uint64_t tsc_hz, uint64_t rate_upps, uint32_t burst, uint64_t now_tsc) noexcept {
        t0_ = now_tsc;
        den_ = tsc_hz * k_upps_per_pps;
        rate_ = rate_upps;
        burst_ = burst == 0 ? 1 : burst;
        consumed_ = 0;
        sent_ = 0;
        forfeited_ = 0;
        wake_ = rate_ == 0 ? ~uint64_t{0} : now_tsc;
    }

    // Frames that may be sent at now_tsc (0..burst). Call consume() with how many were sent.
    uint32_t ready(uint64_t now_tsc) noexcept {
        if (now_tsc < wake_) return 0;
        const uint64_t due = static_cast<uint64_t>(
            static_cast<unsigned __int128>(now_tsc - t0_) * rate_ / den_);
        uint64_t avail = due - consumed_;
        if (avail > burst_) {
            forfeited_ += avail - burst_;
            consumed_ = due - burst_;
            avail = burst_;
        }
        if (avail == 0) {
            // Smallest elapsed e with e * rate / den >= consumed + 1.
            const unsigned __int128 need = static_cast<unsigned __int128>(consumed_ + 1) * den_;
            wake_ = t0_ + static_cast<uint64_t>((need + rate_ - 1) / rate_);
        }
        return static_cast<uint32_t>(avail);
    }

    // n frames were sent (n <= the last ready()); unsent credit stays for the next call.
    void consume(uint32_t n) noexcept {
        consumed_ += n;
        sent_ += n;
    }

    uint64_t sent() const noexcept { return sent_; }            // frames consumed
    uint64_t forfeited() const noexcept { return forfeited_; }  // credit dropped (sender lagged)
    uint32_t burst() const noexcept { return burst_; }

private:
    uint64_t t0_ = 0;         // dp: ro after start, TSC origin
    uint64_t den_ = 1;        // dp: ro, tsc_hz * 1e6
    uint64_t rate_ = 0;       // dp: ro, micro-pps
    uint64_t consumed_ = 0;   // dp: rw, frames sent + forfeited
    uint64_t wake_ = 0;       // dp: rw, nothing is due before this TSC
    uint64_t sent_ = 0;       // dp: rw
    uint64_t forfeited_ = 0;  // dp: rw
    uint32_t burst_ = 1;      // dp: ro
};

}  // namespace vfpath::measure
