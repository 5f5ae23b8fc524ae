#include "drivers-glue/events.h"

#include <sys/eventfd.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "drivers-glue/glue.h"

// Exported by librte_ethdev (version INTERNAL) but declared only in ethdev_driver.h, which
// Debian does not ship. This is the function a PMD calls to raise an event.
extern "C" {
struct rte_eth_dev;
struct rte_eth_dev* rte_eth_dev_allocated(const char* name);
int rte_eth_dev_callback_process(struct rte_eth_dev* dev, enum rte_eth_event_type event,
                                 void* ret_param);
}

namespace vfpath::glue {

namespace {

// Enough for bursts of events from every port; beyond it events are counted as overflows.
constexpr unsigned k_ring_size = 4096;

constexpr rte_eth_event_type k_events[] = {
    RTE_ETH_EVENT_INTR_LSC,        RTE_ETH_EVENT_INTR_RESET,   RTE_ETH_EVENT_INTR_RMV,
    RTE_ETH_EVENT_VF_MBOX,         RTE_ETH_EVENT_ERR_RECOVERING, RTE_ETH_EVENT_RECOVERY_SUCCESS,
    RTE_ETH_EVENT_RECOVERY_FAILED, RTE_ETH_EVENT_NEW,          RTE_ETH_EVENT_DESTROY,
};

// The one callback. It may run on DPDK's interrupt thread or on a PMD's own thread.
int on_event(uint16_t port_id, rte_eth_event_type type, void* arg, void* ret_param) {
    auto* q = static_cast<EventQueue*>(arg);
    uint32_t info = 0;
    if (type == RTE_ETH_EVENT_VF_MBOX && q->hook()) info = q->hook()(port_id, type, ret_param);
    q->push(PortEvent{port_id, static_cast<uint16_t>(type), info, monotonic_ns()});
    return 0;
}

}  // namespace

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

EventQueue::~EventQueue() { close(); }

Status EventQueue::open(SyncHook hook) {
    hook_ = std::move(hook);
    // The ring is laid out by hand (header, then k_ring_size events) rather than made with
    // rte_ring_create_elem: DPDK 24.11's rte_ring_elem.h declares that function outside
    // extern "C", so C++ code cannot link to it there. rte_ring_init (rte_ring.h) has C linkage in
    // every version; the _elem enqueue/dequeue calls are inline. Owned by this queue (close()).
    static_assert(sizeof(PortEvent) % 4 == 0, "rte_ring _elem calls need a multiple of 4 bytes");
    void* mem = rte_zmalloc("vfpath_events", sizeof(rte_ring) + k_ring_size * sizeof(PortEvent),
                            RTE_CACHE_LINE_SIZE);
    if (!mem) return fail("event ring: cannot allocate " +
                          std::to_string(k_ring_size * sizeof(PortEvent)) + " bytes");
    ring_ = static_cast<rte_ring*>(mem);
    if (const int ret = rte_ring_init(ring_, "vfpath_events", k_ring_size, RING_F_SC_DEQ); ret != 0) {
        rte_free(mem);
        ring_ = nullptr;
        return fail(std::string("event ring: ") + rte_strerror(-ret));
    }
    efd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd_ < 0) return fail("eventfd failed");
    for (auto ev : k_events) {
        const int ret = rte_eth_dev_callback_register(RTE_ETH_ALL, ev, on_event, this);
        if (ret != 0)
            return fail(std::string("cannot register the ") + event_name(ev) +
                        " callback: " + rte_strerror(-ret));
    }
    registered_ = true;
    if (!register_dev_events(this)) {
        close();
        return fail(std::string("cannot register the device event callback: ") +
                    rte_strerror(rte_errno));
    }
    return ok();
}

void EventQueue::close() {
    if (registered_) {
        unregister_dev_events(this);
        for (auto ev : k_events) rte_eth_dev_callback_unregister(RTE_ETH_ALL, ev, on_event, this);
        registered_ = false;
    }
    if (ring_) rte_free(ring_);
    ring_ = nullptr;
    if (efd_ >= 0) ::close(efd_);
    efd_ = -1;
}

void EventQueue::push(const PortEvent& ev) {
    if (rte_ring_mp_enqueue_elem(ring_, const_cast<PortEvent*>(&ev), sizeof(PortEvent)) != 0) {
        ++overflows_;
        return;
    }
    const uint64_t one = 1;
    (void)!::write(efd_, &one, sizeof one);
}

bool EventQueue::pop(PortEvent& ev) {
    return rte_ring_sc_dequeue_elem(ring_, &ev, sizeof(PortEvent)) == 0;
}

void EventQueue::wait(int64_t timeout_us) {
    if (!rte_ring_empty(ring_)) return;
    pollfd pfd{efd_, POLLIN, 0};
    timespec ts{timeout_us / 1000000, (timeout_us % 1000000) * 1000};
    if (ppoll(&pfd, 1, &ts, nullptr) > 0) {
        uint64_t v;
        (void)!::read(efd_, &v, sizeof v);
    }
}

const char* event_name(int type) {
    switch (type) {
        case RTE_ETH_EVENT_INTR_LSC: return "LSC";
        case RTE_ETH_EVENT_INTR_RESET: return "INTR_RESET";
        case RTE_ETH_EVENT_INTR_RMV: return "INTR_RMV";
        case RTE_ETH_EVENT_VF_MBOX: return "VF_MBOX";
        case RTE_ETH_EVENT_ERR_RECOVERING: return "ERR_RECOVERING";
        case RTE_ETH_EVENT_RECOVERY_SUCCESS: return "RECOVERY_SUCCESS";
        case RTE_ETH_EVENT_RECOVERY_FAILED: return "RECOVERY_FAILED";
        case RTE_ETH_EVENT_NEW: return "NEW";
        case RTE_ETH_EVENT_DESTROY: return "DESTROY";
        default: return "OTHER";
    }
}

Status inject_event(uint16_t port_id, int type) {
    char name[RTE_ETH_NAME_MAX_LEN] = "";
    if (port_name(port_id, name) != 0)
        return fail("inject: no port " + std::to_string(port_id));
    rte_eth_dev* dev = rte_eth_dev_allocated(name);
    if (!dev) return fail(std::string("inject: device ") + name + " is not allocated");
    rte_eth_dev_callback_process(dev, static_cast<rte_eth_event_type>(type), nullptr);
    return ok();
}

Status set_link(uint16_t port_id, bool up) {
    const int ret = up ? rte_eth_dev_set_link_up(port_id) : rte_eth_dev_set_link_down(port_id);
    if (ret != 0) return fail(call_error(up ? "rte_eth_dev_set_link_up" : "rte_eth_dev_set_link_down",
                                         port_id, ret));
    return ok();
}

ErrMode err_mode(uint16_t port_id) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0) return ErrMode::none;
    switch (info.err_handle_mode) {
        case RTE_ETH_ERROR_HANDLE_MODE_PASSIVE: return ErrMode::passive;
        case RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE: return ErrMode::proactive;
        default: return ErrMode::none;
    }
}

const char* to_string(ErrMode m) {
    switch (m) {
        case ErrMode::passive: return "passive";
        case ErrMode::proactive: return "proactive";
        default: return "none";
    }
}

}  // namespace vfpath::glue
