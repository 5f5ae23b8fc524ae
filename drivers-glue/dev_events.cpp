// drivers-glue: device events from the bus, turned into the port events the control thread
// already handles. When the kernel wants a vfio-pci device back (its VF is being removed:
// sriov_numvfs lowered, the PF driver unbound, a hot-unplug), vfio raises a device request; DPDK's
// PCI bus turns it into RTE_DEV_EVENT_REMOVE for that device. The kernel then waits until the
// device is released, so the port must be detached: this is INTR_RMV in all but name, and it
// enters the same queue, as a PMD's INTR_RMV would. Built with ALLOW_EXPERIMENTAL_API: the
// rte_dev_event_callback_* functions are experimental in DPDK 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include <cerrno>
#include <string>
#include <string_view>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "drivers-glue/events.h"
#include "drivers-glue/glue.h"

namespace vfpath::glue {

namespace {
void on_dev_event(const char* device_name, rte_dev_event_type type, void* arg) {
    if (type != RTE_DEV_EVENT_REMOVE || !device_name) return;
    auto* q = static_cast<EventQueue*>(arg);
    uint16_t port_id = 0;
    // Every ethdev port of the device (one for a VF).
    RTE_ETH_FOREACH_DEV(port_id) {
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.device) continue;
        if (std::string_view(rte_dev_name(info.device)) != device_name) continue;
        q->push(PortEvent{port_id, static_cast<uint16_t>(RTE_ETH_EVENT_INTR_RMV),
                          k_info_device_request, monotonic_ns()});
    }
}
}  // namespace

bool register_dev_events(EventQueue* q) {
    return rte_dev_event_callback_register(nullptr, on_dev_event, q) == 0;
}

Status inject_dev_remove(uint16_t port_id) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.device)
        return fail("port " + std::to_string(port_id) + " has no device");
    rte_dev_event_callback_process(rte_dev_name(info.device), RTE_DEV_EVENT_REMOVE);
    return ok();
}

void unregister_dev_events(EventQueue* q) {
    // -EAGAIN while the callback runs: it only pushes into the queue, so retrying is short.
    while (rte_dev_event_callback_unregister(nullptr, on_dev_event, q) == -EAGAIN) {
    }
}

}  // namespace vfpath::glue
