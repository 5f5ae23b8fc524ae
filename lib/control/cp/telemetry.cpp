#include "control/cp/telemetry.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include <rte_eal.h>
#include <rte_telemetry.h>

#include "drivers-glue/telemetry.h"
#include "report/telemetry.h"
#include "util/log.h"

namespace vfpath::control {

namespace {

using nlohmann::json;
namespace tel = report::tel;

// DPDK's callbacks carry no context pointer, so the attached publisher is process-wide. A reader
// copies the shared_ptr under the lock and renders without it; detaching never waits for one.
// Never destroyed: DPDK's telemetry threads outlive main() and may still call in during exit.
struct Slot {
    std::mutex mu;
    std::shared_ptr<Publisher> pub;
};
Slot& slot() {
    static Slot* s = new Slot;
    return *s;
}

std::shared_ptr<Publisher> attached() {
    std::lock_guard lk(slot().mu);
    return slot().pub;
}

int fill(rte_tel_data* d, const json& j);

// A nested dict or array, handed to its parent (which frees it with itself).
rte_tel_data* container(const json& j) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (c && fill(c, j) < 0) {
        rte_tel_data_free(c);
        return nullptr;
    }
    return c;
}

int add_to_dict(rte_tel_data* d, const char* k, const json& v) {
    switch (v.type()) {
        case json::value_t::string:
            return rte_tel_data_add_dict_string(d, k, v.get_ref<const std::string&>().c_str());
        case json::value_t::number_unsigned:
            return glue::tel_add_dict_uint(d, k, v.get<uint64_t>());
        case json::value_t::number_integer: {
            const int64_t x = v.get<int64_t>();
            return x >= 0 ? glue::tel_add_dict_uint(d, k, uint64_t(x))
                          : glue::tel_add_dict_int(d, k, x);
        }
        case json::value_t::object:
        case json::value_t::array: {
            rte_tel_data* c = container(v);
            if (!c) return -ENOMEM;
            const int rc = rte_tel_data_add_dict_container(d, k, c, 0);
            if (rc < 0) rte_tel_data_free(c);
            return rc;
        }
        default:
            return -EINVAL;
    }
}

int fill_array(rte_tel_data* d, const json& a) {
    bool negative = false;
    for (const auto& e : a) negative = negative || (e.is_number_integer() && e.get<int64_t>() < 0);
    const json* first = a.empty() ? nullptr : &a.front();
    using glue::TelArray;
    const TelArray type = !first || first->is_string() ? TelArray::string
                          : first->is_array()          ? TelArray::container
                          : negative                   ? TelArray::int64
                                                       : TelArray::uint64;
    int rc = glue::tel_start_array(d, type);
    for (const auto& e : a) {
        if (rc < 0) return rc;
        switch (type) {
            case TelArray::string:
                rc = rte_tel_data_add_array_string(d, e.get_ref<const std::string&>().c_str());
                break;
            case TelArray::int64:
                rc = glue::tel_add_array_int(d, e.get<int64_t>());
                break;
            case TelArray::uint64:
                rc = glue::tel_add_array_uint(d, e.get<uint64_t>());
                break;
            case TelArray::container: {
                rte_tel_data* c = container(e);
                rc = c ? rte_tel_data_add_array_container(d, c, 0) : -ENOMEM;
                if (c && rc < 0) rte_tel_data_free(c);
                break;
            }
        }
    }
    return rc;
}

// `j` is representable (see answer()), so every call below is within DPDK's limits.
int fill(rte_tel_data* d, const json& j) {
    if (j.is_array()) return fill_array(d, j);
    if (j.is_string()) return rte_tel_data_string(d, j.get_ref<const std::string&>().c_str());
    int rc = rte_tel_data_start_dict(d);
    for (const auto& [k, v] : j.items()) {
        if (rc < 0) return rc;
        rc = add_to_dict(d, k.c_str(), v);
    }
    return rc < 0 ? rc : 0;
}

// `j` must pass tel::unrepresentable: the renderers' replies are tel::checked already, and a
// tel::error() always passes (one short string). Only the fault command builds a reply here,
// and checks it itself.
int answer(rte_tel_data* d, const json& j) {
    const int rc = fill(d, j);
    return rc < 0 ? rc : 0;
}

// DPDK calls the commands from C: nothing may be thrown back at it.
template <class Body>
int guarded(rte_tel_data* d, Body&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        rte_tel_data_start_dict(d);
        rte_tel_data_add_dict_string(d, "error",
                                     (std::string("internal error: ") + e.what()).c_str());
        return 0;
    }
}

constexpr const char* k_not_forwarding =
    "vfpath is not forwarding (starting, or the run has ended)";

std::string_view param(const char* params) {
    return params ? std::string_view(params) : "";
}

// The view to render, or the error object to answer instead.
std::shared_ptr<const report::View> view_or(json& err) {
    const auto pub = attached();
    auto v = pub ? pub->get() : nullptr;
    if (!v) err = tel::error(k_not_forwarding);
    return v;
}

