// CLI and config errors seen through the binary: exit codes, messages, nothing half-started.
#include <algorithm>
#include <regex>
#include <sstream>

#include "harness.h"

namespace vfpt {
namespace {

class CliTest : public VfpathTest {
protected:
    // A bad-argument/bad-config run: exit 2, quickly, with an "error:" message.
    Outcome expect_usage_error(const std::vector<std::string>& args) {
        Outcome o = run_vfpath(args, dir_, 30);
        EXPECT_TRUE(o.exited()) << "signal " << o.term_signal << " timed_out " << o.timed_out;
        EXPECT_EQ(o.exit_code, 2) << "stdout:\n" << o.out << "\nstderr:\n" << o.err;
        EXPECT_NE(o.err.find("error"), std::string::npos) << o.err;
        return o;
    }
};

const std::string k_good_ports =
    "ports:\n"
    "  - name: p0\n"
    "    device: net_null0\n"
    "  - name: p1\n"
    "    device: net_null1\n"
    "forward:\n"
    "  mode: io\n"
    "  pairs: [[p0, p1]]\n"
    "run:\n"
    "  duration_s: 1\n"
    "  stats_interval_s: 0\n";

#ifndef VFPATH_FIXTURES
#error "VFPATH_FIXTURES must be defined by the build"
#endif

// One bad command line and the words its error line must contain (the argument it names).
struct BadArgs {
    std::vector<std::string> args;
    std::vector<std::string> names;
};

// Every subcommand with missing, unknown or malformed arguments. "@F" is replaced by a host
// fixture tree, "@DIR" by the test's directory, "@CFG" by a valid config file; host commands get
// --dry-run where the error comes after parsing, so nothing could be written anyway.
const BadArgs k_bad_args[] = {
    // top level
    {{}, {"'vfpath' needs a command", "run, check, gen, host, bench"}},
    // gen and bench
    {{"gen", "-c", "@CFG"}, {"no gen: section", "gen.tx"}},
    {{"gen", "-c", "@CFG", "--duration", "-1"}, {"--duration"}},
    {{"gen", "-c", "@DIR/missing.yaml"}, {"--config", "missing.yaml"}},
    {{"bench"}, {"bench"}},
    {{"bench", "rfc2544", "--trial", "nan"}, {"--trial"}},
    {{"bench", "rfc2544", "--sizes", "sixty-four"}, {"--sizes"}},
    {{"bench", "rfc2544", "--frob"}, {"--frob"}},
    {{"--bogus"}, {"'--bogus'", "run, check, gen, host, bench"}},
    {{"frob"}, {"unknown command 'frob'", "run, check, gen, host, bench"}},
    {{"--log-level", "info", "run"}, {"'--log-level'"}},
    // run
    {{"run", "--bogus-option"}, {"--bogus-option"}},
    {{"run", "--duration"}, {"--duration"}},
    {{"run", "--duration", "-1"}, {"--duration", "'-1'"}},
    {{"run", "--duration", "abc"}, {"--duration", "'abc'"}},
    {{"run", "--duration", "nan"}, {"--duration", "'nan'"}},
    {{"run", "--duration", "inf"}, {"--duration", "'inf'"}},
    {{"run", "--duration", "1e999"}, {"--duration", "'1e999'"}},
    {{"run", "--duration", "10s"}, {"--duration", "'10s'"}},
    {{"run", "--duration", ""}, {"--duration"}},
    {{"run", "--stats-interval", "-2"}, {"--stats-interval", "'-2'"}},
    {{"run", "--stats-interval", "x"}, {"--stats-interval", "'x'"}},
    {{"run", "--log-level", "loud"}, {"--log-level", "'loud'", "trace"}},
    {{"run", "--log-level", "INFO"}, {"--log-level", "'INFO'"}},
    {{"run", "-c", "/nonexistent/vfpath.yaml"}, {"--config", "/nonexistent/vfpath.yaml"}},
    {{"run", "-c", "@DIR"}, {"--config", "directory"}},
    {{"run", "-c"}, {"--config"}},
    {{"run", "--report", "/nonexistent/dir/r.json"}, {"--report", "/nonexistent/dir/r.json"}},
    {{"run", "--journal", "/nonexistent/dir/j.jsonl"}, {"--journal", "/nonexistent/dir/j.jsonl"}},
    {{"run", "--stats-json", "/nonexistent/dir/s.jsonl"}, {"--stats-json", "/nonexistent/dir"}},
    {{"run", "--stats-json", "@DIR/s.jsonl", "--stats-interval", "0"}, {"--stats-json", "interval"}},
    {{"run", "--fault", "bogus"}, {"--fault", "bogus"}},
    {{"run", "--fault", "reset:nope@1s"}, {"--fault", "nope"}},
    {{"run", "--fault", "reset:p0@-1s"}, {"--fault", "-1s"}},
    {{"run", "--recovery-ladder", "bogus"}, {"--recovery-ladder", "bogus"}},
    {{"run", "extra"}, {"extra"}},
    {{"run", "--sys-root", "/nonexistent"}, {"--sys-root", "/nonexistent"}},
    // check
    {{"check", "--bogus"}, {"--bogus"}},
    {{"check", "-c", "/nonexistent/vfpath.yaml"}, {"--config", "/nonexistent/vfpath.yaml"}},
    {{"check", "--root", "/nonexistent"}, {"--root", "/nonexistent"}},
    {{"check", "--sys-root", "/nonexistent"}, {"--sys-root", "/nonexistent"}},
    {{"check", "--json", "--suggest"}, {"--json", "--suggest"}},
    {{"check", "extra"}, {"extra"}},
    {{"check", "-c", "@CFG", "--", "--no-pci"}, {"--", "run"}},
    // host
    {{"host"}, {"'vfpath host' needs a command", "create-vfs"}},
    {{"host", "frob"}, {"unknown command 'frob'", "set-vf"}},
    {{"host", "--bogus"}, {"'--bogus'"}},
    {{"host", "list", "--root", "/nonexistent"}, {"--root", "/nonexistent"}},
    {{"host", "list", "--bogus"}, {"--bogus"}},
    {{"host", "list", "extra"}, {"extra"}},
    {{"host", "create-vfs"}, {"PF"}},
    {{"host", "create-vfs", "0000:af:00.0"}, {"--count"}},
    {{"host", "create-vfs", "0000:af:00.0", "--count", "-1"}, {"--count", "'-1'"}},
    {{"host", "create-vfs", "0000:af:00.0", "--count", "abc"}, {"--count", "'abc'"}},
    {{"host", "create-vfs", "0000:af:00.0", "--count", "99999999999"}, {"--count"}},
    {{"host", "create-vfs", "0000:af:00.0", "--count", "1", "--wait", "-1"}, {"--wait"}},
    {{"host", "create-vfs", "0000:af:00.0", "--count", "1", "--autoprobe", "--no-autoprobe"},
     {"--autoprobe", "--no-autoprobe"}},
    {{"host", "create-vfs", "nosuchpf", "--count", "1", "--root", "@F", "--dry-run"},
     {"nosuchpf"}},
    {{"host", "set-vf"}, {"PF"}},
    {{"host", "set-vf", "0000:af:00.0"}, {"VF"}},
    {{"host", "set-vf", "0000:af:00.0", "x"}, {"VF", "'x'"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--vlan", "5000"}, {"--vlan", "'5000'"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--vlan", "-1"}, {"--vlan", "'-1'"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--vlan", "1", "--qos", "9"}, {"--qos", "'9'"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--qos", "3", "--root", "@F", "--dry-run"},
     {"--qos", "--vlan"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--mac", "zz", "--root", "@F", "--dry-run"},
     {"--mac", "zz"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--spoofchk", "maybe", "--root", "@F", "--dry-run"},
     {"--spoofchk", "maybe"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--trust", "yes", "--root", "@F", "--dry-run"},
     {"--trust", "yes"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--link-state", "up", "--root", "@F", "--dry-run"},
     {"--link-state", "up"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--max-rate", "-5"}, {"--max-rate", "'-5'"}},
    {{"host", "set-vf", "0000:af:00.0", "99", "--trust", "on", "--root", "@F", "--dry-run"},
     {"VF 99"}},
    {{"host", "set-vf", "0000:af:00.0", "1", "--root", "@F", "--dry-run"}, {"nothing to set"}},
    {{"host", "bind"}, {"BDF"}},
    {{"host", "bind", "xyz", "--root", "@F", "--dry-run"}, {"'xyz'", "PCI address"}},
    {{"host", "bind", "0000:af:02.0", "--driver", "../x", "--root", "@F", "--dry-run"},
     {"driver", "'../x'"}},
    {{"host", "bind", "0000:af:02.0", "--driver", "..", "--root", "@F", "--dry-run"},
     {"driver", "'..'"}},
    {{"host", "bind", "0000:af:02.0", "--wait", "nan"}, {"--wait", "'nan'"}},
    {{"host", "bind", "0000:ff:1f.7", "--root", "@F", "--dry-run"}, {"0000:ff:1f.7"}},
    {{"host", "unbind"}, {"BDF"}},
    {{"host", "unbind", "0000:af:02.0", "extra"}, {"extra"}},
    {{"host", "unbind", "0000:af:02.0", "--bogus"}, {"--bogus"}},
    {{"host", "restore"}, {"BDF"}},
    {{"host", "restore", "0000:af:02.0", "--wait", "x"}, {"--wait", "'x'"}},
};

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) s += (s.empty() ? "" : " ") + (a.empty() ? "''" : a);
    return s;
}

// Each bad command line: exit 2, quickly, one line on stderr that starts with "error:" and names
// the argument (and no other line but warnings); nothing starts (no EAL), nothing on stdout.
TEST_F(CliTest, EveryBadArgumentIsOneLineAndExit2) {
    const std::string fixture = std::string(VFPATH_FIXTURES) + "/host-2socket-sriov";
    const std::string cfg = write_config(eal_yaml() + k_good_ports).string();
    for (const BadArgs& row : k_bad_args) {
        std::vector<std::string> args;
        for (std::string a : row.args) {
            if (a == "@F") a = fixture;
            if (a == "@CFG") a = cfg;
            if (a.rfind("@DIR", 0) == 0) a = dir_.string() + a.substr(4);
            args.push_back(a);
        }
        const std::string cmd = "vfpath " + join(args);
        const Outcome o = run_vfpath(args, dir_, 30);
        ASSERT_TRUE(o.exited()) << cmd;
        EXPECT_EQ(o.exit_code, 2) << cmd << "\nstdout:\n" << o.out << "\nstderr:\n" << o.err;
        // One error line; a run may print planner warnings first (an lcore outside this
        // process's CPU affinity, say), which are not about the arguments.
        int error_lines = 0, other_lines = 0;
        std::istringstream lines(o.err);
        for (std::string l; std::getline(lines, l);) {
            if (l.rfind("error: ", 0) == 0)
                ++error_lines;
            else if (l.rfind("warning: ", 0) != 0)
                ++other_lines;
        }
        EXPECT_EQ(error_lines, 1) << cmd << ": one error line\n" << o.err;
        EXPECT_EQ(other_lines, 0) << cmd << ": nothing but the error and warnings\n" << o.err;
        for (const auto& n : row.names)
            EXPECT_NE(o.err.find(n), std::string::npos) << cmd << ": expected " << n << " in\n"
                                                        << o.err;
        EXPECT_EQ(o.err.find("[vfpath.eal]"), std::string::npos) << cmd << "\n" << o.err;
        EXPECT_EQ(o.out, "") << cmd;
        EXPECT_LT(o.elapsed_s, 10.0) << cmd;
    }
    EXPECT_FALSE(fs::exists(dir_ / "s.jsonl")) << "a refused run creates no file";
}

// --help works for every command and exits 0.
TEST_F(CliTest, HelpForEveryCommand) {
    const std::vector<std::vector<std::string>> cmds = {
        {}, {"run"}, {"check"}, {"host"}, {"host", "list"}, {"host", "create-vfs"},
        {"host", "set-vf"}, {"host", "bind"}, {"host", "unbind"}, {"host", "restore"}};
    for (auto args : cmds) {
        args.push_back("--help");
        const Outcome o = run_vfpath(args, dir_, 30);
        ASSERT_TRUE(o.exited()) << join(args);
        EXPECT_EQ(o.exit_code, 0) << join(args) << "\n" << o.err;
        EXPECT_NE(o.out.find("Usage"), std::string::npos) << join(args) << "\n" << o.out;
    }
}

TEST_F(CliTest, VersionFlag) {
    const Outcome o = run_vfpath({"--version"}, dir_, 30);
    ASSERT_TRUE(o.exited());
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_NE(o.out.find("0.1.0"), std::string::npos) << o.out;
    // Which DPDK: the one it runs on, and the one it was built against (pkg-config's version).
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        o.out, m, std::regex(R"(^vfpath 0\.1\.0\nDPDK (\d+)\.(\d+)\.(\S+) \(built against (\S+)\)\n$)")))
        << o.out;
    EXPECT_EQ(m[4].str(), VFPATH_DPDK_VERSION) << o.out;
    // Same ABI: the library it runs on has the year.month of the headers (a stable update
    // between build and run may change the last number).
    EXPECT_EQ(m[1].str() + "." + m[2].str(),
              std::string(VFPATH_DPDK_VERSION).substr(0, m[1].length() + 1 + m[2].length()))
        << o.out;
}

TEST_F(CliTest, UnknownKeyNamesFileLineColAndStartsNothing) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "    colour: blue\n"
                             "  - name: p1\n"
                             "    device: net_null1\n"
                             "run:\n"
                             "  duration_s: 1\n";
    const auto cfg = write_config(text, "unknown_key.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    const std::string where = cfg.string() + ":" + line_col(text, "colour");
    EXPECT_NE(o.err.find(where), std::string::npos) << "expected " << where << " in:\n" << o.err;
    EXPECT_NE(o.err.find("ports[0].colour"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << "EAL must not start:\n" << o.err;
    EXPECT_EQ(o.out.find("summary"), std::string::npos) << o.out;

    // `check` reports the same error the same way.
    const Outcome c = expect_usage_error({"check", "-c", cfg.string()});
    EXPECT_NE(c.err.find(where), std::string::npos) << c.err;
}

TEST_F(CliTest, DeviceLimitErrorAfterProbe) {
    // net_ring offers at most 16 rx queues (RTE_PMD_RING_MAX_RX_RINGS); this is only known once
    // the device is probed, so EAL starts, then the plan is rejected with the config position.
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: r0\n"
                             "    device: net_ring0\n"
                             "    rx_queues: 32\n"
                             "run:\n"
                             "  duration_s: 1\n"
                             "  stats_interval_s: 0\n";
    const auto cfg = write_config(text, "ring.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    EXPECT_NE(o.err.find("ports[0].rx_queues"), std::string::npos) << o.err;
    const std::string at_value = cfg.string() + ":" + line_col(text, "32\n");
    const std::string at_key = cfg.string() + ":" + line_col(text, "rx_queues");
    EXPECT_TRUE(o.err.find(at_value) != std::string::npos ||
                o.err.find(at_key) != std::string::npos)
        << "expected " << at_value << " (or " << at_key << ") in:\n" << o.err;
    EXPECT_EQ(o.out.find("summary"), std::string::npos) << "nothing may run:\n" << o.out;
}

TEST_F(CliTest, L2WithoutNextHopIsConfigError) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "forward:\n"
                             "  mode: l2\n";
    const auto cfg = write_config(text, "l2.yaml");
    const Outcome o = expect_usage_error({"run", "-c", cfg.string()});
    EXPECT_NE(o.err.find("ports[0].next_hop"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":" + line_col(text, "name: p0")), std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
}

TEST_F(CliTest, QueuePolledByNoWorkerIsConfigError) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "  - name: p1\n"
                             "    device: net_null1\n"
                             "workers:\n"
                             "  - lcore: 1\n"
                             "    queues: [\"p0:0\"]\n";
    const auto cfg = write_config(text, "workers.yaml");
    const Outcome o = expect_usage_error({"check", "-c", cfg.string()});
    EXPECT_NE(o.err.find("p1"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":"), std::string::npos) << o.err;
    // A worker on the main lcore is refused, pointing at the lcore value.
    std::string text2 = text;
    text2.replace(text2.find("lcore: 1"), 8, "lcore: 0");
    text2.replace(text2.find("[\"p0:0\"]"), 8, "[\"p0:0\", \"p1:0\"]");
    const auto cfg2 = write_config(text2, "workers2.yaml");
    const Outcome o2 = expect_usage_error({"run", "-c", cfg2.string()});
    EXPECT_NE(o2.err.find(cfg2.string() + ":" + line_col(text2, "0\n    queues")), std::string::npos)
        << o2.err;
    EXPECT_NE(o2.err.find("workers[0].lcore"), std::string::npos) << o2.err;
    EXPECT_EQ(o2.err.find("EAL"), std::string::npos) << o2.err;
}

TEST_F(CliTest, CheckPrintsPlanWithoutEal) {
    const auto cfg = write_config(eal_yaml() + k_good_ports, "good.yaml");
    const Outcome o = run_vfpath({"check", "-c", cfg.string()}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find(cfg.string() + ": valid"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("p0"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("p1"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("net_null0"), std::string::npos) << o.out;
    EXPECT_EQ(o.err.find("EAL"), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("EAL:"), std::string::npos) << o.out;
    EXPECT_LT(o.elapsed_s, 10.0);
}

TEST_F(CliTest, CheckWithoutConfigUsesBuiltInDefault) {
    const Outcome o = run_vfpath({"check"}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find("<built-in default>: valid"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("net_null1"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace vfpt
