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

// Applies `rewrite(uint8_t* eth_header)` to every frame of a burst that has a whole Ethernet
// header, prefetching k_prefetch_ahead frames ahead. `rewrite` is a lambda, inlined.
template <typename Rewrite>
inline void for_each_header(rte_mbuf* const* pkts, uint16_t n, Rewrite&& rewrite) noexcept {
    const uint16_t first = n < k_prefetch_ahead ? n : k_prefetch_ahead;
    for (uint16_t i = 0; i < first; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (uint16_t i = 0; i < n; ++i) {
        if (i + k_prefetch_ahead < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + k_prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        if (m->data_len < RTE_ETHER_HDR_LEN) [[unlikely]]
            continue;
        rewrite(rte_pktmbuf_mtod(m, uint8_t*));
    }
}

// Swaps destination and source MAC: the frame goes back where it came from.
inline void macswap_burst(rte_mbuf* const* pkts, uint16_t n) noexcept {
    for_each_header(pkts, n, [](uint8_t* h) {
        uint8_t tmp[RTE_ETHER_ADDR_LEN];
        std::memcpy(tmp, h, RTE_ETHER_ADDR_LEN);
        std::memmove(h, h + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
        std::memcpy(h + RTE_ETHER_ADDR_LEN, tmp, RTE_ETHER_ADDR_LEN);
    });
}

// Rewrites destination to the next hop and source to the egress port's own MAC.
inline void l2_burst(rte_mbuf* const* pkts, uint16_t n, const rte_ether_addr& src,
                     const rte_ether_addr& dst) noexcept {
    for_each_header(pkts, n, [&](uint8_t* h) {
        std::memcpy(h, dst.addr_bytes, RTE_ETHER_ADDR_LEN);
        std::memcpy(h + RTE_ETHER_ADDR_LEN, src.addr_bytes, RTE_ETHER_ADDR_LEN);
    });
}

}  // namespace vfpath::dp
