// The runtime: owns pools, ports and worker contexts for one run of a plan.
#include <chrono>
#include <cstring>
#include <map>
#include <new>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_pause.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/api.h"
#include "dataplane/cp/clocks.h"
#include "dataplane/dp/pipelines.h"
#include "dataplane/dp/worker.h"
#include "drivers-glue/events.h"
#include "util/log.h"

namespace vfpath::dataplane {

namespace {

dp::Mode to_dp(config::FwdMode m) {
    switch (m) {
        case config::FwdMode::io: return dp::Mode::io;
        case config::FwdMode::macswap: return dp::Mode::macswap;
        case config::FwdMode::l2: return dp::Mode::l2;
        case config::FwdMode::sink: return dp::Mode::sink;
    }
    return dp::Mode::io;
}

rte_ether_addr to_ether(const config::MacAddr& m) {
    rte_ether_addr a;
    std::memcpy(a.addr_bytes, m.data(), RTE_ETHER_ADDR_LEN);
    return a;
}

}  // namespace

struct Runtime::Impl {
    std::vector<uint16_t> port_ids;
    std::vector<rte_mempool*> pools;
    std::vector<bool> port_up;
    std::vector<config::MacAddr> macs;
    // Device counters that jump are counted from a new base (hw_guard.h); control thread only.
    HwCounterGuard hw_guard;
    std::vector<dp::LcoreCtx*> ctxs;
    dp::PortCtl* port_ctl = nullptr;  // one per plan port, rte_zmalloc'd
    rte_rcu_qsbr* qsbr = nullptr;
    // Which plan (port index, queue) each context slot counts, for snapshots.
    struct SlotRef {
        uint16_t port, queue;
    };
    std::vector<std::vector<SlotRef>> rx_refs, tx_refs;
    HwClocks clocks;  // per plan port: the latency clock, and the NIC clock's fit when hw
    std::atomic<bool> stop{false};
    std::atomic<bool> timing{false};  // dwell-latency timing wanted (set_latency)
    std::vector<uint64_t> drained;  // per plan port: frames freed from rx rings at stop
    bool launched = false;
    bool workers_running = false;
    std::chrono::steady_clock::time_point t0;
};

namespace {
template <uint64_t QueueSnapshot::*Field>
uint64_t sum(const std::vector<QueueSnapshot>& qs) {
    uint64_t n = 0;
    for (const auto& q : qs) n += q.*Field;
    return n;
}
}  // namespace

uint64_t PortSnapshot::rx_packets() const { return sum<&QueueSnapshot::rx_packets>(queues); }
uint64_t PortSnapshot::tx_packets() const { return sum<&QueueSnapshot::tx_packets>(queues); }
uint64_t PortSnapshot::rx_bytes() const { return sum<&QueueSnapshot::rx_bytes>(queues); }
uint64_t PortSnapshot::tx_bytes() const { return sum<&QueueSnapshot::tx_bytes>(queues); }
uint64_t PortSnapshot::drops() const { return sum<&QueueSnapshot::drops>(queues); }
uint64_t PortSnapshot::not_ready() const { return sum<&QueueSnapshot::not_ready>(queues); }

uint64_t LcoreSnapshot::polls() const {
    uint64_t n = 0;
    for (uint64_t b : rx_bursts) n += b;
    return n;
}
uint64_t LcoreSnapshot::busy_polls() const { return polls() - rx_bursts[0]; }
double LcoreSnapshot::busy_share() const {
    const uint64_t all = busy_cycles + idle_cycles;
    return all ? double(busy_cycles) / double(all) : 0.0;
}
double LcoreSnapshot::cycles_per_packet() const {
    return rx_packets ? double(busy_cycles) / double(rx_packets) : 0.0;
}

Runtime::Runtime(const config::Plan& plan, std::vector<uint16_t> port_ids)
    : plan_(plan), impl_(std::make_unique<Impl>()) {
    impl_->port_ids = std::move(port_ids);
    impl_->port_up.assign(plan_.ports.size(), false);
}

Runtime::~Runtime() { shutdown(); }

Result<std::unique_ptr<Runtime>> Runtime::create(const config::Plan& plan,
                                                 std::vector<uint16_t> port_ids) {
    // The constructor is private (create() is the only way in), so make_unique cannot reach it.
    std::unique_ptr<Runtime> rt(new Runtime(plan, std::move(port_ids)));
    Impl& im = *rt->impl_;
    im.timing.store(rt->latency_measured());
    for (const auto& pp : plan.pools) {
        auto mp = glue::create_pool(pp);
        if (!mp) return Error{mp.error()};
        im.pools.push_back(*mp);
        log::get("pool")->info("mempool {}: {} mbufs x {} B on socket {} ({:.1f} MiB), cache {}{}",
                               pp.name, pp.size, pp.data_room, pp.socket,
                               glue::pool_memory_bytes(*mp) / 1048576.0, pp.cache_size,
                               pp.iova_contig ? "" : ", packed (no port DMAs into it)");
    }
    im.port_ctl = static_cast<dp::PortCtl*>(
        rte_zmalloc("vfpath_portctl", sizeof(dp::PortCtl) * plan.ports.size(), 64));
    const size_t qsbr_size = rte_rcu_qsbr_get_memsize(std::max<uint32_t>(1, plan.lcores.size()));
    im.qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("vfpath_qsbr", qsbr_size, 64));
    if (!im.port_ctl || !im.qsbr ||
        rte_rcu_qsbr_init(im.qsbr, std::max<uint32_t>(1, plan.lcores.size())) != 0)
        return fail("out of memory for port control words / RCU state");
    for (const auto& p : plan.ports) {
        new (&im.port_ctl[p.index]) dp::PortCtl;
        im.port_ctl[p.index].word.store(im.port_ids[p.index], std::memory_order_relaxed);
    }
    im.hw_guard.resize(plan.ports.size());
    for (const auto& p : plan.ports) {
        im.port_up[p.index] = true;  // shut down even if setup stops halfway
        auto st = glue::port_setup(im.port_ids[p.index], p, im.pools[p.pool]);
        if (!st) return Error{"port " + p.name + ": " + st.error()};
        im.macs.push_back(glue::port_mac(im.port_ids[p.index]));
    }
    if (auto st = im.clocks.setup(plan, im.port_ids); !st) return Error{st.error()};
    for (const auto& lp : plan.lcores) {
        if (lp.rx.size() > dp::k_max_rx_per_lcore)
            return fail("lcore " + std::to_string(lp.lcore) + " polls " +
                        std::to_string(lp.rx.size()) + " queues; at most " +
                        std::to_string(dp::k_max_rx_per_lcore) + " per lcore");
        void* mem = rte_zmalloc_socket("vfpath_lcore", sizeof(dp::LcoreCtx), 128, lp.socket);
        if (!mem) mem = rte_zmalloc("vfpath_lcore", sizeof(dp::LcoreCtx), 128);
        if (!mem) return fail("out of memory for the context of lcore " + std::to_string(lp.lcore));
        auto* ctx = new (mem) dp::LcoreCtx;
        im.ctxs.push_back(ctx);
        ctx->stop = &im.stop;
        ctx->timing = &im.timing;
        ctx->ports = im.port_ctl;
        ctx->qsbr = im.qsbr;
        ctx->qsbr_id = static_cast<unsigned>(im.ctxs.size() - 1);
        rte_rcu_qsbr_thread_register(im.qsbr, ctx->qsbr_id);
        ctx->mode = to_dp(plan.mode);
        ctx->burst = plan.burst;
        ctx->lcore = lp.lcore;
        ctx->socket = lp.socket;
        ctx->latency_sample = plan.latency_sample;
        ctx->tsc_ns = measure::TscToNs::from_hz(rte_get_tsc_hz());
        ctx->rx_ts = im.clocks.field();
        std::map<uint16_t, uint16_t> tx_slot;  // plan tx port -> slot
        im.rx_refs.emplace_back();
        im.tx_refs.emplace_back();
        for (const auto& a : lp.rx) {
            dp::RxSlot& s = ctx->rx[ctx->n_rx++];
            s.port = a.port;
            s.queue = a.queue;
            s.prefetch = plan.ports[a.port].prefetch_headers;
            if (plan.latency && plan.mode != config::FwdMode::sink) {
                // 28 KiB each, zeroed memory is an empty histogram (measure/dp/histogram.h).
                void* h = rte_zmalloc_socket("vfpath_latency", sizeof(measure::Histogram), 64,
                                             lp.socket);
                if (!h) h = rte_zmalloc("vfpath_latency", sizeof(measure::Histogram), 64);
                if (!h) return fail("out of memory for the latency histograms of lcore " +
                                    std::to_string(lp.lcore));
                ctx->latency[ctx->n_rx - 1] = static_cast<measure::Histogram*>(h);
                ctx->rx_clock[ctx->n_rx - 1] = im.clocks.published(a.port);
            }
            im.rx_refs.back().push_back({a.port, a.queue});
            if (a.tx_port == config::k_no_port) continue;
            s.tx_port = a.tx_port;
            s.tx_queue = a.tx_queue;
            auto it = tx_slot.find(a.tx_port);
            if (it == tx_slot.end()) {
                it = tx_slot.emplace(a.tx_port, ctx->n_tx++).first;
                im.tx_refs.back().push_back({a.tx_port, a.tx_queue});
            }
            s.tx_slot = it->second;
            const auto& nh = plan.ports[a.tx_port].next_hop;
            const dp::L2Header l2 = dp::make_l2_header(to_ether(im.macs[a.tx_port]),
                                                       nh ? to_ether(*nh) : rte_ether_addr{});
            s.l2_lo.store(l2.lo, std::memory_order_relaxed);
            s.l2_hi.store(l2.hi, std::memory_order_relaxed);
        }
    }
    return rt;
}

