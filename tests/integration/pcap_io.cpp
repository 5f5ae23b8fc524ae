// Capture files for the net_pcap tests (see pcap_io.h).
#include "pcap_io.h"

#include <pcap/pcap.h>

namespace vfpt {

void write_pcap(const fs::path& file, const std::vector<Frame>& frames) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    ASSERT_NE(dead, nullptr);
    pcap_dumper_t* d = pcap_dump_open(dead, file.c_str());
    ASSERT_NE(d, nullptr) << pcap_geterr(dead);
    for (size_t i = 0; i < frames.size(); ++i) {
        pcap_pkthdr h{};
        h.ts.tv_sec = 1700000000;
        h.ts.tv_usec = static_cast<suseconds_t>(i);
        h.caplen = h.len = static_cast<bpf_u_int32>(frames[i].size());
        pcap_dump(reinterpret_cast<u_char*>(d), &h, frames[i].data());
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

std::vector<Frame> read_pcap(const fs::path& file) {
    std::vector<Frame> out;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(file.c_str(), err);
    if (!p) {
        ADD_FAILURE() << "cannot open " << file << ": " << err;
        return out;
    }
    EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &h, &data) == 1) {
        EXPECT_EQ(h->caplen, h->len) << "frame " << out.size() << " truncated in the capture";
        out.emplace_back(data, data + h->caplen);
    }
    pcap_close(p);
    return out;
}

}  // namespace vfpt
