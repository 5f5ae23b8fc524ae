#include <rte_errno.h>
#include <rte_ethdev.h>

#include "drivers-glue/compat.h"
#include "drivers-glue/glue.h"

namespace vfpath::glue {

static_assert(RTE_ETH_NAME_MAX_LEN == 64, "glue.h: port_name's buffer");

int port_name(uint16_t port_id, char (&name)[RTE_ETH_NAME_MAX_LEN]) {
#if VFPATH_DPDK_NAME_BY_PORT_SIZE
    return rte_eth_dev_get_name_by_port(port_id, name, sizeof name);
#else
    return rte_eth_dev_get_name_by_port(port_id, name);
#endif
}

std::string call_error(const char* call, uint16_t port_id, int ret) {
    char name[RTE_ETH_NAME_MAX_LEN] = "?";
    port_name(port_id, name);
    const int err = ret < 0 ? -ret : ret;
    return std::string(call) + "(port " + std::to_string(port_id) + " " + name +
           "): " + rte_strerror(err) + " (" + std::to_string(ret) + ")";
}

}  // namespace vfpath::glue
