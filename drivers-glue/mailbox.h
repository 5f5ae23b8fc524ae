// drivers-glue/mailbox.cpp: the VF mailbox policy, for when vfpath drives a PF with DPDK's ixgbe
// or i40e PMD. On RTE_ETH_EVENT_VF_MBOX the PF PMD hands the application a request from one of
// its VFs before acting on it; the application answers through the parameter's `retval`
// (proceed, or skip the request and tell the VF it failed).
//
// decode_*  : the driver's parameter -> a driver-neutral MailboxRequest (never reads past the
//             message; a short or inconsistent one comes back `malformed`)
// decide    : policy x request -> accept or refuse, with the reason
// handle_vf_mbox: all of it, for the ethdev callback: writes retval, returns what was decided.
//
// Needs DPDK headers only (no EAL): the unit tests compile it without initialising DPDK.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/api.h"

struct rte_pmd_ixgbe_mb_event_param;
struct rte_pmd_i40e_mb_event_param;

namespace vfpath::glue {

// The PF drivers whose VF_MBOX parameter we know, by the PMD's driver name
// (rte_eth_dev_info.driver_name).
enum class DriverKind : uint8_t { unknown, ixgbe, i40e };
DriverKind driver_kind(std::string_view driver_name);  // "net_ixgbe", "net_i40e"
std::string_view to_string(DriverKind kind);

// One VF request, whatever the driver.
struct MailboxRequest {
    enum class Kind : uint8_t {
        set_mac,        // replace the VF's own MAC
        add_mac,        // add (or remove) extra unicast MAC filters
        add_multicast,  // add (or remove) multicast filters
        set_vlan,       // add (or remove) VLAN filters
        set_promisc,    // unicast promiscuous / all-multicast on or off
        set_mtu,        // largest frame the VF wants to receive
        reset,          // the VF (re)initialises
        other,          // anything else, and every malformed request
    };
    uint16_t vf = 0;
    Kind kind = Kind::other;
    uint16_t opcode = 0;  // ixgbe mailbox opcode or virtchnl op, as received
    std::string op_name;  // "IXGBE_VF_SET_VLAN", "VIRTCHNL_OP_ADD_VLAN", "ixgbe op 0x42"
    // The message is shorter than its op needs, or inconsistent; kind is then `other` and
    // `problem` says what is wrong.
    bool malformed = false;
    std::string problem;
    // set_mac, add_mac, add_multicast: every address the request names (ixgbe's multicast
    // request carries hashes, not addresses: empty then). reset (ixgbe): the MAC the PF gave
    // the VF in its reply.
    std::vector<config::MacAddr> macs;
    std::optional<uint16_t> vlan;  // set_vlan: the first non-zero id (0 when all are 0)
    bool add = true;               // add_mac, add_multicast, set_vlan: false when removing
    bool unicast_promisc = false;  // set_promisc: what the VF asks for
    bool multicast_promisc = false;
    std::optional<uint32_t> max_frame;  // set_mtu: largest frame in bytes, as asked
    std::optional<uint16_t> mtu;        // set_mtu: max_frame - 18 (Ethernet header + FCS)
    uint16_t count = 0;  // entries of a list request (addresses, hashes, VLANs, queue pairs)

    std::optional<config::MacAddr> mac() const {
        return macs.empty() ? std::nullopt : std::optional(macs.front());
    }
};
std::string_view to_string(MailboxRequest::Kind kind);
// "vf 3 IXGBE_VF_SET_VLAN: add vlan 100", for logs.
std::string describe(const MailboxRequest& req);

MailboxRequest decode_ixgbe(const rte_pmd_ixgbe_mb_event_param& param);
MailboxRequest decode_i40e(const rte_pmd_i40e_mb_event_param& param);

// What one VF may ask of its PF. A trusted VF may ask anything.
struct VfMailboxPolicy {
    bool trusted = false;
    bool allow_mac_change = false;
    bool allow_vlan = false;
    bool allow_promisc = false;
    bool allow_multicast = true;
    bool allow_mtu_change = false;
    // The MAC the PF assigned this VF, when vfpath knows it: a request to set or add exactly
    // this address is accepted without allow_mac_change (a VF's driver adds its own address on
    // every start). Not in the config; whoever assigns the MAC fills it.
    std::optional<config::MacAddr> mac;
};

// A frame of up to 1536 bytes is an ordinary (non-jumbo) frame and is never refused: drivers
// ask for one on every start whatever the MTU change policy. ixgbevf asks 1518 (MTU 1500 +
// header + FCS), DPDK's ixgbevf/iavf 1526 (+ two VLAN tags), the kernel's iavf
// IAVF_RXBUFFER_1536 - NET_IP_ALIGN = 1534.
inline constexpr uint32_t k_standard_max_frame = 1536;

struct Decision {
    bool accept = true;
    std::string reason;
};
// Reset, and ops the policy does not cover, are accepted so the VF can work; a malformed
// request is refused unless the VF is trusted (it cannot be checked).
Decision decide(const VfMailboxPolicy& policy, const MailboxRequest& req);

// The retval to write: PROCEED when accepted, NOOP_NACK when refused (the VF sees a failure;
// i40e answers it VIRTCHNL_STATUS_ERR_NOT_SUPPORTED).
uint16_t ixgbe_retval(const Decision& d);
uint16_t i40e_retval(const Decision& d);

// The policies of one PF's VFs.
struct PolicyTable {
    VfMailboxPolicy all;                      // VFs without their own entry
    std::map<uint16_t, VfMailboxPolicy> vfs;  // explicit per-VF entries

    const VfMailboxPolicy& of(uint16_t vf) const;
};
VfMailboxPolicy to_policy(const config::VfMailboxPolicyConfig& c);
// The table of the port named `pf`: its "vf: all" entry (else the default, untrusted) for
// every VF, overridden by entries for single VFs.
PolicyTable policy_table(const config::Config& cfg, std::string_view pf);

struct MailboxVerdict {
    MailboxRequest request;
    Decision decision;
};
// For the RTE_ETH_EVENT_VF_MBOX callback (`ret_param` as the PF PMD passed it): decodes,
// decides, writes retval. nullopt, with retval untouched, for an unknown driver or a null
// parameter. Reads only `table`; safe on DPDK's interrupt thread while the table is not
// modified.
std::optional<MailboxVerdict> handle_vf_mbox(DriverKind kind, void* ret_param,
                                             const PolicyTable& table);

}  // namespace vfpath::glue
