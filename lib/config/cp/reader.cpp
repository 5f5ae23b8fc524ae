// Reader: turns YAML scalars into typed values and collects every error with its position and
// key path. Nothing here throws: yaml-cpp accessors used are the non-throwing ones on nodes whose
// type was checked first.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "config/cp/load_internal.h"
#include "util/utf8.h"

namespace vfpath::config::detail {

namespace {

// Longest scalar quoted back in a message; longer ones are cut so one bad value cannot flood
// the terminal.
constexpr size_t k_max_quoted = 40;

// Names within this edit distance of an unknown key are offered as "did you mean".
constexpr size_t k_max_suggest_distance = 2;

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::optional<size_t> closest(std::string_view name, std::span<const std::string_view> names) {
    std::optional<size_t> best;
    size_t best_distance = k_max_suggest_distance + 1;
    for (size_t i = 0; i < names.size(); ++i) {
        const std::string_view candidate = names[i];
        // A cut-short name ("memory" for "memory_mb") is as good a hint as a typo.
        const bool prefix = name.size() >= 3 && candidate.substr(0, name.size()) == name;
        const size_t d = prefix ? 1 : edit_distance(name, candidate);
        // A distance as long as the name itself is a different word, not a typo ("mtu"/"mac").
        if (d < best_distance && d < name.size()) {
            best = i;
            best_distance = d;
        }
    }
    return best;
}

// YAML 1.2 core-schema integers without a sign: decimal or 0x-hex. A leading '-' is left for the
// caller to fail on, so "-1" for an unsigned key reads "expected an integer in 1..1024, got '-1'".
std::optional<uint64_t> parse_unsigned(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// 'text', shortened when long.
std::string quote(const std::string& s) {
    if (s.size() > k_max_quoted) return "'" + s.substr(0, k_max_quoted) + "...'";
    return "'" + s + "'";
}

std::string format_number(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

Loc loc_of(const YAML::Mark& m) {
    if (m.line < 0 || m.column < 0) return Loc{};
    return Loc{m.line + 1, m.column + 1};
}

In In::child(std::string_view key, const YAML::Node& value, Loc key_loc) const {
    std::string child_path = path.empty() ? std::string(key) : path + "." + std::string(key);
    const Loc value_loc = value.IsNull() ? key_loc : loc_of(value.Mark());
    return In{value, std::move(child_path), value_loc.line ? value_loc : key_loc};
}

In In::item(size_t index, const YAML::Node& value) const {
    // A null item ("-" alone) is marked at the next token, possibly lines below; the list's own
    // position is the better pointer then.
    const Loc value_loc = value.IsNull() ? loc : loc_of(value.Mark());
    return In{value, path + "[" + std::to_string(index) + "]", value_loc.line ? value_loc : loc};
}

std::string describe(const YAML::Node& n) {
    if (!n.IsDefined()) return "nothing";
    if (n.IsNull()) return "null";
    if (n.IsSequence())
        return "a list of " + std::to_string(n.size()) + (n.size() == 1 ? " item" : " items");
    if (n.IsMap()) return "a map";
    if (n.Scalar().empty()) return "an empty string";
    return quote(n.Scalar());
}

std::string join(std::span<const std::string_view> names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

void Reader::error(Loc loc, std::string path, std::string message) {
    diags.push_back(Diag{file, loc, std::move(path), std::move(message)});
}

void Reader::expected(const In& in, std::string_view what) {
    error(in, "expected " + std::string(what) + ", got " + describe(in.node));
}

bool path_at_or_below(std::string_view p, std::string_view root) {
    if (p.size() < root.size() || p.compare(0, root.size(), root) != 0) return false;
    return p.size() == root.size() || p[root.size()] == '.' || p[root.size()] == '[';
}

bool Reader::has_error(std::string_view path) const {
    auto at_or_below = [path](std::string_view p) { return path_at_or_below(p, path); };
    return std::any_of(diags.begin(), diags.end(),
                       [&](const Diag& d) { return at_or_below(d.path); }) ||
           std::any_of(doubtful.begin(), doubtful.end(), at_or_below);
}

std::optional<std::string> Reader::text(const In& in, std::string_view what) {
    if (!in.node.IsScalar()) {
        expected(in, what);
        return std::nullopt;
    }
    // Strings end up in the JSON report and `check --json`, which hold UTF-8 only (an accepted
    // invalid byte made the JSON writer throw: found by fuzzing). The text is not quoted back:
    // that would put the bad byte in the message.
    const std::string& s = in.node.Scalar();
    if (const auto at = bad_utf8_at(s)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(s[*at]));
        error(in, "expected " + std::string(what) + " in UTF-8, got a byte " + byte +
                      " that is not UTF-8 at offset " + std::to_string(*at));
        return std::nullopt;
    }
    return s;
}

std::optional<uint64_t> Reader::integer(const In& in, uint64_t lo, uint64_t hi) {
    const std::string what = "an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
    if (in.node.IsScalar())
        if (auto v = parse_unsigned(in.node.Scalar()); v && *v >= lo && *v <= hi) return v;
    expected(in, what);
    return std::nullopt;
}

std::optional<double> Reader::number(const In& in, double lo) {
    const std::string what = "a number >= " + format_number(lo);
    if (in.node.IsScalar()) {
        std::string_view s = in.node.Scalar();
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        double v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        // from_chars also reads "inf" and "nan"; neither is a duration.
        if (!s.empty() && ec == std::errc{} && end == s.data() + s.size() && std::isfinite(v) &&
            v >= lo)
            return v;
    }
    expected(in, what);
    return std::nullopt;
}

std::optional<bool> Reader::boolean(const In& in) {
    // YAML 1.2 says true/false; the YAML 1.1 words are still common in hand-written files.
    static constexpr std::string_view k_true[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static constexpr std::string_view k_false[] = {"false", "False", "FALSE", "no",
                                                   "No",    "off",   "Off"};
    if (in.node.IsScalar()) {
        const std::string& s = in.node.Scalar();
        if (std::find(std::begin(k_true), std::end(k_true), s) != std::end(k_true)) return true;
        if (std::find(std::begin(k_false), std::end(k_false), s) != std::end(k_false)) return false;
    }
    expected(in, "true or false");
    return std::nullopt;
}

std::optional<MacAddr> Reader::mac(const In& in, bool own_address) {
    std::optional<MacAddr> m;
    if (in.node.IsScalar()) m = parse_mac(in.node.Scalar());
    if (!m) {
        expected(in, "a MAC address like 02:00:00:00:00:01");
        return std::nullopt;
    }
    if (*m == MacAddr{}) {
        error(in, "00:00:00:00:00:00 is not a usable MAC address");
        return std::nullopt;
    }
    // Bit 0 of the first octet marks group addresses (IEEE 802-2014 §8.2); a NIC cannot own one.
    if (own_address && ((*m)[0] & 0x01) != 0) {
        error(in, format_mac(*m) +
                      " is a multicast address; a port's own MAC must be unicast (first octet "
                      "even, e.g. 02:...)");
        return std::nullopt;
    }
    return m;
}

std::optional<std::string> Reader::word(const In& in, std::span<const std::string_view> allowed) {
    if (in.node.IsScalar() &&
        std::find(allowed.begin(), allowed.end(), in.node.Scalar()) != allowed.end())
        return in.node.Scalar();
    expected(in, "one of " + join(allowed));
    return std::nullopt;
}

std::optional<size_t> Reader::match_key(const In& map, const YAML::Node& key,
                                        std::span<const std::string_view> names,
                                        std::optional<size_t>& suggested) {
    const Loc key_loc = loc_of(key.Mark());
    if (!key.IsScalar()) {
        error(key_loc.line ? key_loc : map.loc, map.path,
              "keys must be plain names, got " + describe(key) + "; allowed keys: " + join(names));
        return std::nullopt;
    }
    const std::string& name = key.Scalar();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());

    std::string message = "unknown key " + quote(name);
    if (name == "<<")
        message += " (YAML merge keys are not supported; repeat the values)";
    else if ((suggested = closest(name, names)))
        message += " (did you mean '" + std::string(names[*suggested]) + "'?)";
    message += "; allowed keys: " + join(names);
    error(key_loc, map.child(name, key, key_loc).path, std::move(message));
    return std::nullopt;
}

}  // namespace vfpath::config::detail
