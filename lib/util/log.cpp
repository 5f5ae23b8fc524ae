#include "util/log.h"

#include <ctime>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <spdlog/pattern_formatter.h>

#include "util/escape.h"
#include "util/utf8.h"

namespace vfpath::log {

namespace {

// %* is the message with control characters escaped (EscapedPayload).
constexpr const char* k_text_pattern = "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %*";

// The message as text for a terminal: an ESC or NUL from a config value, a device name or a
// PMD's string is shown as \xNN instead of acting on the terminal or cutting the line short.
class EscapedPayload final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const std::string e =
            escape_control(std::string_view(msg.payload.data(), msg.payload.size()), true);
        dest.append(e.data(), e.data() + e.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<EscapedPayload>();
    }
};

std::unique_ptr<spdlog::formatter> text_formatter() {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<EscapedPayload>('*').set_pattern(k_text_pattern);
    return f;
}

// Logs go to stderr so stdout stays for tables and machine output. The sink holds the format,
// so loggers created later get it too.
std::shared_ptr<spdlog::sinks::stderr_color_sink_mt> sink() {
    static auto s = [] {
        auto p = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        p->set_formatter(text_formatter());
        return p;
    }();
    return s;
}
spdlog::level::level_enum g_level = spdlog::level::info;
bool g_json = false;

void append(spdlog::memory_buf_t& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

// A JSON string (RFC 8259): quotes, backslashes and control characters escaped; bytes that are
// not UTF-8 (a PMD's garbage, a binary device name) become U+FFFD so the line stays valid JSON.
void append_json_string(spdlog::memory_buf_t& out, std::string_view s) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out.push_back('"');
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const size_t n = utf8_length(s, i);
            if (n == 0) {
                append(out, "\\ufffd");
                ++i;
            } else {
                append(out, s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
            case '"': append(out, "\\\""); break;
            case '\\': append(out, "\\\\"); break;
            case '\n': append(out, "\\n"); break;
            case '\r': append(out, "\\r"); break;
            case '\t': append(out, "\\t"); break;
            default:
                if (c < 0x20) {
                    append(out, "\\u00");
                    out.push_back(k_hex[c >> 4]);
                    out.push_back(k_hex[c & 0xf]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
        ++i;
    }
    out.push_back('"');
}

// {"time":"2024-05-01T12:00:00.123Z","level":"info","logger":"vfpath.run","msg":"..."}: UTC,
// milliseconds, spdlog's level names (trace, debug, info, warning, error, critical).
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto t = msg.time.time_since_epoch();
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
        const std::time_t tt = static_cast<std::time_t>(secs.count());
        std::tm tm{};
        gmtime_r(&tt, &tm);
        // Room for any int in every field (GCC's -Wformat-truncation counts 11 characters each).
        char when[96];
        std::snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<int>(ms));
        append(dest, "{\"time\":\"");
        append(dest, when);
        append(dest, "\",\"level\":");
        const auto level = spdlog::level::to_string_view(msg.level);
        append_json_string(dest, std::string_view(level.data(), level.size()));
        append(dest, ",\"logger\":");
        append_json_string(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
        append(dest, ",\"msg\":");
        append_json_string(dest, std::string_view(msg.payload.data(), msg.payload.size()));
        append(dest, "}\n");
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view name) {
    const std::string full = "vfpath." + std::string(name);
    if (auto l = spdlog::get(full)) return l;
    auto l = std::make_shared<spdlog::logger>(full, sink());
    l->set_level(g_level);
    spdlog::register_logger(l);
    return l;
}

bool set_level(std::string_view level) {
    const auto lv = spdlog::level::from_str(std::string(level));
    if (lv == spdlog::level::off && level != "off") return false;
    g_level = lv;
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(lv); });
    return true;
}

bool set_format(std::string_view format) {
    if (format == "json") {
        sink()->set_formatter(json_formatter());
        sink()->set_color_mode(spdlog::color_mode::never);  // escape codes are not JSON
        g_json = true;
        return true;
    }
    if (format == "text") {
        sink()->set_formatter(text_formatter());
        sink()->set_color_mode(spdlog::color_mode::automatic);
        g_json = false;
        return true;
    }
    return false;
}

bool json() { return g_json; }

std::unique_ptr<spdlog::formatter> json_formatter() { return std::make_unique<JsonFormatter>(); }

}  // namespace vfpath::log
