// CLI and config errors seen through the binary: exit codes, messages, nothing half-started.
#include <sys/stat.h>
#include <sys/sysmacros.h>

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
    {{}, {"'vfpath' needs a command", "run, check, gen, host, bench, ctl"}},
    // gen and bench
    {{"gen", "-c", "@CFG"}, {"no gen: section", "gen.tx"}},
    {{"gen", "-c", "@CFG", "--duration", "-1"}, {"--duration"}},
    {{"gen", "-c", "@DIR/missing.yaml"}, {"--config", "missing.yaml"}},
    {{"bench"}, {"bench"}},
    {{"bench", "rfc2544", "--trial", "nan"}, {"--trial"}},
    {{"bench", "rfc2544", "--sizes", "sixty-four"}, {"--sizes"}},
    {{"bench", "rfc2544", "--frob"}, {"--frob"}},
    {{"--bogus"}, {"'--bogus'", "run, check, gen, host, bench, ctl"}},
    {{"frob"}, {"unknown command 'frob'", "run, check, gen, host, bench, ctl"}},
    {{"--log-level", "info", "run"}, {"'--log-level'"}},
    // ctl: checked before any socket is looked for
    {{"ctl"}, {"'vfpath ctl' needs a command", "ports, xstats, port"}},
    {{"ctl", "port", "halt", "p0"}, {"halt", "stop, start, restart"}},
    {{"ctl", "xstats"}, {"PORT"}},
    {{"ctl", "log-level", "loud"}, {"loud"}},
    {{"ctl", "--instance", "99", "ports"}, {"--instance"}},
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
    {{"run", "--duration", "0x10"}, {"--duration", "'0x10'"}},
    {{"run", "--duration", "0x1p3"}, {"--duration", "'0x1p3'"}},
    {{"run", "--duration", " 1"}, {"--duration"}},
    {{"run", "--stats-interval", "0x1"}, {"--stats-interval", "'0x1'"}},
    {{"gen", "-c", "@CFG", "--duration", "0x10"}, {"--duration", "'0x10'"}},
    {{"gen", "-c", "@CFG", "--warmup", "nan"}, {"--warmup", "'nan'"}},
    {{"host", "bind", "0000:af:02.0", "--wait", "0x5"}, {"--wait", "'0x5'"}},
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
    {{"host", "set-vf", "0000:af:00.0", "1", "--mac", "01:00:5e:00:00:01", "--root", "@F",
      "--dry-run"},
     {"--mac", "01:00:5e:00:00:01", "multicast"}},
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
        // `check --json` answers with its JSON object even then; every other command with
        // nothing on stdout.
        if (std::find(args.begin(), args.end(), "check") != args.end() &&
            std::find(args.begin(), args.end(), "--json") != args.end()) {
            const json j = json::parse(o.out, nullptr, false);
            EXPECT_TRUE(j.is_object() && j.value("ok", true) == false) << cmd << "\n" << o.out;
        } else {
            EXPECT_EQ(o.out, "") << cmd;
        }
        EXPECT_LT(o.elapsed_s, 10.0) << cmd;
    }
    EXPECT_FALSE(fs::exists(dir_ / "s.jsonl")) << "a refused run creates no file";
}

// Output files (--report, --journal, --stats-json) are replaced or truncated by a run: a path that
// holds a device node, a directory or a FIFO is refused before EAL starts, naming the option and
// the path, and is left as it was. (The report used to replace a device node with a regular
// file, a directory made the run fail after forwarding, and a FIFO blocked --stats-json.)
TEST_F(CliTest, OutputPathThatIsNotARegularFileIsRefusedBeforeEal) {
    std::vector<std::pair<fs::path, fs::file_type>> targets;
    const fs::path fifo = path("out.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    targets.push_back({fifo, fs::file_type::fifo});
    const fs::path subdir = path("somedir");
    fs::create_directory(subdir);
    targets.push_back({subdir, fs::file_type::directory});
    const fs::path node = path("null-node");
    if (::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) == 0)  // root only
        targets.push_back({node, fs::file_type::character});
    for (const auto& [target, type] : targets) {
        for (const std::string flag : {"--report", "--journal", "--stats-json"}) {
            const std::vector<std::string> args = {"run",  "--duration",       "0.3",
                                                   "--stats-interval", "0.1", flag,
                                                   target.string()};
            const std::string cmd = "vfpath " + join(args);
            const Outcome o = expect_usage_error(args);
            EXPECT_LT(o.elapsed_s, 10.0) << cmd;
            EXPECT_NE(o.err.find(flag + " " + target.string()), std::string::npos) << cmd << "\n"
                                                                                   << o.err;
            EXPECT_NE(o.err.find("not a regular file"), std::string::npos) << cmd << "\n" << o.err;
            EXPECT_EQ(o.err.find("EAL"), std::string::npos) << cmd << ": EAL must not start\n"
                                                            << o.err;
            EXPECT_EQ(fs::symlink_status(target).type(), type) << cmd << ": the path was changed";
        }
    }
    // The same for gen's report.
    const auto gcfg = write_config(eal_yaml() + "ports:\n  - name: p0\n    device: net_null0\n"
                                                "gen:\n  tx: [p0]\n  duration_s: 0.3\n",
                                   "gen.yaml");
    const Outcome g = expect_usage_error({"gen", "-c", gcfg.string(), "--report", subdir.string()});
    EXPECT_NE(g.err.find("--report " + subdir.string()), std::string::npos) << g.err;
    EXPECT_TRUE(fs::is_directory(subdir));
    // An unwritable directory is found out before the run too.
    EXPECT_NE(expect_usage_error({"run", "--report", "/proc/vfpath-report.json"})
                  .err.find("/proc/vfpath-report.json"),
              std::string::npos);
}

