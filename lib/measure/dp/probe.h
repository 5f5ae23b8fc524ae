// The probe header the generator writes into frames and the analyzer reads back (end-to-end
// latency, loss, reordering, duplicates per stream). Runs on generator/analyzer lcores; pure
// byte-buffer code (no DPDK types), noexcept, never reads or writes outside [buf, buf + len).
//
// Where it sits: right after Ethernet (+ up to two 802.1Q/802.1ad tags) with the local
// experimental ethertype 0x88B5 (IEEE 802 "Local Experimental Ethertype 1"), or at the start of the
// UDP payload of an unfragmented IPv4 frame. The generator owns the IP/UDP headers (and their
// checksums: write_probe touches only the 32 probe bytes; use UDP checksum 0 or an offload).
//
// Wire layout, 32 bytes, multi-byte fields in network byte order (a hex dump reads "VFPATHP1"):
//   0  u64 magic      k_probe_magic
//   8  u32 stream_id  the generator's stream
//  12  u16 flags      k_probe_flag_* (unknown bits are rejected)
//  14  u8  version    k_probe_version
//  15  u8  hdr_len    bytes of probe header; >= 32 (a later version may append fields)
//  16  u64 seq        per-stream sequence number, from 0, +1 per frame
//  24  u64 tx_tsc     generator TSC when the frame was handed to tx (never 0)
//
// parse_probe rejects (returns false) anything that is not a well-formed probe frame:
//   - truncated at any layer (Ethernet, tags, IPv4 header, IPv4 total length, UDP length, probe);
//   - more than two VLAN tags; an ethertype other than IPv4 or 0x88B5;
//   - IPv4 with version != 4, IHL < 5, a fragment (MF set or offset != 0), protocol != UDP,
//     total length shorter than its headers + probe; UDP length outside [8 + 32, IP payload];
//   - bad magic, version != k_probe_version, hdr_len < 32 or past the end of the frame/datagram;
//   - unknown flag bits, tx_tsc == 0 (a zeroed buffer), seq > k_probe_max_seq (2^48: 32 days at
//     100 Mpps; a larger value is corruption and would make the tracker count a huge loss).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vfpath::measure {

inline constexpr uint64_t k_probe_magic = 0x5646504154485031ULL;  // "VFPATHP1"
inline constexpr uint8_t k_probe_version = 1;
inline constexpr size_t k_probe_size = 32;
inline constexpr uint16_t k_probe_ethertype = 0x88B5;
inline constexpr uint64_t k_probe_max_seq = uint64_t{1} << 48;
inline constexpr uint16_t k_probe_flag_last = 1u << 0;    // last frame of the stream
inline constexpr uint16_t k_probe_flag_warmup = 1u << 1;  // warm-up: count, but no latency
inline constexpr uint16_t k_probe_flags_known = k_probe_flag_last | k_probe_flag_warmup;

// Frame offsets of the probe for the generator's usual templates.
inline constexpr size_t k_eth_hdr = 14, k_vlan_tag = 4, k_ipv4_hdr = 20, k_udp_hdr = 8;
inline constexpr size_t k_probe_off_l2 = k_eth_hdr;                               // 14
inline constexpr size_t k_probe_off_udp = k_eth_hdr + k_ipv4_hdr + k_udp_hdr;     // 42
inline constexpr size_t k_probe_off_udp_vlan = k_probe_off_udp + k_vlan_tag;      // 46

struct ProbeFields {
    uint32_t stream_id = 0;
    uint16_t flags = 0;
    uint64_t seq = 0;
    uint64_t tx_tsc = 0;
};

namespace probe_detail {
template <class T>
inline T load_be(const uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little && sizeof(T) == 8) {
        v = __builtin_bswap64(v);
    } else if constexpr (std::endian::native == std::endian::little && sizeof(T) == 4) {
        v = __builtin_bswap32(v);
    } else if constexpr (std::endian::native == std::endian::little && sizeof(T) == 2) {
        v = __builtin_bswap16(v);
    }
    return v;
}
template <class T>
inline void store_be(uint8_t* p, T v) noexcept {
    if constexpr (std::endian::native == std::endian::little && sizeof(T) == 8) {
        v = __builtin_bswap64(v);
    } else if constexpr (std::endian::native == std::endian::little && sizeof(T) == 4) {
        v = __builtin_bswap32(v);
    } else if constexpr (std::endian::native == std::endian::little && sizeof(T) == 2) {
        v = __builtin_bswap16(v);
    }
    std::memcpy(p, &v, sizeof v);
}
}  // namespace probe_detail

