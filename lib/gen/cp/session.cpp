// GenSession set-up and tear-down: EAL, ports and pools once, tx pools, lcore contexts, links;
// close. Phases are in phase.cpp. Control thread.
#include <chrono>
#include <cstring>
#include <map>
#include <new>
#include <thread>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "gen/cp/session_impl.h"
#include "measure/cp/rates.h"
#include "topology/api.h"
#include "util/log.h"

namespace vfpath::gen {

namespace {

// How long open() waits for every used port's link (a memif peer has to connect first).
constexpr double k_link_wait_s = 10;

unsigned cache_hold(unsigned cache_size) { return cache_size + (cache_size + 1) / 2; }

template <class T>
T* zalloc(const char* what, size_t n, int socket) {
    void* p = rte_zmalloc_socket(what, sizeof(T) * n, 128, socket);
    if (!p) p = rte_zmalloc(what, sizeof(T) * n, 128);
    if (!p) return nullptr;
    T* t = static_cast<T*>(p);
    for (size_t i = 0; i < n; ++i) new (&t[i]) T();
    return t;
}

// Every byte of every buffer zero, so frame bytes past a template's head are zero (dp/frame.h).
void zero_fill(rte_mempool*, void*, void* obj, unsigned) {
    auto* m = static_cast<rte_mbuf*>(obj);
    std::memset(m->buf_addr, 0, m->buf_len);
}

}  // namespace

GenSession::Impl::~Impl() { free_contexts(); }

void GenSession::Impl::free_contexts() {
    for (auto& s : streams) rte_free(s.templates);
    streams.clear();
    for (auto* c : ctxs) {
        rte_free(c->tx);
        rte_free(c->rx);
        rte_free(c->an.streams);
        rte_free(c->an.rejects);
        rte_free(const_cast<uint8_t*>(c->size_index));
        c->~GenLcoreCtx();
        rte_free(c);
    }
    ctxs.clear();
    rx_refs.clear();
}

Status GenSession::Impl::build_tx_pools() {
    // A tx pool per socket of the tx ports. It must fill the tx rings, and, when a port loops
    // frames back in-process (net_ring), the rx rings they land in; plus one lcore cache per
    // lcore and one burst per slot.
    std::map<int, unsigned> need;
    unsigned rx_rings = 0, bursts = 0;
    for (const auto& p : plan.ports) rx_rings += unsigned(p.rx_queues) * p.rx_desc;
    for (const auto& p : plan.ports)
        if (is_tx[p.index]) need[p.socket] += unsigned(p.tx_queues) * p.tx_desc;
    bursts = unsigned(streams.size()) * cfg.gen->burst;
    const unsigned caches = unsigned(plan.eal_lcores.size()) * cache_hold(cfg.mempool.cache_size);
    for (auto& [socket, n] : need) {
        config::PoolPlan pp;
        pp.name = "vfpath_gen_s" + std::to_string(socket);
        pp.socket = socket;
        pp.cache_size = cfg.mempool.cache_size;
        pp.data_room = cfg.mempool.data_room;
        pp.size = n + rx_rings + bursts + caches;
        pp.needed = pp.size;
        if (cache_hold(pp.cache_size) > pp.size) pp.cache_size = 0;
        pp.iova_contig = config::pool_needs_iova(plan.ports, socket);
        auto mp = glue::create_pool(pp);
        if (!mp) return Error{mp.error()};
        rte_mempool_obj_iter(*mp, zero_fill, nullptr);
        tx_pools[socket] = *mp;
        tx_pool_plans.push_back(pp);
        log::get("gen")->info("tx mempool {}: {} mbufs x {} B on socket {}", pp.name, pp.size,
                              pp.data_room, socket);
    }
    return ok();
}

Status GenSession::Impl::build_contexts(const std::vector<LcoreAssign>& assign) {
    const uint32_t n_streams = static_cast<uint32_t>(streams.size());
    std::map<std::pair<uint16_t, uint16_t>, uint32_t> stream_of;
    for (uint32_t i = 0; i < n_streams; ++i) stream_of[{streams[i].port, streams[i].queue}] = i;
    for (const LcoreAssign& a : assign) {
        if (a.tx.size() > k_max_tx_slots || a.rx.size() > k_max_rx_slots)
            return fail("lcore " + std::to_string(a.lcore) + " would drive " +
                        std::to_string(a.tx.size()) + " tx and " + std::to_string(a.rx.size()) +
                        " rx queues; at most " + std::to_string(k_max_tx_slots) + " each");
        const int socket = static_cast<int>(rte_lcore_to_socket_id(a.lcore));
        GenLcoreCtx* c = zalloc<GenLcoreCtx>("vfpath_gen_lcore", 1, socket);
        if (!c) return fail("out of memory for the context of lcore " + std::to_string(a.lcore));
        ctxs.push_back(c);
        c->lcore = a.lcore;
        c->stop = &stop;
        c->tx_active = &tx_active;
        c->n_tx = static_cast<uint16_t>(a.tx.size());
        c->n_rx = static_cast<uint16_t>(a.rx.size());
        c->tx = a.tx.empty() ? nullptr : zalloc<TxSlot>("vfpath_gen_tx", a.tx.size(), socket);
        c->rx = a.rx.empty() ? nullptr : zalloc<RxSlot>("vfpath_gen_rx", a.rx.size(), socket);
        c->an.rejects = zalloc<measure::RejectCounters>("vfpath_gen_rej", 1, socket);
        c->size_index = zalloc<uint8_t>("vfpath_gen_sizes", k_size_index_len, socket);
        if (!a.rx.empty())
            c->an.streams = zalloc<measure::StreamRx>("vfpath_gen_streams", n_streams, socket);
        c->an.n_streams = n_streams;
        c->an.to_ns = measure::TscToNs::from_hz(hz);
        c->rx_ts = rt->rx_timestamp_field();
        if ((!a.tx.empty() && !c->tx) || (!a.rx.empty() && (!c->rx || !c->an.streams)) ||
            !c->an.rejects || !c->size_index)
            return fail("out of memory for the slots of lcore " + std::to_string(a.lcore));
        for (size_t i = 0; i < a.tx.size(); ++i) {
            const uint32_t id = stream_of.at({a.tx[i].port, a.tx[i].queue});
            Stream& st = streams[id];
            st.ctx = c;
            st.slot = static_cast<uint16_t>(i);
            const config::PortPlan& pp = plan.ports[st.port];
            TxSlot& s = c->tx[i];
            s.port_id = port_ids[st.port];
            s.queue = st.queue;
            s.pool = tx_pools.at(pp.socket);
            st.templates =
                zalloc<TxTemplate>("vfpath_gen_tpl", 2 * k_max_pattern, pp.socket);
            if (!st.templates) return fail("out of memory for frame templates");
            s.probe_t = st.templates;
            s.plain_t = st.templates + k_max_pattern;
        }
        for (size_t i = 0; i < a.rx.size(); ++i) {
            RxSlot& r = c->rx[i];
            r.port_id = port_ids[a.rx[i].port];
            r.queue = a.rx[i].queue;
            r.clock = rt->rx_clock(a.rx[i].port);
            rx_refs.push_back({a.rx[i].port, a.rx[i].queue, c, static_cast<uint16_t>(i)});
        }
        std::string what;
        for (const auto& t : a.tx)
            what += " tx " + plan.ports[t.port].name + ":" + std::to_string(t.queue);
        for (const auto& r : a.rx)
            what += " rx " + plan.ports[r.port].name + ":" + std::to_string(r.queue);
        log::get("gen")->info("lcore {} (socket {}):{}", a.lcore, socket, what);
    }
    return ok();
}

void GenSession::Impl::wait_links() {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration<double>(k_link_wait_s);
    for (const auto& p : plan.ports) {
        if (!is_tx[p.index] && !is_rx[p.index]) continue;
        while (!glue::port_link(port_ids[p.index]).up &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const glue::LinkInfo l = glue::port_link(port_ids[p.index]);
        if (!l.up)
            log::get("gen")->warn("port {}: link still down after {} s; starting anyway", p.name,
                                  k_link_wait_s);
        else
            log::get("gen")->info("port {}: link up{}", p.name,
                                  l.speed_bps ? ", " + std::to_string(l.speed_bps / 1000000) +
                                                    " Mbit/s"
                                              : std::string(", speed unknown"));
    }
}

uint64_t GenSession::Impl::drain_all_rx(bool every_port) {
    uint64_t tx_rings = 0;
    for (const auto& p : plan.ports) tx_rings += uint64_t(p.tx_queues) * p.tx_desc;
    uint64_t n = 0;
    for (const auto& p : plan.ports) {
        if (!every_port && !is_rx[p.index]) continue;
        for (uint16_t q = 0; q < p.rx_queues; ++q)
            n += glue::drain_rx_queue(port_ids[p.index], q, p.rx_desc + tx_rings);
    }
    return n;
}

GenSession::GenSession() : impl_(std::make_unique<Impl>()) {}

GenSession::~GenSession() { close(); }

Result<std::unique_ptr<GenSession>> GenSession::open(const config::Config& cfg,
                                                     const std::vector<std::string>& eal_cli_args,
                                                     std::vector<config::Diag>* config_errors) {
    auto lg = log::get("gen");
    if (config_errors) config_errors->clear();
    // preflight() is the caller's; this guards only what open() itself relies on.
    if (!cfg.gen) return fail("the config has no gen: section (see gen::preflight)");
    std::unique_ptr<GenSession> s(new GenSession());
    Impl& im = *s->impl_;
    im.cfg = cfg;
    const config::Config pc = planning_config(cfg);
    if (auto st = dataplane::init_eal(dataplane::eal_args(cfg, eal_cli_args)); !st)
        return Error{st.error()};
    im.eal_up = true;
    im.hz = rte_get_tsc_hz();
    auto probed = dataplane::probe_and_plan(pc, topology::read_host("/sys"));
    for (const auto& w : probed.plan.warnings) lg->warn("{}", w.str());
    if (!probed.plan.plan) {
        std::string text;
        // Appended piecewise: `"\n" + d.str()` trips GCC 12's false -Wrestrict (GCC bug 105329).
        for (const auto& d : probed.plan.errors) {
            if (!text.empty()) text += '\n';
            text += d.str();
        }
        if (config_errors) *config_errors = std::move(probed.plan.errors);
        return fail(text);
    }
    im.plan = *probed.plan.plan;
    im.plan.lcores.clear();  // the Runtime gets ports and pools; the lcores are ours
    im.port_ids = probed.port_ids;
    const config::GenConfig& g = *cfg.gen;
    im.is_tx.assign(im.plan.ports.size(), false);
    im.is_rx.assign(im.plan.ports.size(), false);
    std::vector<SlotRef> tx, rx;
    for (const auto& name : g.tx) {
        for (const auto& p : im.plan.ports) {
            if (p.name != name) continue;
            im.is_tx[p.index] = true;
            for (uint16_t q = 0; q < p.tx_queues; ++q) {
                tx.push_back({p.index, q});
                im.streams.push_back({p.index, q, nullptr, 0, nullptr});
            }
        }
    }
    for (const auto& name : g.rx)
        for (const auto& p : im.plan.ports)
            if (p.name == name) {
                im.is_rx[p.index] = true;
                for (uint16_t q = 0; q < p.rx_queues; ++q) rx.push_back({p.index, q});
            }
    for (const auto& p : im.plan.ports)
        if (!im.is_tx[p.index] && !im.is_rx[p.index])
            lg->warn("port {} is in neither gen.tx nor gen.rx: it is set up but not used", p.name);
    auto rt = dataplane::Runtime::create(im.plan, im.port_ids);
    if (!rt) return Error{rt.error()};
    im.rt = std::move(*rt);
    if (auto st = im.build_tx_pools(); !st) return Error{st.error()};
    std::vector<unsigned> workers;
    for (unsigned l : im.plan.eal_lcores)
        if (l != im.plan.main_lcore) workers.push_back(l);
    if (auto st = im.build_contexts(assign_lcores(workers, tx, rx)); !st) return Error{st.error()};
    im.wait_links();
    return s;
}

Result<double> GenSession::tx_link_bps() const {
    double link = 0;
    for (const auto& p : impl_->plan.ports) {
        if (!impl_->is_tx[p.index]) continue;
        const uint64_t speed = glue::port_link(impl_->port_ids[p.index]).speed_bps;
        if (speed == 0)
            return fail("the link speed of port " + p.name +
                        " is unknown; give the rate in pps or bit/s");
        if (link != 0 && double(speed) != link)
            return fail("the tx ports have different link speeds; give the rate in pps or bit/s");
        link = double(speed);
    }
    return link;
}

Result<double> GenSession::rate_pps(const config::RateSpec& rate, double mean_frame_size) const {
    using U = config::RateSpec::Unit;
    switch (rate.unit) {
        case U::max: return 0.0;
        case U::pps: return rate.value;
        case U::bps:
            return measure::pps_for_bitrate(rate.value, mean_frame_size, measure::BitBasis::frame);
        case U::percent: {
            auto link = tx_link_bps();
            if (!link) return fail("rate " + config::to_string(rate) + ": " + link.error());
            return measure::pps_for_link_percent(rate.value, *link, mean_frame_size);
        }
    }
    return 0.0;
}

void GenSession::request_stop() { impl_->stop.store(true, std::memory_order_relaxed); }

nlohmann::json GenSession::ports_json() const {
    const Impl& im = *impl_;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : im.plan.ports) {
        const uint16_t id = im.port_ids[p.index];
        const glue::LinkInfo link = glue::port_link(id);
        const glue::PortHwStats hw = glue::port_hw_stats(id);
        std::string role = im.is_tx[p.index] ? (im.is_rx[p.index] ? "tx+rx" : "tx")
                                             : (im.is_rx[p.index] ? "rx" : "unused");
        const dataplane::PortClock clock = im.rt->port_clock(p.index);
        out.push_back({{"name", p.name},
                       {"device", p.device},
                       {"port_id", id},
                       {"role", role},
                       {"latency_clock", clock.hw ? "hw" : "tsc"},
                       {"latency_clock_reason", clock.why.empty() ? nlohmann::json(nullptr)
                                                                  : nlohmann::json(clock.why)},
                       {"mac", config::format_mac(glue::port_mac(id))},
                       {"link_up", link.up},
                       {"link_speed_bps", link.speed_bps},
                       {"hw",
                        {{"ipackets", hw.ipackets},
                         {"opackets", hw.opackets},
                         {"ibytes", hw.ibytes},
                         {"obytes", hw.obytes},
                         {"imissed", hw.imissed},
                         {"ierrors", hw.ierrors},
                         {"oerrors", hw.oerrors},
                         {"rx_nombuf", hw.rx_nombuf}}}});
    }
    return out;
}

namespace {

// One entry of the report's mempools[] (rx pools and tx pools alike).
nlohmann::json pool_json(const std::string& name, int socket, unsigned size, uint64_t memory_bytes,
                         unsigned in_use_at_exit) {
    return {{"name", name},
            {"socket", socket},
            {"size", size},
            {"memory_bytes", memory_bytes},
            {"in_use_at_exit", in_use_at_exit}};
}

}  // namespace

GenSession::Closed GenSession::close() {
    Impl& im = *impl_;
    Closed out;
    out.mempools = nlohmann::json::array();
    if (im.closed) return out;
    im.closed = true;
    if (im.rt) {
        // Nothing runs on the lcores between phases. Frames still in rx queues (a loopback, a
        // late arrival) are freed so the pools' in-use counts measure leaks only.
        im.drain_all_rx(true);
        const dataplane::ShutdownReport rep = im.rt->shutdown();
        for (const auto& pr : rep.pools) {
            out.mempools.push_back(pool_json(pr.name, pr.socket, pr.size, pr.memory_bytes,
                                             pr.in_use_at_exit));
            if (pr.in_use_at_exit != 0) out.clean = false;
        }
        im.rt.reset();
    }
    // The tx pools go after the ports: closing a port returns the mbufs its tx ring still held.
    size_t k = 0;
    for (auto& [socket, mp] : im.tx_pools) {
        const unsigned in_use = glue::pool_in_use(mp);
        const auto& pp = im.tx_pool_plans[k++];
        out.mempools.push_back(
            pool_json(pp.name, socket, pp.size, glue::pool_memory_bytes(mp), in_use));
        if (in_use != 0) {
            out.clean = false;
            log::get("pool")->error("mempool {}: {} mbufs still in use after shutdown", pp.name,
                                    in_use);
        }
        rte_mempool_free(mp);
    }
    im.tx_pools.clear();
    im.free_contexts();
    if (im.eal_up) {
        dataplane::cleanup_eal();
        im.eal_up = false;
    }
    return out;
}

}  // namespace vfpath::gen
