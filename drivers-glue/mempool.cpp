#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

static_assert(config::k_mbuf_headroom == RTE_PKTMBUF_HEADROOM,
              "config::k_mbuf_headroom must be this DPDK build's RTE_PKTMBUF_HEADROOM");

Result<rte_mempool*> create_pool(const config::PoolPlan& pool) {
    rte_mempool* mp = rte_pktmbuf_pool_create(pool.name.c_str(), pool.size, pool.cache_size, 0,
                                              pool.data_room, pool.socket);
    if (!mp) {
        return fail("mempool " + pool.name + " (" + std::to_string(pool.size) + " mbufs of " +
                    std::to_string(pool.data_room) + " B on socket " + std::to_string(pool.socket) +
                    "): " + rte_strerror(rte_errno) +
                    " (raise eal.memory_mb, or reserve hugepages on that node)");
    }
    return mp;
}

unsigned pool_in_use(const rte_mempool* mp) { return rte_mempool_in_use_count(mp); }

uint64_t pool_memory_bytes(const rte_mempool* mp) {
    return uint64_t(mp->size) * (mp->header_size + mp->elt_size + mp->trailer_size);
}

}  // namespace vfpath::glue
