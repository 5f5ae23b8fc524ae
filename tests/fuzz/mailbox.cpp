// Fuzz target: VF mailbox requests -> drivers-glue/mailbox.cpp (decode_ixgbe / decode_i40e,
// decide, the retval written back), exactly as the RTE_ETH_EVENT_VF_MBOX callback runs it via
// handle_vf_mbox. Needs DPDK's headers only, no EAL.
//
// Input: byte 0 picks the PF driver (bit 0: ixgbe or i40e) and the VF's policy (bits 1..7:
// trusted, allow_mac_change, allow_vlan, allow_promisc, allow_multicast, allow_mtu_change, an
// assigned MAC 02:11:22:33:44:55); bytes 1-2 the opcode (msg_type), 3-4 the VF number, both
// little-endian; the rest is the message. ixgbe always hands over its whole 64-byte mailbox (the
// rest is zero-padded or cut to 64); i40e the message with its length, in a buffer of exactly
// that size. Accepted when the request decodes (is not malformed).
#include "drivers-glue/mailbox.h"

#include <rte_pmd_i40e.h>
#include <rte_pmd_ixgbe.h>

#include <algorithm>
#include <vector>

#include "tests/fuzz/fuzz.h"

namespace vfpath::fuzz {

namespace {

using glue::MailboxRequest;
using Kind = MailboxRequest::Kind;

constexpr size_t k_ixgbe_mailbox_bytes = 16 * 4;  // IXGBE_VFMAILBOX_SIZE words
constexpr uint16_t k_untouched = 0xbeef;          // a retval no PMD uses

glue::VfMailboxPolicy policy_of(uint8_t bits) {
    glue::VfMailboxPolicy p;
    p.trusted = bits & 0x02;
    p.allow_mac_change = bits & 0x04;
    p.allow_vlan = bits & 0x08;
    p.allow_promisc = bits & 0x10;
    p.allow_multicast = bits & 0x20;
    p.allow_mtu_change = bits & 0x40;
    if (bits & 0x80) p.mac = config::MacAddr{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    return p;
}

void check_request(const MailboxRequest& r, uint16_t vf, uint16_t opcode) {
    const std::string d = describe(r);
    FUZZ_CHECK(r.vf == vf && r.opcode == opcode, d);
    FUZZ_CHECK(!r.op_name.empty(), d);
    FUZZ_CHECK(d.rfind("vf " + std::to_string(vf) + " " + r.op_name, 0) == 0, d);
    FUZZ_CHECK(!to_string(r.kind).empty(), d);
    if (r.malformed) {
        FUZZ_CHECK(r.kind == Kind::other && !r.problem.empty(), d);
        return;
    }
    if (r.max_frame && *r.max_frame >= 18 && *r.max_frame - 18 <= 0xffff)
        FUZZ_CHECK(r.mtu && *r.mtu == *r.max_frame - 18, d);
    if (r.kind == Kind::set_mac) FUZZ_CHECK(r.macs.size() == 1, d);
}

void check_decision(const glue::VfMailboxPolicy& p, const MailboxRequest& r,
                    const glue::Decision& got) {
    const std::string d = describe(r) + ": " + got.reason;
    FUZZ_CHECK(!got.reason.empty(), d);
    const glue::Decision again = decide(p, r);
    FUZZ_CHECK(again.accept == got.accept && again.reason == got.reason, d);
    if (r.kind == Kind::reset || p.trusted) FUZZ_CHECK(got.accept, d);
    if (r.malformed && !p.trusted) FUZZ_CHECK(!got.accept, d);
    // What an untrusted VF may never get without its allow_* flag.
    if (!p.trusted && !r.malformed) {
        if (r.kind == Kind::set_promisc && r.unicast_promisc && !p.allow_promisc)
            FUZZ_CHECK(!got.accept, d);
        if (r.kind == Kind::set_vlan && r.add && r.vlan.value_or(0) != 0 && !p.allow_vlan)
            FUZZ_CHECK(!got.accept, d);
        if (r.kind == Kind::set_mtu && r.max_frame.value_or(0) > glue::k_standard_max_frame &&
            !p.allow_mtu_change)
            FUZZ_CHECK(!got.accept, d);
        if (r.kind == Kind::set_mac && !p.allow_mac_change && !p.mac) FUZZ_CHECK(!got.accept, d);
    }
}

}  // namespace

bool fuzz_mailbox(const uint8_t* data, size_t size) {
    if (size < 5) return false;
    const bool i40e = data[0] & 1;
    const uint16_t opcode = static_cast<uint16_t>(data[1] | data[2] << 8);
    const uint16_t vf = static_cast<uint16_t>(data[3] | data[4] << 8);
    glue::PolicyTable table;
    table.vfs[vf] = policy_of(data[0]);
    const glue::VfMailboxPolicy& policy = table.of(vf);
    const uint8_t* msg = data + 5;
    const size_t len = size - 5;

    std::optional<glue::MailboxVerdict> v;
    uint16_t retval = 0;
    if (i40e) {
        // Exactly the message, so ASan sees a read past its end.
        std::vector<uint8_t> buf(msg, msg + std::min<size_t>(len, 0xffff));
        rte_pmd_i40e_mb_event_param param{vf, opcode, k_untouched,
                                          buf.empty() ? nullptr : buf.data(),
                                          static_cast<uint16_t>(buf.size())};
        v = handle_vf_mbox(glue::DriverKind::i40e, &param, table);
        retval = param.retval;
        FUZZ_CHECK(v && retval == glue::i40e_retval(v->decision), "i40e retval");
    } else {
        std::vector<uint8_t> buf(k_ixgbe_mailbox_bytes, 0);
        std::copy_n(msg, std::min(len, buf.size()), buf.begin());
        rte_pmd_ixgbe_mb_event_param param{vf, opcode, k_untouched, buf.data()};
        v = handle_vf_mbox(glue::DriverKind::ixgbe, &param, table);
        retval = param.retval;
        FUZZ_CHECK(v && retval == glue::ixgbe_retval(v->decision), "ixgbe retval");
    }
    FUZZ_CHECK(retval != k_untouched, "retval not written");
    if (!v) return false;
    check_request(v->request, vf, opcode);
    check_decision(policy, v->request, v->decision);
    return !v->request.malformed;
}

}  // namespace vfpath::fuzz

VFPATH_FUZZ_ENTRY(fuzz_mailbox)
