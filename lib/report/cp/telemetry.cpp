// The /vfpath/... telemetry answers (see report/telemetry.h for the shape DPDK 22.11 allows).
#include "report/telemetry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vfpath::report::tel {

namespace {

bool key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '/';
}

// A string DPDK will not truncate: at most k_max_string bytes, cut on a UTF-8 character boundary
// (a cut inside a character would make the reply invalid JSON).
std::string text(std::string_view s) {
    if (s.size() <= k_max_string) return std::string(s);
    size_t n = k_max_string;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n));
}

// A fraction with 4 decimals, as a string: telemetry has no floating-point type.
std::string fraction(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", std::isfinite(x) ? x : 0.0);
    return buf;
}

uint64_t round_u64(double x) {
    return x > 0 && std::isfinite(x) ? uint64_t(std::llround(x)) : 0;
}

uint64_t t_ms(const View& v) {
    return round_u64(v.snap.t_s * 1e3);
}

// Dict keys for the plan's ports: key(name), made unique with "_<index>" when two names map to
// one key ("a-b" and "a_b").
std::vector<std::string> port_keys(const config::Plan& plan) {
    std::vector<std::string> keys;
    for (const auto& p : plan.ports) {
        std::string k = key(p.name);
        if (std::find(keys.begin(), keys.end(), k) != keys.end())
            k.append("_").append(std::to_string(p.index));
        keys.push_back(std::move(k));
    }
    return keys;
}

std::string port_name(const config::Plan& plan, uint16_t index) {
    return index == config::k_no_port || index >= plan.ports.size() ? "" : plan.ports[index].name;
}

// The dict of the ports a filter selects ("": all), keyed by port_keys, each value entry(plan
// index) (a null entry is left out). nullopt when the filter names no port.
template <class Entry>
std::optional<json> port_dict(const View& v, std::string_view port, Entry&& entry) {
    const auto keys = port_keys(*v.plan);
    json ps = json::object();
    bool selected = false;
    for (size_t i = 0; i < v.plan->ports.size(); ++i) {
        if (!port.empty() && v.plan->ports[i].name != port) continue;
        selected = true;
        json e = entry(i);
        if (!e.is_null()) ps[keys[i]] = std::move(e);
    }
    if (!selected) return std::nullopt;
    return ps;
}

json unknown_port(const View& v, std::string_view port) {
    std::string names;
    for (const auto& p : v.plan->ports) names += (names.empty() ? "" : ", ") + p.name;
    return error("no port named \"" + std::string(port) + "\" (ports: " + names + ")");
}

json summary(const measure::HistogramData& h) {
    const measure::LatencySummary s = measure::summarize(h);
    return {{"count", s.count}, {"min", s.min},     {"mean", round_u64(s.mean)},
            {"p50", s.p50},     {"p90", s.p90},     {"p99", s.p99},
            {"p999", s.p999},   {"p9999", s.p9999}, {"max", s.max}};
}

std::optional<std::string> check(const json& j, const std::string& path, int depth);

// An array holds scalars of one kind (strings or integers) or arrays of those.
std::optional<std::string> check_array(const json& a, const std::string& path, int depth) {
    if (a.size() > k_max_array)
        return path + ": " + std::to_string(a.size()) + " entries, more than " +
               std::to_string(k_max_array);
    bool strings = false, numbers = false, arrays = false;
    for (const auto& e : a) {
        if (e.is_string())
            strings = true;
        else if (e.is_number_integer())
            numbers = true;
        else if (e.is_array() && depth == 0)
            arrays = true;
        else
            return path + ": an array may hold only strings, integers or arrays of those";
        if (auto why = check(e, path + "[]", depth + 1)) return why;
    }
    if (int(strings) + int(numbers) + int(arrays) > 1)
        return path + ": an array must hold values of one kind";
    return std::nullopt;
}

