// How `check` shows what it found: a NUMA table and one line per finding, or JSON for CI gates
// and init containers.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "check/api.h"

namespace vfpath::check {

std::string format_numa(const NumaReport& r) {
    std::string out = "NUMA:\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-10s %-22s %-5s %-20s %-11s %s\n", "port", "device",
                  "node", "lcores (node)", "pool", "free hugepages on its node");
    out += line;
    for (const auto& row : r.rows) {
        std::string lcores;
        for (const auto& [l, n] : row.lcores) {
            if (!lcores.empty()) lcores += ' ';
            lcores.append(std::to_string(l)).append("(").append(std::to_string(n)).append(")");
        }
        const std::string hp =
            row.free_hugepages_kb < 0 ? "?" : std::to_string(row.free_hugepages_kb / 1024) + " MiB";
        std::snprintf(line, sizeof line, "  %-10s %-22s %-5s %-20s %-11s %s\n", row.port.c_str(),
                      row.device.substr(0, 22).c_str(),
                      row.device_node ? std::to_string(*row.device_node).c_str() : "?",
                      lcores.empty() ? "-" : lcores.c_str(),
                      (row.pool + "(" + std::to_string(row.plan_socket) + ")").c_str(), hp.c_str());
        out += line;
    }
    return out;
}

std::string format_findings(const std::vector<Finding>& f) {
    std::string out;
    size_t errors = 0, warnings = 0;
    for (const auto& x : f) {
        out += std::string(to_string(x.severity)) + ": [" + x.check + "] " + x.message + "\n";
        errors += x.severity == Severity::error;
        warnings += x.severity == Severity::warning;
    }
    out += "check: " + std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") +
           std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings") +
           (errors ? " (exit 1)\n" : "\n");
    return out;
}

std::string report_json(const std::string& config, const std::vector<Finding>& f,
                        const std::vector<NumaRow>& rows) {
    using nlohmann::json;
    json findings = json::array();
    for (const auto& x : f)
        findings.push_back({{"severity", to_string(x.severity)},
                            {"port", x.port.empty() ? json(nullptr) : json(x.port)},
                            {"check", x.check},
                            {"message", x.message}});
    json numa = json::array();
    for (const auto& r : rows) {
        json lcores = json::array();
        for (const auto& [l, n] : r.lcores) lcores.push_back({{"lcore", l}, {"node", n}});
        numa.push_back({{"port", r.port},
                        {"device", r.device},
                        {"device_node", r.device_node ? json(*r.device_node) : json(nullptr)},
                        {"lcores", lcores},
                        {"pool", r.pool},
                        {"pool_node", r.plan_socket},
                        {"free_hugepages_kb",
                         r.free_hugepages_kb < 0 ? json(nullptr) : json(r.free_hugepages_kb)}});
    }
    json j = {{"ok", !has_errors(f)},
              {"config", config.empty() ? json(nullptr) : json(config)},
              {"findings", findings},
              {"numa", numa}};
    // Sysfs values and config text can hold any byte; invalid UTF-8 becomes U+FFFD instead of
    // an exception (found by fuzzing).
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace vfpath::check