Status Runtime::launch() {
    Impl& im = *impl_;
    im.t0 = std::chrono::steady_clock::now();
    for (auto* ctx : im.ctxs) {
        const int ret = rte_eal_remote_launch(dp::worker_main, ctx, ctx->lcore);
        if (ret != 0) {
            im.stop.store(true);
            rte_eal_mp_wait_lcore();
            return fail("cannot launch a worker on lcore " + std::to_string(ctx->lcore) +
                        " (is it an EAL worker lcore?): error " + std::to_string(ret));
        }
        im.workers_running = true;
        log::get("worker")->info("lcore {} (socket {}) polls {} queue(s)", ctx->lcore,
                                 ctx->socket, ctx->n_rx);
    }
    im.launched = true;
    return ok();
}

static_assert(k_burst_bins == dp::k_burst_bins);

Snapshot Runtime::snapshot(bool with_latency) const {
    const Impl& im = *impl_;
    Snapshot s;
    s.tsc_hz = rte_get_tsc_hz();
    if (im.launched)
        s.t_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - im.t0).count();
    for (const auto& p : plan_.ports) {
        PortSnapshot ps;
        ps.port_id = im.port_ids[p.index];
        if (p.index < im.macs.size()) ps.mac = config::format_mac(im.macs[p.index]);
        const uint16_t nq = std::max(p.rx_queues, p.tx_queues);
        for (uint16_t q = 0; q < nq; ++q) ps.queues.push_back(QueueSnapshot{q});
        if (im.port_up[p.index]) {
            ps.hw = impl_->hw_guard.apply(p.index, glue::port_hw_stats(ps.port_id, nq),
                                          glue::monotonic_ns() / 1e9);
            ps.xstats = glue::port_xstats(ps.port_id);
        }
        ps.clock = im.clocks.port_clock(p.index);
        s.ports.push_back(std::move(ps));
    }
    for (size_t c = 0; c < im.ctxs.size(); ++c) {
        const dp::LcoreCtx& ctx = *im.ctxs[c];
        LcoreSnapshot& ls = s.lcores.emplace_back();
        ls.lcore = ctx.lcore;
        ls.socket = ctx.socket;
        ls.iterations = ctx.loops.get();
        ls.busy_cycles = ctx.busy_cycles.get();
        ls.idle_cycles = ctx.idle_cycles.get();
        for (size_t b = 0; b < k_burst_bins; ++b) ls.rx_bursts[b] = ctx.rx_bursts[b].get();
        for (size_t i = 0; i < im.rx_refs[c].size(); ++i) {
            const auto& r = im.rx_refs[c][i];
            QueueSnapshot& q = s.ports[r.port].queues[r.queue];
            q.rx_lcore = static_cast<int>(ctx.lcore);
            const uint64_t rx = ctx.rx_stats[i].packets.get();
            q.rx_packets += rx;
            ls.rx_packets += rx;
            q.rx_bytes += ctx.rx_stats[i].bytes.get();
            q.hw_timed += ctx.rx_hw_timed[i].get();
            q.tsc_fallback += ctx.rx_tsc_fallback[i].get();
            if (with_latency && ctx.latency[i] != nullptr) {
                if (!q.latency) q.latency.emplace();
                measure::merge_into(*q.latency, measure::snapshot(*ctx.latency[i]));
            }
        }
        for (size_t i = 0; i < im.tx_refs[c].size(); ++i) {
            const auto& r = im.tx_refs[c][i];
            QueueSnapshot& q = s.ports[r.port].queues[r.queue];
            q.tx_lcore = static_cast<int>(ctx.lcore);
            q.tx_packets += ctx.tx_stats[i].packets.get();
            q.tx_bytes += ctx.tx_stats[i].bytes.get();
            q.drops += ctx.tx_stats[i].drops.get();
            q.not_ready += ctx.tx_stats[i].not_ready.get();
        }
    }
    return s;
}