std::optional<std::string> check(const json& j, const std::string& path, int depth) {
    switch (j.type()) {
        case json::value_t::object:
            if (j.size() > k_max_dict)
                return path + ": " + std::to_string(j.size()) + " entries, more than " +
                       std::to_string(k_max_dict);
            for (const auto& [k, val] : j.items()) {
                if (k.empty() || k.size() > k_max_string ||
                    !std::all_of(k.begin(), k.end(), key_char))
                    return path + ": key \"" + k + "\" is not [A-Za-z0-9_/]+";
                if (auto why = check(val, path + "." + k, 0)) return why;
            }
            return std::nullopt;
        case json::value_t::array:
            return check_array(j, path, depth);
        case json::value_t::string:
            if (j.get_ref<const std::string&>().size() > k_max_string)
                return path + ": a string longer than " + std::to_string(k_max_string) + " bytes";
            return std::nullopt;
        case json::value_t::number_unsigned:
            return std::nullopt;
        case json::value_t::number_integer:
            if (j.get<int64_t>() < -2147483648LL)
                return path + ": a negative integer below INT32_MIN";
            return std::nullopt;
        default:
            return path + ": " + j.type_name() + " has no telemetry type";
    }
}

}  // namespace

std::string key(std::string_view name) {
    std::string k(name.substr(0, k_max_string));
    for (char& c : k)
        if (!key_char(c)) c = '_';
    return k.empty() ? "_" : k;
}

json error(std::string message) {
    return {{"error", text(message)}};
}

std::optional<std::string> unrepresentable(const json& j) {
    if (auto why = check(j, "reply", 0)) return why;
    // Invalid UTF-8 is replaced rather than thrown: the size is what matters here.
    const size_t size = j.dump(-1, ' ', false, json::error_handler_t::replace).size();
    if (size + k_wrapper > k_max_output)
        return "the reply would be " + std::to_string(size) + " bytes; telemetry sends at most " +
               std::to_string(k_max_output - k_wrapper);
    return std::nullopt;
}

json checked(json j, std::string_view hint) {
    if (auto why = unrepresentable(j))
        return error(*why + (hint.empty() ? "" : "; " + std::string(hint)));
    return j;
}

json ports(const View& v) {
    const config::Plan& plan = *v.plan;
    auto ps = port_dict(v, "", [&](size_t i) -> json {
        if (i >= v.snap.ports.size()) return nullptr;
        const config::PortPlan& pp = plan.ports[i];
        const dataplane::PortSnapshot& s = v.snap.ports[i];
        const glue::PortHwStats& hw = s.hw;
        return {{"name", pp.name},
                {"port_id", s.port_id},
                {"device", text(pp.device)},
                {"socket", pp.socket},
                {"mac", s.mac},
                {"peer", port_name(plan, pp.peer)},
                {"state", i < v.health.size() ? v.health[i].state : std::string("running")},
                {"rx_packets", s.rx_packets()},
                {"tx_packets", s.tx_packets()},
                {"rx_bytes", s.rx_bytes()},
                {"tx_bytes", s.tx_bytes()},
                {"drops", s.drops()},
                {"not_ready_drops", s.not_ready()},
                {"hw",
                 {{"ipackets", hw.ipackets},
                  {"opackets", hw.opackets},
                  {"ibytes", hw.ibytes},
                  {"obytes", hw.obytes},
                  {"imissed", hw.imissed},
                  {"ierrors", hw.ierrors},
                  {"oerrors", hw.oerrors},
                  {"rx_nombuf", hw.rx_nombuf}}}};
    });
    json pools = json::object();
    for (const PoolUse& p : v.pools)
        pools[key(p.name)] = {
            {"name", p.name}, {"socket", p.socket}, {"size", p.size}, {"in_use", p.in_use}};
    return checked({{"t_ms", t_ms(v)},
                    {"mode", std::string(config::to_string(plan.mode))},
                    {"ports", std::move(*ps)},
                    {"mempools", std::move(pools)}});
}

