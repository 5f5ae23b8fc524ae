// Per-burst packet transforms. One templated loop calls exactly one of these, chosen at launch,
// so the inner loop is monomorphic (STYLE §5). Frames shorter than an Ethernet header are left
// untouched (forwarded as they came): reading a header that is not there is never done.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

namespace vfpath::dp {

// pkt_len (low 32 bits) and data_len (bits 32..47) in one 8-byte load: they are adjacent in the
// mbuf's first line. One load instead of two per frame: macswap +4% on hugepages, 16 of 18
// alternating rounds (perf/RESULTS.md, set 5).
static_assert(offsetof(rte_mbuf, data_len) == offsetof(rte_mbuf, pkt_len) + 4);
static_assert(offsetof(rte_mbuf, pkt_len) + 8 <= RTE_CACHE_LINE_MIN_SIZE);
inline uint64_t pkt_and_data_len(const rte_mbuf* m) noexcept {
    uint64_t v;
    std::memcpy(&v, &m->pkt_len, sizeof v);
    return v;
}

// How far ahead header prefetches run: far enough to hide a miss behind the work on 4 packets.
inline constexpr uint16_t k_prefetch_ahead = 4;

// Applies `rewrite(uint8_t* frame, uint16_t data_len)` to every frame of a burst. `rewrite` is a
// lambda, inlined, and must leave a frame shorter than an Ethernet header untouched (each rewrite
// tests the length once, on its own terms). Returns the burst's bytes: the mbuf line holding
// pkt_len is read here anyway, so counting costs nothing.
// Prefetch: headers are prefetched k_prefetch_ahead frames ahead, for frames a NIC wrote by DMA
// (or another core wrote). Where the rx burst left them in this core's cache (PortPlan::
// prefetch_headers false) the prefetches only take load slots: 3% of macswap on net_null
// (perf/RESULTS.md, set 5). The caller picks once per burst; the loop is split where the
// prefetch runs out, so the body has no branch on it.
template <bool Prefetch, typename Rewrite>
inline uint64_t for_each_header(rte_mbuf* const* pkts, uint16_t n, Rewrite&& rewrite) noexcept {
    uint64_t bytes = 0;
    const auto one = [&](const rte_mbuf* m) {
        const uint64_t lens = pkt_and_data_len(m);
        bytes += uint32_t(lens);
        rewrite(rte_pktmbuf_mtod(m, uint8_t*), uint16_t(lens >> 32));
    };
    uint16_t i = 0;
    if constexpr (Prefetch) {
        const uint16_t first = n < k_prefetch_ahead ? n : k_prefetch_ahead;
        for (uint16_t k = 0; k < first; ++k) rte_prefetch0(rte_pktmbuf_mtod(pkts[k], void*));
        for (; i + k_prefetch_ahead < n; ++i) {
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + k_prefetch_ahead], void*));
            one(pkts[i]);
        }
    }
    // Unrolled by 4: the loop's own add/compare/branch once per 4 frames (macswap 140.4 -> 138.5
    // instructions per packet, set 6).
#pragma GCC unroll 4
    for (; i < n; ++i) one(pkts[i]);
    return bytes;
}

// One burst through for_each_header, with or without prefetch as the rx port wants.
template <typename Rewrite>
inline uint64_t for_each_header(rte_mbuf* const* pkts, uint16_t n, bool prefetch,
                                Rewrite&& rewrite) noexcept {
    return prefetch ? for_each_header<true>(pkts, n, rewrite)
                    : for_each_header<false>(pkts, n, rewrite);
}