bool Runtime::latency_measured() const {
    return plan_.latency && plan_.mode != config::FwdMode::sink;
}

bool Runtime::latency_on() const {
    return impl_->timing.load(std::memory_order_relaxed);
}

Status Runtime::set_latency(bool on) {
    if (on && !latency_measured())
        return fail(plan_.mode == config::FwdMode::sink
                        ? "sink mode sends nothing: there is no dwell latency to measure"
                        : "this run started with measure.latency off: no histograms to record "
                          "into (start it with measure.latency on)");
    impl_->timing.store(on, std::memory_order_relaxed);
    return ok();
}

uint16_t Runtime::port_id(uint16_t pidx) const { return impl_->port_ids[pidx]; }

rte_mempool* Runtime::port_pool(uint16_t pidx) const {
    return impl_->pools[plan_.ports[pidx].pool];
}

void Runtime::set_port_state(uint16_t pidx, uint16_t id, bool rx_paused, bool tx_blocked) {
    impl_->port_ids[pidx] = id;
    // A port under recovery has no usable NIC clock fit; one coming back is re-anchored before
    // workers poll it again (a reset may have restarted its clock, a re-attach changed its id).
    if (rx_paused)
        impl_->clocks.pause(pidx);
    else
        impl_->clocks.resume(pidx, id);
    const uint32_t w = id | (rx_paused ? dp::k_rx_paused : 0) | (tx_blocked ? dp::k_tx_blocked : 0);
    impl_->port_ctl[pidx].word.store(w, std::memory_order_release);
}

