// The ethdev calls recovery is made of: reset, stop/start, detach/re-attach.
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "drivers-glue/events.h"
#include "drivers-glue/glue.h"

namespace vfpath::glue {

int port_reset(uint16_t port_id) { return rte_eth_dev_reset(port_id); }
int port_stop(uint16_t port_id) { return rte_eth_dev_stop(port_id); }
int port_start(uint16_t port_id) { return rte_eth_dev_start(port_id); }

Result<uint16_t> port_reattach(uint16_t port_id, const std::string& devargs,
                               const std::string& name) {
    rte_eth_dev_info info{};
    rte_device* dev = nullptr;
    if (rte_eth_dev_is_valid_port(port_id) && rte_eth_dev_info_get(port_id, &info) == 0)
        dev = info.device;
    if (dev) {
        rte_eth_dev_stop(port_id);
        rte_eth_dev_close(port_id);
        const int ret = rte_dev_remove(dev);
        if (ret != 0 && ret != -ENOENT)
            return fail(call_error("rte_dev_remove", port_id, ret));
    }
    // A PCI device is probed by its address; a vdev by its full devargs.
    const int ret = rte_dev_probe(devargs.c_str());
    if (ret != 0 && ret != -EEXIST)
        return fail("rte_dev_probe(" + devargs + "): " + rte_strerror(-ret) + " (" +
                    std::to_string(ret) + ")");
    uint16_t id = 0;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0)
        return fail("device " + name + " did not come back after re-attach");
    return id;
}

}  // namespace vfpath::glue