// Sum of frame lengths in a burst (io and sink). The lines read were just written by the PMD's
// rx, so they are in L1. It is the whole per-packet cost of io, and it stays scalar: with
// -march=native GCC turns the loop into AVX-512 gathers, which cost io 10-17% against a scalar
// loop (set 4 A/B, perf/RESULTS.md). The empty asm keeps the accumulator out of a vector.
// Four frames per step, one barrier per step: a barrier per frame made GCC copy the accumulator
// through a second register twice a frame (8 instructions a frame under callgrind; this is 3.75,
// and io went from 133.4 to 129.3 instructions per packet, set 6). The sum is 64-bit: chained
// frames can make a burst's pkt_len sum pass 2^32.
inline uint64_t burst_bytes(rte_mbuf* const* pkts, uint16_t nb) noexcept {
    uint64_t bytes = 0;
    rte_mbuf* const* p = pkts;
    for (rte_mbuf* const* const end4 = pkts + (nb & ~3u); p != end4; p += 4) {
        bytes += uint64_t(p[0]->pkt_len) + p[1]->pkt_len + p[2]->pkt_len + p[3]->pkt_len;
        asm("" : "+r"(bytes));  // no auto-vectorization into gathers
    }
    for (rte_mbuf* const* const end = pkts + nb; p != end; ++p) {
        bytes += (*p)->pkt_len;
        asm("" : "+r"(bytes));
    }
    return bytes;
}

// The MAC rewrites below treat the 12 address bytes as one 64-bit and one 32-bit word.
static_assert(std::endian::native == std::endian::little, "MAC word arithmetic assumes little endian");

inline uint64_t load64(const uint8_t* p) noexcept { uint64_t v; std::memcpy(&v, p, 8); return v; }
inline uint32_t load32(const uint8_t* p) noexcept { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline void store64(uint8_t* p, uint64_t v) noexcept { std::memcpy(p, &v, 8); }
inline void store32(uint8_t* p, uint32_t v) noexcept { std::memcpy(p, &v, 4); }

// Swaps destination and source MAC: the frame goes back where it came from.
// A frame of 16 bytes or more is swapped as one 16-byte word with one byte shuffle (bytes 12..15,
// the EtherType and what follows, are written back unchanged); GCC and clang turn the shuffle into
// a single pshufb wherever SSSE3 is there and into scalar code elsewhere. A 14- or 15-byte frame
// is swapped in two words: bytes 0..7 hold d0..d5 s0 s1 and bytes 8..11 hold s2..s5.
using Bytes16 = uint8_t __attribute__((vector_size(16)));
inline void swap_macs(uint8_t* h, uint16_t len) noexcept {
    if (len >= sizeof(Bytes16)) [[likely]] {
        Bytes16 v;
        std::memcpy(&v, h, sizeof v);
#if defined(__clang__)
        v = __builtin_shufflevector(v, v, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 12, 13, 14, 15);
#else
        v = __builtin_shuffle(v, Bytes16{6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 12, 13, 14, 15});
#endif
        std::memcpy(h, &v, sizeof v);
    } else if (len >= RTE_ETHER_HDR_LEN) {
        const uint64_t lo = load64(h);      // d0 d1 d2 d3 d4 d5 s0 s1
        const uint32_t hi = load32(h + 8);  // s2 s3 s4 s5
        store64(h, (lo >> 48) | (uint64_t(hi) << 16) | (lo << 48));  // s0..s5 d0 d1
        store32(h + 8, uint32_t(lo >> 16));                          // d2..d5
    }
}

inline uint64_t macswap_burst(rte_mbuf* const* pkts, uint16_t n, bool prefetch) noexcept {
    return for_each_header(pkts, n, prefetch, swap_macs);
}

// The 12 address bytes l2 mode writes: next hop then the egress port's own MAC.
struct L2Header {
    uint64_t lo;  // dst0..dst5 src0 src1
    uint32_t hi;  // src2..src5
};
inline L2Header make_l2_header(const rte_ether_addr& src, const rte_ether_addr& dst) noexcept {
    uint8_t b[12];
    std::memcpy(b, dst.addr_bytes, RTE_ETHER_ADDR_LEN);
    std::memcpy(b + RTE_ETHER_ADDR_LEN, src.addr_bytes, RTE_ETHER_ADDR_LEN);
    return {load64(b), load32(b + 8)};
}

// Rewrites destination to the next hop and source to the egress port's own MAC.
inline uint64_t l2_burst(rte_mbuf* const* pkts, uint16_t n, const L2Header& l2,
                         bool prefetch) noexcept {
    return for_each_header(pkts, n, prefetch, [&](uint8_t* h, uint16_t len) {
        if (len < RTE_ETHER_HDR_LEN) [[unlikely]]
            return;
        store64(h, l2.lo);
        store32(h + 8, l2.hi);
    });
}

}  // namespace vfpath::dp
