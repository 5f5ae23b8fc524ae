#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef VFPATH_BIN
#error "VFPATH_BIN must be defined by the build"
#endif

namespace vfpt {

std::string vfpath_bin() { return VFPATH_BIN; }

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) ADD_FAILURE() << "cannot write " << p;
}

Child::Child(const std::vector<std::string>& args, const fs::path& dir, const std::string& tag)
    : out_path_(dir / (tag + ".out")), err_path_(dir / (tag + ".err")) {
    const std::string bin = vfpath_bin();
    std::vector<std::string> argv_s;
    argv_s.push_back(bin);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Everything the child needs is prepared before fork: the child only calls async-safe code.
    const std::string out_s = out_path_.string(), err_s = err_path_.string();
    started_ = now_s();
    pid_ = fork();
    if (pid_ < 0) {
        ADD_FAILURE() << "fork failed";
        return;
    }
    if (pid_ == 0) {
        const int in = open("/dev/null", O_RDONLY);
        const int out = open(out_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        close(in), close(out), close(err);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
}

Child::~Child() {
    if (pid_ > 0 && !status_) {
        kill(pid_, SIGKILL);
        int st = 0;
        waitpid(pid_, &st, 0);
    }
}

bool Child::running() {
    if (pid_ <= 0 || status_) return false;
    int st = 0;
    const pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        return false;
    }
    return r == 0;
}

void Child::signal(int sig) {
    if (pid_ > 0 && !status_) kill(pid_, sig);
}

Outcome Child::wait(double timeout_s) {
    Outcome o;
    const double deadline = now_s() + timeout_s;
    while (running()) {
        if (now_s() >= deadline) {
            kill(pid_, SIGKILL);
            int st = 0;
            waitpid(pid_, &st, 0);
            status_ = st;
            o.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    o.elapsed_s = now_s() - started_;
    if (status_) {
        if (WIFEXITED(*status_)) o.exit_code = WEXITSTATUS(*status_);
        if (WIFSIGNALED(*status_)) o.term_signal = WTERMSIG(*status_);
    }
    o.out = out();
    o.err = err();
    return o;
}

std::string Child::out() const { return read_text(out_path_); }
std::string Child::err() const { return read_text(err_path_); }

bool Child::wait_for_output(const std::string& needle, double timeout_s) {
    const double deadline = now_s() + timeout_s;
    for (;;) {
        if (out().find(needle) != std::string::npos || err().find(needle) != std::string::npos)
            return true;
        if (!running() || now_s() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Outcome run_vfpath(const std::vector<std::string>& args, const fs::path& dir, double timeout_s,
                   const std::string& tag) {
    Child c(args, dir, tag);
    return c.wait(timeout_s);
}

json read_report(const fs::path& p) {
    const std::string text = read_text(p);
    if (text.empty()) {
        ADD_FAILURE() << "report " << p << " is missing or empty";
        return json();
    }
    try {
        return json::parse(text);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "report " << p << " is not JSON: " << e.what();
        return json();
    }
}

const json* find_port(const json& report, const std::string& name) {
    if (report.contains("ports") && report["ports"].is_array())
        for (const auto& p : report["ports"])
            if (p.value("name", "") == name) return &p;
    ADD_FAILURE() << "port " << name << " not in report";
    return nullptr;
}

void expect_run_invariants(const json& r) {
    ASSERT_TRUE(r.is_object()) << "no report";
    for (const char* key : {"duration_s", "stop_reason", "mode", "clean_exit", "ports",
                            "mempools", "lcores"})
        EXPECT_TRUE(r.contains(key)) << "report lacks \"" << key << "\"";
    EXPECT_EQ(r.value("clean_exit", false), true) << "clean_exit is not true";
    ASSERT_TRUE(r["ports"].is_array());
    for (const auto& p : r["ports"]) {
        const std::string name = p.value("name", "?");
        uint64_t q_rx = 0, q_tx = 0, q_rxb = 0, q_txb = 0, q_drops = 0;
        for (const auto& q : p.at("queues")) {
            q_rx += q.value("rx_packets", 0ull);
            q_tx += q.value("tx_packets", 0ull);
            q_rxb += q.value("rx_bytes", 0ull);
            q_txb += q.value("tx_bytes", 0ull);
            q_drops += q.value("drops", 0ull);
        }
        EXPECT_EQ(q_rx, p.value("rx_packets", 0ull)) << "port " << name << ": queue rx sum";
        EXPECT_EQ(q_tx, p.value("tx_packets", 0ull)) << "port " << name << ": queue tx sum";
        EXPECT_EQ(q_rxb, p.value("rx_bytes", 0ull)) << "port " << name << ": queue rx bytes sum";
        EXPECT_EQ(q_txb, p.value("tx_bytes", 0ull)) << "port " << name << ": queue tx bytes sum";
        EXPECT_EQ(q_drops, p.value("drops", 0ull)) << "port " << name << ": queue drops sum";
        if (!p.contains("peer") || p["peer"].is_null()) continue;
        const std::string peer_name = p["peer"].get<std::string>();
        const json* peer = nullptr;
        for (const auto& o : r["ports"])
            if (o.value("name", "") == peer_name) peer = &o;
        ASSERT_NE(peer, nullptr) << "port " << name << ": peer " << peer_name << " not in report";
        EXPECT_EQ(p.value("rx_packets", 0ull),
                  peer->value("tx_packets", 0ull) + peer->value("drops", 0ull))
            << "rx(" << name << ") != tx(" << peer_name << ") + drops(" << peer_name << ")";
    }
    ASSERT_TRUE(r["mempools"].is_array());
    EXPECT_FALSE(r["mempools"].empty()) << "no mempool in the report";
    for (const auto& mp : r["mempools"])
        EXPECT_EQ(mp.value("in_use_at_exit", -1ll), 0)
            << "mempool " << mp.value("name", "?") << " leaks mbufs";
}

void VfpathTest::SetUp() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name)
        if (c == '/') c = '_';
    dir_ = fs::temp_directory_path() / ("vfpt-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
}

void VfpathTest::TearDown() {
    const bool keep = std::getenv("VFPT_KEEP") != nullptr || HasFailure();
    if (keep) {
        std::fprintf(stderr, "[ vfpt     ] files kept in %s\n", dir_.c_str());
        return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

fs::path VfpathTest::write_config(const std::string& yaml, const std::string& name) {
    const fs::path p = dir_ / name;
    write_text(p, yaml);
    return p;
}

bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

std::string bridge_two_taps(const std::string& t0, const std::string& t1, const std::string& br) {
    if (geteuid() != 0) return "taps and bridges need root";
    if (!sh("ip link add " + br + " type bridge")) return "no Linux bridge here";
    for (const auto& t : {t0, t1}) {
        if (!sh("ip tuntap add dev " + t + " mode tap multi_queue")) return "cannot create tap " + t;
        if (!sh("ip link set " + t + " master " + br)) return "cannot bridge " + t;
    }
    for (const auto& l : {t0, t1, br}) {
        sh("sysctl -w net.ipv6.conf." + l + ".disable_ipv6=1");
        if (!sh("ip link set " + l + " up")) return "cannot set " + l + " up";
    }
    return "";
}

std::string tap_name(const std::string& suffix) {
    return "vfpt" + std::to_string(getpid() % 1000) + suffix;
}

std::string line_col(const std::string& text, const std::string& needle) {
    const size_t pos = text.find(needle);
    if (pos == std::string::npos) return "?";
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return std::to_string(line) + ":" + std::to_string(col);
}

std::string eal_yaml(const std::string& lcores) {
    return "eal:\n"
           "  lcores: \"" + lcores + "\"\n"
           "  main_lcore: 0\n"
           "  memory_mb: 256\n"
           "  hugepages: false\n"
           "  in_memory: true\n";
}

std::string mac_str(const uint8_t* p) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4],
                  p[5]);
    return buf;
}

std::string mac_str(const Mac& m) { return mac_str(m.data()); }

}  // namespace vfpt
