// Packet capture: dpdk-dumpcap attaches to a running vfpath (DPDK's pdump, a secondary process)
// and writes a pcapng that tshark reads back. This needs hugepages and shared runtime files
// (eal.hugepages: true, in_memory: false); the test reserves the hugepages it needs when it can
// and is skipped, saying why, only when the kernel gives none.
#include <pcap/pcap.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"

namespace vfpt {
namespace {

// vfpath (-m 32: 16 pages) plus dumpcap's own pool and ring, with room to spare: measured, the
// pair takes 16 + 9 pages of 2 MiB.
constexpr long k_pages_needed = 40;
constexpr const char* k_dumpcap = "/usr/bin/dpdk-dumpcap";

long meminfo(const std::string& key) {
    std::ifstream in("/proc/meminfo");
    std::string k;
    long v = 0;
    std::string unit;
    while (in >> k >> v) {
        std::getline(in, unit);
        if (k == key + ":") return v;
    }
    return -1;
}

std::vector<fs::path> hugetlbfs_mounts() {
    std::vector<fs::path> out;
    std::ifstream in("/proc/mounts");
    std::string dev, dir, type, rest;
    while (in >> dev >> dir >> type && std::getline(in, rest))
        if (type == "hugetlbfs") out.emplace_back(dir);
    return out;
}

// Makes sure `pages` 2 MiB hugepages are free and a hugetlbfs is mounted, as scripts/setup.sh
// --hugepages does; returns why not when the kernel refuses.
std::optional<std::string> reserve_hugepages(long pages) {
    if (meminfo("Hugepagesize") != 2048)
        return "the default hugepage size is not 2 MiB (" + std::to_string(meminfo("Hugepagesize")) +
               " kB)";
    if (hugetlbfs_mounts().empty()) {
        std::error_code ec;
        fs::create_directories("/dev/hugepages", ec);
        if (::mount("nodev", "/dev/hugepages", "hugetlbfs", 0, nullptr) != 0)
            return std::string("no hugetlbfs is mounted and mounting one on /dev/hugepages failed: ") +
                   std::strerror(errno);
    }
    const long free = meminfo("HugePages_Free");
    if (free >= pages) return std::nullopt;
    const long total = meminfo("HugePages_Total");
    {
        std::ofstream nr("/proc/sys/vm/nr_hugepages");
        nr << total + (pages - free) << "\n";
    }
    const long now = meminfo("HugePages_Free");
    if (now >= pages) return std::nullopt;
    return "only " + std::to_string(now) + " free 2 MiB hugepages and " + std::to_string(pages) +
           " are needed; /proc/sys/vm/nr_hugepages could not be raised (not root, or no "
           "contiguous memory): run scripts/setup.sh --hugepages " + std::to_string(pages + total);
}

// Runs a shell command line; returns its exit code (-1 when it did not exit).
int shell(const std::string& cmd) {
    const int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void write_pcap(const fs::path& file, const std::vector<std::vector<uint8_t>>& frames) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    ASSERT_NE(dead, nullptr);
    pcap_dumper_t* d = pcap_dump_open(dead, file.c_str());
    ASSERT_NE(d, nullptr) << pcap_geterr(dead);
    for (const auto& f : frames) {
        pcap_pkthdr h{};
        h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
        pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

class CaptureTest : public VfpathTest {
protected:
    void TearDown() override {
        // A primary with shared files leaves its hugepage files for reuse, and dumpcap's pool
        // lives in files of the same prefix: remove them so no hugepage stays taken.
        std::error_code ec;
        for (const fs::path& m : hugetlbfs_mounts())
            for (const auto& e : fs::directory_iterator(m, ec))
                if (e.path().filename().string().rfind(prefix_ + "map_", 0) == 0)
                    fs::remove(e.path(), ec);
        fs::remove_all(fs::path("/var/run/dpdk") / prefix_, ec);
        if (!in_.empty()) fs::remove(in_, ec);
        VfpathTest::TearDown();
    }
    const std::string prefix_ = "vfpt" + std::to_string(getpid()) + "cap";
    fs::path in_;
};

TEST_F(CaptureTest, DumpcapCapturesFromARunningVfpathAndTsharkReadsIt) {
    ASSERT_TRUE(fs::exists(k_dumpcap)) << k_dumpcap << " is missing: apt-get install dpdk "
                                       << "(scripts/setup.sh installs it)";
    ASSERT_EQ(shell("command -v tshark > /dev/null"), 0)
        << "tshark is missing: scripts/setup.sh installs it";
    if (auto why = reserve_hugepages(k_pages_needed)) GTEST_SKIP() << "no hugepages: " << *why;

    // Four distinct frames, replayed forever by net_pcap; sink mode, so every frame the port
    // receives is one of them.
    std::vector<std::vector<uint8_t>> frames;
    for (uint8_t i = 0; i < 4; ++i) {
        std::vector<uint8_t> f(64, i);
        const uint8_t hdr[14] = {0x02, 0xd0, 0, 0, 0, i, 0x02, 0x5c, 0, 0, 0, i, 0x88, 0xb5};
        std::memcpy(f.data(), hdr, sizeof hdr);
        frames.push_back(f);
    }
    // dumpcap, a secondary process, probes the vdev again with its arguments cut to 64 bytes
    // (RTE_DEV_NAME_MAX_LEN in the vdev bus's multi-process message): keep the path short.
    in_ = fs::temp_directory_path() / (prefix_ + ".pcap");
    const fs::path& in = in_;
    write_pcap(in, frames);
    // dumpcap maps the primary's memory at the same virtual addresses. An ASan build of vfpath
    // picks its own layout (the shadow takes much of the address space) and once chose one that
    // dumpcap's libraries already held ("Cannot get a virtual area at requested address").
    // A fixed base far from both, as EAL's message advises, keeps the two layouts compatible.
    const auto cfg = write_config("eal:\n"
                                  "  lcores: \"0-1\"\n"
                                  "  hugepages: true\n"
                                  "  in_memory: false\n"
                                  "  file_prefix: " + prefix_ + "\n"
                                  "  memory_mb: 32\n"
                                  "  extra_args: [\"--base-virtaddr=0x200000000000\"]\n"
                                  "ports:\n"
                                  "  - {name: p0, device: \"net_pcap0,rx_pcap=" + in.string() +
                                  ",infinite_rx=1\"}\n"
                                  "forward: {mode: sink}\n"
                                  "run: {duration_s: 60, stats_interval_s: 0}\n");
    Child vfpath({"run", "-c", cfg.string()}, dir_);
    ASSERT_TRUE(vfpath.wait_for_output("packet capture on", 30))
        << "vfpath did not offer capture:\n" << vfpath.err();
    EXPECT_NE(vfpath.err().find("dpdk-dumpcap --file-prefix=" + prefix_), std::string::npos)
        << vfpath.err();

    constexpr int k_count = 200;
    const fs::path out = path("capture.pcapng");
    const int rc = shell("timeout 60 " + std::string(k_dumpcap) + " --file-prefix=" + prefix_ +
                         " -i net_pcap0 -c " + std::to_string(k_count) + " -w " + out.string() +
                         " > " + path("dumpcap.log").string() + " 2>&1");
    vfpath.signal(SIGINT);
    const Outcome o = vfpath.wait(30);
    ASSERT_EQ(rc, 0) << "dpdk-dumpcap failed:\n" << read_text(path("dumpcap.log"));
    EXPECT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 0) << o.err;

    const fs::path fields = path("fields.txt");
    ASSERT_EQ(shell("tshark -r " + out.string() + " -T fields -e eth.src -e eth.type > " +
                    fields.string() + " 2> " + path("tshark.err").string()),
              0)
        << read_text(path("tshark.err"));
    std::istringstream lines(read_text(fields));
    std::string src, type;
    size_t n = 0;
    std::set<std::string> sources;
    while (lines >> src >> type) {
        ++n;
        sources.insert(src);
        EXPECT_EQ(type, "0x88b5") << "frame " << n;
    }
    // dumpcap stops at the first burst that reaches the count, so it may write a few more.
    EXPECT_GE(n, static_cast<size_t>(k_count)) << read_text(path("dumpcap.log"));
    EXPECT_EQ(sources, (std::set<std::string>{"02:5c:00:00:00:00", "02:5c:00:00:00:01",
                                              "02:5c:00:00:00:02", "02:5c:00:00:00:03"}));
}

TEST_F(CaptureTest, WithoutSharedFilesCaptureIsOffAndTheLogSaysWhy) {
    const auto cfg = write_config(eal_yaml() + "ports: [{name: p0, device: net_null0}]\n"
                                               "forward: {mode: sink}\n"
                                               "run: {duration_s: 1, stats_interval_s: 0}\n");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--log-level", "debug"}, dir_, 60);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.err.find("packet capture (dpdk-dumpcap) is off: EAL runs with --no-huge"),
              std::string::npos)
        << o.err;
}

}  // namespace
}  // namespace vfpt
