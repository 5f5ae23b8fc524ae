// What `vfpath gen` can check before EAL, and which lcore runs which slot. Pure: no DPDK.
#include <algorithm>

#include "gen/api.h"
#include "gen/dp/gen_worker.h"  // its limits (the header has no DPDK includes)

namespace vfpath::gen {

namespace {

constexpr unsigned k_eth_overhead = 14 + 4; // header + FCS on top of the MTU

config::Loc where(const config::GenConfig& g, config::Loc specific) {
    return specific.line ? specific : g.loc;
}

}  // namespace

std::vector<config::Diag> preflight(const config::Config& cfg) {
    std::vector<config::Diag> out;
    auto error = [&](config::Loc loc, std::string path, std::string msg) {
        out.push_back({cfg.file, loc, std::move(path), std::move(msg)});
    };
    if (!cfg.gen) {
        error({}, "gen",
              "no gen: section; `vfpath gen` needs at least gen.tx, the ports that send (see "
              "docs/gen.md)");
        return out;
    }
    const config::GenConfig& g = *cfg.gen;
    if (g.size.pattern.size() > k_max_pattern)
        error(where(g, g.size_loc), "gen.size",
              std::to_string(g.size.pattern.size()) + " sizes; at most " +
                  std::to_string(k_max_pattern) + " per pattern");
    const uint32_t largest = *std::max_element(g.size.pattern.begin(), g.size.pattern.end());
    const unsigned headroom = config::k_mbuf_headroom;
    const unsigned room = cfg.mempool.data_room > headroom ? cfg.mempool.data_room - headroom : 0;
    if (largest - 4 > room)
        error(where(g, g.size_loc), "gen.size",
              "frames of " + std::to_string(largest) + " bytes do not fit one mbuf (" +
                  std::to_string(room) + " bytes of data room after headroom); raise "
                  "mempool.data_room to at least " + std::to_string(largest - 4 + headroom));
    size_t streams = 0;
    for (size_t i = 0; i < g.tx.size(); ++i) {
        const config::PortConfig* p = cfg.find_port(g.tx[i]);
        if (!p) continue;  // reported by the loader
        streams += p->tx_queues.value_or(1);
        const unsigned mtu = p->mtu.value_or(1500);
        if (largest > mtu + k_eth_overhead)
            error(where(g, g.size_loc), "gen.size",
                  "frames of " + std::to_string(largest) + " bytes exceed what port " + p->name +
                      " carries (mtu " + std::to_string(mtu) + " + 18 bytes of Ethernet header "
                      "and FCS); set its mtu");
    }
    const auto lcores = config::parse_cpu_list(cfg.eal.lcores).value_or(std::vector<unsigned>{});
    const size_t workers =
        std::count_if(lcores.begin(), lcores.end(), [&](unsigned l) { return l != cfg.eal.main_lcore; });
    if (workers > 0 && streams > workers * k_max_tx_slots)
        error(where(g, g.tx_loc), "gen.tx",
              std::to_string(streams) + " tx queues to drive; at most " +
                  std::to_string(k_max_tx_slots) + " per worker lcore (" +
                  std::to_string(workers) + " here)");
    return out;
}

config::Config planning_config(const config::Config& cfg) {
    config::Config c = cfg;
    c.forward.mode = config::FwdMode::sink;
    c.forward.pairs.reset();
    c.workers.reset();
    // The analyzer times the frames of the gen.rx ports: ports[].latency_clock: auto takes the
    // NIC's clock there (where the device offers rx timestamps), and the TSC elsewhere.
    if (cfg.gen) c.measure.timed_rx_ports = cfg.gen->rx;
    return c;
}

std::vector<LcoreAssign> assign_lcores(const std::vector<unsigned>& workers,
                                       const std::vector<SlotRef>& tx,
                                       const std::vector<SlotRef>& rx) {
    std::vector<LcoreAssign> out;
    for (unsigned l : workers) out.push_back({l, {}, {}});
    if (out.empty()) return out;
    const size_t w = out.size();
    size_t n_tx = w, rx_first = 0;  // one lcore, or nothing to receive: every lcore does both
    if (w >= 2 && !rx.empty()) {
        n_tx = std::max<size_t>(1, w / 2);
        rx_first = n_tx;
    }
    for (size_t i = 0; i < tx.size(); ++i) out[i % n_tx].tx.push_back(tx[i]);
    const size_t n_rx = w - rx_first;
    for (size_t i = 0; i < rx.size(); ++i) out[rx_first + i % n_rx].rx.push_back(rx[i]);
    std::erase_if(out, [](const LcoreAssign& a) { return a.tx.empty() && a.rx.empty(); });
    return out;
}

}  // namespace vfpath::gen
