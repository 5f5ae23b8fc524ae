// The ethdev calls recovery is made of: reset, stop/start, detach/re-attach.
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include <string>

#include "drivers-glue/events.h"
#include "drivers-glue/glue.h"

namespace vfpath::glue {

namespace {

// VF drivers whose PF disables the VF's queues when it resets, until the VF's next reset
// handshake (rte_eth_dev_stop/start redoes it).
struct BounceEntry {
    const char* driver;
    const char* why;
};
constexpr BounceEntry k_bounce_restart[] = {
    // Measured: QEMU igb (82576) PF link down/up, DPDK 22.11: every VF stayed dead after the link
    // came back until a stop/start (../shared/notes/sriov-vm.md).
    {"net_e1000_igb_vf", "igbvf: the PF disables VF rx/tx on its reset until the VF resets"},
    // Not measured here: their PFs reset their VFs too when they reset (kernel ixgbe/i40e/ice
    // send a VF reset over the mailbox); a restart after link up costs a few ms.
    {"net_ixgbe_vf", "ixgbevf: the PF resets its VFs when it resets"},
    {"net_i40e_vf", "i40evf: the PF resets its VFs when it resets"},
    {"net_iavf", "iavf: the PF resets its VFs when it resets"},
};

}  // namespace

LinkBounceRule link_bounce_rule(uint16_t port_id) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.driver_name)
        return {false, "driver unknown"};
    const std::string d = info.driver_name;
    for (const BounceEntry& e : k_bounce_restart)
        if (d == e.driver) return {true, e.why};
    return {false, d + " is not a VF driver that needs it"};
}

namespace {

// The value of `key=` among comma-separated devargs; "" when absent.
std::string devarg(const std::string& devargs, const std::string& key) {
    size_t at = 0;
    while (at <= devargs.size()) {
        const size_t c = devargs.find(',', at);
        const std::string tok = devargs.substr(at, c == std::string::npos ? std::string::npos : c - at);
        if (tok.rfind(key + "=", 0) == 0) return tok.substr(key.size() + 1);
        if (c == std::string::npos) break;
        at = c + 1;
    }
    return "";
}

}  // namespace

RecoveryModel recovery_model(const std::string& driver, uint32_t v, const std::string& devargs) {
    if (driver != "net_iavf") return {false, driver + ": vfpath recovers it"};
    // iavf's auto_reset devarg (DPDK 23.11, drivers/net/iavf): the PMD handles a PF-initiated
    // reset itself, from its own thread, and raises no INTR_RESET. From 26.07 it is the default.
    const std::string ar = devarg(devargs, "auto_reset");
    if (v >= RTE_VERSION_NUM(26, 7, 0, 0) && ar != "0")
        return {true, "iavf on DPDK >= 26.07: auto_reset is the default (auto_reset=0 turns it off)"};
    if (v >= RTE_VERSION_NUM(23, 11, 0, 0) && ar == "1")
        return {true, "iavf with auto_reset=1 on DPDK >= 23.11"};
    if (ar == "1") return {false, "iavf: auto_reset=1 needs DPDK >= 23.11; vfpath recovers it"};
    return {false, "iavf without auto_reset: vfpath recovers it"};
}

RecoveryModel recovery_model(uint16_t port_id, const std::string& devargs) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.driver_name)
        return {false, "driver unknown: vfpath recovers it"};
    return recovery_model(info.driver_name, RTE_VERSION, devargs);
}

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
