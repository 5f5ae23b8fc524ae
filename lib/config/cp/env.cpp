// Environment variables in config values: ${VAR}, ${VAR:-default} and $$, expanded in every
// scalar value before it is decoded (so "mtu: ${MTU:-1500}" is an integer like any other).
// Pure: the environment is a lookup function, so tests give their own.
#include <cstdlib>
#include <map>
#include <unordered_set>

#include "config/cp/load_internal.h"

namespace vfpath::config {

namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

Env process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name.c_str())) return std::string(v);
        return std::nullopt;
    };
}

Env fixed_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

Result<std::string> expand_vars(std::string_view text, const Env& env) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '$') {
            out += c;
            ++i;
            continue;
        }
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (next == '$') {  // $$: a literal '$'
            out += '$';
            i += 2;
            continue;
        }
        if (name_start(next)) {
            // Shells and docker compose expand "$HOME"; here it would silently stay as written.
            size_t end = i + 1;
            while (end < text.size() && name_char(text[end])) ++end;
            const std::string name(text.substr(i + 1, end - i - 1));
            return fail("'$" + name + "' is not expanded: write ${" + name +
                        "} for the variable, or $$" + name + " for a literal '$'");
        }
        if (next != '{') {  // "$", "$5", "a $ b": a '$' that starts nothing is itself
            out += '$';
            ++i;
            continue;
        }
        const size_t close = text.find('}', i + 2);
        if (close == std::string_view::npos)
            return fail("'${' at offset " + std::to_string(i) +
                        " is not closed: write ${NAME} or ${NAME:-default} ($$ is a literal '$')");
        const std::string_view inner = text.substr(i + 2, close - i - 2);
        size_t n = 0;
        while (n < inner.size() && name_char(inner[n])) ++n;
        const std::string name(inner.substr(0, n));
        if (name.empty() || !name_start(name[0]))
            return fail("'${" + std::string(inner) +
                        "}' does not start with a variable name (letters, digits and '_', not "
                        "starting with a digit)");
        const std::string_view rest = inner.substr(n);
        const std::optional<std::string> value = env ? env(name) : std::nullopt;
        if (rest.empty()) {
            if (!value)
                return fail("environment variable " + name +
                            " is not set (write ${" + name + ":-default} to give a default)");
            out += *value;
        } else if (rest.substr(0, 2) == ":-") {
            const std::string_view fallback = rest.substr(2);
            if (fallback.find("${") != std::string_view::npos)
                return fail("'${" + std::string(inner) +
                            "}': a default is literal text; it cannot hold another ${...}");
            // As in POSIX sh: the default also replaces a variable that is set but empty.
            out += value && !value->empty() ? *value : std::string(fallback);
        } else {
            return fail("'${" + std::string(inner) + "}': expected '}' or ':-default' after " +
                        name + " (only ${" + name + "} and ${" + name +
                        ":-default} are supported)");
        }
        i = close + 1;
    }
    return out;
}

namespace detail {

namespace {

struct Expander {
    Reader& r;
    const Env& env;
    // Nodes already walked. An alias reaches the same node again: a scalar must not be expanded
    // twice ("$$" would lose its meaning) and "&a [*a]" would recurse forever. yaml-cpp gives no
    // node identity but is(); each node's tag string lives in its own node data, which aliases
    // share, so its address is the identity (and a set keeps this linear on large inputs).
    std::unordered_set<const void*> seen;
    std::vector<std::string> failed;

    void walk(YAML::Node node, const std::string& path) {
        if (!seen.insert(&node.Tag()).second) return;
        if (node.IsMap()) {
            for (auto kv : node) {
                const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
                walk(kv.second, path.empty() ? key : path + "." + key);
            }
        } else if (node.IsSequence()) {
            size_t i = 0;
            for (auto item : node) walk(item, path + "[" + std::to_string(i++) + "]");
        } else if (node.IsScalar()) {
            const std::string& text = node.Scalar();
            if (text.find('$') == std::string::npos) return;
            auto expanded = expand_vars(text, env);
            if (!expanded) {
                r.error(loc_of(node.Mark()), path, expanded.error());
                failed.push_back(path);
                return;
            }
            // Assigning a string keeps the node's mark, so errors still point into the file.
            if (*expanded != text) node = *expanded;
        }
    }
};

}  // namespace

std::vector<std::string> expand_env(Reader& r, YAML::Node root) {
    Expander x{r, r.env, {}, {}};
    x.walk(root, "");
    return std::move(x.failed);
}

}  // namespace detail

}  // namespace vfpath::config