void Runtime::redirect_tx(uint16_t pidx, uint16_t target_id) {
    impl_->clocks.pause(pidx);
    impl_->port_ctl[pidx].word.store(target_id | dp::k_rx_paused, std::memory_order_release);
}

bool Runtime::rx_paused(uint16_t pidx) const {
    return impl_->port_ctl[pidx].word.load(std::memory_order_relaxed) & dp::k_rx_paused;
}

bool Runtime::tx_blocked(uint16_t pidx) const {
    return impl_->port_ctl[pidx].word.load(std::memory_order_relaxed) & dp::k_tx_blocked;
}

bool Runtime::quiesce(unsigned timeout_ms) {
    Impl& im = *impl_;
    if (!im.workers_running) return true;
    const uint64_t token = rte_rcu_qsbr_start(im.qsbr);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (rte_rcu_qsbr_check(im.qsbr, token, false) != 1) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::string stuck;
            for (auto* ctx : im.ctxs)
                if (!ctx->exited.load()) stuck += " " + std::to_string(ctx->lcore);
            log::get("worker")->error("quiescence timed out after {} ms; worker lcores:{}",
                                      timeout_ms, stuck);
            return false;
        }
        rte_pause();
    }
    return true;
}

void Runtime::sample_hw() {
    Impl& im = *impl_;
    for (const auto& p : plan_.ports)
        if (im.port_up[p.index])
            im.hw_guard.apply(p.index, glue::port_hw_stats(im.port_ids[p.index]),
                              glue::monotonic_ns() / 1e9);
}

