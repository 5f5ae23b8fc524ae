// Throughput arithmetic for reports and for turning a requested rate into the pacer's pps.
// Control thread / start-up only (doubles, no hot-path constraints).
//
// Frame size convention (RFC 2544, and what users type): the Ethernet frame including its 4-byte
// FCS, so 64..1518 for untagged frames. DPDK's pkt_len, and so vfpath's byte counters, exclude the
// FCS (the NIC appends it): pkt_len = frame_size - 4. On the wire every frame also takes 8 bytes of
// preamble+SFD and 12 of inter-frame gap: wire bytes = frame_size + 20 (84 for a 64-byte frame,
// hence 14.88 Mpps on 10 Gbit/s).
#pragma once

#include <cstdint>
#include <optional>

namespace vfpath::measure {

inline constexpr double k_fcs_bytes = 4;
inline constexpr double k_preamble_ifg_bytes = 20;  // 7 preamble + 1 SFD + 12 IFG (IEEE 802.3)

inline constexpr double pkt_len_of_frame(double frame_size) { return frame_size - k_fcs_bytes; }
inline constexpr double frame_of_pkt_len(double pkt_len) { return pkt_len + k_fcs_bytes; }

// What a bit rate counts: the frames themselves (FCS included), or the wire (+20 bytes/frame).
enum class BitBasis { frame, wire };

// Frames per second that fill link_bps completely (100%) with frames of frame_size bytes.
// frame_size may be an average (IMIX). 0 for non-positive inputs.
double line_rate_pps(double link_bps, double frame_size);
// pps for a bit rate measured on `basis`. 0 for non-positive inputs.
double pps_for_bitrate(double bps, double frame_size, BitBasis basis);
// pps for percent (0..100, more is allowed: the pacer will just be unable to keep up) of a link.
double pps_for_link_percent(double percent, double link_bps, double frame_size);
// The Pacer's unit: micro-packets per second, rounded; 0 for negative or NaN.
uint64_t to_upps(double pps);

struct Throughput {
    double pps = 0;
    double frame_bps = 0;  // "payload" bit/s: the Ethernet frames, FCS included
    double wire_bps = 0;   // frame_bps + 20 bytes per frame
    std::optional<double> percent_of_link;  // wire_bps / link, when the link speed is known
};
// From counter deltas over `seconds`: `bytes` as vfpath counts them (pkt_len, no FCS) unless
// bytes_include_fcs. link_bps 0 = unknown. All zero when seconds <= 0.
Throughput throughput(uint64_t packets, uint64_t bytes, double seconds, double link_bps = 0,
                      bool bytes_include_fcs = false);

// Rates over one interval between two readings of cumulative counters (the live table, the
// report's timeline, --stats-json), all by the same rule: a counter that went back (now < prev)
// or an empty interval (seconds <= 0) gives 0, never a negative or infinite rate.
// One counter: (now - prev) / seconds.
double per_second(uint64_t now, uint64_t prev, double seconds);
// throughput() of what packets and bytes grew by; all zero when either went back.
Throughput interval_throughput(uint64_t packets_now, uint64_t packets_prev, uint64_t bytes_now,
                               uint64_t bytes_prev, double seconds, double link_bps = 0);

}  // namespace vfpath::measure
