// Phases on a GenSession: templates, rx flush, reset, launch, live ticks, wait; the figures read
// from the lcores' counters; trials as phases. Control thread.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include <rte_cycles.h>
#include <rte_launch.h>

#include "gen/cp/session_impl.h"
#include "measure/cp/rates.h"
#include "util/log.h"

namespace vfpath::gen {

namespace {

// The drain after tx stops: done once rx has been quiet for gen.drain_ms, and never longer than
// this many quiet periods or k_min_max_drain_s, whichever is longer (a port that never runs dry,
// such as net_null, would otherwise keep the phase open forever).
constexpr double k_drain_quiet_periods = 10;
constexpr double k_min_max_drain_s = 2;
// Probe share resolution: shares are rounded to parts per million.
constexpr uint64_t k_share_den = 1'000'000;
// The destination MAC of generated frames (locally administered, unicast) when the tx port has no
// next_hop.
constexpr config::MacAddr k_default_dst_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

}  // namespace

Result<PhaseStats> GenSession::run_phase(const PhaseSpec& spec, double tick_s,
                                         const std::function<void(const PhaseStats&)>& tick,
                                         const std::function<bool()>& stop_requested) {
    Impl& im = *impl_;
    if (im.closed) return fail("the session is closed");
    if (spec.sizes.empty() || spec.sizes.size() > k_max_pattern)
        return fail("a phase needs 1.." + std::to_string(k_max_pattern) + " frame sizes");
    const unsigned room = im.cfg.mempool.data_room - config::k_mbuf_headroom;
    for (uint32_t sz : spec.sizes)
        if (sz < config::k_min_frame_size || sz > config::k_max_frame_size || sz - 4 > room)
            return fail("frame size " + std::to_string(sz) + " is outside " +
                        std::to_string(config::k_min_frame_size) + ".." +
                        std::to_string(std::min<unsigned>(config::k_max_frame_size, room + 4)) +
                        " (mbuf data room " + std::to_string(im.cfg.mempool.data_room) + ")");
    if (spec.flows < 1 || spec.flows > config::k_max_flows)
        return fail("flows must be in 1.." + std::to_string(config::k_max_flows));
    if (!(spec.probe_share >= 0 && spec.probe_share <= 1))
        return fail("probe_share must be in 0..1");
    im.spec = spec;
    im.size_values = spec.sizes;
    std::sort(im.size_values.begin(), im.size_values.end());
    im.size_values.erase(std::unique(im.size_values.begin(), im.size_values.end()),
                         im.size_values.end());
    const uint32_t pattern_len = static_cast<uint32_t>(spec.sizes.size());
    // Templates: every stream, every position of the size pattern, with and without a probe.
    for (uint32_t id = 0; id < im.streams.size(); ++id) {
        const auto& st = im.streams[id];
        const config::PortPlan& pp = im.plan.ports[st.port];
        measure::FrameSpec fs{};
        const config::MacAddr src = glue::port_mac(im.port_ids[st.port]);
        const config::MacAddr dst = pp.next_hop.value_or(k_default_dst_mac);
        std::copy(src.begin(), src.end(), fs.src_mac);
        std::copy(dst.begin(), dst.end(), fs.dst_mac);
        fs.stream_id = id;
        const rte_mempool* pool = st.ctx->tx[st.slot].pool;
        for (uint32_t j = 0; j < pattern_len; ++j) {
            fs.frame_size = spec.sizes[j];
            for (TxTemplate* t : {&st.templates[j], &st.templates[k_max_pattern + j]}) {
                fs.probe = t == &st.templates[j];
                t->frame = measure::make_template(fs);
                if (spec.flows == 1) measure::fix_flow(t->frame, 0);
                fill_mbuf_fields(*t, pool);
            }
        }
    }
    // Frames that reached the rx queues while nobody polled them belong to no phase.
    im.flushed_before = im.drain_all_rx(false);
    im.stop.store(false);
    im.stopped = false;
    im.tx_active.store(static_cast<int>(im.ctxs.size()));
    const uint64_t share_num = static_cast<uint64_t>(std::llround(spec.probe_share * k_share_den));
    const double quiet_s = im.cfg.gen->drain_ms / 1e3;
    const double max_drain_s = std::max(k_min_max_drain_s, k_drain_quiet_periods * quiet_s);
    std::map<uint16_t, uint16_t> queues_of_port;
    for (const auto& st : im.streams) ++queues_of_port[st.port];
    im.rt->tick_clocks();  // a fresh NIC clock anchor before the first frame (hardware timestamps)
    const uint64_t start = rte_rdtsc();
    im.phase_start = start;
    for (GenLcoreCtx* c : im.ctxs) {
        c->burst = im.cfg.gen->burst;
        c->paced = spec.rate_pps > 0;
        c->tx_cycles = spec.seconds > 0 ? static_cast<uint64_t>(spec.seconds * double(im.hz)) : 0;
        c->tx_start.set(0);
        c->quiet_cycles = static_cast<uint64_t>(quiet_s * double(im.hz));
        c->max_drain_cycles = static_cast<uint64_t>(max_drain_s * double(im.hz));
        c->an.phase_start = start;
        c->an.rejects->non_probe.set(0);
        c->an.rejects->unknown.set(0);
        c->an.rejects->future.set(0);
        c->an.rejects->stale.set(0);
        c->drain_cycles.set(0);
        c->exited.store(false);
        auto* index = const_cast<uint8_t*>(c->size_index);
        std::fill(index, index + k_size_index_len, static_cast<uint8_t>(k_max_pattern));
        for (size_t j = 0; j < im.size_values.size(); ++j)
            index[im.size_values[j]] = static_cast<uint8_t>(j);
        if (c->an.streams)
            for (uint32_t i = 0; i < c->an.n_streams; ++i) {
                c->an.streams[i].seq.reset();
                c->an.streams[i].latency.clear();
                c->an.streams[i].hw_timed.set(0);
                c->an.streams[i].tsc_fallback.set(0);
            }
        for (uint16_t i = 0; i < c->n_rx; ++i) {
            RxSlot& r = c->rx[i];
            r.packets.set(0);
            r.bytes.set(0);
            for (auto& sz : r.sizes) sz.set(0);
        }
    }
    for (auto& st : im.streams) {
        TxSlot& s = st.ctx->tx[st.slot];
        const uint16_t nq = queues_of_port[st.port];
        s.pattern_len = pattern_len;
        s.flows = spec.flows;
        s.limit = ~uint64_t{0};
        if (spec.count > 0) s.limit = spec.count / nq + (st.queue < spec.count % nq ? 1 : 0);
        s.rate_upps = measure::to_upps(spec.rate_pps / nq);
        s.pacer = measure::Pacer{};
        s.share = measure::ProbeShare{share_num, k_share_den, 0};
        s.size_i = s.flow_i = 0;
        s.done = false;
        s.c.packets.set(0);
        s.c.bytes.set(0);
        s.c.probes.set(0);
        s.c.alloc_failures.set(0);
        s.c.refused.set(0);
        s.c.done_tsc.set(0);
    }
    for (size_t i = 0; i < im.ctxs.size(); ++i) {
        GenLcoreCtx* c = im.ctxs[i];
        const int ret = rte_eal_remote_launch(gen_lcore_main, c, c->lcore);
        if (ret != 0) {
            // The lcores already launched stop sending and drain; the others never will count
            // themselves out of tx_active, so do it for them.
            im.stop.store(true);
            im.tx_active.fetch_sub(static_cast<int>(im.ctxs.size() - i));
            rte_eal_mp_wait_lcore();
            return fail("cannot launch the generator on lcore " + std::to_string(c->lcore) +
                        " (is it an EAL worker lcore?): error " + std::to_string(ret));
        }
    }
    using clock = std::chrono::steady_clock;
    auto next_tick = clock::now() + std::chrono::duration<double>(tick_s);
    for (;;) {
        const bool all_done = std::all_of(im.ctxs.begin(), im.ctxs.end(), [](const GenLcoreCtx* c) {
            return c->exited.load(std::memory_order_acquire);
        });
        if (all_done) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        im.rt->tick_clocks();
        if (stop_requested && stop_requested()) request_stop();
        if (tick_s > 0 && tick && clock::now() >= next_tick) {
            next_tick += std::chrono::duration<double>(tick_s);
            tick(im.stats(false));
        }
        if (im.stop.load(std::memory_order_relaxed)) im.stopped = true;
    }
    for (GenLcoreCtx* c : im.ctxs) rte_eal_wait_lcore(c->lcore);
    return im.stats(true);
}

PhaseStats GenSession::Impl::stats(bool final) const {
    PhaseStats p;
    const uint64_t now = rte_rdtsc();
    const double hzd = double(hz);
    p.elapsed_s = double(now - phase_start) / hzd;
    p.stopped = stopped;
    p.flushed_before = flushed_before;
    p.probe_share = spec.probe_share;
    p.analyzed = !rx_refs.empty();
    p.size_values = size_values;
    p.tx_sizes.assign(size_values.size(), 0);
    p.rx_sizes.assign(size_values.size(), 0);
    for (const auto& pp : plan.ports) {
        PortStats ps;
        ps.name = pp.name;
        p.ports.push_back(ps);
    }
    // The latency clock: that of the gen.rx ports (the analyzer's), "mixed" when they differ.
    size_t rx_ports = 0, hw_ports = 0;
    for (const auto& pp : plan.ports) {
        if (!is_rx[pp.index]) continue;
        ++rx_ports;
        if (rt->port_clock(pp.index).hw) ++hw_ports;
    }
    p.latency_clock = hw_ports == 0 ? "tsc" : hw_ports == rx_ports ? "hw" : "mixed";
    uint64_t last_done = 0;
    p.sending = false;
    const uint32_t pattern_len = static_cast<uint32_t>(spec.sizes.size());
    for (uint32_t id = 0; id < streams.size(); ++id) {
        const Stream& st = streams[id];
        const TxSlot& s = st.ctx->tx[st.slot];
        StreamStats ss;
        ss.id = id;
        ss.port = plan.ports[st.port].name;
        ss.queue = st.queue;
        ss.frames = s.c.packets.get();
        ss.bytes = s.c.bytes.get();
        ss.sent = s.c.probes.get();
        ss.refused = s.c.refused.get();
        ss.alloc_failures = s.c.alloc_failures.get();
        if (final) ss.pacer_forfeited = s.pacer.forfeited();
        const uint64_t done = s.c.done_tsc.get();
        if (done == 0) p.sending = true;
        last_done = std::max(last_done, done);
        // Frames go out in sequence order, so the count per size follows from the count sent.
        for (uint32_t j = 0; j < pattern_len; ++j) {
            const uint64_t n = ss.frames / pattern_len + (j < ss.frames % pattern_len ? 1 : 0);
            const auto at = std::lower_bound(size_values.begin(), size_values.end(), spec.sizes[j]);
            p.tx_sizes[static_cast<size_t>(at - size_values.begin())] += n;
        }
        for (const GenLcoreCtx* c : ctxs) {
            if (!c->an.streams) continue;
            const measure::StreamRx& rx = c->an.streams[id];
            const auto& sc = rx.seq.counters();
            ss.received += sc.received.get();
            ss.reordered += sc.reordered.get();
            ss.duplicates += sc.duplicates.get();
            ss.too_old += sc.too_old.get();
            ss.hw_timed += rx.hw_timed.get();
            ss.tsc_fallback += rx.tsc_fallback.get();
            measure::merge_into(ss.latency, measure::snapshot(rx.latency));
        }
        ss.lost = ss.sent > ss.received ? ss.sent - ss.received : 0;
        ss.latency_clock = p.latency_clock;
        PortStats& port = p.ports[st.port];
        port.tx_packets += ss.frames;
        port.tx_bytes += ss.bytes;
        p.tx_packets += ss.frames;
        p.tx_bytes += ss.bytes;
        measure::merge_into(p.latency, ss.latency);
        p.streams.push_back(std::move(ss));
    }
    // Tx time: from the first transmitting lcore's start to the last slot's stop (or now).
    uint64_t tx_start = 0;
    for (const GenLcoreCtx* c : ctxs) {
        const uint64_t t = c->tx_start.get();
        if (c->n_tx != 0 && t != 0 && (tx_start == 0 || t < tx_start)) tx_start = t;
    }
    const uint64_t tx_end = p.sending || last_done == 0 ? now : last_done;
    p.tx_s = tx_start != 0 && tx_end > tx_start ? double(tx_end - tx_start) / hzd : 0;
    for (const RxRef& r : rx_refs) {
        const RxSlot& s = r.ctx->rx[r.slot];
        PortStats& port = p.ports[r.port];
        port.rx_packets += s.packets.get();
        port.rx_bytes += s.bytes.get();
        p.rx_packets += s.packets.get();
        p.rx_bytes += s.bytes.get();
        for (size_t j = 0; j < size_values.size(); ++j) p.rx_sizes[j] += s.sizes[j].get();
        p.rx_other_sizes += s.sizes[k_max_pattern].get();
    }
    for (const GenLcoreCtx* c : ctxs) {
        p.non_probe += c->an.rejects->non_probe.get();
        p.unknown_stream += c->an.rejects->unknown.get();
        p.future_tsc += c->an.rejects->future.get();
        p.stale += c->an.rejects->stale.get();
        p.drain_s = std::max(p.drain_s, double(c->drain_cycles.get()) / hzd);
    }
    return p;
}

measure::TrialResult GenSession::run_trial(const measure::TrialSpec& spec) {
    if (!(spec.seconds > 0))
        throw std::invalid_argument("a trial needs seconds > 0");
    PhaseSpec p;
    p.rate_pps = spec.rate_pps > 0 ? spec.rate_pps : 0;
    p.sizes = {spec.frame_size};
    p.flows = spec.flows;
    p.probe_share = spec.probe_share;
    if (spec.warmup_s > 0) {
        p.seconds = spec.warmup_s;
        auto warm = run_phase(p);
        if (!warm) throw std::invalid_argument(warm.error());
        log::get("gen")->debug("warm-up: {} frames sent, {} received", warm->tx_packets,
                               warm->received());
    }
    p.seconds = spec.seconds;
    auto r = run_phase(p);
    if (!r) throw std::invalid_argument(r.error());
    return trial_result(*r);
}

}  // namespace vfpath::gen
