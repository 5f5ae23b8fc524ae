#include "app/cli_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "control/api.h"

namespace vfpath::app {

namespace {

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

std::vector<const CLI::App*> commands(const CLI::App& a) {
    return a.get_subcommands([](const CLI::App*) { return true; });
}

std::string command_list(const CLI::App& a) {
    std::string out;
    for (const CLI::App* c : commands(a)) out += (out.empty() ? "" : ", ") + c->get_name();
    return out;
}

const CLI::App* find_command(const CLI::App& a, const std::string& word) {
    for (const CLI::App* c : commands(a))
        if (c->get_name() == word) return c;
    return nullptr;
}

}  // namespace

CLI::Validator seconds() {
    return CLI::Validator(
        [](std::string& in) -> std::string {
            errno = 0;
            char* end = nullptr;
            const double v = std::strtod(in.c_str(), &end);
            if (in.empty() || end != in.c_str() + in.size() || errno == ERANGE ||
                !std::isfinite(v) || v < 0)
                return "expected a number of seconds >= 0 (10, 0.5), got " + in_quotes(in);
            return {};
        },
        "SECONDS");
}

CLI::Validator whole(unsigned long long max) {
    return CLI::Validator(
        [max](std::string& in) -> std::string {
            const std::string want =
                "expected a whole number 0.." + std::to_string(max) + ", got " + in_quotes(in);
            if (in.empty() || in.size() > 20 || in.find_first_not_of("0123456789") != in.npos)
                return want;
            errno = 0;
            const unsigned long long v = std::strtoull(in.c_str(), nullptr, 10);
            if (errno == ERANGE || v > max) return want;
            return {};
        },
        "0.." + std::to_string(max));
}

CLI::Validator one_of(std::initializer_list<const char*> words) {
    std::vector<std::string> w(words.begin(), words.end());
    std::string list;
    for (const auto& s : w) list += (list.empty() ? "" : ", ") + s;
    return CLI::Validator(
        [w, list](std::string& in) -> std::string {
            for (const auto& s : w)
                if (in == s) return {};
            return "expected one of " + list + ", got " + in_quotes(in);
        },
        list);
}

int usage_error(const CLI::App& app, int argc, char** argv, const CLI::ParseError& e) {
    // Follow the command words as far as they go: that is the command the user meant.
    const CLI::App* cur = &app;
    std::string path = "vfpath";
    std::string unknown_word, unknown_option;
    for (int i = 1; i < argc; ++i) {
        const std::string w = argv[i];
        const bool wants_command = !commands(*cur).empty();
        if (!w.empty() && w[0] == '-') {
            if (wants_command && unknown_option.empty()) unknown_option = w;
            continue;
        }
        if (const CLI::App* c = find_command(*cur, w)) {
            cur = c;
            path += " " + w;
            unknown_option.clear();
        } else if (wants_command) {
            // "vfpath --bogus value": the option is the mistake, not its value.
            if (unknown_option.empty()) unknown_word = w;
            break;
        }
    }
    const std::string help = " (see '" + path + " --help')";
    if (!commands(*cur).empty()) {
        const std::string list = command_list(*cur);
        if (!unknown_word.empty())
            std::fprintf(stderr, "error: unknown command %s for '%s': expected one of %s%s\n",
                         in_quotes(unknown_word).c_str(), path.c_str(), list.c_str(), help.c_str());
        else if (!unknown_option.empty())
            std::fprintf(stderr, "error: unknown option %s for '%s', which expects a command: %s%s\n",
                         in_quotes(unknown_option).c_str(), path.c_str(), list.c_str(), help.c_str());
        else
            std::fprintf(stderr, "error: '%s' needs a command: %s%s\n", path.c_str(), list.c_str(),
                         help.c_str());
        return control::k_exit_usage;
    }
    std::fprintf(stderr, "error: %s%s\n", e.what(), help.c_str());
    return control::k_exit_usage;
}

}  // namespace vfpath::app
