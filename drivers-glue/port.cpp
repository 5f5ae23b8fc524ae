#include <cstring>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "drivers-glue/compat.h"
#include "drivers-glue/glue.h"
#include "util/log.h"

namespace vfpath::glue {

namespace {

// The flow types we ask the device to hash when RSS is on, masked by what it can do.
constexpr uint64_t k_rss_types = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;

rte_eth_conf make_conf(const config::PortPlan& p, const rte_eth_dev_info& info) {
    rte_eth_conf conf{};
    if (p.rss) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = k_rss_types & info.flow_type_rss_offloads;
        if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
            conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads;
    }
    if (p.mtu) conf.rxmode.mtu = *p.mtu;
    // Link-state and removal interrupts where the device has them, so events reach the control
    // thread instead of waiting for the link poll.
    if (info.dev_flags && (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)) conf.intr_conf.lsc = 1;
    if (info.dev_flags && (*info.dev_flags & RTE_ETH_DEV_INTR_RMV)) conf.intr_conf.rmv = 1;
    // Every mbuf on a tx queue comes from one pool (the sending port's socket) with refcnt 1,
    // which is exactly the contract of fast free: the PMD may free in bulk without checks.
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
    // Frames larger than one mbuf (the planner's verdict from MTU and data room): rx scatter
    // here, multi-segment tx where they are sent. Asked only where advertised; the planner has
    // refused devices that can do neither (net_pcap does both unasked, caps.cpp).
    if (p.scatter && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER))
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
    if (p.tx_multi_seg && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    // Hardware rx timestamps where the planner chose the NIC's clock for latency (it checked
    // the offload is offered).
    if (p.rx_timestamp && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    return conf;
}

}  // namespace

Status port_setup(uint16_t pid, const config::PortPlan& p, rte_mempool* pool) {
    auto lg = log::get("port");
    rte_eth_dev_info info{};
    int ret = rte_eth_dev_info_get(pid, &info);
    if (ret != 0) return fail(call_error("rte_eth_dev_info_get", pid, ret));
    rte_eth_conf conf = make_conf(p, info);
    ret = rte_eth_dev_configure(pid, p.rx_queues, p.tx_queues, &conf);
    if (ret != 0) return fail(call_error("rte_eth_dev_configure", pid, ret));
    for (uint16_t q = 0; q < p.rx_queues; ++q) {
        ret = rte_eth_rx_queue_setup(pid, q, p.rx_desc, p.socket, nullptr, pool);
        if (ret != 0) return fail(call_error("rte_eth_rx_queue_setup", pid, ret));
    }
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = conf.txmode.offloads;
    for (uint16_t q = 0; q < p.tx_queues; ++q) {
        ret = rte_eth_tx_queue_setup(pid, q, p.tx_desc, p.socket, &txconf);
        if (ret != 0) return fail(call_error("rte_eth_tx_queue_setup", pid, ret));
    }
    if (p.mac) {
        rte_ether_addr a;
        std::memcpy(a.addr_bytes, p.mac->data(), RTE_ETHER_ADDR_LEN);
        ret = rte_eth_dev_default_mac_addr_set(pid, &a);
        if (ret != 0) return fail(call_error("rte_eth_dev_default_mac_addr_set", pid, ret));
    }
    ret = rte_eth_dev_start(pid);
    if (ret != 0) return fail(call_error("rte_eth_dev_start", pid, ret));
    ret = p.promiscuous ? rte_eth_promiscuous_enable(pid) : rte_eth_promiscuous_disable(pid);
    if (ret != 0 && ret != -ENOTSUP)
        return fail(call_error("rte_eth_promiscuous_enable", pid, ret));
    if (ret == -ENOTSUP) lg->warn("port {} ({}): promiscuous mode not supported", pid, p.name);
    lg->info("port {} ({}) started: {} rxq x {}, {} txq x {}{}{}{}{}, socket {}", pid, p.name,
             p.rx_queues, p.rx_desc, p.tx_queues, p.tx_desc, p.rss ? ", rss" : "",
             p.scatter ? ", scatter" : "", p.tx_multi_seg ? ", multi-seg tx" : "",
             p.rx_timestamp ? ", rx timestamps" : "", p.socket);
    return ok();
}

config::MacAddr port_mac(uint16_t pid) {
    rte_ether_addr a{};
    rte_eth_macaddr_get(pid, &a);
    config::MacAddr m;
    std::memcpy(m.data(), a.addr_bytes, m.size());
    return m;
}

void port_shutdown(uint16_t pid, const std::string& name) {
    auto lg = log::get("port");
    int ret = rte_eth_dev_stop(pid);
    if (ret != 0) lg->warn("{}", call_error("rte_eth_dev_stop", pid, ret));
    ret = rte_eth_dev_close(pid);
    if (ret != 0) lg->warn("{}", call_error("rte_eth_dev_close", pid, ret));
    lg->info("port {} ({}) stopped and closed", pid, name);
}

std::string port_driver_name(uint16_t port_id) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0 || !info.driver_name) return "";
    return info.driver_name;
}

