// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
// Header-only: used by the config reader (lib/config) and the JSON log formatter (log.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace vfpath {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII); 0 when s[i] does not
// start one.
inline size_t utf8_length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    size_t n = 0;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(k) & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;  // overlong
    if (c == 0xed && b(1) > 0x9f) return 0;  // surrogate
    if (c == 0xf0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xf4 && b(1) > 0x8f) return 0;  // above U+10FFFF
    return n;
}

// Offset of the first byte that does not belong to well-formed UTF-8; nullopt when the whole
// text is well formed.
inline std::optional<size_t> bad_utf8_at(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}

}  // namespace vfpath