template <json (*Render)(const report::View&)>
int cmd_plain(const char* cmd, const char* params, rte_tel_data* d) {
    return guarded(d, [&] {
        if (!param(params).empty())
            return answer(d, tel::error(std::string(cmd) + " takes no parameter"));
        json err;
        const auto v = view_or(err);
        return answer(d, v ? Render(*v) : err);
    });
}

template <json (*Render)(const report::View&, std::string_view)>
int cmd_port(const char*, const char* params, rte_tel_data* d) {
    return guarded(d, [&] {
        json err;
        const auto v = view_or(err);
        return answer(d, v ? Render(*v, param(params)) : err);
    });
}

int fault(const char* params, rte_tel_data* d) {
    auto spec = parse_fault(param(params));
    if (!spec) return answer(d, tel::error(spec.error()));
    const auto pub = attached();
    // Any view will do: the port names come from the plan, which does not change during a run.
    const auto v = pub ? pub->get(1e9) : nullptr;
    if (!v) return answer(d, tel::error(k_not_forwarding));
    bool known = false;
    std::string names;
    for (const auto& p : v->plan->ports) {
        known = known || p.name == spec->port;
        names += (names.empty() ? "" : ", ") + p.name;
    }
    if (!known)
        return answer(d, tel::error("fault \"" + spec->text + "\": no port named " + spec->port +
                                    " (ports: " + names + ")"));
    const FaultSpec f = *spec;
    if (auto st = pub->request_fault(std::move(*spec)); !st)
        return answer(d, tel::error("fault \"" + f.text + "\": " + st.error()));
    // The spec and the port name come from the caller: a long one would not fit a string.
    return answer(d, tel::checked({{"accepted", 1},
                                   {"fault", f.text},
                                   {"kind", std::string(to_string(f.kind))},
                                   {"port", f.port},
                                   {"in_ms", uint64_t(f.at_s * 1e3 + 0.5)},
                                   {"see", "/vfpath/events," + f.port}}));
}

int cmd_fault(const char*, const char* params, rte_tel_data* d) {
    return guarded(d, [&] { return fault(params, d); });
}

// "/vfpath/port,OP,PORT": an operator's stop, start or restart, through the control thread's
// port state machine (Recovery::admin). Answers once the control thread has begun it or refused.
int port_admin(const char* params, rte_tel_data* d) {
    const std::string_view p = param(params);
    const size_t comma = p.find(',');
    const std::string op(p.substr(0, comma));
    const std::string port(comma == std::string_view::npos ? "" : p.substr(comma + 1));
    if ((op != "stop" && op != "start" && op != "restart") || port.empty())
        return answer(d, tel::error("expected OP,PORT with OP = stop, start or restart; got \"" +
                                    std::string(p) + "\""));
    const auto pub = attached();
    const auto v = pub ? pub->get(1e9) : nullptr;
    if (!v) return answer(d, tel::error(k_not_forwarding));
    bool known = false;
    std::string names;
    for (const auto& pp : v->plan->ports) {
        known = known || pp.name == port;
        names += (names.empty() ? "" : ", ") + pp.name;
    }
    if (!known)
        return answer(d, tel::error("no port named \"" + port + "\" (ports: " + names + ")"));
    if (auto st = pub->request_admin(port, op); !st) return answer(d, tel::error(st.error()));
    return answer(d, tel::checked({{"accepted", 1},
                                   {"op", op},
                                   {"port", port},
                                   {"see", "/vfpath/events," + port}}));
}

int cmd_port_admin(const char*, const char* params, rte_tel_data* d) {
    return guarded(d, [&] { return port_admin(params, d); });
}

// "/vfpath/latency_sampling,on|off": workers time dwell latency, or not, from their next
// housekeeping on (control thread: Runtime::set_latency).
int cmd_latency_sampling(const char*, const char* params, rte_tel_data* d) {
    return guarded(d, [&] {
        const std::string s(param(params));
        if (s != "on" && s != "off")
            return answer(d, tel::error("expected on or off; got \"" + s + "\""));
        const auto pub = attached();
        if (!pub) return answer(d, tel::error(k_not_forwarding));
        if (auto st = pub->request_admin("", "latency_" + s); !st)
            return answer(d, tel::error(st.error()));
        return answer(d, tel::checked({{"latency", s}}));
    });
}

// "/vfpath/log_level,LEVEL": every vfpath logger's level from now on.
int cmd_log_level(const char*, const char* params, rte_tel_data* d) {
    return guarded(d, [&] {
        const std::string level(param(params));
        static const char* const levels[] = {"trace", "debug", "info",    "warn",
                                             "error", "critical", "off"};
        bool valid = false;
        for (const char* l : levels) valid = valid || level == l;
        if (!valid || !log::set_level(level))
            return answer(d, tel::error("unknown log level \"" + level +
                                        "\" (trace, debug, info, warn, error, critical, off)"));
        log::get("ctl")->warn("log level set to {} over telemetry", level);
        return answer(d, tel::checked({{"log_level", level}}));
    });
}

}  // namespace