LinkInfo port_link(uint16_t port_id) {
    rte_eth_link link{};
    LinkInfo out;
    if (rte_eth_link_get_nowait(port_id, &link) != 0) return out;
    out.up = link.link_status == RTE_ETH_LINK_UP;
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) == 0 && info.device)
        if (const rte_bus* bus = rte_dev_bus(info.device))
            out.nominal = std::strcmp(rte_bus_name(bus), "vdev") == 0;
    if (link.link_speed != RTE_ETH_SPEED_NUM_NONE && link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
        out.speed_bps = uint64_t(link.link_speed) * 1'000'000;
    return out;
}

uint64_t drain_rx_queue(uint16_t port_id, uint16_t queue, uint64_t limit) {
    constexpr uint16_t k_burst = 32;
    rte_mbuf* pkts[k_burst];
    uint64_t n = 0;
    while (n < limit) {
        const uint16_t nb = rte_eth_rx_burst(port_id, queue, pkts, k_burst);
        if (nb == 0) break;
        rte_pktmbuf_free_bulk(pkts, nb);
        n += nb;
    }
    return n;
}

PortHwStats port_hw_stats(uint16_t pid, uint16_t queues) {
    rte_eth_stats s{};
    PortHwStats h;
    if (const LinkInfo link = port_link(pid); link.up) {
        h.link_speed_mbps = static_cast<uint32_t>(link.speed_bps / 1'000'000);
        h.link_speed_nominal = link.nominal;
    }
    if (rte_eth_stats_get(pid, &s) != 0) return h;
    h.ipackets = s.ipackets;
    h.opackets = s.opackets;
    h.ibytes = s.ibytes;
    h.obytes = s.obytes;
    h.imissed = s.imissed;
    h.ierrors = s.ierrors;
    h.oerrors = s.oerrors;
    h.rx_nombuf = s.rx_nombuf;
    if (queues == 0) return h;
#if VFPATH_DPDK_ETH_STATS_QUEUES
    if (queues > RTE_ETHDEV_QUEUE_STAT_CNTRS) return h;
    bool kept = false;
    for (uint16_t q = 0; q < queues; ++q)
        kept = kept || s.q_ipackets[q] || s.q_opackets[q] || s.q_errors[q];
    if (!kept) return h;  // nothing per queue: the PMD keeps no such counters (or saw nothing)
    for (uint16_t q = 0; q < queues; ++q)
        h.queues.push_back(
            {s.q_ipackets[q], s.q_opackets[q], s.q_ibytes[q], s.q_obytes[q], s.q_errors[q]});
#else
    // 25.11: the same counters, as the driver's xstats (where it keeps them).
    const std::vector<Xstat> xs = port_xstats(pid);
    auto get = [&](const char* dir, uint16_t q, const char* what, bool& found) -> uint64_t {
        const std::string name = std::string(dir) + "_q" + std::to_string(q) + "_" + what;
        for (const Xstat& x : xs)
            if (x.name == name) {
                found = true;
                return x.value;
            }
        return 0;
    };
    bool kept = false;
    std::vector<QueueHwStats> qs;
    for (uint16_t q = 0; q < queues; ++q) {
        bool f = false;
        QueueHwStats one{get("rx", q, "packets", f), get("tx", q, "packets", f),
                               get("rx", q, "bytes", f), get("tx", q, "bytes", f),
                               get("rx", q, "errors", f)};
        kept = kept || (f && (one.ipackets || one.opackets || one.errors));
        qs.push_back(one);
    }
    if (kept) h.queues = std::move(qs);
#endif
    return h;
}

std::vector<Xstat> port_xstats(uint16_t pid) {
    std::vector<Xstat> out;
    const int n = rte_eth_xstats_get_names(pid, nullptr, 0);
    if (n <= 0) return out;
    std::vector<rte_eth_xstat_name> names(static_cast<size_t>(n));
    std::vector<rte_eth_xstat> values(static_cast<size_t>(n));
    const int nn = rte_eth_xstats_get_names(pid, names.data(), unsigned(n));
    const int nv = rte_eth_xstats_get(pid, values.data(), unsigned(n));
    if (nn != n || nv != n) return out;  // changed meanwhile (a reconfiguration): next time
    out.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        const uint64_t id = values[size_t(i)].id;
        if (id >= uint64_t(n)) continue;
        out.push_back({names[size_t(id)].name, values[size_t(i)].value});
    }
    return out;
}

}  // namespace vfpath::glue
