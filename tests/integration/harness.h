// Integration-test harness: runs the real vfpath binary (VFPATH_BIN) as a child process with its
// stdout/stderr captured to files in a per-test temporary directory.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vfpt {

namespace fs = std::filesystem;
using nlohmann::json;

// Path of the binary under test.
std::string vfpath_bin();

// Outcome of a finished (or killed) child.
struct Outcome {
    int exit_code = -1;     // valid when !signaled
    int term_signal = 0;    // signal that ended the child, 0 if it exited
    bool timed_out = false; // we had to SIGKILL it
    double elapsed_s = 0;
    std::string out, err;   // captured stdout / stderr
    bool exited() const { return !timed_out && term_signal == 0; }
};

// A running child: vfpath with `args` (argv[1..]), stdout -> dir/<tag>.out, stderr -> dir/<tag>.err.
class Child {
public:
    Child(const std::vector<std::string>& args, const fs::path& dir, const std::string& tag = "vfpath");
    ~Child();  // SIGKILLs and reaps a child still running
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    bool running();                     // reaps it when it has exited
    void signal(int sig);
    // Waits up to timeout_s, then SIGKILLs. Captured output is read after the child is gone.
    Outcome wait(double timeout_s);
    std::string out() const;            // stdout so far
    std::string err() const;            // stderr so far
    // Polls stdout+stderr for `needle` until found, the child exits or timeout_s passes.
    bool wait_for_output(const std::string& needle, double timeout_s);

private:
    pid_t pid_ = -1;
    fs::path out_path_, err_path_;
    std::optional<int> status_;
    double started_ = 0;
};

// Runs vfpath to completion (or SIGKILL after timeout_s).
Outcome run_vfpath(const std::vector<std::string>& args, const fs::path& dir,
                   double timeout_s = 60, const std::string& tag = "vfpath");

std::string read_text(const fs::path& p);
void write_text(const fs::path& p, const std::string& text);
// Parses the JSON report; fails the current test (and returns null json) when it is missing/bad.
json read_report(const fs::path& p);
double now_s();

// The report's port object by name (fails the test and returns nullptr when absent).
const json* find_port(const json& report, const std::string& name);

// Invariants every finished run must show: for each port P with a peer,
// rx(P) == tx(peer) + drops(peer); queue counters sum to the port counters; every mempool
// has in_use_at_exit == 0; clean_exit is true.
void expect_run_invariants(const json& report);

// Base fixture: a fresh temp dir per test (kept when VFPT_KEEP is set or the test failed).
class VfpathTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    fs::path dir_;
    fs::path path(const std::string& name) const { return dir_ / name; }
    // Writes `yaml` to dir/name and returns the path.
    fs::path write_config(const std::string& yaml, const std::string& name = "config.yaml");
};

// A Linux interface name unique to this test process ("vfpt<pid%1000><suffix>").
std::string tap_name(const std::string& suffix = "");

// Runs a shell command for test set-up (ip, tc, sysctl), its output discarded; true on success.
bool sh(const std::string& cmd);

// A report's unsigned field, 0 when absent.
inline uint64_t u(const json& j, const char* key) { return j.value(key, uint64_t{0}); }

// Two persistent multi-queue taps enslaved to a new Linux bridge, all up and with IPv6 off (so
// the kernel sends little of its own), made before DPDK attaches to the taps (net_tap opens
// existing interfaces), so the path is complete from the first frame. Returns "" or why it could
// not (the caller skips). The caller deletes t0, t1 and br afterwards (`ip link del`).
std::string bridge_two_taps(const std::string& t0, const std::string& t1, const std::string& br);

// "LINE:COL" (1-based) of the first occurrence of `needle` in `text`; "?" when absent.
std::string line_col(const std::string& text, const std::string& needle);

// The EAL part every test config shares: two lcores, no hugepages, in-memory.
std::string eal_yaml(const std::string& lcores = "0-1");

// Helpers to build frames.
using Mac = std::array<uint8_t, 6>;
std::string mac_str(const Mac& m);
std::string mac_str(const uint8_t* p);

}  // namespace vfpt
