// Internal to lib/gen/cp: the session's state, shared by session.cpp (set-up, tear-down) and
// phase.cpp (phases, figures, trials). Control thread only.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include "dataplane/api.h"
#include "gen/api.h"
#include "gen/dp/gen_worker.h"

struct rte_mempool;

namespace vfpath::gen {

struct GenSession::Impl {
    config::Config cfg;
    config::Plan plan;
    std::vector<uint16_t> port_ids;
    std::unique_ptr<dataplane::Runtime> rt;
    bool eal_up = false;
    bool closed = false;
    std::map<int, rte_mempool*> tx_pools;  // by socket
    std::vector<config::PoolPlan> tx_pool_plans;
    std::vector<bool> is_tx, is_rx;        // per plan port
    struct Stream {
        uint16_t port, queue;
        GenLcoreCtx* ctx;
        uint16_t slot;
        TxTemplate* templates;  // [2 * k_max_pattern]: probe, then plain
    };
    std::vector<Stream> streams;            // by stream id
    struct RxRef {
        uint16_t port, queue;
        GenLcoreCtx* ctx;
        uint16_t slot;
    };
    std::vector<RxRef> rx_refs;
    std::vector<GenLcoreCtx*> ctxs;
    std::atomic<bool> stop{false};
    std::atomic<int> tx_active{0};
    uint64_t hz = 1;
    // The running (or last) phase.
    PhaseSpec spec;
    std::vector<uint32_t> size_values;
    uint64_t phase_start = 0;
    uint64_t flushed_before = 0;
    bool stopped = false;

    ~Impl();
    void free_contexts();
    Status build_contexts(const std::vector<LcoreAssign>& assign);
    Status build_tx_pools();
    void wait_links();
    PhaseStats stats(bool final) const;
    uint64_t drain_all_rx(bool every_port);
};


}  // namespace vfpath::gen