// A config path that is a FIFO used to hang `check` (and run) forever in open(); a device node
// was read as YAML. Only a regular file is taken, with exit 2 and the path named.
TEST_F(CliTest, ConfigPathThatIsNotARegularFileIsRefused) {
    const fs::path fifo = path("config.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const std::string cmd : {"check", "run", "gen"}) {
        for (const std::string& p : {fifo.string(), std::string("/dev/null")}) {
            const Outcome o = expect_usage_error({cmd, "-c", p});
            EXPECT_LT(o.elapsed_s, 10.0) << cmd << " " << p;
            EXPECT_NE(o.err.find(p), std::string::npos) << o.err;
            EXPECT_NE(o.err.find("not a regular file"), std::string::npos) << o.err;
        }
    }
    const Outcome b = expect_usage_error({"bench", "rfc2544", "-c", fifo.string()});
    EXPECT_NE(b.err.find("FIFO"), std::string::npos) << b.err;
}

// Control characters from a config or an argument are shown escaped (\xNN): an ESC sequence
// used to reach the terminal, and a NUL cut the message short.
TEST_F(CliTest, ControlCharactersInErrorsAreEscaped) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "    mtu: \"15\\0tail\"\n"
                             "    \"col\\e[31mour\": blue\n";
    const auto cfg = write_config(text, "ctl.yaml");
    for (const std::string cmd : {"check", "run"}) {
        const Outcome o = expect_usage_error({cmd, "-c", cfg.string()});
        EXPECT_EQ(o.err.find('\x1b'), std::string::npos) << "raw ESC on stderr";
        EXPECT_EQ(o.err.find('\0'), std::string::npos) << "raw NUL on stderr";
        EXPECT_NE(o.err.find("ports[0].col\\x1b[31mour"), std::string::npos) << o.err;
        EXPECT_NE(o.err.find("15\\x00tail"), std::string::npos) << o.err;
    }
    const Outcome a = expect_usage_error({"run", "--log-level", "lo\x1b[2Jud"});
    EXPECT_EQ(a.err.find('\x1b'), std::string::npos) << "raw ESC on stderr";
    EXPECT_NE(a.err.find("lo\\x1b[2Jud"), std::string::npos) << a.err;
    const Outcome f = expect_usage_error({"check", "-c", path("no\x1b]0;x\x07such.yaml").string()});
    EXPECT_EQ(f.err.find('\x1b'), std::string::npos) << "raw ESC on stderr";
    EXPECT_EQ(f.err.find('\x07'), std::string::npos) << "raw BEL on stderr";
}

// vf_policy on a port that is not a DPDK-driven ixgbe/i40e PF was silently ignored: `check` and
// `run` warn, naming the entry, the port and its driver.
TEST_F(CliTest, VfPolicyOnAPortWithoutVfMailboxIsWarnedAbout) {
    const auto cfg = write_config(eal_yaml() + k_good_ports + "vf_policy:\n  - {pf: p0, vf: all, trusted: true}\n",
                                  "policy.yaml");
    const Outcome c = run_vfpath({"check", "-c", cfg.string()}, dir_, 30);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("vf_policy[0] (port p0): net_null0 is a virtual device"), std::string::npos)
        << c.out;
    const Outcome r = run_vfpath({"run", "-c", cfg.string(), "--duration", "0.3"}, dir_, 60);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("vf_policy[0] (" + cfg.string() + ":"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("port p0 runs on net_null, not a DPDK-driven ixgbe or i40e PF"),
              std::string::npos)
        << r.err;
}

