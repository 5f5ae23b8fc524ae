#include <string_view>

#include <rte_ethdev.h>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

Result<uint16_t> find_port(const config::PortConfig& port) {
    uint16_t id = 0;
    const std::string name = device_name(port);
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0)
        return fail("device " + name + " was not found after probe (is it bound to vfio-pci, "
                    "or is the vdev driver available?)");
    return id;
}

Result<config::PortFacts> port_facts(uint16_t port_id) {
    rte_eth_dev_info info{};
    const int ret = rte_eth_dev_info_get(port_id, &info);
    if (ret != 0) return fail(call_error("rte_eth_dev_info_get", port_id, ret));
    config::PortFacts f;
    f.probed = true;
    f.socket = rte_eth_dev_socket_id(port_id);
    f.max_rx_queues = info.max_rx_queues;
    f.max_tx_queues = info.max_tx_queues;
    f.rx_desc_min = info.rx_desc_lim.nb_min;
    f.rx_desc_max = info.rx_desc_lim.nb_max;
    f.rx_desc_align = info.rx_desc_lim.nb_align ? info.rx_desc_lim.nb_align : 1;
    f.tx_desc_min = info.tx_desc_lim.nb_min;
    f.tx_desc_max = info.tx_desc_lim.nb_max;
    f.tx_desc_align = info.tx_desc_lim.nb_align ? info.tx_desc_lim.nb_align : 1;
    f.rss_offloads = info.flow_type_rss_offloads;
    f.max_mtu = info.max_mtu;
    f.min_mtu = info.min_mtu;
    // net_pcap advertises neither offload but does both: a frame longer than one mbuf is read
    // into a chain (eth_pcap_rx_jumbo) and a chain is written whole (rte_pktmbuf_read).
    const bool pcap = info.driver_name && std::string_view(info.driver_name) == "net_pcap";
    f.rx_scatter = pcap || (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER);
    f.tx_multi_seg = pcap || (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
    // Hardware rx timestamps need both the offload and the clock they are counted in. The
    // clock is only asked of devices that offer the offload.
    f.rx_timestamp = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    f.read_clock = f.rx_timestamp && has_read_clock(port_id);
    return f;
}

}  // namespace vfpath::glue
