// Internal to lib/config/cp: the pieces of the YAML loader shared by its .cpp files.
//   reader.cpp   - Reader: typed scalar decoding, error collection, key-table walking helpers
//   schema.cpp   - the key tables (one per YAML map) and decode_config
//   validate.cpp - cross-key checks on the decoded Config (validate_config)
//   load.cpp     - load_string / load_file, Diag::str, small Config helpers
//   env.cpp      - ${VAR} expansion in scalar values
//   device_ref.cpp - ports[].device from the Kubernetes SR-IOV device plugin (PCIDEVICE_*)
// Nothing outside lib/config/cp includes this; yaml-cpp types stop here.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "config/api.h"

namespace vfpath::config::detail {

// yaml-cpp marks are 0-based and (-1,-1) when unknown; ours are 1-based with 0 = unknown.
Loc loc_of(const YAML::Mark& m);

// A YAML value being decoded: the node, its key path ("ports[1].rx_queues") and its position.
struct In {
    YAML::Node node;
    std::string path;
    Loc loc;

    // A null value has no text of its own (yaml-cpp then marks the next token), so its position
    // is the key's.
    In child(std::string_view key, const YAML::Node& value, Loc key_loc) const;
    In item(size_t index, const YAML::Node& value) const;
};

// "a map", "a list", "null" or the scalar quoted (shortened), for "expected X, got Y" messages.
std::string describe(const YAML::Node& n);
// "a, b, c" for "allowed: ..." messages.
std::string join(std::span<const std::string_view> names);
// True when key path `p` is `root` or lies below it ("ports[1]" covers "ports[1].rx_queues",
// not "ports[10]").
bool path_at_or_below(std::string_view p, std::string_view root);

// Collects every error found; decoding goes on after an error so one run reports them all.
struct Reader {
    std::string file;
    std::vector<Diag> diags;
    Env env;  // ${VAR} and PCIDEVICE_* lookups; empty: no variable is set
    // Paths whose value is in doubt without an error of their own: "rx_queue: 2" probably meant
    // rx_queues, so rx_queues' default must not feed "queue 1 does not exist" and the like.
    std::vector<std::string> doubtful;

    void error(Loc loc, std::string path, std::string message);
    void error(const In& in, std::string message) { error(in.loc, in.path, std::move(message)); }
    // "expected <what>, got <the node>": the one message shape for type and range errors.
    void expected(const In& in, std::string_view what);
    // True when an error was reported at `path` or below it ("ports[1]" covers
    // "ports[1].rx_queues"), or such a path is doubtful. Cross-key checks skip values that already
    // failed, so one mistake gives one message, not a cascade.
    bool has_error(std::string_view path) const;

    // Typed scalars: nullopt (and an error naming what is allowed) when the node does not fit.
    std::optional<std::string> text(const In& in, std::string_view what = "a string");
    std::optional<uint64_t> integer(const In& in, uint64_t lo, uint64_t hi);
    std::optional<double> number(const In& in, double lo);
    std::optional<bool> boolean(const In& in);
    std::optional<MacAddr> mac(const In& in, bool own_address);
    // One of a fixed set of words (log levels, modes); the error lists them.
    std::optional<std::string> word(const In& in, std::span<const std::string_view> allowed);

    template <class U>
    void set(const In& in, uint64_t lo, uint64_t hi, U& out) {
        if (auto v = integer(in, lo, hi)) out = static_cast<U>(*v);
    }
    template <class U>
    void set(const In& in, uint64_t lo, uint64_t hi, std::optional<U>& out) {
        if (auto v = integer(in, lo, hi)) out = static_cast<U>(*v);
    }
    void set(const In& in, bool& out) {
        if (auto v = boolean(in)) out = *v;
    }
    void set(const In& in, std::optional<bool>& out) {
        if (auto v = boolean(in)) out = *v;
    }

    // Calls `fn` for each element; false (with an error) when the node is not a list.
    template <class Fn>
    bool each_item(const In& in, std::string_view what, Fn&& fn) {
        if (!in.node.IsSequence()) {
            expected(in, what);
            return false;
        }
        size_t index = 0;
        for (const YAML::Node& value : in.node) fn(in.item(index++, value));
        return true;
    }

