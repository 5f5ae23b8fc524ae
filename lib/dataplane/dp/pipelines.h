// Per-burst packet transforms. One templated loop calls exactly one of these, chosen at launch,
// so the inner loop is monomorphic (STYLE §5). Frames shorter than an Ethernet header are left
// untouched (forwarded as they came): reading a header that is not there is never done.
#pragma once

#include <cstring>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

namespace vfpath::dp {

// How far ahead header prefetches run: far enough to hide a miss behind the work on 4 packets.
inline constexpr uint16_t k_prefetch_ahead = 4;

inline void prefetch_headers(rte_mbuf* const* pkts, uint16_t n) noexcept {
    const uint16_t k = n < k_prefetch_ahead ? n : k_prefetch_ahead;
    for (uint16_t i = 0; i < k; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
}

inline void prefetch_next(rte_mbuf* const* pkts, uint16_t i, uint16_t n) noexcept {
    if (i + k_prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + k_prefetch_ahead], void*));
}

// Swaps destination and source MAC: the frame goes back where it came from.
inline void macswap_burst(rte_mbuf* const* pkts, uint16_t n) noexcept {
    prefetch_headers(pkts, n);
    for (uint16_t i = 0; i < n; ++i) {
        prefetch_next(pkts, i, n);
        rte_mbuf* m = pkts[i];
        if (m->data_len < RTE_ETHER_HDR_LEN) [[unlikely]]
            continue;
        auto* h = rte_pktmbuf_mtod(m, uint8_t*);
        uint8_t tmp[RTE_ETHER_ADDR_LEN];
        std::memcpy(tmp, h, RTE_ETHER_ADDR_LEN);
        std::memmove(h, h + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
        std::memcpy(h + RTE_ETHER_ADDR_LEN, tmp, RTE_ETHER_ADDR_LEN);
    }
}

// Rewrites destination to the next hop and source to the egress port's own MAC.
inline void l2_burst(rte_mbuf* const* pkts, uint16_t n, const rte_ether_addr& src,
                     const rte_ether_addr& dst) noexcept {
    prefetch_headers(pkts, n);
    for (uint16_t i = 0; i < n; ++i) {
        prefetch_next(pkts, i, n);
        rte_mbuf* m = pkts[i];
        if (m->data_len < RTE_ETHER_HDR_LEN) [[unlikely]]
            continue;
        auto* h = rte_pktmbuf_mtod(m, uint8_t*);
        std::memcpy(h, dst.addr_bytes, RTE_ETHER_ADDR_LEN);
        std::memcpy(h + RTE_ETHER_ADDR_LEN, src.addr_bytes, RTE_ETHER_ADDR_LEN);
    }
}

}  // namespace vfpath::dp
