// A single-writer value that any thread may read without tearing (STYLE §6). A relaxed load +
// store of a lock-free atomic compiles to plain moves on x86 and arm64: no lock prefix, so the
// owning lcore pays what it would for a plain uint64_t, and a reader on the control thread never
// sees half a value. Only the owner may call add()/set(); two writers would lose updates.
#pragma once

#include <atomic>
#include <cstdint>

namespace vfpath::measure {

static_assert(std::atomic<uint64_t>::is_always_lock_free);

class Relaxed {
public:
    void add(uint64_t n) noexcept { set(get() + n); }
    void sub(uint64_t n) noexcept { set(get() - n); }
    void set(uint64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
    uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> v_{0};
};

}  // namespace vfpath::measure