std::vector<HwJump> Runtime::take_hw_jumps() { return impl_->hw_guard.take_jumps(); }

uint64_t Runtime::quiesce_start() {
    Impl& im = *impl_;
    if (!im.workers_running) return 0;
    return rte_rcu_qsbr_start(im.qsbr);
}

bool Runtime::quiesced(uint64_t token) const {
    const Impl& im = *impl_;
    if (!im.workers_running) return true;
    return rte_rcu_qsbr_check(im.qsbr, token, false) == 1;
}

config::MacAddr Runtime::port_mac(uint16_t pidx) const { return impl_->macs[pidx]; }

void Runtime::set_port_mac(uint16_t pidx, const config::MacAddr& mac) {
    Impl& im = *impl_;
    im.macs[pidx] = mac;
    // Every rx slot whose frames leave on this port writes its MAC as their source.
    for (size_t c = 0; c < im.ctxs.size(); ++c) {
        dp::LcoreCtx& ctx = *im.ctxs[c];
        for (uint16_t i = 0; i < ctx.n_rx; ++i) {
            dp::RxSlot& s = ctx.rx[i];
            if (s.tx_port != pidx) continue;
            const auto& nh = plan_.ports[pidx].next_hop;
            const dp::L2Header l2 =
                dp::make_l2_header(to_ether(mac), nh ? to_ether(*nh) : rte_ether_addr{});
            s.l2_lo.store(l2.lo, std::memory_order_relaxed);
            s.l2_hi.store(l2.hi, std::memory_order_relaxed);
        }
    }
}

void Runtime::set_port_open(uint16_t pidx, bool open) { impl_->port_up[pidx] = open; }

// Sums one counter over every worker slot that counts port `pidx` (rx slots or tx slots).
uint64_t Runtime::slot_sum(uint16_t pidx, bool rx, dp::Counter dp::QueueCounters::*field) const {
    const Impl& im = *impl_;
    uint64_t n = 0;
    for (size_t c = 0; c < im.ctxs.size(); ++c) {
        const auto& refs = rx ? im.rx_refs[c] : im.tx_refs[c];
        const dp::QueueCounters* stats = rx ? im.ctxs[c]->rx_stats : im.ctxs[c]->tx_stats;
        for (size_t i = 0; i < refs.size(); ++i)
            if (refs[i].port == pidx) n += (stats[i].*field).get();
    }
    return n;
}

uint64_t Runtime::port_rx_packets(uint16_t pidx) const {
    return slot_sum(pidx, true, &dp::QueueCounters::packets);
}

