// `vfpath ctl`: operates a running vfpath over its DPDK telemetry socket, the same socket and
// protocol as dpdk-telemetry.py (SOCK_SEQPACKET; the first message is DPDK's greeting, then one
// "/command,params" per request and one JSON reply each). Everything it shows comes from the
// instance's /vfpath/* and /ethdev/* commands (lib/control/cp/telemetry.cpp, DPDK's ethdev).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/api.h"

namespace vfpath::control {

namespace {

using nlohmann::json;

// An error for the user with its exit code (k_exit_runtime, or k_exit_usage for a name that
// does not exist).
struct CtlError {
    int code;
    std::string message;
};

// DPDK's runtime directory for a file prefix, as EAL (eal_get_runtime_dir) and dpdk-telemetry.py
// choose it: /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk, else /tmp/dpdk.
std::string socket_path(const std::string& prefix) {
    std::string base = "/var/run";
    if (::getuid() != 0) {
        const char* xdg = std::getenv("XDG_RUNTIME_DIR");
        base = xdg && *xdg ? xdg : "/tmp";
    }
    return base + "/dpdk/" + prefix + "/dpdk_telemetry.v2";
}

class Client {
public:
    Client(const std::string& prefix, std::string path) : prefix_(prefix), path_(std::move(path)) {}
    ~Client() {
        if (fd_ >= 0) ::close(fd_);
    }
    const std::string& path() const { return path_; }

