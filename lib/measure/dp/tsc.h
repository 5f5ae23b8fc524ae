// TSC cycles -> nanoseconds on the hot path with one multiply and one shift (no division, no
// floating point). Built once from the TSC frequency (rte_get_tsc_hz()) on the control thread,
// then copied into the lcore's context and used read-only.
#pragma once

#include <cstdint>

namespace vfpath::measure {

struct TscToNs {
    // Nanoseconds per cycle in 32.32 fixed point. For a 1..5 GHz TSC the truncation is below
    // 1e-9 relative, far under the histogram's 0.4% bucket error.
    uint64_t mult = 0;

    // hz must be >= 1 (1e9 << 32 fits in 63 bits, so any hz >= 1 is safe).
    static constexpr TscToNs from_hz(uint64_t hz) noexcept {
        return TscToNs{(uint64_t{1'000'000'000} << 32) / hz};
    }
    constexpr uint64_t operator()(uint64_t cycles) const noexcept {
        return static_cast<uint64_t>((static_cast<unsigned __int128>(cycles) * mult) >> 32);
    }
};

}  // namespace vfpath::measure