uint64_t Runtime::port_not_ready(uint16_t pidx) const {
    return slot_sum(pidx, false, &dp::QueueCounters::not_ready);
}
uint64_t Runtime::port_tx_packets(uint16_t pidx) const {
    return slot_sum(pidx, false, &dp::QueueCounters::packets);
}
uint64_t Runtime::port_drops(uint16_t pidx) const {
    return slot_sum(pidx, false, &dp::QueueCounters::drops);
}

unsigned Runtime::pool_in_use(uint16_t pool_index) const {
    return glue::pool_in_use(impl_->pools[pool_index]);
}

PortClock Runtime::port_clock(uint16_t pidx) const { return impl_->clocks.port_clock(pidx); }
const measure::PublishedClock* Runtime::rx_clock(uint16_t pidx) const {
    return impl_->clocks.published(pidx);
}
measure::RxTimestampField Runtime::rx_timestamp_field() const { return impl_->clocks.field(); }
void Runtime::tick_clocks() { impl_->clocks.tick(); }

void Runtime::stop_workers() {
    Impl& im = *impl_;
    if (!im.workers_running) return;
    im.stop.store(true, std::memory_order_relaxed);
    rte_eal_mp_wait_lcore();
    im.workers_running = false;
    log::get("worker")->info("all workers stopped");
}

// Frames can still sit in rx rings at stop: a loopback (net_ring, a hairpinned VF pair) holds
// what was sent but not yet received back. They are received and freed here so that the pool's
// in-use count measures real leaks only. Bounded: a generator-like device (net_null) produces
// frames on demand and would never run dry.
uint64_t Runtime::drain_rx() {
    Impl& im = *impl_;
    uint64_t total = 0;
    for (const auto& p : plan_.ports) {
        if (!im.port_up[p.index]) continue;
        uint64_t limit = p.rx_desc;
        if (p.peer != config::k_no_port)
            limit += uint64_t(plan_.ports[p.peer].tx_queues) * plan_.ports[p.peer].tx_desc;
        uint64_t drained = 0;
        for (uint16_t q = 0; q < p.rx_queues; ++q)
            drained += glue::drain_rx_queue(im.port_ids[p.index], q, limit);
        im.drained.resize(plan_.ports.size());
        im.drained[p.index] = drained;
        total += drained;
    }
    return total;
}

ShutdownReport Runtime::shutdown() {
    Impl& im = *impl_;
    ShutdownReport rep;
    stop_workers();
    if (im.launched) drain_rx();  // only started ports have queues to poll
    rep.drained_at_stop = im.drained;
    for (const auto& p : plan_.ports) {
        if (!im.port_up[p.index]) continue;
        glue::port_shutdown(im.port_ids[p.index], p.name);
        im.port_up[p.index] = false;
    }
    for (auto* ctx : im.ctxs) {
        for (auto* h : ctx->latency) rte_free(h);
        ctx->~LcoreCtx();
        rte_free(ctx);
    }
    im.ctxs.clear();
    rte_free(im.port_ctl);
    im.port_ctl = nullptr;
    rte_free(im.qsbr);
    im.qsbr = nullptr;
    im.clocks.free();  // after the workers, which read the fits
    for (size_t i = 0; i < im.pools.size(); ++i) {
        rte_mempool* mp = im.pools[i];
        const auto& pp = plan_.pools[i];
        rep.pools.push_back({pp.name, pp.socket, pp.size, pp.cache_size,
                             glue::pool_memory_bytes(mp), glue::pool_in_use(mp)});
        if (rep.pools.back().in_use_at_exit != 0)
            log::get("pool")->error("mempool {}: {} mbufs still in use after shutdown", pp.name,
                                    rep.pools.back().in_use_at_exit);
        rte_mempool_free(mp);
    }
    im.pools.clear();
    return rep;
}

}  // namespace vfpath::dataplane