// `check --json` promises a JSON object on stdout: a config that cannot be read, or a refused
// argument, gives {"ok": false, "findings": [...]} naming it (it used to print nothing there).
TEST_F(CliTest, CheckJsonAnswersWithJsonOnUsageErrors) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"check", "-c", "/nonexistent", "--json"}, "/nonexistent"},
        {{"check", "--json", "-c", "/nonexistent"}, "/nonexistent"},
        {{"check", "--json", "--sys-root", "/nonexistent"}, "/nonexistent"},
        {{"check", "--json", "--bogus"}, "--bogus"}};
    for (const auto& [args, needle] : cases) {
        const Outcome o = expect_usage_error(args);
        const json j = json::parse(o.out, nullptr, false);
        ASSERT_TRUE(j.is_object()) << o.out;
        EXPECT_EQ(j["ok"], false);
        ASSERT_EQ(j["findings"].size(), 1u) << o.out;
        EXPECT_EQ(j["findings"][0]["severity"], "error");
        EXPECT_EQ(j["findings"][0]["check"], "usage");
        EXPECT_NE(j["findings"][0]["message"].get<std::string>().find(needle), std::string::npos)
            << o.out;
    }
}

// A finding about this job's port or lcores is not repeated as a host finding: numa_node -1 of a
// configured VF, and no isolated CPU, were each listed twice.
TEST_F(CliTest, CheckListsEachFindingOnce) {
    const auto cfg = write_config("eal: {lcores: \"0-1\"}\nports:\n"
                                  "  - {name: p0, device: \"0000:41:01.0\"}\n"
                                  "  - {name: p1, device: \"0000:41:01.1\"}\n",
                                  "numa.yaml");
    const Outcome o = run_vfpath(
        {"check", "-c", cfg.string(), "--root", std::string(VFPATH_FIXTURES) + "/numa-minus1"},
        dir_, 30);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const auto count = [&](const std::string& a, const std::string& b) {
        int n = 0;
        std::istringstream lines(o.out);
        for (std::string l; std::getline(lines, l);)
            if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) ++n;
        return n;
    };
    EXPECT_EQ(count("[numa.unknown]", "0000:41:01.0"), 1) << o.out;
    EXPECT_EQ(count("[numa.unknown]", "0000:41:00.0"), 1) << "not a port: the host says it\n" << o.out;
    EXPECT_EQ(count("[cpu.isolation]", "no CPU is isolated"), 1) << o.out;
}

// --help works for every command, exits 0, and names the guide to read: a docs/ page that exists.
TEST_F(CliTest, HelpForEveryCommand) {
    const std::vector<std::vector<std::string>> cmds = {
        {}, {"run"}, {"check"}, {"gen"}, {"bench"}, {"bench", "rfc2544"}, {"bench", "mlrsearch"},
        {"host"}, {"host", "list"}, {"host", "create-vfs"}, {"host", "set-vf"}, {"host", "bind"},
        {"host", "unbind"}, {"host", "restore"}};
    const fs::path source = fs::path(VFPATH_FIXTURES).parent_path().parent_path();
    const std::regex page(R"(docs/([a-z0-9-]+\.md))");
    for (auto args : cmds) {
        args.push_back("--help");
        const Outcome o = run_vfpath(args, dir_, 30);
        ASSERT_TRUE(o.exited()) << join(args);
        EXPECT_EQ(o.exit_code, 0) << join(args) << "\n" << o.err;
        EXPECT_NE(o.out.find("Usage"), std::string::npos) << join(args) << "\n" << o.out;
        const bool top = args.size() == 1;
        EXPECT_NE(o.out.find(top ? "Guides: " : "Guide: docs/"), std::string::npos)
            << join(args) << " names no guide:\n" << o.out;
        size_t pages = 0;
        for (auto it = std::sregex_iterator(o.out.begin(), o.out.end(), page);
             it != std::sregex_iterator(); ++it, ++pages)
            EXPECT_TRUE(fs::is_regular_file(source / "docs" / (*it)[1].str()))
                << join(args) << " --help names " << (*it)[0] << ", which does not exist";
        // The top-level help lists the pages by name under docs/.
        if (top)
            for (const char* name : {"run.md", "check.md", "gen.md", "bench.md", "host.md",
                                     "recovery.md", "operations.md", "configuration.md"}) {
                EXPECT_NE(o.out.find(name), std::string::npos) << name << "\n" << o.out;
                EXPECT_TRUE(fs::is_regular_file(source / "docs" / name)) << name;
            }
        else
            EXPECT_GE(pages, 1u) << join(args) << "\n" << o.out;
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
