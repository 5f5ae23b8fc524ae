#include "util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace vfpath::log {

namespace {
// Logs go to stderr so stdout stays for tables and machine output.
spdlog::sink_ptr sink() {
    static auto s = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    return s;
}
spdlog::level::level_enum g_level = spdlog::level::info;
}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view name) {
    const std::string full = "vfpath." + std::string(name);
    if (auto l = spdlog::get(full)) return l;
    auto l = std::make_shared<spdlog::logger>(full, sink());
    l->set_level(g_level);
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
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

}  // namespace vfpath::log
