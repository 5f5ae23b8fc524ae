// Hardware rx timestamps (RTE_ETH_RX_OFFLOAD_TIMESTAMP): where an mbuf carries its timestamp,
// and (device clock, TSC) sample pairs for the calibration that maps one onto the other
// (measure/cp/clock_calibration.h).
// rte_eth_read_clock is experimental in DPDK 22.11; this is the only file that calls it.
#define ALLOW_EXPERIMENTAL_API 1

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

namespace {

// Reads of the device clock per sample; the one with the narrowest TSC bracket is kept. A
// register read over PCIe takes ~1 us and is sometimes delayed much longer (another agent on
// the bus, an interrupt): the narrowest of 8 brackets is a good bound on where the read landed.
constexpr int k_reads_per_sample = 8;

}  // namespace

Result<measure::RxTimestampField> register_rx_timestamp() {
    measure::RxTimestampField f;
    if (rte_mbuf_dyn_rx_timestamp_register(&f.offset, &f.flag) != 0)
        return fail(std::string("rte_mbuf_dyn_rx_timestamp_register: ") + rte_strerror(rte_errno) +
                    " (" + std::to_string(rte_errno) + ")");
    return f;
}

bool has_read_clock(uint16_t port_id) {
    uint64_t v = 0;
    return rte_eth_read_clock(port_id, &v) != -ENOTSUP;
}

Result<measure::ClockSample> read_clock_sample(uint16_t port_id) {
    measure::ClockSample best;
    uint64_t best_width = ~uint64_t{0};
    for (int i = 0; i < k_reads_per_sample; ++i) {
        uint64_t dev = 0;
        const uint64_t t0 = rte_rdtsc_precise();
        const int ret = rte_eth_read_clock(port_id, &dev);
        const uint64_t t1 = rte_rdtsc_precise();
        if (ret != 0) return fail(call_error("rte_eth_read_clock", port_id, ret));
        if (t1 - t0 < best_width) {
            best_width = t1 - t0;
            best = {dev, t0 + (t1 - t0) / 2};
        }
    }
    return best;
}

}  // namespace vfpath::glue
