// Text from outside (config values, file names, arguments, sysfs) echoed in a message goes to a
// terminal: control characters in it would be run by the terminal (ESC sequences) or cut the
// message short (NUL). escape_control() makes them visible as \xNN. Header-only.
#pragma once

#include <string>
#include <string_view>

#include "util/utf8.h"

namespace vfpath {

// `s` with every C0 control (0x00-0x1f), DEL, C1 control (U+0080-U+009F) and byte that is not
// well-formed UTF-8 written as \xNN (per byte). With keep_lines, '\n' and '\t' stay as they are
// (multi-line log messages).
inline std::string escape_control(std::string_view s, bool keep_lines = false) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    const auto hex = [&](unsigned char c) {
        out += "\\x";
        out += k_hex[c >> 4];
        out += k_hex[c & 0xf];
    };
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f) && !(keep_lines && (c == '\n' || c == '\t')))
                hex(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        const size_t n = utf8_length(s, i);
        if (n == 0 || (n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0)) {
            for (size_t k = 0; k < (n == 0 ? 1 : n); ++k) hex(static_cast<unsigned char>(s[i + k]));
            i += n == 0 ? 1 : n;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace vfpath