Status register_telemetry_commands() {
    static std::once_flag once;
    static Status result = ok();
    std::call_once(once, [] {
        struct Cmd {
            const char* name;
            telemetry_cb fn;
            const char* help;
        };
        const Cmd cmds[] = {
            {"/vfpath/ports", cmd_plain<tel::ports>,
             "vfpath: per-port counters, device counters, state and mempool use. No parameter."},
            {"/vfpath/queues", cmd_port<tel::queues>,
             "vfpath: per-queue counters. Parameter: a port name (optional)."},
            {"/vfpath/latency", cmd_port<tel::latency>,
             "vfpath: per-queue dwell latency in ns (count, min, mean, p50..p9999, max). "
             "Parameter: a port name (optional)."},
            {"/vfpath/lcores", cmd_plain<tel::lcores>,
             "vfpath: per-lcore busy/idle cycles, busy share, cycles per packet, rx burst sizes. "
             "No parameter."},
            {"/vfpath/events", cmd_port<tel::events>,
             "vfpath: recovery counters per port and the newest journal entries. Parameter: a port "
             "name (optional)."},
            {"/vfpath/plan", cmd_plain<tel::plan>,
             "vfpath: the plan: ports, lcores and their queues, mempools. No parameter."},
            {"/vfpath/port", cmd_port_admin,
             "vfpath: stop, start or restart a port (quiesced as for a recovery). "
             "Parameter: OP,PORT; OP = stop, start or restart."},
            {"/vfpath/latency_sampling", cmd_latency_sampling,
             "vfpath: turn dwell-latency timing on or off (measure.latency on at start). "
             "Parameter: on or off."},
            {"/vfpath/log_level", cmd_log_level,
             "vfpath: every logger's level. Parameter: trace, debug, info, warn, error, "
             "critical or off."},
            {"/vfpath/fault", cmd_fault,
             "vfpath: inject a fault, as --fault. Parameter: "
             "KIND:PORT@TIME[,every=DUR][,count=N][,for=DUR][,slow=DUR], TIME from now."},
        };
        for (const Cmd& c : cmds)
            if (const int rc = rte_telemetry_register_cmd(c.name, c.fn, c.help); rc != 0) {
                result = fail(std::string("cannot register telemetry command ") + c.name + ": " +
                              std::strerror(-rc));
                return;
            }
    });
    return result;
}

TelemetryAttachment::TelemetryAttachment(std::shared_ptr<Publisher> pub) {
    std::lock_guard lk(slot().mu);
    slot().pub = std::move(pub);
}

TelemetryAttachment::~TelemetryAttachment() {
    std::lock_guard lk(slot().mu);
    slot().pub.reset();
}

std::optional<TelemetrySocket> find_telemetry_socket() {
    const std::string dir = rte_eal_get_runtime_dir();
    const std::string base = dir + "/dpdk_telemetry.v2";
    // Inodes of the sockets this process holds.
    std::set<unsigned long> mine;
    if (DIR* fds = opendir("/proc/self/fd")) {
        while (const dirent* e = readdir(fds)) {
            char link[64] = "";
            const std::string p = std::string("/proc/self/fd/") + e->d_name;
            const ssize_t n = readlink(p.c_str(), link, sizeof link - 1);
            unsigned long ino = 0;
            if (n > 0 && std::sscanf(link, "socket:[%lu]", &ino) == 1) mine.insert(ino);
        }
        closedir(fds);
    }
    // "Num: RefCount Protocol Flags Type St Inode Path", flags 0x10000 = listening.
    std::ifstream in("/proc/net/unix");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string num, refs, proto, flags, type, st, path;
        unsigned long ino = 0;
        if (!(ls >> num >> refs >> proto >> flags >> type >> st >> ino >> path)) continue;
        if (!mine.count(ino) || (std::strtoul(flags.c_str(), nullptr, 16) & 0x10000) == 0) continue;
        if (path != base && path.rfind(base + ":", 0) != 0) continue;
        TelemetrySocket s;
        s.path = path;
        s.prefix = dir.substr(dir.rfind('/') + 1);
        if (path.size() > base.size()) s.instance = std::atoi(path.c_str() + base.size() + 1);
        return s;
    }
    return std::nullopt;
}

std::string restrict_telemetry_socket(const TelemetrySocket& s) {
    std::string warning;
    if (::chmod(s.path.c_str(), 0600) != 0)
        warning = "cannot make " + s.path + " 0600: " + std::strerror(errno);
    const std::string dir = s.path.substr(0, s.path.rfind('/'));
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
        warning += (warning.empty() ? "" : "; ") + dir + " is mode " + mode +
                   ": others may reach the telemetry socket's directory";
    }
    return warning;
}

}  // namespace vfpath::control