json queues(const View& v, std::string_view port) {
    auto ps = port_dict(v, port, [&](size_t i) -> json {
        if (i >= v.snap.ports.size()) return nullptr;
        json qs = json::object();
        for (const auto& q : v.snap.ports[i].queues)
            qs[std::to_string(q.queue)] = {
                {"rx_lcore", q.rx_lcore},     {"tx_lcore", q.tx_lcore},
                {"rx_packets", q.rx_packets}, {"tx_packets", q.tx_packets},
                {"rx_bytes", q.rx_bytes},     {"tx_bytes", q.tx_bytes},
                {"drops", q.drops},           {"not_ready_drops", q.not_ready}};
        return qs;
    });
    if (!ps) return unknown_port(v, port);
    return checked({{"t_ms", t_ms(v)}, {"ports", std::move(*ps)}},
                   "ask for one port: /vfpath/queues,PORT");
}

json latency(const View& v, std::string_view port) {
    bool measured = false;
    auto ps = port_dict(v, port, [&](size_t i) -> json {
        if (i >= v.snap.ports.size()) return nullptr;
        json qs = json::object();
        measure::HistogramData all;
        for (const auto& q : v.snap.ports[i].queues) {
            if (!q.latency) continue;
            qs[std::to_string(q.queue)] = summary(*q.latency);
            measure::merge_into(all, *q.latency);
        }
        if (qs.empty()) return nullptr;
        measured = true;
        qs["all"] = summary(all);
        return qs;
    });
    if (!ps) return unknown_port(v, port);
    json j{{"t_ms", t_ms(v)},
           {"unit", "ns"},
           {"measured", measured ? 1 : 0},
           {"sampling", v.latency_on ? "on" : "off"},
           {"ports", std::move(*ps)}};
    if (!measured) j["note"] = "no queue measures latency in this run";
    return checked(std::move(j), "ask for one port: /vfpath/latency,PORT");
}

json lcores(const View& v) {
    json bins = json::array();
    for (size_t k = 0; k < dataplane::k_burst_bins; ++k) bins.push_back(burst_bin_label(k));
    json ls = json::object();
    for (const dataplane::LcoreSnapshot& l : v.snap.lcores)
        ls[std::to_string(l.lcore)] = {{"lcore", l.lcore},
                                       {"socket", l.socket},
                                       {"iterations", l.iterations},
                                       {"busy_cycles", l.busy_cycles},
                                       {"idle_cycles", l.idle_cycles},
                                       {"busy_share", fraction(l.busy_share())},
                                       {"cycles_per_packet", round_u64(l.cycles_per_packet())},
                                       {"rx_packets", l.rx_packets},
                                       {"polls", l.polls()},
                                       {"busy_polls", l.busy_polls()},
                                       {"rx_bursts", l.rx_bursts}};
    return checked({{"t_ms", t_ms(v)},
                    {"tsc_hz", v.snap.tsc_hz},
                    {"burst_bins", std::move(bins)},
                    {"lcores", std::move(ls)}});
}

