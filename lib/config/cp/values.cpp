// Small value parsers shared by the YAML loader, the planner and the CLI: MAC addresses,
// forwarding modes and EAL-style CPU lists. Pure functions, no YAML.
#include <algorithm>
#include <charconv>
#include <iterator>
#include <span>

#include "config/api.h"
#include "config/cp/load_internal.h"

namespace vfpath::config {

namespace {

// One table gives the FwdMode names for printing, parsing and the loader's "one of ..." message
// (STYLE §10: strings from one table), so a new mode cannot be parseable but unprintable.
// Indexed by the enum's value.
constexpr std::string_view k_fwd_mode_names[] = {"io", "macswap", "l2", "sink"};
static_assert(std::size(k_fwd_mode_names) == static_cast<size_t>(FwdMode::sink) + 1);

// EAL's own lcore ids stop at RTE_MAX_LCORE (128 in Debian's build, up to 1024 in custom
// builds); 1023 is the largest id any DPDK build accepts, the planner checks the host.
constexpr unsigned k_max_cpu_id = 1023;

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

using detail::trim;

// Decimal CPU id, digits only (no sign, no spaces inside), at most k_max_cpu_id.
std::optional<unsigned> parse_cpu_id(std::string_view s) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > k_max_cpu_id) return std::nullopt;
    return v;
}

}  // namespace

std::optional<MacAddr> parse_mac(std::string_view s) {
    // Exactly six two-digit groups with one separator style: "aa:bb:cc:dd:ee:ff" is 17 chars.
    if (s.size() != 17) return std::nullopt;
    const char sep = s[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    MacAddr mac{};
    for (size_t i = 0; i < mac.size(); ++i) {
        const size_t at = i * 3;
        const int hi = hex_digit(s[at]);
        const int lo = hex_digit(s[at + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i + 1 < mac.size() && s[at + 2] != sep) return std::nullopt;
        mac[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return mac;
}

std::string format_mac(const MacAddr& m) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(17);
    for (size_t i = 0; i < m.size(); ++i) {
        if (i) out += ':';
        out += k_hex[m[i] >> 4];
        out += k_hex[m[i] & 0xf];
    }
    return out;
}

// An enum's word from its table of names in enum order, and back.
template <class E, size_t N>
std::string_view enum_word(const std::string_view (&names)[N], E e) {
    const auto index = static_cast<size_t>(e);
    return index < N ? names[index] : "unknown";
}
template <class E, size_t N>
std::optional<E> enum_parse(const std::string_view (&names)[N], std::string_view s) {
    for (size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

std::string_view to_string(FwdMode m) { return enum_word(k_fwd_mode_names, m); }

std::optional<FwdMode> parse_fwd_mode(std::string_view s) {
    return enum_parse<FwdMode>(k_fwd_mode_names, s);
}

constexpr std::string_view k_latency_clock_names[] = {"auto", "tsc", "hw"};
static_assert(std::size(k_latency_clock_names) == static_cast<size_t>(LatencyClock::hw) + 1);

std::string_view to_string(LatencyClock c) { return enum_word(k_latency_clock_names, c); }

std::optional<LatencyClock> parse_latency_clock(std::string_view s) {
    return enum_parse<LatencyClock>(k_latency_clock_names, s);
}

std::span<const std::string_view> detail::latency_clock_names() { return k_latency_clock_names; }

std::span<const std::string_view> detail::fwd_mode_names() {
    return k_fwd_mode_names;
}

std::string_view detail::trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view s) {
    std::vector<unsigned> ids;
    if (trim(s).empty()) return std::nullopt;
    // Items are separated by ','; blanks around an item are tolerated because YAML authors write
    // "0-1, 4", but an empty item ("0,,1", "0,") is a typo and rejected.
    while (true) {
        const size_t comma = s.find(',');
        const std::string_view item = trim(s.substr(0, comma));
        const size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            const auto id = parse_cpu_id(item);
            if (!id) return std::nullopt;
            ids.push_back(*id);
        } else {
            const auto first = parse_cpu_id(item.substr(0, dash));
            const auto last = parse_cpu_id(item.substr(dash + 1));
            if (!first || !last || *first > *last) return std::nullopt;
            for (unsigned id = *first; id <= *last; ++id) ids.push_back(id);
        }
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace vfpath::config
