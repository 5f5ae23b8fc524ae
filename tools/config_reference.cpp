// config-reference: the configuration reference from lib/config's key tables.
//   config-reference                 print the generated part to stdout
//   config-reference --check FILE    exit 1 when FILE's generated part differs (the test)
//   config-reference --update FILE   rewrite FILE's generated part in place
// The generated part sits between the two marker lines below; the prose around it is FILE's own.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "config/reference.h"

namespace {

constexpr std::string_view k_begin =
    "<!-- generated: the key tables of lib/config/cp, by build/tools/config-reference; "
    "do not edit by hand -->\n";
constexpr std::string_view k_end = "<!-- end of generated reference -->\n";

int usage() {
    std::fprintf(stderr, "usage: config-reference [--check FILE | --update FILE]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const vfpath::config::Reference ref = vfpath::config::reference();
    if (!ref.incomplete.empty()) {
        for (const std::string& key : ref.incomplete)
            std::fprintf(stderr,
                         "error: config key %s lacks a type, default, example or text in its "
                         "key table (lib/config/cp)\n",
                         key.c_str());
        return 1;
    }
    if (!ref.bad_examples.empty()) {
        for (const std::string& why : ref.bad_examples)
            std::fprintf(stderr, "error: config key %s\n", why.c_str());
        return 1;
    }
    if (argc == 1) {
        std::cout << ref.markdown;
        return 0;
    }
    if (argc != 3) return usage();
    const std::string mode = argv[1], path = argv[2];
    if (mode != "--check" && mode != "--update") return usage();

    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "error: %s: cannot read it\n", path.c_str());
        return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const size_t b = doc.find(k_begin);
    const size_t e = b == std::string::npos ? b : doc.find(k_end, b);
    if (e == std::string::npos) {
        std::fprintf(stderr, "error: %s: no generated part; it must lie between the lines\n%.*s%.*s",
                     path.c_str(), static_cast<int>(k_begin.size()), k_begin.data(),
                     static_cast<int>(k_end.size()), k_end.data());
        return 1;
    }
    const size_t from = b + k_begin.size();
    const std::string current = doc.substr(from, e - from);
    const std::string wanted = "\n" + ref.markdown + "\n";
    if (mode == "--check") {
        if (current == wanted) return 0;
        // The first line that differs, so the failure says what drifted.
        std::istringstream a(current), w(wanted);
        std::string la, lw;
        size_t line = static_cast<size_t>(std::count(doc.begin(), doc.begin() + from, '\n')) + 1;
        while (true) {
            const bool ga = static_cast<bool>(std::getline(a, la));
            const bool gw = static_cast<bool>(std::getline(w, lw));
            if (!ga && !gw) break;
            if (!ga || !gw || la != lw) {
                std::fprintf(stderr, "%s:%zu: the file has\n  %s\nthe key tables give\n  %s\n",
                             path.c_str(), line, ga ? la.c_str() : "(end)",
                             gw ? lw.c_str() : "(end)");
                break;
            }
            ++line;
        }
        std::fprintf(stderr,
                     "error: %s is stale: the config key tables in lib/config/cp changed. "
                     "Regenerate it with:\n  build/tools/config-reference --update "
                     "docs/configuration.md\n",
                     path.c_str());
        return 1;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << doc.substr(0, from) << wanted << doc.substr(e);
    if (!out.flush()) {
        std::fprintf(stderr, "error: %s: cannot write it\n", path.c_str());
        return 1;
    }
    return 0;
}
