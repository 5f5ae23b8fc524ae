// The frames the generator sends: templates built once at start-up, then per frame one copy of
// the template's head, the flow's addresses and ports, and the IPv4 header checksum. Pure
// byte-buffer code (no DPDK), noexcept, used on the generator lcore.
//
// Layout of a frame of `size` bytes (FCS included, so pkt_len = size - 4):
//   - IPv4/UDP (every frame of 78 bytes or more, and every frame without a probe):
//       Ethernet (dst, src, 0x0800) | IPv4 (20 bytes, DF, TTL 64, proto UDP) | UDP (checksum 0:
//       "no checksum", RFC 768) | probe (32 bytes, dp/probe.h) or zeros | zeros up to pkt_len.
//   - Probe frames shorter than 78 bytes (64..77): the probe does not fit behind IPv4 + UDP
//       (14 + 20 + 8 + 32 = 74 bytes > 60), so it goes right after Ethernet with ethertype
//       0x88B5: Ethernet | probe | zeros. Such frames have no IP header, so RSS cannot spread them.
// Flow f (0 <= f < 65535) is 198.18.0.0 + f -> 198.19.0.0 + f (the RFC 2544 benchmarking range,
// RFC 6815), UDP ports 1024 + f % 64512 both ways. The bytes after the template's head (at most
// 74 bytes) are not written per frame: they are zero when the tx mempool is zero-filled at start
// and only ever hold the generator's own zero padding afterwards (the head covers every byte a
// template makes non-zero).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "measure/dp/probe.h"

