#include "measure/cp/rates.h"

namespace vfpath::measure {

double line_rate_pps(double link_bps, double frame_size) {
    return pps_for_bitrate(link_bps, frame_size, BitBasis::wire);
}

double pps_for_bitrate(double bps, double frame_size, BitBasis basis) {
    if (!(bps > 0) || !(frame_size > 0)) return 0;
    const double bytes = basis == BitBasis::wire ? frame_size + k_preamble_ifg_bytes : frame_size;
    return bps / (8 * bytes);
}

double pps_for_link_percent(double percent, double link_bps, double frame_size) {
    if (!(percent > 0)) return 0;
    return line_rate_pps(link_bps, frame_size) * percent / 100;
}

uint64_t to_upps(double pps) {
    if (!(pps > 0)) return 0;
    const double u = pps * 1e6;
    if (u >= 1.8e19) return UINT64_MAX;
    return static_cast<uint64_t>(u + 0.5);
}

Throughput throughput(uint64_t packets, uint64_t bytes, double seconds, double link_bps,
                      bool bytes_include_fcs) {
    Throughput t;
    if (!(seconds > 0)) return t;
    const double p = static_cast<double>(packets);
    const double frame_bytes = static_cast<double>(bytes) + (bytes_include_fcs ? 0 : p * k_fcs_bytes);
    t.pps = p / seconds;
    t.frame_bps = frame_bytes * 8 / seconds;
    t.wire_bps = (frame_bytes + p * k_preamble_ifg_bytes) * 8 / seconds;
    if (link_bps > 0) t.percent_of_link = t.wire_bps / link_bps * 100;
    return t;
}

double per_second(uint64_t now, uint64_t prev, double seconds) {
    return seconds > 0 && now >= prev ? static_cast<double>(now - prev) / seconds : 0.0;
}

Throughput interval_throughput(uint64_t packets_now, uint64_t packets_prev, uint64_t bytes_now,
                               uint64_t bytes_prev, double seconds, double link_bps) {
    if (packets_now < packets_prev || bytes_now < bytes_prev) return {};
    return throughput(packets_now - packets_prev, bytes_now - bytes_prev, seconds, link_bps);
}

}  // namespace vfpath::measure
