// Device counters that jump: after a PF link bounce, igbvf (DPDK 22.11) reads its packet counters
// as 2^32 and more (the PMD misreads the counter reset; ../shared/notes/sriov-vm.md), and a
// re-attached or reset device starts again from 0. The report's device figures must stay sane:
// each counter is checked against the last reading, and one that went backwards or moved faster
// than any link can carry is counted from a new base, so the figure goes on from where it was.
// Pure logic, control thread only (Runtime::snapshot and the control loop's periodic sample).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drivers-glue/glue.h"

namespace vfpath::dataplane {

struct HwJump {
    uint16_t pidx = 0;
    std::string counter;     // "ipackets", ...
    uint64_t before = 0;     // the device's previous reading
    uint64_t after = 0;      // its reading now
};

class HwCounterGuard {
public:
    // Above any port's rate: 100 GbE carries at most 148.8 Mpps and 12.5 GB/s. A reading that
    // moved more than this (plus k_slack) since the previous one is a jump, not traffic. Sampled
    // at least every second (the control loop), a 2^32 jump is far above it.
    static constexpr double k_max_pps = 250e6;
    static constexpr double k_max_bytes_per_s = 20e9;
    static constexpr uint64_t k_slack = 1'000'000;

    explicit HwCounterGuard(size_t ports = 0) : ports_(ports) {}
    void resize(size_t ports) { ports_.resize(ports); }

    // The figures to report for `raw` read at `t_s` (seconds, any monotonic origin).
    glue::PortHwStats apply(uint16_t pidx, const glue::PortHwStats& raw, double t_s) {
        glue::PortHwStats out = raw;
        Port& p = ports_[pidx];
        const double dt = p.seen ? std::max(t_s - p.t_s, 0.0) : 0.0;
        auto one = [&](size_t k, const char* name, uint64_t glue::PortHwStats::*f, double rate) {
            Counter& c = p.c[k];
            const uint64_t v = raw.*f;
            if (p.seen) {
                const uint64_t limit = uint64_t(rate * std::max(dt, 0.001)) + k_slack;
                if (v < c.last || v - c.last > limit) {
                    // Keep the reported figure where it was: new base = v - reported so far.
                    jumps_.push_back({pidx, name, c.last, v});
                    c.base = v - (c.last - c.base);
                }
            }
            c.last = v;
            out.*f = v - c.base;
        };
        one(0, "ipackets", &glue::PortHwStats::ipackets, k_max_pps);
        one(1, "opackets", &glue::PortHwStats::opackets, k_max_pps);
        one(2, "ibytes", &glue::PortHwStats::ibytes, k_max_bytes_per_s);
        one(3, "obytes", &glue::PortHwStats::obytes, k_max_bytes_per_s);
        one(4, "imissed", &glue::PortHwStats::imissed, k_max_pps);
        one(5, "ierrors", &glue::PortHwStats::ierrors, k_max_pps);
        one(6, "oerrors", &glue::PortHwStats::oerrors, k_max_pps);
        one(7, "rx_nombuf", &glue::PortHwStats::rx_nombuf, k_max_pps);
        p.seen = true;
        p.t_s = t_s;
        return out;
    }
    // Jumps found since the last call, oldest first.
    std::vector<HwJump> take_jumps() { return std::exchange(jumps_, {}); }

private:
    struct Counter {
        uint64_t last = 0;  // the device's last reading
        uint64_t base = 0;  // subtracted from readings (modulo 2^64)
    };
    struct Port {
        bool seen = false;
        double t_s = 0;
        std::array<Counter, 8> c{};
    };
    std::vector<Port> ports_;
    std::vector<HwJump> jumps_;
};

}  // namespace vfpath::dataplane
