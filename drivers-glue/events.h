// drivers-glue: ethdev events. The callback registered on every port does one thing: it records
// (port, event, time) in a queue and wakes the control thread (DESIGN: "The ethdev event
// callback does one thing"). Injected faults go through DPDK's own callback dispatch, so they run
// exactly the code a PMD's event runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "util/result.h"

struct rte_ring;

namespace vfpath::glue {

struct PortEvent {
    uint16_t port_id = 0;
    uint16_t type = 0;  // enum rte_eth_event_type
    uint32_t info = 0;  // VF_MBOX: what the synchronous hook decided (see SyncHook);
                        // INTR_RMV: k_info_device_request when the kernel asked for the device
    uint64_t ns = 0;  // CLOCK_MONOTONIC when recorded
};
static_assert(sizeof(PortEvent) == 16);
// PortEvent::info of an INTR_RMV made from the bus's RTE_DEV_EVENT_REMOVE (dev_events.cpp).
constexpr uint32_t k_info_device_request = 1;

// Optional synchronous hook for events whose answer is due inside the callback (VF_MBOX: the PF
// PMD reads ret_param when the callback returns). Runs on DPDK's interrupt thread: pure decisions
// only, no blocking.
// Its return value travels with the event as PortEvent::info.
using SyncHook = std::function<uint32_t(uint16_t port_id, int type, void* ret_param)>;

class EventQueue {
public:
    EventQueue() = default;
    ~EventQueue();
    EventQueue(const EventQueue&) = delete;
    EventQueue& operator=(const EventQueue&) = delete;

    // Creates the ring and eventfd and registers the callback for every event type on all ports.
    Status open(SyncHook hook = {});
    void close();
    // Called from any thread (DPDK interrupt thread, control thread for injections).
    void push(const PortEvent& ev);
    bool pop(PortEvent& ev);
    // Waits until an event is pushed or `timeout_us` passes.
    void wait(int64_t timeout_us);
    uint64_t overflows() const { return overflows_; }
    const SyncHook& hook() const { return hook_; }

private:
    rte_ring* ring_ = nullptr;
    int efd_ = -1;
    bool registered_ = false;
    uint64_t overflows_ = 0;
    SyncHook hook_;
};

const char* event_name(int type);

// --- Bus device events (defined in dev_events.cpp): RTE_DEV_EVENT_REMOVE (vfio's device request:
// the kernel is removing the device) becomes INTR_RMV on each of the device's ports.
class EventQueue;
bool register_dev_events(EventQueue* q);
void unregister_dev_events(EventQueue* q);
// Raises RTE_DEV_EVENT_REMOVE for the port's device through the bus's own callback dispatch
// (rte_dev_event_callback_process), as DPDK's PCI bus does on vfio's device request.
Status inject_dev_remove(uint16_t port_id);
uint64_t monotonic_ns();

// Runs the ethdev callback chain of a port for `type`, as a PMD does when the event happens.
Status inject_event(uint16_t port_id, int type);
// rte_eth_dev_set_link_down/up: the device itself reports the new state afterwards.
Status set_link(uint16_t port_id, bool up);

// How the driver recovers from errors (rte_eth_dev_info.err_handle_mode).
enum class ErrMode { none, passive, proactive };
ErrMode err_mode(uint16_t port_id);
const char* to_string(ErrMode m);

// --- Port operations used by recovery (defined in recovery_ops.cpp).
int port_reset(uint16_t port_id);
int port_stop(uint16_t port_id);
int port_start(uint16_t port_id);
// Stops and closes the port, detaches the device, probes `devargs` again and returns the port id
// the device got back (looked up by `name`).
Result<uint16_t> port_reattach(uint16_t port_id, const std::string& devargs,
                               const std::string& name);
// Whether the port's driver needs a restart after its link went down and came back: a VF whose
// PF reset (a PF link bounce does it) keeps rx and tx disabled until it redoes its reset
// handshake, and raises no event for it. `why` names the driver and the reason, for the journal.
struct LinkBounceRule {
    bool restart = false;
    std::string why;
};
LinkBounceRule link_bounce_rule(uint16_t port_id);
// Who recovers a port from a reset: vfpath (rte_eth_dev_reset, stop/start, re-attach), or the
// driver by itself, raising no INTR_RESET (iavf with auto_reset: the devarg from DPDK 23.11, the
// default from 26.07). vfpath must then never call rte_eth_dev_reset, and times the downtime from
// the link going down to coming back up. `dpdk_version` as RTE_VERSION_NUM(y, m, 0, 0).
struct RecoveryModel {
    bool driver_recovers = false;
    std::string why;
};
RecoveryModel recovery_model(const std::string& driver, uint32_t dpdk_version,
                             const std::string& devargs);
// The same for a probed port with the devargs it was probed with, on the DPDK we run on.
RecoveryModel recovery_model(uint16_t port_id, const std::string& devargs);

}  // namespace vfpath::glue