// Writes the 32-byte probe at buf (the generator passes frame + k_probe_off_*). Returns
// k_probe_size, or 0 (nothing written) when len < k_probe_size.
inline size_t write_probe(uint8_t* buf, size_t len, const ProbeFields& f) noexcept {
    using namespace probe_detail;
    if (len < k_probe_size) return 0;
    store_be<uint64_t>(buf, k_probe_magic);
    store_be<uint32_t>(buf + 8, f.stream_id);
    store_be<uint16_t>(buf + 12, f.flags);
    buf[14] = k_probe_version;
    buf[15] = static_cast<uint8_t>(k_probe_size);
    store_be<uint64_t>(buf + 16, f.seq);
    store_be<uint64_t>(buf + 24, f.tx_tsc);
    return k_probe_size;
}

// Per-frame fast path for a template whose probe is already written: only seq and tx_tsc change.
// The caller guarantees buf points at a written probe (k_probe_size bytes).
inline void stamp_probe(uint8_t* buf, uint64_t seq, uint64_t tx_tsc) noexcept {
    probe_detail::store_be<uint64_t>(buf + 16, seq);
    probe_detail::store_be<uint64_t>(buf + 24, tx_tsc);
}

// Parses the probe at buf, which has `room` readable bytes (its enclosing datagram or frame).
inline bool parse_probe_at(const uint8_t* buf, size_t room, ProbeFields& out) noexcept {
    using namespace probe_detail;
    if (room < k_probe_size) return false;
    if (load_be<uint64_t>(buf) != k_probe_magic) return false;
    if (buf[14] != k_probe_version) return false;
    if (buf[15] < k_probe_size || buf[15] > room) return false;
    const uint16_t flags = load_be<uint16_t>(buf + 12);
    if ((flags & ~k_probe_flags_known) != 0) return false;
    const uint64_t seq = load_be<uint64_t>(buf + 16);
    const uint64_t tsc = load_be<uint64_t>(buf + 24);
    if (tsc == 0 || seq > k_probe_max_seq) return false;
    out.stream_id = load_be<uint32_t>(buf + 8);
    out.flags = flags;
    out.seq = seq;
    out.tx_tsc = tsc;
    return true;
}

// Finds and parses the probe in a whole frame of len bytes (see the header comment for what is
// accepted). On false, out is unchanged.
inline bool parse_probe(const uint8_t* frame, size_t len, ProbeFields& out) noexcept {
    using namespace probe_detail;
    if (len < k_eth_hdr) return false;
    size_t off = 12;  // ethertype
    uint16_t type = load_be<uint16_t>(frame + off);
    for (int tags = 0; type == 0x8100 || type == 0x88A8; ++tags) {
        if (tags == 2) return false;
        off += k_vlan_tag;
        if (off + 2 > len) return false;
        type = load_be<uint16_t>(frame + off);
    }
    off += 2;  // first byte after the ethertype
    if (type == k_probe_ethertype) return parse_probe_at(frame + off, len - off, out);
    if (type != 0x0800) return false;

    if (len - off < k_ipv4_hdr) return false;
    const uint8_t* ip = frame + off;
    if ((ip[0] >> 4) != 4) return false;
    const size_t ihl = static_cast<size_t>(ip[0] & 0x0f) * 4;
    const size_t total = load_be<uint16_t>(ip + 2);
    if (ihl < k_ipv4_hdr || total > len - off) return false;
    if ((load_be<uint16_t>(ip + 6) & 0x3fff) != 0) return false;  // MF or fragment offset
    if (ip[9] != 17) return false;
    if (total < ihl + k_udp_hdr + k_probe_size) return false;

    const uint8_t* udp = ip + ihl;
    const size_t udp_len = load_be<uint16_t>(udp + 4);
    if (udp_len < k_udp_hdr + k_probe_size || udp_len > total - ihl) return false;
    return parse_probe_at(udp + k_udp_hdr, udp_len - k_udp_hdr, out);
}

}  // namespace vfpath::measure
