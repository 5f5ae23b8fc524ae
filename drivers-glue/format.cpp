#include <rte_errno.h>
#include <rte_ethdev.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

std::string call_error(const char* call, uint16_t port_id, int ret) {
    char name[RTE_ETH_NAME_MAX_LEN] = "?";
    rte_eth_dev_get_name_by_port(port_id, name);
    const int err = ret < 0 ? -ret : ret;
    return std::string(call) + "(port " + std::to_string(port_id) + " " + name +
           "): " + rte_strerror(err) + " (" + std::to_string(ret) + ")";
}

}  // namespace vfpath::glue
