// Renders a Suggestion into the user's own config: the YAML is re-emitted with only eal.lcores,
// eal.main_lcore, workers (and a contradicting PCI `socket:`) changed, so it can be fed back to
// `check` and `run` as is. (yaml-cpp drops comments; the header says so.)
#include <yaml-cpp/yaml.h>

#include "check/api.h"

namespace vfpath::check {

Result<std::string> suggest_yaml(std::string_view config_text, const config::Config& cfg,
                                 const Suggestion& s, const std::vector<PortView>& ports) {
    if (!s.error.empty()) return fail(s.error);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(config_text));
    } catch (const YAML::Exception& e) {
        return fail(cfg.file + ": " + e.what());
    }
    if (!root.IsMap()) return fail(cfg.file + ": not a YAML map");
    std::vector<std::string> changes;
    const std::string lcores = topology::format_cpu_list(s.lcores);
    root["eal"]["lcores"] = lcores;
    root["eal"]["main_lcore"] = s.main_lcore;
    changes.push_back("eal.lcores: \"" + cfg.eal.lcores + "\" -> \"" + lcores + "\"");
    if (s.main_lcore != cfg.eal.main_lcore)
        changes.push_back("eal.main_lcore: " + std::to_string(cfg.eal.main_lcore) + " -> " +
                          std::to_string(s.main_lcore));
    for (size_t i = 0; i < cfg.ports.size() && i < ports.size(); ++i) {
        const auto& pc = cfg.ports[i];
        if (!pc.socket || !ports[i].pci || !ports[i].locality.node ||
            *pc.socket == *ports[i].locality.node)
            continue;
        root["ports"][i]["socket"] = *ports[i].locality.node;
        changes.push_back("ports[" + std::to_string(i) + "].socket: " + std::to_string(*pc.socket) +
                          " -> " + std::to_string(*ports[i].locality.node) +
                          " (its device's node, so its pool is local)");
    }
    root.remove("workers");
    YAML::Emitter out;
    out << root;
    std::string text = "# vfpath check --suggest for " + cfg.file + "\n";
    for (const auto& c : changes) text += "#   " + c + "\n";
    text += "#   workers: every port polled from its device's node\n";
    for (const auto& n : s.notes) text += "#   note: " + n + "\n";
    text += "# (comments of the original are not kept)\n";
    text += out.c_str();
    text += "\nworkers:\n";
    for (const auto& w : s.workers) {
        text += "  - lcore: " + std::to_string(w.lcore) + "\n    queues: [";
        for (size_t i = 0; i < w.queues.size(); ++i)
            text += (i ? ", \"" : "\"") + w.queues[i].port + ":" +
                    std::to_string(w.queues[i].queue) + "\"";
        text += "]\n";
    }
    return text;
}

}  // namespace vfpath::check
