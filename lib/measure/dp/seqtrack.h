// Per-stream sequence tracking for the analyzer: received, lost, reordered, duplicates. Runs on
// the analyzer lcore that owns the stream; the counters are Relaxed so the control thread can read
// them live. No allocation: the window is a fixed bit ring sized at compile time.
//
// Model (RFC 4737 terms): the generator numbers each stream's frames 0, 1, 2, ... next_expected is
// the highest sequence seen + 1. A frame with seq >= next_expected is in order; the seq - next
// frames it skips are counted lost at once. A frame with seq < next_expected is either
//   - a duplicate, if its bit in the window is set (it was already received), or
//   - late: it was counted lost when skipped, so lost goes down by one and reordered up by one.
// The window remembers the last WindowBits sequence numbers (65536 by default: 8 KiB, about 4 ms
// at 14.88 Mpps). A frame older than that is "too old": it cannot be told from a duplicate, so it
// is assumed late (received, reordered, lost - 1) and also counted in too_old.
//
// Invariants, with no too-old duplicates: received + lost == next_expected (frames from 0 to the
// highest seen), and at the end of a run, with `sent` from the generator,
// lost_after(sent) == sent - received.
#pragma once

#include <cstdint>

#include "measure/dp/relaxed.h"

namespace vfpath::measure {

enum class Arrival : uint8_t {
    in_order,   // seq == next_expected
    gap,        // seq > next_expected: frames in between counted lost
    late,       // seq < next_expected, not seen before: reordered (and no longer lost)
    duplicate,  // seen before, within the window: not received again
    too_old,    // behind the window: assumed late
};

struct SeqCounters {
    Relaxed received;   // distinct frames (duplicates excluded)
    Relaxed lost;       // frames skipped and not (yet) arrived
    Relaxed reordered;  // frames that arrived after a higher sequence number
    Relaxed duplicates;
    Relaxed too_old;  // part of reordered: arrived behind the window
};

template <uint32_t WindowBits = 65536>
class SeqTracker {
    static_assert(WindowBits >= 64 && (WindowBits & (WindowBits - 1)) == 0,
                  "the window is a power of two of at least one word");
    static constexpr uint32_t k_words = WindowBits / 64;
    static constexpr uint64_t k_mask = WindowBits - 1;

public:
    static constexpr uint32_t window = WindowBits;

    // Owner only. O(1) except when seq jumps ahead, where the skipped part of the window is
    // cleared a word at a time: at most WindowBits / 64 word stores.
    Arrival update(uint64_t seq) noexcept {
        const uint64_t next = next_.get();
        if (seq >= next) [[likely]] {
            const uint64_t gap = seq - next;
            if (gap != 0) clear_range(next, gap);
            bits_[(seq & k_mask) >> 6] |= uint64_t{1} << (seq & 63);
            next_.set(seq + 1);
            c_.received.add(1);
            if (gap == 0) return Arrival::in_order;
            c_.lost.add(gap);
            return Arrival::gap;
        }
        if (next - seq > WindowBits) {
            note_late();
            c_.too_old.add(1);
            return Arrival::too_old;
        }
        uint64_t& w = bits_[(seq & k_mask) >> 6];
        const uint64_t bit = uint64_t{1} << (seq & 63);
        if (w & bit) {
            c_.duplicates.add(1);
            return Arrival::duplicate;
        }
        w |= bit;
        note_late();
        return Arrival::late;
    }

    // Owner only, or while the owner is stopped.
    void reset() noexcept {
        for (auto& w : bits_) w = 0;
        next_.set(0);
        c_.received.set(0);
        c_.lost.set(0);
        c_.reordered.set(0);
        c_.duplicates.set(0);
        c_.too_old.set(0);
    }

    // Any thread.
    const SeqCounters& counters() const noexcept { return c_; }
    uint64_t next_expected() const noexcept { return next_.get(); }
    // Lost once the generator says it sent `sent` frames: adds the tail never seen.
    uint64_t lost_after(uint64_t sent) const noexcept {
        const uint64_t next = next_.get();
        return c_.lost.get() + (sent > next ? sent - next : 0);
    }

private:
    void note_late() noexcept {
        c_.received.add(1);
        c_.reordered.add(1);
        if (c_.lost.get() > 0) c_.lost.sub(1);
    }

    // Marks `count` sequence numbers from `from` as not received (they enter the window).
    void clear_range(uint64_t from, uint64_t count) noexcept {
        if (count >= WindowBits) {
            for (auto& w : bits_) w = 0;
            return;
        }
        uint64_t pos = from & k_mask;
        while (count > 0) {
            const uint64_t in_word = pos & 63;
            const uint64_t n = count < 64 - in_word ? count : 64 - in_word;
            const uint64_t ones = n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1);
            bits_[pos >> 6] &= ~(ones << in_word);
            count -= n;
            pos = (pos + n) & k_mask;
        }
    }

    Relaxed next_;  // dp: rw / cp: ro, highest seq seen + 1
    SeqCounters c_;  // dp: rw / cp: ro
    uint64_t bits_[k_words] = {};  // dp: rw, bit (seq % WindowBits) = received
};

}  // namespace vfpath::measure