    // Checks one key of a map against the table's names: returns its index, or nullopt after
    // reporting an unknown (with a "did you mean") or a non-scalar key. `suggested` gets the
    // index of the name offered as "did you mean", if any.
    std::optional<size_t> match_key(const In& map, const YAML::Node& key,
                                    std::span<const std::string_view> names,
                                    std::optional<size_t>& suggested);
};

// What the configuration reference (docs/configuration.md, generated by tools/config-reference)
// says about a key, in Markdown.
struct KeyDoc {
    std::string_view type;     // what the value may be: "integer 1..1024"
    std::string_view def;      // the default: "`1`", "unset" ("—" for a required key)
    std::string_view example;  // a valid value, as written after "key: "
    std::string_view text;     // what the key does
};

// One row of the reference: a key's full path ("ports[].vf.mac") and what it says.
struct KeyRow {
    std::string path;
    bool required;
    KeyDoc doc;
};
using KeyRows = std::vector<KeyRow>;

// One entry of a key table: the YAML key, its documentation, how to decode its value into T,
// whether it must be present, and for a value that is a map (or a list of maps) with a table of
// its own, that table's rows. The table is the only list of a map's keys: it drives unknown-key
// rejection, the "allowed keys" in messages, missing-key errors, decoding (STYLE §7) and the
// configuration reference.
template <class T>
struct Key {
    std::string_view name;
    KeyDoc doc;
    void (*decode)(Reader&, const In&, T&);
    bool required = false;
    void (*rows)(KeyRows&, const std::string& prefix) = nullptr;
};

// The rows of a key table, each key's path prefixed; a key with a table of its own is followed
// by that table's rows ("ports[]." for a list of maps, "recovery." for a map).
template <const auto& Keys>
void rows_of(KeyRows& out, const std::string& prefix) {
    for (const auto& k : Keys) {
        out.push_back({prefix + std::string(k.name), k.required, k.doc});
        if (k.rows) k.rows(out, prefix + std::string(k.name));
    }
}
template <const auto& Keys>
void map_rows(KeyRows& out, const std::string& path) {
    rows_of<Keys>(out, path + ".");
}
template <const auto& Keys>
void list_rows(KeyRows& out, const std::string& path) {
    rows_of<Keys>(out, path + "[].");
}

// Decodes a YAML map into `out` through its key table. A null value counts as an empty map so a
// section whose keys are all commented out keeps its defaults. (T is deduced from `out` only, so a
// table array converts to the span.)
template <class T>
void decode_map(Reader& r, const In& in, std::span<const Key<std::type_identity_t<T>>> keys,
                T& out) {
    std::vector<std::string_view> names;
    for (const Key<T>& k : keys) names.push_back(k.name);
    if (!in.node.IsMap() && !in.node.IsNull()) {
        r.expected(in, "a map with keys " + join(names));
        return;
    }
    std::vector<Loc> seen(keys.size());  // line 0: not seen yet
    // Keys offered as "did you mean": their absence is already explained by that message, so a
    // typo in a required key gives one error, not two.
    std::vector<bool> suggested(keys.size());
    if (in.node.IsMap()) {
        for (const auto& kv : in.node) {
            std::optional<size_t> suggestion;
            const auto index = r.match_key(in, kv.first, names, suggestion);
            if (suggestion) {
                suggested[*suggestion] = true;
                r.doubtful.push_back(in.child(names[*suggestion], YAML::Node(), in.loc).path);
            }
            if (!index) continue;
            const Loc key_loc = loc_of(kv.first.Mark());
            const In value = in.child(names[*index], kv.second, key_loc);
            if (seen[*index].line != 0) {
                // yaml-cpp keeps both entries of a repeated key; silently taking one would hide
                // a copy-paste mistake.
                r.error(
                    key_loc, value.path,
                    "duplicate key; already given at line " + std::to_string(seen[*index].line));
                continue;
            }
            seen[*index] = key_loc;
            keys[*index].decode(r, value, out);
        }
    }
    for (size_t i = 0; i < keys.size(); ++i)
        if (keys[i].required && seen[i].line == 0 && !suggested[i])
            r.error(in.loc, in.child(names[i], YAML::Node(), in.loc).path,
                    "missing required key '" + std::string(names[i]) + "'");
}

// Expands ${VAR} in every scalar value of the tree (env.cpp); errors carry the value's position
// and key path. Returns the paths whose value could not be expanded.
std::vector<std::string> expand_env(Reader& r, YAML::Node root);

// ports[].device given as a map {resource, index | match}: decodes it into `ref` and returns the
// PCI address it resolves to through PCIDEVICE_* (device_ref.cpp); nullopt after an error.
std::optional<std::string> decode_device_ref(Reader& r, const In& in, DeviceRef& ref);

// The whole document; T's table lives in schema.cpp.
Config decode_config(Reader& r, const YAML::Node& root);
// Every key of the schema, in table order, for the configuration reference (schema.cpp).
KeyRows schema_rows();
// The rows of ports[].device as a map (device_ref.cpp) and of gen (gen.cpp).
void device_ref_rows(KeyRows& out, const std::string& path);
void gen_rows(KeyRows& out, const std::string& path);
// Checks between keys that need no host or devices; see validate.cpp.
void validate_config(Reader& r, const Config& cfg);
// The gen: section (gen.cpp): decoding, and its port references.
void decode_gen(Reader& r, const In& in, Config& c);
void validate_gen(Reader& r, const Config& cfg);

// "0000:3b:02.0" or "3b:02.0" (domain 4..8 hex digits, device <= 0x1f, function <= 7).
bool is_pci_address(std::string_view s);
// "net_<name>[,args]" with a name of letters, digits, '_' and '-'.
bool is_vdev_spec(std::string_view s);
// What makes two device strings the same device: the PCI address with its domain and in lower
// case, or a vdev's name (DPDK refuses two vdevs with one name, whatever their arguments).
std::string device_identity(std::string_view device);
// Port names: [A-Za-z0-9_-]+ (they appear in "port:queue" refs and in metric labels).
bool is_port_name(std::string_view s);
// The forwarding mode names, in enum order, from the table behind to_string (values.cpp).
std::span<const std::string_view> fwd_mode_names();
std::span<const std::string_view> latency_clock_names();
// Without leading and trailing blanks and tabs (values.cpp).
std::string_view trim(std::string_view s);

}  // namespace vfpath::config::detail
