#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_mbuf_pool_ops.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

static_assert(config::k_mbuf_headroom == RTE_PKTMBUF_HEADROOM,
              "config::k_mbuf_headroom must be this DPDK build's RTE_PKTMBUF_HEADROOM");

namespace {

// rte_pktmbuf_pool_create() with RTE_MEMPOOL_F_NO_IOVA_CONTIG: the same pool, mbufs packed.
rte_mempool* create_packed(const config::PoolPlan& pool) {
    rte_mempool* mp = rte_mempool_create_empty(pool.name.c_str(), pool.size,
                                               sizeof(rte_mbuf) + pool.data_room, pool.cache_size,
                                               sizeof(rte_pktmbuf_pool_private), pool.socket,
                                               RTE_MEMPOOL_F_NO_IOVA_CONTIG);
    if (!mp) return nullptr;
    rte_pktmbuf_pool_private priv{};
    priv.mbuf_data_room_size = pool.data_room;
    priv.mbuf_priv_size = 0;
    int rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), nullptr);
    if (rc == 0) {
        rte_pktmbuf_pool_init(mp, &priv);
        rc = rte_mempool_populate_default(mp);
    }
    if (rc < 0) {
        rte_mempool_free(mp);
        rte_errno = -rc;
        return nullptr;
    }
    rte_mempool_obj_iter(mp, rte_pktmbuf_init, nullptr);
    return mp;
}

}  // namespace

Result<rte_mempool*> create_pool(const config::PoolPlan& pool) {
    rte_mempool* mp = pool.iova_contig
                          ? rte_pktmbuf_pool_create(pool.name.c_str(), pool.size, pool.cache_size,
                                                    0, pool.data_room, pool.socket)
                          : create_packed(pool);
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
