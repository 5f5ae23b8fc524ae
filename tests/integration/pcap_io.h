// Capture files for the net_pcap tests: written by the test as input, read back as output.
#pragma once

#include <cstdint>
#include <vector>

#include "harness.h"

namespace vfpt {

using Frame = std::vector<uint8_t>;

// Writes `frames` as an Ethernet capture (snaplen 65535), one record each, caplen == len.
void write_pcap(const fs::path& file, const std::vector<Frame>& frames);
// Every record of a capture, in file order; fails the test if a record is truncated.
std::vector<Frame> read_pcap(const fs::path& file);

}  // namespace vfpt
