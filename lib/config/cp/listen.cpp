// metrics.listen: "A.B.C.D:PORT". Only IPv4 literals: a host name could resolve to a public
// address later, and the HTTP library Debian ships (civetweb 1.15) is built without IPv6.
#include <charconv>

#include "config/api.h"

namespace vfpath::config {

namespace {

// A decimal number in [0, max] with no sign, no blanks and no leading zeros ("08" is refused:
// inet_aton would read it as octal).
std::optional<unsigned> decimal(std::string_view s, unsigned max) {
    if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

}  // namespace

std::optional<ListenAddr> parse_listen(std::string_view s) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto port = decimal(s.substr(colon + 1), 65535);
    if (!port) return std::nullopt;
    ListenAddr a;
    a.port = static_cast<uint16_t>(*port);
    std::string_view host = s.substr(0, colon);
    for (size_t i = 0; i < 4; ++i) {
        const auto dot = host.find('.');
        if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
        const auto octet = decimal(host.substr(0, dot), 255);
        if (!octet) return std::nullopt;
        a.ip[i] = static_cast<uint8_t>(*octet);
        host = i < 3 ? host.substr(dot + 1) : std::string_view{};
    }
    return a;
}

}  // namespace vfpath::config