json events(const View& v, std::string_view port) {
    auto ps = port_dict(v, port, [&](size_t i) -> json {
        const PortHealth h = i < v.health.size() ? v.health[i] : PortHealth{};
        json by_type = json::object();
        for (const auto& [type, n] : h.events_by_type) by_type[key(type)] = n;
        json rec{{"count", h.recovery_ms.size()}};
        if (!h.recovery_ms.empty()) {
            const auto [lo, hi] = std::minmax_element(h.recovery_ms.begin(), h.recovery_ms.end());
            rec["min"] = round_u64(*lo * 1e3);
            rec["max"] = round_u64(*hi * 1e3);
            rec["last"] = round_u64(h.recovery_ms.back() * 1e3);
        }
        return {{"name", v.plan->ports[i].name},
                {"state", h.state},
                {"events", h.events},
                {"events_by_type", std::move(by_type)},
                {"resets", h.resets},
                {"removals", h.removals},
                {"recovered", h.recovered},
                {"restarted_no_traffic", h.restarted_no_traffic},
                {"failed", h.failed},
                {"degraded", h.degraded},
                {"recurrences", h.recurrences},
                {"mac_changes", h.mac_changes},
                {"link_bounce_restarts", h.link_bounce_restarts},
                {"storms", h.storms},
                {"link_changes", h.link_changes},
                {"watchdog_triggers", h.watchdog_triggers},
                {"admin_stops", h.admin_stops},
                {"admin_starts", h.admin_starts},
                {"admin_restarts", h.admin_restarts},
                {"dropped_during_recovery", h.dropped_during_recovery},
                {"not_ready_drops", i < v.snap.ports.size() ? v.snap.ports[i].not_ready() : 0},
                {"standby", h.standby},
                {"failovers", h.failovers},
                {"on_standby", h.on_standby ? 1 : 0},
                {"recovery_us", std::move(rec)}};
    });
    if (!ps) return unknown_port(v, port);
    json recent = json::array();
    for (const EventLine& e : v.recent) {
        if (!port.empty() && e.port != port) continue;
        char t[32];
        std::snprintf(t, sizeof t, "%.3f", e.t_s);
        recent.push_back(text(std::string(t) + " " + (e.port.empty() ? "-" : e.port) + " " +
                              e.kind + ": " + e.detail));
    }
    return checked({{"t_ms", t_ms(v)},
                    {"journal_total", v.journal_total},
                    {"faults_requested", v.faults_requested},
                    {"ports", std::move(*ps)},
                    {"recent", std::move(recent)}},
                   "ask for one port: /vfpath/events,PORT");
}

json plan(const View& v) {
    const config::Plan& plan = *v.plan;
    const auto keys = port_keys(plan);
    json ps = json::object();
    for (const config::PortPlan& p : plan.ports)
        ps[keys[p.index]] = {{"name", p.name},
                             {"index", p.index},
                             {"device", text(p.device)},
                             {"socket", p.socket},
                             {"rx_queues", p.rx_queues},
                             {"tx_queues", p.tx_queues},
                             {"rx_desc", p.rx_desc},
                             {"tx_desc", p.tx_desc},
                             {"rss", p.rss ? 1 : 0},
                             {"peer", port_name(plan, p.peer)},
                             {"standby", port_name(plan, p.standby)},
                             {"standby_for", port_name(plan, p.standby_for)},
                             {"pool", p.pool < plan.pools.size() ? plan.pools[p.pool].name : ""}};
    json ls = json::object();
    for (const config::LcorePlan& l : plan.lcores) {
        json rx = json::array();
        for (const config::RxAssign& a : l.rx)
            rx.push_back(text(plan.ports[a.port].name + ":" + std::to_string(a.queue) + " > " +
                              (a.tx_port == config::k_no_port ? std::string("sink")
                                                              : plan.ports[a.tx_port].name + ":" +
                                                                    std::to_string(a.tx_queue))));
        ls[std::to_string(l.lcore)] = {{"socket", l.socket}, {"rx", std::move(rx)}};
    }
    json pools = json::object();
    for (const config::PoolPlan& p : plan.pools)
        pools[key(p.name)] = {{"name", p.name},           {"socket", p.socket},
                              {"size", p.size},           {"cache_size", p.cache_size},
                              {"data_room", p.data_room}, {"needed", p.needed}};
    return checked({{"mode", std::string(config::to_string(plan.mode))},
                    {"burst", plan.burst},
                    {"main_lcore", plan.main_lcore},
                    {"eal_lcores", plan.eal_lcores},
                    {"ports", std::move(ps)},
                    {"lcores", std::move(ls)},
                    {"mempools", std::move(pools)}});
}

}  // namespace vfpath::report::tel