    // Connects and reads the greeting. Fails with k_exit_runtime naming prefix and socket.
    std::optional<CtlError> connect() {
        const auto no_instance = [&](const std::string& why) {
            return CtlError{k_exit_runtime, "no vfpath instance with file prefix \"" + prefix_ +
                                                "\": " + why + " (socket looked for: " + path_ +
                                                ")"};
        };
        fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
        if (fd_ < 0) return no_instance(std::string("socket: ") + std::strerror(errno));
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        if (path_.size() >= sizeof a.sun_path) return no_instance("the path is too long");
        std::memcpy(a.sun_path, path_.c_str(), path_.size() + 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            return no_instance(std::string("cannot connect: ") + std::strerror(errno));
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const json hello = receive();
        if (!hello.is_object())
            return no_instance(
                "no greeting (DPDK allows a limited number of telemetry clients "
                "at once; is another one connected?)");
        max_len_ = hello.value("max_output_len", size_t{16384});
        pid_ = hello.value("pid", 0);
        return std::nullopt;
    }
    int pid() const { return pid_; }

    // The reply's value for `cmd`; a CtlError when there is none or it is an error object.
    json query(const std::string& cmd) {
        if (::send(fd_, cmd.data(), cmd.size(), 0) < 0)
            throw CtlError{k_exit_runtime,
                           "lost the connection to " + path_ + ": " + std::strerror(errno)};
        const json r = receive();
        if (r.is_null())
            throw CtlError{k_exit_runtime,
                           "the instance ended or did not answer " + cmd + " (" + path_ + ")"};
        const std::string name = cmd.substr(0, cmd.find(','));
        if (!r.is_object() || !r.contains(name))
            throw CtlError{k_exit_runtime, "unexpected answer to " + cmd + ": " + r.dump()};
        const json& v = r[name];
        if (v.is_null())
            throw CtlError{k_exit_runtime, "the instance does not know " + name +
                                               " (is it vfpath, and is it forwarding?)"};
        if (v.is_object() && v.contains("error") && v.size() == 1)
            throw CtlError{k_exit_runtime, v["error"].get<std::string>()};
        return v;
    }

private:
    json receive() {
        std::string buf(max_len_ + 1024, '\0');
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n <= 0) return nullptr;
        buf.resize(size_t(n));
        return json::parse(buf, nullptr, false);
    }
    std::string prefix_, path_;
    int fd_ = -1;
    size_t max_len_ = 16384;
    int pid_ = 0;
};

uint64_t num(const json& j, const char* k) {
    if (!j.is_object() || !j.contains(k)) return 0;
    const json& v = j[k];
    return v.is_number_unsigned()  ? v.get<uint64_t>()
           : v.is_number_integer() ? uint64_t(std::max<int64_t>(0, v.get<int64_t>()))
                                   : 0;
}

// /vfpath/ports's entries in plan order (it is a dict keyed by a name-derived key).
std::vector<json> port_list(const json& ports) {
    std::vector<json> out;
    for (const auto& [k, p] : ports["ports"].items()) out.push_back(p);
    std::sort(out.begin(), out.end(),
              [](const json& a, const json& b) { return num(a, "port_id") < num(b, "port_id"); });
    return out;
}

// The port named `name` in /vfpath/ports, or exit 2 listing those there are.
json find_port(const json& ports, const std::string& name) {
    std::string names;
    for (const json& p : port_list(ports)) {
        if (p.value("name", "") == name) return p;
        names += (names.empty() ? "" : ", ") + p.value("name", "");
    }
    throw CtlError{k_exit_usage, "no port named \"" + name + "\" (ports: " + names + ")"};
}

std::string rate(double per_s) {
    char b[32];
    if (per_s >= 1e9)
        std::snprintf(b, sizeof b, "%.2fG", per_s / 1e9);
    else if (per_s >= 1e6)
        std::snprintf(b, sizeof b, "%.2fM", per_s / 1e6);
    else if (per_s >= 1e3)
        std::snprintf(b, sizeof b, "%.2fk", per_s / 1e3);
    else
        std::snprintf(b, sizeof b, "%.0f", per_s);
    return b;
}

// A counter's rate between two readings; 0 when it went back (a device re-attached).
double per_s(uint64_t a, uint64_t b, double dt) {
    return b >= a ? double(b - a) / dt : 0.0;
}

constexpr const char* k_device_drops[] = {"imissed", "ierrors", "rx_nombuf", "oerrors"};

uint64_t device_drops(const json& hw) {
    uint64_t n = 0;
    for (const char* k : k_device_drops) n += num(hw, k);
    return n;
}

// Per-queue device counters where the PMD keeps them: /ethdev/stats's q_* arrays (zero-filled by
// ethdev up to RTE_ETHDEV_QUEUE_STAT_CNTRS whether the PMD fills them or not).
json device_queue(const json& st, const char* key, size_t q) {
    if (!st.contains(key) || !st[key].is_array() || q >= st[key].size()) return nullptr;
    return st[key][q];
}

int cmd_ports(Client& c, const CtlOptions& o) {
    // Two samples for the rates.
    const json a = c.query("/vfpath/ports");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const json b = c.query("/vfpath/ports");
    const double dt = std::max<double>(1e-3, double(num(b, "t_ms")) - double(num(a, "t_ms"))) / 1e3;
    json out = json::array();
    for (const json& p : port_list(b)) {
        const std::string name = p.value("name", "");
        json before;
        for (const json& q : port_list(a))
            if (q.value("name", "") == name) before = q;
        const uint64_t id = num(p, "port_id");
        json link = json::object();
        try {
            const json l = c.query("/ethdev/link_status," + std::to_string(id));
            link = {{"up", l.value("status", "") == "UP"}};
            if (l.contains("speed")) link["speed_mbps"] = l["speed"];
            if (l.contains("duplex")) link["duplex"] = l["duplex"];
        } catch (const CtlError&) {
            link = {{"up", nullptr}};  // a port being re-attached has no device for a moment
        }
        json drops = json::object();
        for (const char* k : k_device_drops) drops[k] = num(p["hw"], k);
        json e{{"name", name},
               {"port_id", id},
               {"device", p.value("device", "")},
               {"state", p.value("state", "")},
               {"link", link},
               {"mac", p.value("mac", "")},
               {"peer", p.value("peer", "")},
               {"rx_packets", num(p, "rx_packets")},
               {"tx_packets", num(p, "tx_packets")},
               {"rx_pps", per_s(num(before, "rx_packets"), num(p, "rx_packets"), dt)},
               {"tx_pps", per_s(num(before, "tx_packets"), num(p, "tx_packets"), dt)},
               {"drops", num(p, "drops")},
               {"not_ready_drops", num(p, "not_ready_drops")},
               {"device_drops", device_drops(p["hw"])},
               {"device_counters", drops}};
        if (o.queues) {
            const json qs = c.query("/vfpath/queues," + name)["ports"];
            json st;
            try {
                st = c.query("/ethdev/stats," + std::to_string(id));
            } catch (const CtlError&) {
            }
            json ql = json::array();
            for (const auto& [qk, q] : qs.begin()->items()) {
                const size_t qi = std::stoul(qk);
                json sw{{"source", "software"},
                        {"rx_packets", num(q, "rx_packets")},
                        {"tx_packets", num(q, "tx_packets")},
                        {"drops", num(q, "drops")},
                        {"not_ready_drops", num(q, "not_ready_drops")}};
                json entry{{"queue", qi},
                           {"rx_lcore", q["rx_lcore"]},
                           {"tx_lcore", q["tx_lcore"]},
                           {"counters", json::array({sw})}};
                const json ip = device_queue(st, "q_ipackets", qi),
                           op = device_queue(st, "q_opackets", qi),
                           er = device_queue(st, "q_errors", qi);
                if (!ip.is_null())
                    entry["counters"].push_back({{"source", "device"},
                                                 {"rx_packets", ip},
                                                 {"tx_packets", op.is_null() ? json(0) : op},
                                                 {"errors", er.is_null() ? json(0) : er}});
                ql.push_back(std::move(entry));
            }
            e["queues"] = std::move(ql);
        }
        out.push_back(std::move(e));
    }
    if (o.json) {
        std::printf("%s\n", json{{"ports", out}}.dump(2).c_str());
        return k_exit_ok;
    }
    std::printf("%-10s %-17s %-5s %-8s %-17s %10s %10s %12s %12s %10s\n", "PORT", "STATE", "LINK",
                "SPEED", "MAC", "RX/s", "TX/s", "DROPS", "DEV_DROPS", "NOT_READY");
    for (const json& e : out) {
        const json& l = e["link"];
        const std::string up = l["up"].is_null() ? "?" : l["up"].get<bool>() ? "up" : "down";
        const std::string speed =
            l.contains("speed_mbps") ? std::to_string(num(l, "speed_mbps")) + "M" : "-";
        std::printf(
            "%-10s %-17s %-5s %-8s %-17s %10s %10s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 "\n",
            e["name"].get<std::string>().c_str(), e["state"].get<std::string>().c_str(), up.c_str(),
            speed.c_str(), e["mac"].get<std::string>().c_str(),
            rate(e["rx_pps"].get<double>()).c_str(), rate(e["tx_pps"].get<double>()).c_str(),
            num(e, "drops"), num(e, "device_drops"), num(e, "not_ready_drops"));
        if (!o.queues) continue;
        for (const json& q : e["queues"])
            for (const json& s : q["counters"])
                std::printf("  queue %-3" PRIu64 " %-9s rx %14" PRIu64 "  tx %14" PRIu64
                            "  %s %" PRIu64 "\n",
                            num(q, "queue"), s["source"].get<std::string>().c_str(),
                            num(s, "rx_packets"), num(s, "tx_packets"),
                            s["source"] == "device" ? "errors" : "drops",
                            num(s, s["source"] == "device" ? "errors" : "drops"));
    }
    std::printf("DEV_DROPS: the device's imissed + ierrors + rx_nombuf + oerrors\n");
    return k_exit_ok;
}

int cmd_xstats(Client& c, const CtlOptions& o) {
    const json p = find_port(c.query("/vfpath/ports"), o.port);
    const json x = c.query("/ethdev/xstats," + std::to_string(num(p, "port_id")));
    json shown = json::object();
    for (const auto& [k, v] : x.items())
        if (o.all || (v.is_number() && v.get<double>() != 0)) shown[k] = v;
    if (o.json) {
        std::printf(
            "%s\n",
            json{
                {"port", o.port}, {"port_id", num(p, "port_id")}, {"all", o.all}, {"xstats", shown}}
                .dump(2)
                .c_str());
        return k_exit_ok;
    }
    size_t w = 4;
    for (const auto& [k, v] : shown.items()) w = std::max(w, k.size());
    std::printf("%s (port_id %" PRIu64 "): %zu of %zu extended stats%s\n", o.port.c_str(),
                num(p, "port_id"), shown.size(), x.size(), o.all ? "" : " (non-zero; --all: all)");
    for (const auto& [k, v] : shown.items())
        std::printf("  %-*s %20s\n", int(w), k.c_str(), v.dump().c_str());
    return k_exit_ok;
}

int cmd_port(Client& c, const CtlOptions& o) {
    (void)find_port(c.query("/vfpath/ports"), o.port);
    const std::string counter = "admin_" + o.op + "s";  // admin_stops, admin_starts, ...
    const json ev0 = *c.query("/vfpath/events," + o.port)["ports"].begin();
    const std::string before = ev0.value("state", "");
    c.query("/vfpath/port," + o.op + "," + o.port);
    // The control thread has begun it: wait for a view that counts it, with the port settled.
    const auto t0 = std::chrono::steady_clock::now();
    std::string state;
    json ev;
    for (;;) {
        ev = *c.query("/vfpath/events," + o.port)["ports"].begin();
        state = ev.value("state", "");
        const bool counted = num(ev, counter.c_str()) > num(ev0, counter.c_str());
        const bool settled = state == "running" || state == "link_down" || state == "stopped" ||
                             state == "failed" || state == "degraded";
        if (counted && settled) break;
        if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(10))
            throw CtlError{k_exit_runtime, "port " + o.port + " is still " + state +
                                               " 10 s after the " + o.op + " was accepted"};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const bool ok = o.op == "stop" ? state == "stopped" : state != "stopped" && state != "failed";
    if (o.json) {
        std::printf("%s\n", json{{"port", o.port},
                                 {"op", o.op},
                                 {"ok", ok},
                                 {"state_before", before},
                                 {"state", state},
                                 {"admin_stops", num(ev, "admin_stops")},
                                 {"admin_starts", num(ev, "admin_starts")},
                                 {"admin_restarts", num(ev, "admin_restarts")}}
                                .dump(2)
                                .c_str());
    } else {
        std::printf("%s: %s: %s -> %s\n", o.port.c_str(), o.op.c_str(), before.c_str(),
                    state.c_str());
    }
    if (!ok) {
        print_error("port " + o.port + ": " + o.op + " did not complete: the port is " + state +
                    " (see vfpath ctl journal)");
        return k_exit_runtime;
    }
    return k_exit_ok;
}

int cmd_simple(Client& c, const CtlOptions& o, const std::string& cmd) {
    const json r = c.query(cmd);
    if (o.json) {
        std::printf("%s\n", r.dump(2).c_str());
        return k_exit_ok;
    }
    if (o.command == "log-level") {
        std::printf("log level: %s\n", r.value("log_level", "").c_str());
    } else if (o.command == "latency") {
        std::printf("latency measurement: %s\n", r.value("latency", "").c_str());
    } else if (o.command == "fault") {
        std::printf("fault %s accepted: %s on %s in %" PRIu64 " ms (see vfpath ctl journal)\n",
                    r.value("fault", "").c_str(), r.value("kind", "").c_str(),
                    r.value("port", "").c_str(), num(r, "in_ms"));
    }
    return k_exit_ok;
}

volatile std::sig_atomic_t g_stop = 0;

int cmd_journal(Client& c, const CtlOptions& o) {
    uint64_t shown = 0;  // journal entries printed so far (their count from the start)
    bool first = true;
    if (o.follow) {
        std::signal(SIGINT, [](int) { g_stop = 1; });
        std::signal(SIGTERM, [](int) { g_stop = 1; });
    }
    do {
        json ev;
        try {
            ev = c.query("/vfpath/events");
        } catch (const CtlError& e) {
            if (!first && o.follow) {
                std::fprintf(stderr, "vfpath ctl: the instance has ended (%s)\n",
                             e.message.c_str());
                return k_exit_ok;
            }
            throw;
        }
        const uint64_t total = num(ev, "journal_total");
        const json& recent = ev["recent"];
        const uint64_t first_index = total - recent.size();  // index of recent[0]
        if (!first && first_index > shown)
            std::fprintf(stderr, "vfpath ctl: %" PRIu64 " journal entries came too fast to show\n",
                         first_index - shown);
        for (size_t i = 0; i < recent.size(); ++i) {
            if (!first && first_index + i < shown) continue;
            const std::string line = recent[i].get<std::string>();
            if (o.json) {
                // "T PORT KIND: DETAIL"
                const size_t s1 = line.find(' '), s2 = line.find(' ', s1 + 1),
                             colon = line.find(": ", s2);
                std::printf("%s\n", json{{"index", first_index + i},
                                         {"t_s", std::strtod(line.c_str(), nullptr)},
                                         {"port", line.substr(s1 + 1, s2 - s1 - 1)},
                                         {"kind", line.substr(s2 + 1, colon - s2 - 1)},
                                         {"detail",
                                          colon == std::string::npos ? "" : line.substr(colon + 2)}}
                                        .dump()
                                        .c_str());
            } else {
                std::printf("%s\n", line.c_str());
            }
        }
        std::fflush(stdout);
        shown = total;
        first = false;
        if (o.follow)
            for (int i = 0; i < 10 && !g_stop; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (o.follow && !g_stop);
    return k_exit_ok;
}

}  // namespace

std::string ctl_socket_path(const std::string& prefix) {
    return socket_path(prefix);
}

int ctl_job(const CtlOptions& o) {
    // DPDK names the socket of a second process with the same prefix dpdk_telemetry.v2:1, and so
    // on (dpdk-telemetry.py -i N). Without --instance: the first of them that is a vfpath.
    const std::string base = socket_path(o.prefix);
    std::vector<std::string> paths;
    if (o.instance >= 0) {
        paths.push_back(o.instance == 0 ? base : base + ":" + std::to_string(o.instance));
    } else {
        paths.push_back(base);
        for (int i = 1; i < 64; ++i)
            if (::access((base + ":" + std::to_string(i)).c_str(), F_OK) == 0)
                paths.push_back(base + ":" + std::to_string(i));
    }
    std::unique_ptr<Client> client;
    std::string not_vfpath;
    for (const std::string& path : paths) {
        auto c = std::make_unique<Client>(o.prefix, path);
        if (auto e = c->connect()) {
            if (paths.size() == 1 || path != base) {
                print_error(e->message);
                return e->code;
            }
            continue;  // no plain socket, but a ":N" one exists
        }
        if (paths.size() > 1) {
            try {
                c->query("/vfpath/ports");
            } catch (const CtlError& e) {
                if (e.message.find("does not know") == std::string::npos) throw;
                not_vfpath += (not_vfpath.empty() ? "" : ", ") + path + " (pid " +
                              std::to_string(c->pid()) + ")";
                continue;
            }
        }
        client = std::move(c);
        break;
    }
    if (!client) {
        print_error(
            "no vfpath instance with file prefix \"" + o.prefix +
            "\": the DPDK processes there are not vfpath (sockets looked for: " + not_vfpath + ")");
        return k_exit_runtime;
    }
    Client& c = *client;
    try {
        if (o.command == "ports") return cmd_ports(c, o);
        if (o.command == "xstats") return cmd_xstats(c, o);
        if (o.command == "port") return cmd_port(c, o);
        if (o.command == "journal") return cmd_journal(c, o);
        if (o.command == "log-level") return cmd_simple(c, o, "/vfpath/log_level," + o.arg);
        if (o.command == "latency") return cmd_simple(c, o, "/vfpath/latency_sampling," + o.arg);
        if (o.command == "fault") {
            // An unknown port is the same usage error as for the other commands.
            const size_t colon = o.arg.find(':'), at = o.arg.find('@');
            if (colon != std::string::npos && at != std::string::npos && at > colon)
                (void)find_port(c.query("/vfpath/ports"), o.arg.substr(colon + 1, at - colon - 1));
            return cmd_simple(c, o, "/vfpath/fault," + o.arg);
        }
        print_error("unknown ctl command " + o.command);
        return k_exit_usage;
    } catch (const CtlError& e) {
        print_error(e.message);
        return e.code;
    } catch (const std::exception& e) {
        print_error(std::string("ctl: ") + e.what());
        return k_exit_runtime;
    }
}

}  // namespace vfpath::control
