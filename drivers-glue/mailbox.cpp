// VF mailbox policy: decoding the ixgbe and i40e VF_MBOX parameters, the policy decision, and
// the retval written back. See mailbox.h. Uses DPDK's headers for the parameter structs and the
// retval enums only; nothing here calls into DPDK, so it runs without EAL.
//
// The message layouts below are written from the public descriptions of the two mailboxes
// (DPDK drivers/net/ixgbe/base/ixgbe_mbx.h and ixgbe_pf.c; virtchnl.h, as in DPDK
// drivers/common/iavf/virtchnl.h and the kernel's include/linux/avf/virtchnl.h). Every field is
// copied out with memcpy after a bounds check, so no alignment is assumed and no byte past the
// message is read.
#include "drivers-glue/mailbox.h"

#include <rte_pmd_i40e.h>
#include <rte_pmd_ixgbe.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <span>

namespace vfpath::glue {

// Both PF drivers read these messages as native integers; they run on little-endian hosts only,
// and so do we (virtchnl is little-endian on the wire).
static_assert(std::endian::native == std::endian::little,
              "the ixgbe and virtchnl mailbox layouts are decoded as little-endian");

namespace {

using Kind = MailboxRequest::Kind;
using config::MacAddr;

// Ethernet header (14) + FCS (4): the difference between a max frame size and its MTU.
constexpr uint32_t k_frame_overhead = 18;

struct OpName {
    uint16_t op;
    std::string_view name;
};

std::string op_name(std::span<const OpName> names, uint16_t op, const char* driver) {
    for (const OpName& n : names)
        if (n.op == op) return std::string(n.name);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s op 0x%02x", driver, static_cast<unsigned>(op));
    return buf;
}

// What every request starts with: the VF, the opcode (the parameter's msg_type) and its name.
template <class Param>
MailboxRequest request_of(const Param& param, std::span<const OpName> names, const char* driver) {
    MailboxRequest req;
    req.vf = param.vfid;
    req.opcode = param.msg_type;
    req.op_name = op_name(names, req.opcode, driver);
    return req;
}

void set_malformed(MailboxRequest& req, std::string problem) {
    req.kind = Kind::other;
    req.malformed = true;
    req.problem = std::move(problem);
}

void set_frame(MailboxRequest& req, uint32_t max_frame) {
    req.max_frame = max_frame;
    if (max_frame >= k_frame_overhead && max_frame - k_frame_overhead <= UINT16_MAX)
        req.mtu = static_cast<uint16_t>(max_frame - k_frame_overhead);
}

bool is_multicast(const MacAddr& m) {
    return (m[0] & 0x01) != 0;  // I/G bit; broadcast is multicast too
}

// ---- ixgbe ------------------------------------------------------------------------------------
// DPDK drivers/net/ixgbe/base/ixgbe_mbx.h and ixgbe_pf.c (ixgbe_rcv_msg_from_vf).
namespace ixgbe {

// The PF reads the whole mailbox, IXGBE_VFMAILBOX_SIZE (16) 32-bit words, into the buffer whose
// address it passes as `msg`. Word 0 is the header; the payload follows.
struct Mailbox {
    uint32_t header;       // bits 0..15 opcode, 16..23 info (IXGBE_VT_MSGINFO), 29..31 flags
    uint32_t payload[15];  // msgbuf[1..15]
};
static_assert(sizeof(Mailbox) == 16 * sizeof(uint32_t));

constexpr uint32_t k_info_shift = 16;             // IXGBE_VT_MSGINFO_SHIFT
constexpr uint32_t k_info_mask = 0xFFu << 16;     // IXGBE_VT_MSGINFO_MASK
constexpr uint32_t k_msgtype_ack = 0x80000000u;   // IXGBE_VT_MSGTYPE_ACK
constexpr uint32_t k_vlan_id_mask = 0x00000FFFu;  // IXGBE_VLVF_VLANID_MASK
constexpr uint32_t k_max_mc_entries = 30;         // IXGBE_MAX_VF_MC_ENTRIES

// Opcodes (the low 16 bits of msgbuf[0]) and their names in ixgbe_mbx.h; the payload each one
// carries is described where decode_ixgbe reads it.
#define VFPATH_IXGBE_OPS(X)                             \
    X(0x01, op_reset, "IXGBE_VF_RESET")                 \
    X(0x02, op_set_mac_addr, "IXGBE_VF_SET_MAC_ADDR")   \
    X(0x03, op_set_multicast, "IXGBE_VF_SET_MULTICAST") \
    X(0x04, op_set_vlan, "IXGBE_VF_SET_VLAN")           \
    X(0x05, op_set_lpe, "IXGBE_VF_SET_LPE")             \
    X(0x06, op_set_macvlan, "IXGBE_VF_SET_MACVLAN")     \
    X(0x08, op_api_negotiate, "IXGBE_VF_API_NEGOTIATE") \
    X(0x09, op_get_queues, "IXGBE_VF_GET_QUEUES")       \
    X(0x0a, op_get_reta, "IXGBE_VF_GET_RETA")           \
    X(0x0b, op_get_rss_key, "IXGBE_VF_GET_RSS_KEY")     \
    X(0x0c, op_update_xcast, "IXGBE_VF_UPDATE_XCAST_MODE")

enum Op : uint16_t {
#define X(code, id, name) id = code,
    VFPATH_IXGBE_OPS(X)
#undef X
};

// enum ixgbevf_xcast_modes
enum XcastMode : uint32_t {
    xcast_none = 0,
    xcast_multi = 1,
    xcast_allmulti = 2,
    xcast_promisc = 3
};

constexpr OpName k_names[] = {
#define X(code, id, name) {code, name},
    VFPATH_IXGBE_OPS(X)
#undef X
};
#undef VFPATH_IXGBE_OPS

MacAddr payload_mac(const Mailbox& mb) {
    MacAddr m;
    std::memcpy(m.data(), mb.payload, m.size());
    return m;
}

}  // namespace ixgbe

// ---- i40e (virtchnl) --------------------------------------------------------------------------
// virtchnl.h: enum virtchnl_ops and the message structs. Only the parts the policy reads.
namespace vc {

// enum virtchnl_ops (the ones a PF sees from a VF), with their names.
#define VFPATH_VIRTCHNL_OPS(X)                                               \
    X(1, op_version, "VIRTCHNL_OP_VERSION")                                  \
    X(2, op_reset_vf, "VIRTCHNL_OP_RESET_VF")                                \
    X(3, op_get_vf_resources, "VIRTCHNL_OP_GET_VF_RESOURCES")                \
    X(4, op_config_tx_queue, "VIRTCHNL_OP_CONFIG_TX_QUEUE")                  \
    X(5, op_config_rx_queue, "VIRTCHNL_OP_CONFIG_RX_QUEUE")                  \
    X(6, op_config_vsi_queues, "VIRTCHNL_OP_CONFIG_VSI_QUEUES")              \
    X(7, op_config_irq_map, "VIRTCHNL_OP_CONFIG_IRQ_MAP")                    \
    X(8, op_enable_queues, "VIRTCHNL_OP_ENABLE_QUEUES")                      \
    X(9, op_disable_queues, "VIRTCHNL_OP_DISABLE_QUEUES")                    \
    X(10, op_add_eth_addr, "VIRTCHNL_OP_ADD_ETH_ADDR")                       \
    X(11, op_del_eth_addr, "VIRTCHNL_OP_DEL_ETH_ADDR")                       \
    X(12, op_add_vlan, "VIRTCHNL_OP_ADD_VLAN")                               \
    X(13, op_del_vlan, "VIRTCHNL_OP_DEL_VLAN")                               \
    X(14, op_config_promiscuous_mode, "VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE") \
    X(15, op_get_stats, "VIRTCHNL_OP_GET_STATS")                             \
    X(17, op_event, "VIRTCHNL_OP_EVENT")                                     \
    X(23, op_config_rss_key, "VIRTCHNL_OP_CONFIG_RSS_KEY")                   \
    X(24, op_config_rss_lut, "VIRTCHNL_OP_CONFIG_RSS_LUT")                   \
    X(25, op_get_rss_hena_caps, "VIRTCHNL_OP_GET_RSS_HENA_CAPS")             \
    X(26, op_set_rss_hena, "VIRTCHNL_OP_SET_RSS_HENA")                       \
    X(27, op_enable_vlan_stripping, "VIRTCHNL_OP_ENABLE_VLAN_STRIPPING")     \
    X(28, op_disable_vlan_stripping, "VIRTCHNL_OP_DISABLE_VLAN_STRIPPING")   \
    X(29, op_request_queues, "VIRTCHNL_OP_REQUEST_QUEUES")

enum Op : uint16_t {
#define X(code, id, name) id = code,
    VFPATH_VIRTCHNL_OPS(X)
#undef X
};

constexpr OpName k_names[] = {
#define X(code, id, name) {code, name},
    VFPATH_VIRTCHNL_OPS(X)
#undef X
};
#undef VFPATH_VIRTCHNL_OPS

#pragma pack(push, 1)
// The head of struct virtchnl_ether_addr_list and struct virtchnl_vlan_filter_list; their
// entries (EtherAddr, or u16 VLAN ids) follow it.
struct ListHeader {
    uint16_t vsi_id;
    uint16_t num_elements;
};
// struct virtchnl_ether_addr
struct EtherAddr {
    uint8_t addr[6];
    uint8_t type;  // VIRTCHNL_ETHER_ADDR_LEGACY/PRIMARY/EXTRA: the VF's word, not checked
    uint8_t pad;
};
// struct virtchnl_promisc_info
struct PromiscInfo {
    uint16_t vsi_id;
    uint16_t flags;
};
// The head of struct virtchnl_vsi_queue_config_info; QueuePairInfo entries follow it.
struct VsiQueueConfigHeader {
    uint16_t vsi_id;
    uint16_t num_queue_pairs;
    uint32_t pad;
};
// struct virtchnl_txq_info
struct TxqInfo {
    uint16_t vsi_id, queue_id, ring_len, headwb_enabled;
    uint64_t dma_ring_addr, dma_headwb_addr;
};
// struct virtchnl_rxq_info (bytes 20..23 changed meaning across versions; unused here)
struct RxqInfo {
    uint16_t vsi_id, queue_id;
    uint32_t ring_len;
    uint16_t hdr_size, splithdr_enabled;
    uint32_t databuffer_size;
    uint32_t max_pkt_size;  // the largest frame this queue accepts
    uint8_t crc_disable, rxdid, flags, pad1;
    uint64_t dma_ring_addr;
    int32_t rx_split_pos;
    uint32_t pad2;
};
// struct virtchnl_queue_pair_info
struct QueuePairInfo {
    TxqInfo txq;
    RxqInfo rxq;
};
#pragma pack(pop)
// VIRTCHNL_CHECK_STRUCT_LEN values of virtchnl.h.
static_assert(sizeof(ListHeader) == 4 && sizeof(EtherAddr) == 8 && sizeof(PromiscInfo) == 4);
static_assert(sizeof(VsiQueueConfigHeader) == 8 && sizeof(TxqInfo) == 24);
static_assert(sizeof(RxqInfo) == 40 && sizeof(QueuePairInfo) == 64);
static_assert(offsetof(RxqInfo, max_pkt_size) == 16);

constexpr uint16_t k_flag_unicast_promisc = 0x1;    // FLAG_VF_UNICAST_PROMISC
constexpr uint16_t k_flag_multicast_promisc = 0x2;  // FLAG_VF_MULTICAST_PROMISC

// The message as bytes: `msg`, `msglen` of them. read() copies a T at `offset` only when it
// lies wholly inside.
class Message {
public:
    Message(const void* msg, size_t len)
        : data_(static_cast<const uint8_t*>(msg)), len_(msg ? len : 0) {}
    size_t size() const { return len_; }
    bool holds(size_t offset, size_t bytes) const {
        return offset <= len_ && bytes <= len_ - offset;
    }
    template <class T>
    bool read(size_t offset, T& out) const {
        if (!holds(offset, sizeof(T))) return false;
        std::memcpy(&out, data_ + offset, sizeof(T));
        return true;
    }

private:
    const uint8_t* data_;
    size_t len_;
};

std::string too_short(size_t have, size_t need, std::string_view what) {
    return "message of " + std::to_string(have) + " bytes, " + std::string(what) + " needs " +
           std::to_string(need);
}

// A header, then `num_elements` entries of `entry_size` bytes: false (and `req` malformed) when
// the message does not hold them all.
bool read_list(const Message& m, MailboxRequest& req, size_t header_size, size_t entry_size,
               uint16_t count, std::string_view what) {
    const size_t need = header_size + size_t{count} * entry_size;
    if (m.holds(0, need)) return true;
    set_malformed(req, too_short(m.size(), need, std::to_string(count) + " " + std::string(what)));
    return false;
}

void decode_eth_addr(const Message& m, MailboxRequest& req, bool add) {
    ListHeader h{};
    if (!m.read(0, h)) return set_malformed(req, too_short(m.size(), sizeof h, "the list header"));
    if (!read_list(m, req, sizeof h, sizeof(EtherAddr), h.num_elements, "addresses")) return;
    req.add = add;
    req.count = h.num_elements;
    bool unicast = false;
    for (size_t i = 0; i < h.num_elements; ++i) {
        EtherAddr e{};
        m.read(sizeof h + i * sizeof e, e);
        MacAddr& mac = req.macs.emplace_back();
        std::memcpy(mac.data(), e.addr, mac.size());
        unicast = unicast || !is_multicast(mac);
    }
    req.kind = unicast ? Kind::add_mac : Kind::add_multicast;
}

void decode_vlan(const Message& m, MailboxRequest& req, bool add) {
    ListHeader h{};
    if (!m.read(0, h)) return set_malformed(req, too_short(m.size(), sizeof h, "the list header"));
    if (!read_list(m, req, sizeof h, sizeof(uint16_t), h.num_elements, "VLAN ids")) return;
    req.kind = Kind::set_vlan;
    req.add = add;
    req.count = h.num_elements;
    for (size_t i = 0; i < h.num_elements; ++i) {
        uint16_t id = 0;
        m.read(sizeof h + i * sizeof id, id);
        if (!req.vlan || (*req.vlan == 0 && id != 0)) req.vlan = id;
    }
}

void decode_promisc(const Message& m, MailboxRequest& req) {
    PromiscInfo p{};
    if (!m.read(0, p)) return set_malformed(req, too_short(m.size(), sizeof p, "the promisc info"));
    req.kind = Kind::set_promisc;
    req.unicast_promisc = (p.flags & k_flag_unicast_promisc) != 0;
    req.multicast_promisc = (p.flags & k_flag_multicast_promisc) != 0;
}

// The VF's rx queues say the largest frame each accepts: that is its MTU request.
void decode_vsi_queues(const Message& m, MailboxRequest& req) {
    VsiQueueConfigHeader h{};
    if (!m.read(0, h)) return set_malformed(req, too_short(m.size(), sizeof h, "the header"));
    if (!read_list(m, req, sizeof h, sizeof(QueuePairInfo), h.num_queue_pairs, "queue pairs"))
        return;
    req.count = h.num_queue_pairs;
    if (h.num_queue_pairs == 0) return;  // configures nothing: stays `other`
    uint32_t max_frame = 0;
    for (size_t i = 0; i < h.num_queue_pairs; ++i) {
        QueuePairInfo q{};
        m.read(sizeof h + i * sizeof q, q);
        max_frame = std::max(max_frame, q.rxq.max_pkt_size);
    }
    req.kind = Kind::set_mtu;
    set_frame(req, max_frame);
}

}  // namespace vc

std::string vlan_text(const MailboxRequest& r) {
    std::string s = r.vlan ? " vlan " + std::to_string(*r.vlan) : std::string();
    if (r.count > 1) s += " (" + std::to_string(r.count) + " ids)";
    return s;
}

std::string macs_text(const MailboxRequest& r) {
    std::string s;
    for (size_t i = 0; i < r.macs.size() && i < 2; ++i) {
        s += ' ';
        s += config::format_mac(r.macs[i]);
    }
    if (r.macs.size() > 2) s += " (+" + std::to_string(r.macs.size() - 2) + " more)";
    return s;
}

Decision yes(std::string reason) {
    return Decision{true, std::move(reason)};
}
Decision no(std::string reason) {
    return Decision{false, std::move(reason)};
}

// Every address of the request is the VF's own assigned one.
bool only_assigned_mac(const VfMailboxPolicy& p, const MailboxRequest& req) {
    return p.mac && !req.macs.empty() &&
           std::all_of(req.macs.begin(), req.macs.end(),
                       [&](const MacAddr& m) { return m == *p.mac; });
}

}  // namespace

// ---- names ------------------------------------------------------------------------------------

DriverKind driver_kind(std::string_view driver_name) {
    if (driver_name == "net_ixgbe") return DriverKind::ixgbe;
    if (driver_name == "net_i40e") return DriverKind::i40e;
    return DriverKind::unknown;
}

std::string_view to_string(DriverKind kind) {
    constexpr std::string_view names[] = {"unknown", "ixgbe", "i40e"};  // in enum order
    return names[static_cast<size_t>(kind)];
}

std::string_view to_string(MailboxRequest::Kind kind) {
    constexpr std::string_view names[] = {"set_mac",     "add_mac", "add_multicast", "set_vlan",
                                          "set_promisc", "set_mtu", "reset",         "other"};
    static_assert(std::size(names) == static_cast<size_t>(Kind::other) + 1);
    return names[static_cast<size_t>(kind)];
}

std::string describe(const MailboxRequest& r) {
    std::string s = "vf " + std::to_string(r.vf) + " " + r.op_name;
    if (r.malformed) return s + ": malformed (" + r.problem + ")";
    const char* verb = r.add ? "add" : "remove";
    switch (r.kind) {
        case Kind::set_mac:
            return s + ": set mac" + macs_text(r);
        case Kind::add_mac:
        case Kind::add_multicast:
            if (r.macs.empty()) return s + ": " + verb + " " + std::to_string(r.count) + " entries";
            return s + ": " + verb + macs_text(r);
        case Kind::set_vlan:
            return s + ": " + verb + vlan_text(r);
        case Kind::set_promisc:
            return s + ": unicast promiscuous " + (r.unicast_promisc ? "on" : "off") +
                   ", all-multicast " + (r.multicast_promisc ? "on" : "off");
        case Kind::set_mtu:
            return s + ": max frame " + std::to_string(r.max_frame.value_or(0)) +
                   (r.mtu ? " (mtu " + std::to_string(*r.mtu) + ")" : std::string());
        case Kind::reset:
            return s + (r.macs.empty() ? "" : ": mac" + macs_text(r));
        case Kind::other:
            break;
    }
    return s;
}

// ---- decoding ---------------------------------------------------------------------------------

MailboxRequest decode_ixgbe(const rte_pmd_ixgbe_mb_event_param& param) {
    // msg_type, not the header's opcode: for a reset the PF has already written its reply over
    // the header (ixgbe_vf_reset) before the callback runs.
    MailboxRequest req = request_of(param, ixgbe::k_names, "ixgbe");
    if (!param.msg) {
        set_malformed(req, "no message");
        return req;
    }
    ixgbe::Mailbox mb;
    std::memcpy(&mb, param.msg, sizeof mb);
    const uint32_t info = (mb.header & ixgbe::k_info_mask) >> ixgbe::k_info_shift;
    const MacAddr mac = ixgbe::payload_mac(mb);  // for the opcodes that carry one
    switch (req.opcode) {
        case ixgbe::op_reset:
            req.kind = Kind::reset;
            // The PF's reply (ACK) carries the MAC it gave the VF.
            if ((mb.header & ixgbe::k_msgtype_ack) && mac != MacAddr{}) req.macs.push_back(mac);
            break;
        case ixgbe::op_set_mac_addr:
            req.kind = Kind::set_mac;
            req.macs.push_back(mac);
            req.count = 1;
            break;
        case ixgbe::op_set_multicast:
            if (info > ixgbe::k_max_mc_entries) {
                set_malformed(req, std::to_string(info) + " multicast hashes, at most " +
                                       std::to_string(ixgbe::k_max_mc_entries));
                break;
            }
            req.kind = Kind::add_multicast;
            req.count = static_cast<uint16_t>(info);
            break;
        case ixgbe::op_set_vlan:
            req.kind = Kind::set_vlan;
            req.add = info != 0;
            req.vlan = static_cast<uint16_t>(mb.payload[0] & ixgbe::k_vlan_id_mask);
            req.count = 1;
            break;
        case ixgbe::op_set_lpe:
            req.kind = Kind::set_mtu;
            set_frame(req, mb.payload[0]);
            break;
        case ixgbe::op_set_macvlan:
            // Index 0 clears the VF's extra unicast filters; any other index adds the address.
            req.kind = Kind::add_mac;
            req.add = info != 0;
            if (req.add) req.macs.push_back(mac);
            req.count = req.add ? 1 : 0;
            break;
        case ixgbe::op_update_xcast: {
            const uint32_t mode = mb.payload[0];
            if (mode > ixgbe::xcast_promisc) {
                set_malformed(req, "unknown xcast mode " + std::to_string(mode));
                break;
            }
            // none: filtered multicast off; multi: the VF's multicast list (normal); allmulti:
            // every multicast frame; promisc: every frame.
            req.kind = Kind::set_promisc;
            req.unicast_promisc = mode == ixgbe::xcast_promisc;
            req.multicast_promisc = mode >= ixgbe::xcast_allmulti;
            break;
        }
        default:
            break;  // other
    }
    return req;
}

MailboxRequest decode_i40e(const rte_pmd_i40e_mb_event_param& param) {
    MailboxRequest req = request_of(param, vc::k_names, "virtchnl");
    const vc::Message m(param.msg, param.msglen);
    switch (req.opcode) {
        case vc::op_reset_vf:
            req.kind = Kind::reset;
            break;
        case vc::op_add_eth_addr:
        case vc::op_del_eth_addr:
            vc::decode_eth_addr(m, req, req.opcode == vc::op_add_eth_addr);
            break;
        case vc::op_add_vlan:
        case vc::op_del_vlan:
            vc::decode_vlan(m, req, req.opcode == vc::op_add_vlan);
            break;
        case vc::op_config_promiscuous_mode:
            vc::decode_promisc(m, req);
            break;
        case vc::op_config_vsi_queues:
            vc::decode_vsi_queues(m, req);
            break;
        default:
            break;  // other
    }
    return req;
}

// ---- policy -----------------------------------------------------------------------------------

Decision decide(const VfMailboxPolicy& p, const MailboxRequest& req) {
    if (req.kind == Kind::reset) return yes("reset is always allowed");
    if (p.trusted) return yes("trusted VF");
    if (req.malformed)
        return no("malformed request (" + req.problem +
                  ") cannot be checked against the policy of an untrusted VF");
    switch (req.kind) {
        case Kind::set_mac:
            if (p.allow_mac_change) return yes("allow_mac_change");
            if (only_assigned_mac(p, req)) return yes("the VF's assigned MAC");
            return no("MAC change refused: untrusted VF without allow_mac_change");
        case Kind::add_mac:
            if (!req.add) return yes("removing filters is always allowed");
            if (p.allow_mac_change) return yes("allow_mac_change");
            if (only_assigned_mac(p, req)) return yes("the VF's assigned MAC");
            return no("extra unicast MAC refused: untrusted VF without allow_mac_change");
        case Kind::add_multicast:
            if (!req.add || req.count == 0) return yes("removing filters is always allowed");
            if (p.allow_multicast) return yes("allow_multicast");
            return no("multicast filters refused: allow_multicast is false");
        case Kind::set_vlan:
            if (!req.add) return yes("removing filters is always allowed");
            if (req.vlan.value_or(0) == 0)
                return yes("VLAN 0 (priority tags only) is always allowed");
            if (p.allow_vlan) return yes("allow_vlan");
            return no("VLAN filter refused: untrusted VF without allow_vlan");
        case Kind::set_promisc:
            if (req.unicast_promisc && !p.allow_promisc)
                return no("unicast promiscuous mode refused: untrusted VF without allow_promisc");
            if (req.multicast_promisc && !p.allow_multicast)
                return no("all-multicast mode refused: allow_multicast is false");
            if (req.unicast_promisc) return yes("allow_promisc");
            return yes(req.multicast_promisc ? "allow_multicast" : "turning modes off is allowed");
        case Kind::set_mtu:
            if (req.max_frame.value_or(0) <= k_standard_max_frame)
                return yes("standard frame size (at most " + std::to_string(k_standard_max_frame) +
                           " bytes)");
            if (p.allow_mtu_change) return yes("allow_mtu_change");
            return no("max frame " + std::to_string(*req.max_frame) + " above " +
                      std::to_string(k_standard_max_frame) +
                      " refused: untrusted VF without allow_mtu_change");
        case Kind::reset:
        case Kind::other:
            break;
    }
    return yes("not covered by the policy");
}

uint16_t ixgbe_retval(const Decision& d) {
    return d.accept ? RTE_PMD_IXGBE_MB_EVENT_PROCEED : RTE_PMD_IXGBE_MB_EVENT_NOOP_NACK;
}

uint16_t i40e_retval(const Decision& d) {
    return d.accept ? RTE_PMD_I40E_MB_EVENT_PROCEED : RTE_PMD_I40E_MB_EVENT_NOOP_NACK;
}

const VfMailboxPolicy& PolicyTable::of(uint16_t vf) const {
    const auto it = vfs.find(vf);
    return it == vfs.end() ? all : it->second;
}

VfMailboxPolicy to_policy(const config::VfMailboxPolicyConfig& c) {
    VfMailboxPolicy p;
    p.trusted = c.trusted;
    p.allow_mac_change = c.allow_mac_change;
    p.allow_vlan = c.allow_vlan;
    p.allow_promisc = c.allow_promisc;
    p.allow_multicast = c.allow_multicast;
    p.allow_mtu_change = c.allow_mtu_change;
    return p;
}

PolicyTable policy_table(const config::Config& cfg, std::string_view pf) {
    PolicyTable t;
    for (const config::VfMailboxPolicyConfig& c : cfg.vf_policy) {
        if (c.pf != pf) continue;
        if (c.vf)
            t.vfs[*c.vf] = to_policy(c);
        else
            t.all = to_policy(c);
    }
    return t;
}

namespace {

// Decode the driver's parameter, decide by the VF's policy, write the retval the PF acts on.
template <class Param>
MailboxVerdict judge(Param& param, MailboxRequest (*decode)(const Param&),
                     uint16_t (*retval)(const Decision&), const PolicyTable& table) {
    MailboxVerdict v{decode(param), {}};
    v.decision = decide(table.of(v.request.vf), v.request);
    param.retval = retval(v.decision);
    return v;
}

}  // namespace

std::optional<MailboxVerdict> handle_vf_mbox(DriverKind kind, void* ret_param,
                                             const PolicyTable& table) {
    if (!ret_param) return std::nullopt;
    switch (kind) {
        case DriverKind::ixgbe:
            return judge(*static_cast<rte_pmd_ixgbe_mb_event_param*>(ret_param), decode_ixgbe,
                         ixgbe_retval, table);
        case DriverKind::i40e:
            return judge(*static_cast<rte_pmd_i40e_mb_event_param*>(ret_param), decode_i40e,
                         i40e_retval, table);
        case DriverKind::unknown:
            break;
    }
    return std::nullopt;
}

}  // namespace vfpath::glue
