// What the traffic generator asks of a port beyond setup: its link.
#include <rte_ethdev.h>

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

}  // namespace vfpath::glue