namespace vfpath::measure {

inline constexpr size_t k_frame_head = k_probe_off_udp + k_probe_size;  // 74: eth+ip+udp+probe
inline constexpr uint32_t k_min_udp_probe_frame = k_frame_head + 4;      // 78 with FCS
inline constexpr uint32_t k_flow_src_base = 0xC6120000;                  // 198.18.0.0
inline constexpr uint32_t k_flow_dst_base = 0xC6130000;                  // 198.19.0.0
inline constexpr uint16_t k_flow_port_base = 1024;
inline constexpr uint32_t k_flow_port_span = 65536 - k_flow_port_base;

// Offsets inside an IPv4/UDP frame.
inline constexpr size_t k_off_ip = k_eth_hdr;
inline constexpr size_t k_off_ip_csum = k_off_ip + 10;
inline constexpr size_t k_off_ip_src = k_off_ip + 12;
inline constexpr size_t k_off_ip_dst = k_off_ip + 16;
inline constexpr size_t k_off_udp = k_off_ip + k_ipv4_hdr;

struct FrameTemplate {
    uint8_t head[k_frame_head];  // the first head_len bytes of every frame built from it
    uint16_t head_len;           // min(k_frame_head, pkt_len)
    uint16_t pkt_len;            // frame size - 4 (FCS)
    uint16_t probe_off;          // where the probe starts; 0: no probe
    bool flow_per_frame;         // IPv4 addresses, UDP ports and checksum are written per frame
                                 // (false: an L2 probe frame, or the flow is in head: fix_flow)
    uint32_t ip_sum;             // one's complement sum of the IPv4 header without the addresses
};

struct FrameSpec {
    uint8_t dst_mac[6];
    uint8_t src_mac[6];
    uint32_t frame_size;  // with FCS, >= 64
    bool probe;
    uint32_t stream_id;
};

namespace frame_detail {
inline void put16(uint8_t* p, uint16_t v) noexcept { probe_detail::store_be<uint16_t>(p, v); }
inline void put32(uint8_t* p, uint32_t v) noexcept { probe_detail::store_be<uint32_t>(p, v); }
inline uint16_t fold(uint32_t sum) noexcept {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}
}  // namespace frame_detail

inline uint32_t flow_src_ip(uint32_t flow) noexcept { return k_flow_src_base + flow; }
inline uint32_t flow_dst_ip(uint32_t flow) noexcept { return k_flow_dst_base + flow; }
inline uint16_t flow_port(uint32_t flow) noexcept {
    return static_cast<uint16_t>(k_flow_port_base + flow % k_flow_port_span);
}

// Builds a template (start-up; allocation-free). frame_size must be >= 64.
inline FrameTemplate make_template(const FrameSpec& s) noexcept {
    using namespace frame_detail;
    FrameTemplate t{};
    t.pkt_len = static_cast<uint16_t>(s.frame_size - 4);
    t.head_len = static_cast<uint16_t>(t.pkt_len < k_frame_head ? t.pkt_len : k_frame_head);
    uint8_t* h = t.head;
    std::memcpy(h, s.dst_mac, 6);
    std::memcpy(h + 6, s.src_mac, 6);
    const bool l2_probe = s.probe && s.frame_size < k_min_udp_probe_frame;
    ProbeFields pf;
    pf.stream_id = s.stream_id;
    pf.tx_tsc = 1;  // stamped per frame; never 0 in a template
    if (l2_probe) {
        put16(h + 12, k_probe_ethertype);
        t.probe_off = static_cast<uint16_t>(k_probe_off_l2);
        write_probe(h + k_probe_off_l2, k_probe_size, pf);
        return t;
    }
    put16(h + 12, 0x0800);
    uint8_t* ip = h + k_off_ip;
    const uint16_t ip_len = static_cast<uint16_t>(t.pkt_len - k_eth_hdr);
    ip[0] = 0x45;                    // version 4, IHL 5
    ip[1] = 0;                       // DSCP/ECN
    put16(ip + 2, ip_len);
    put16(ip + 4, 0);                // identification
    put16(ip + 6, 0x4000);           // DF, not a fragment
    ip[8] = 64;                      // TTL
    ip[9] = 17;                      // UDP
    // Sum of the header words that do not depend on the flow (checksum and addresses left out).
    t.ip_sum = 0x4500u + ip_len + 0x4000u + (64u << 8 | 17u);
    uint8_t* udp = h + k_off_udp;
    put16(udp + 4, static_cast<uint16_t>(ip_len - k_ipv4_hdr));
    put16(udp + 6, 0);               // no checksum
    t.flow_per_frame = true;
    if (s.probe) {
        t.probe_off = static_cast<uint16_t>(k_probe_off_udp);
        write_probe(h + k_probe_off_udp, k_probe_size, pf);
    }
    return t;
}

// Writes the flow's addresses, ports and IPv4 checksum into a frame whose head was copied from t:
// three stores (both addresses, both ports, the checksum), since a generator is bound by stores.
inline void write_flow(uint8_t* frame, const FrameTemplate& t, uint32_t flow) noexcept {
    using namespace frame_detail;
    static_assert(k_off_ip_dst == k_off_ip_src + 4);
    const uint32_t src = flow_src_ip(flow), dst = flow_dst_ip(flow);
    const uint16_t port = flow_port(flow);
    probe_detail::store_be<uint64_t>(frame + k_off_ip_src, uint64_t{src} << 32 | dst);
    put32(frame + k_off_udp, uint32_t{port} << 16 | port);
    const uint32_t sum = t.ip_sum + (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
    put16(frame + k_off_ip_csum, static_cast<uint16_t>(~fold(sum)));
}

// A stream with one flow: the flow goes into the template once, and build_frame only copies.
inline void fix_flow(FrameTemplate& t, uint32_t flow) noexcept {
    if (!t.flow_per_frame) return;
    write_flow(t.head, t, flow);
    t.flow_per_frame = false;
}

// Both copies have a constant size, so each is a few vector moves rather than a call to memcpy
// (a variable-length memcpy was 13% of the unpaced generator's time). The template is zero beyond
// head_len, and bytes past the frame's end land in the mbuf's data room, which is never smaller
// than 256 bytes (mempool.data_room >= 384 including the 128-byte headroom).
inline constexpr size_t k_frame_line = 64;
static_assert(k_frame_line <= k_frame_head && k_frame_head <= 256);
// One frame: the template's head, then the flow. `frame` has room for at least k_frame_head
// bytes, whatever t.pkt_len is.
inline void build_frame(uint8_t* frame, const FrameTemplate& t, uint32_t flow) noexcept {
    if (t.head_len <= k_frame_line)  // a 64-byte frame (60 without FCS) stays in one cache line
        std::memcpy(frame, t.head, k_frame_line);
    else
        std::memcpy(frame, t.head, k_frame_head);
    if (t.flow_per_frame) write_flow(frame, t, flow);
}

// Which frames carry a probe: frame k (0-based) does when floor((k + 1) * num / den) exceeds
// floor(k * num / den), so exactly floor(n * num / den) of the first n frames do, spread evenly.
// num <= den. The state is the running remainder; rewind() recomputes it after frames that were
// built were not sent.
struct ProbeShare {
    uint64_t num = 1, den = 1;  // dp: ro
    uint64_t acc = 0;           // dp: rw, (k * num) % den

    bool next() noexcept {
        acc += num;
        if (acc >= den) {
            acc -= den;
            return true;
        }
        return false;
    }
    // Probes among the first k frames.
    uint64_t probes_before(uint64_t k) const noexcept {
        return static_cast<uint64_t>(static_cast<unsigned __int128>(k) * num / den);
    }
    void rewind(uint64_t k) noexcept {
        acc = static_cast<uint64_t>(static_cast<unsigned __int128>(k) * num % den);
    }
};

}  // namespace vfpath::measure
