// Per-writer counters (STYLE §6): each is written by exactly one lcore and read by anyone.
// A relaxed load+store of a lock-free atomic compiles to plain moves on x86: no lock prefix, no
// contention, and readers never see a torn value.
#pragma once

#include <atomic>
#include <cstdint>

namespace vfpath::dp {

static_assert(std::atomic<uint64_t>::is_always_lock_free);

class Counter {
public:
    // Only the owning lcore calls add().
    void add(uint64_t n) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n,
                                             std::memory_order_relaxed); }
    uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> v_{0};
};

// One (port, queue) direction, as seen by its owning lcore.
struct QueueCounters {
    Counter packets;  // rx: received; tx: accepted by the tx ring
    Counter bytes;    // frame bytes (pkt_len), without preamble/IFG
    Counter drops;    // tx only: frames freed instead of sent (ring full, or port not ready)
    Counter not_ready;  // tx only: the part of drops due to the port being down or recovering
};

}  // namespace vfpath::dp
