#include "app/cli_checks.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <sys/stat.h>

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
            // from_chars reads plain decimals only ("10", "0.5", "1e1"); strtod also took hex
            // and hex floats ("0x10" ran 16 s) and leading blanks.
            double v = 0;
            const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), v);
            if (in.empty() || ec != std::errc{} || end != in.data() + in.size() ||
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

CLI::Validator config_file() {
    return CLI::Validator(
        [](std::string& in) -> std::string {
            struct stat st{};
            if (::stat(in.c_str(), &st) != 0)
                return in_quotes(in) + ": " + std::strerror(errno);
            if (S_ISREG(st.st_mode)) return {};
            const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                               : S_ISFIFO(st.st_mode) ? "a FIFO"
                               : S_ISCHR(st.st_mode)  ? "a character device"
                               : S_ISBLK(st.st_mode)  ? "a block device"
                               : S_ISSOCK(st.st_mode) ? "a socket"
                                                      : "not a regular file";
            return in_quotes(in) + " is " + kind + ", not a regular file";
        },
        "FILE");
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

int usage_error(const CLI::App& app, int argc, char** argv, const CLI::ParseError& e,
                std::string* message) {
    const auto say = [&](const std::string& m) {
        control::print_error(m);
        if (message) *message = m;
    };
    // Follow the command words as far as they go: that is the command the user meant.
    const CLI::App* cur = &app;
    std::string path = "vfpath";
    std::string unknown_word, unknown_option;
    for (int i = 1; i < argc; ++i) {
        const std::string w = argv[i];
        const bool wants_command = !commands(*cur).empty();
        if (!w.empty() && w[0] == '-') {
            // An option this command knows ("vfpath --log-format json check ...") is skipped
            // with its value; only an unknown one is the mistake.
            const std::string name = w.substr(0, w.find('='));
            if (const CLI::Option* o = cur->get_option_no_throw(name)) {
                if (w.find('=') == std::string::npos && o->get_items_expected_min() > 0) ++i;
                continue;
            }
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
            say("unknown command " + in_quotes(unknown_word) + " for '" + path +
                                 "': expected one of " + list + help);
        else if (!unknown_option.empty())
            say("unknown option " + in_quotes(unknown_option) + " for '" + path +
                                 "', which expects a command: " + list + help);
        else
            say("'" + path + "' needs a command: " + list + help);
        return control::k_exit_usage;
    }
    say(e.what() + help);
    return control::k_exit_usage;
}

std::optional<std::string> early_log_format(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string w = argv[i];
        if (w == "--") break;
        if (w == "--log-format" && i + 1 < argc) return std::string(argv[i + 1]);
        if (w.rfind("--log-format=", 0) == 0) return w.substr(13);
    }
    return std::nullopt;
}

}  // namespace vfpath::app
