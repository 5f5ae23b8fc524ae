// Fuzz target: received frames -> lib/measure's probe parser (dp/probe.h parse_probe), and what
// the analyzer does with an accepted probe (sequence tracking, latency histogram, percentiles).
// Every frame also drives a write/stamp round trip: the probe written into each of the
// generator's templates must parse back to the same fields.
//
// Input: one or more frames, each preceded by its length as 2 bytes big-endian (the last frame
// takes what is left when the length runs past the end). Accepted when every frame holds a probe.
#include "measure/dp/probe.h"

#include <array>
#include <cstring>
#include <vector>

#include "measure/cp/histogram_stats.h"
#include "measure/dp/histogram.h"
#include "measure/dp/seqtrack.h"
#include "tests/fuzz/fuzz.h"

namespace vfpath::fuzz {

namespace {

using namespace measure;

bool same(const ProbeFields& a, const ProbeFields& b) {
    return a.stream_id == b.stream_id && a.flags == b.flags && a.seq == b.seq &&
           a.tx_tsc == b.tx_tsc;
}

bool valid(const ProbeFields& f) {
    return f.tx_tsc != 0 && f.seq <= k_probe_max_seq && (f.flags & ~k_probe_flags_known) == 0;
}

std::string text(const ProbeFields& f) {
    return "stream " + std::to_string(f.stream_id) + " flags " + std::to_string(f.flags) + " seq " +
           std::to_string(f.seq) + " tsc " + std::to_string(f.tx_tsc);
}

// The generator's templates: the probe after Ethernet (0x88B5), after one or two tags, or as
// UDP payload in IPv4 with and without a tag. Returns the frame length.
size_t build_frame(uint8_t* frame, size_t room, int shape, const ProbeFields& f) {
    std::memset(frame, 0, room);
    size_t off = 12;
    auto put16 = [&](uint16_t v) {
        frame[off] = static_cast<uint8_t>(v >> 8);
        frame[off + 1] = static_cast<uint8_t>(v);
        off += 2;
    };
    const int tags = shape == 1 || shape == 4 ? 1 : shape == 2 ? 2 : 0;
    for (int t = 0; t < tags; ++t) {
        put16(t == 0 && tags == 2 ? 0x88A8 : 0x8100);
        put16(100);  // TCI
    }
    if (shape <= 2) {
        put16(k_probe_ethertype);
        write_probe(frame + off, room - off, f);
        return off + k_probe_size;
    }
    put16(0x0800);
    uint8_t* ip = frame + off;
    const size_t total = k_ipv4_hdr + k_udp_hdr + k_probe_size;
    ip[0] = 0x45;
    ip[2] = static_cast<uint8_t>(total >> 8);
    ip[3] = static_cast<uint8_t>(total);
    ip[8] = 64;
    ip[9] = 17;  // UDP
    uint8_t* udp = ip + k_ipv4_hdr;
    udp[5] = static_cast<uint8_t>(k_udp_hdr + k_probe_size);
    write_probe(udp + k_udp_hdr, k_probe_size, f);
    return off + total;
}

// Fields written by the generator must come back unchanged from every template, and the
// per-frame stamp must change only seq and tx_tsc.
void round_trip(const ProbeFields& f, uint64_t seq2, uint64_t tsc2) {
    alignas(8) uint8_t frame[128];
    for (int shape = 0; shape < 5; ++shape) {
        const size_t len = build_frame(frame, sizeof frame, shape, f);
        ProbeFields back;
        const bool ok = parse_probe(frame, len, back);
        FUZZ_CHECK(ok == valid(f), "shape " + std::to_string(shape) + ": " + text(f));
        if (ok) FUZZ_CHECK(same(back, f), text(back) + " != " + text(f));
        // One byte short: the probe is truncated and must be refused.
        ProbeFields cut;
        FUZZ_CHECK(!parse_probe(frame, len - 1, cut), "a truncated frame was accepted");
    }
    std::array<uint8_t, k_probe_size> buf{};
    FUZZ_CHECK(write_probe(buf.data(), buf.size(), f) == k_probe_size, "write_probe");
    FUZZ_CHECK(write_probe(buf.data(), buf.size() - 1, f) == 0, "write_probe into 31 bytes");
    stamp_probe(buf.data(), seq2, tsc2);
    ProbeFields want = f, back;
    want.seq = seq2;
    want.tx_tsc = tsc2;
    const bool ok = parse_probe_at(buf.data(), buf.size(), back);
    FUZZ_CHECK(ok == valid(want), "stamped: " + text(want));
    if (ok) FUZZ_CHECK(same(back, want), text(back) + " != " + text(want));
}

uint64_t load64(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    std::memcpy(&v, p, n < 8 ? n : 8);
    return v;
}

}  // namespace

bool fuzz_probe(const uint8_t* data, size_t size) {
    // The analyzer's per-stream state, with a small window so "too old" is reachable.
    static SeqTracker<64> tracker;
    static Histogram latency;
    tracker.reset();
    latency.clear();
    bool all = size > 0;
    bool too_old_seen = false;
    uint64_t max_tsc = 0;
    while (size > 0) {
        size_t len = size;
        if (size >= 2) {
            len = std::min<size_t>(size_t{data[0]} << 8 | data[1], size - 2);
            data += 2;
            size -= 2;
        }
        const uint8_t* frame = data;
        data += len;
        size -= len;

        // The parser must not look past `len`: give it an exact heap copy so ASan sees any
        // read beyond the frame.
        std::vector<uint8_t> copy(frame, frame + len);
        ProbeFields f;
        f.stream_id = 0xdeadbeef;
        const ProbeFields before = f;
        const bool ok = parse_probe(copy.data(), copy.size(), f);
        if (!ok) {
            FUZZ_CHECK(same(f, before), "a refused frame changed the output");
            all = false;
        } else {
            FUZZ_CHECK(valid(f), "accepted an invalid probe: " + text(f));
            const Arrival a = tracker.update(f.seq);
            too_old_seen = too_old_seen || a == Arrival::too_old;
            const SeqCounters& c = tracker.counters();
            if (!too_old_seen)
                FUZZ_CHECK(c.received.get() + c.lost.get() == tracker.next_expected(),
                           "received + lost != frames up to the highest seq");
            max_tsc = std::max(max_tsc, f.tx_tsc);
            latency.record(max_tsc - f.tx_tsc);
        }
        // Whatever the frame holds, its first bytes also serve as fields for the write side.
        ProbeFields w;
        w.stream_id = static_cast<uint32_t>(load64(frame, std::min<size_t>(len, 4)));
        w.flags = len > 4 ? frame[4] & 0x7 : 0;
        w.seq = len > 5 ? load64(frame + 5, len - 5) >> (frame[5] & 15) : 0;
        w.tx_tsc = len > 13 ? load64(frame + 13, len - 13) : 0;
        round_trip(ok ? f : w, w.seq, w.tx_tsc);
    }
    const HistogramData h = snapshot(latency);
    const LatencySummary s = summarize(h);
    FUZZ_CHECK(s.count == latency.count(), "summary count");
    FUZZ_CHECK(s.count == 0 || (s.min <= s.p50 && s.p50 <= s.p99 && s.p99 <= s.max),
               "percentiles out of order");
    return all;
}

}  // namespace vfpath::fuzz

VFPATH_FUZZ_ENTRY(fuzz_probe)
