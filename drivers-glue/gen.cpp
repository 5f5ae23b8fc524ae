// What the traffic generator asks of a port beyond setup: its link, and frames left in its rx
// queues between phases.
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

LinkInfo port_link(uint16_t port_id) {
    rte_eth_link link{};
    LinkInfo out;
    if (rte_eth_link_get_nowait(port_id, &link) != 0) return out;
    out.up = link.link_status == RTE_ETH_LINK_UP;
    if (link.link_speed != RTE_ETH_SPEED_NUM_NONE && link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
        out.speed_bps = uint64_t(link.link_speed) * 1'000'000;
    return out;
}

uint64_t drain_rx_queue(uint16_t port_id, uint16_t queue, uint64_t limit) {
    constexpr uint16_t k_burst = 32;
    rte_mbuf* pkts[k_burst];
    uint64_t n = 0;
    while (n < limit) {
        const uint16_t nb = rte_eth_rx_burst(port_id, queue, pkts, k_burst);
        if (nb == 0) break;
        rte_pktmbuf_free_bulk(pkts, nb);
        n += nb;
    }
    return n;
}

}  // namespace vfpath::glue
