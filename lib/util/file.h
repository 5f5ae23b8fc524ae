// Reading small text files such as sysfs and procfs values. Control path only.
#pragma once

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace vfpath {

// The first line of a file without trailing blanks; nullopt when it cannot be read.
inline std::optional<std::string> read_first_line(const std::filesystem::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    std::string s;
    std::getline(in, s);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

// The whole of `s` as a decimal T ("-" allowed for signed T, no blanks, no "+"); nullopt when
// empty, when anything follows the number, or when it does not fit in T.
template <class T>
std::optional<T> parse_number(std::string_view s) {
    T v{};
    if (s.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The N of a sysfs name "<prefix>N" ("node12" -> 12): N is digits only and fits an int;
// nullopt for anything else ("node", "node-0", "node1x", "node99999999999", "cpu1").
inline std::optional<int> suffix_number(std::string_view name, std::string_view prefix) {
    if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view n = name.substr(prefix.size());
    if (n.empty() || !std::isdigit(static_cast<unsigned char>(n.front()))) return std::nullopt;
    return parse_number<int>(n);
}

}  // namespace vfpath
