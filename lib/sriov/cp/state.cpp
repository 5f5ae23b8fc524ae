// The state file that lets `restore` undo `bind`/`unbind`: <root>/run/vfpath/drivers, one line
// per device: "BDF DRIVER OVERRIDE", "-" standing for none. It lives under /run (tmpfs) because
// what it describes (bindings and driver_override) does not survive a reboot either.
#include <fstream>
#include <sstream>
#include <vector>

#include "sriov/api.h"

namespace vfpath::sriov {

namespace {

std::vector<BindRecord> load(const fs::path& p) {
    std::vector<BindRecord> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        BindRecord r;
        if (!(f >> r.bdf >> r.driver >> r.driver_override)) continue;  // foreign line: ignore
        // The header comment (store writes one) and anything else that is not "BDF ...": a
        // comment read as a record came back as another comment line on every rewrite.
        if (!parse_bdf(r.bdf) || *parse_bdf(r.bdf) != r.bdf) continue;
        if (r.driver == "-") r.driver.clear();
        if (r.driver_override == "-") r.driver_override.clear();
        out.push_back(std::move(r));
    }
    return out;
}

Status store(const fs::path& p, const std::vector<BindRecord>& records) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return fail("cannot create " + p.parent_path().string() + ": " + ec.message());
    const fs::path tmp = p.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "# vfpath: drivers to restore (BDF DRIVER OVERRIDE, - for none)\n";
        for (const auto& r : records)
            out << r.bdf << ' ' << (r.driver.empty() ? "-" : r.driver) << ' '
                << (r.driver_override.empty() ? "-" : r.driver_override) << '\n';
        if (!out) return fail("cannot write " + tmp.string());
    }
    fs::rename(tmp, p, ec);
    if (ec)
        return fail("cannot rename " + tmp.string() + " to " + p.string() + ": " + ec.message());
    return ok();
}

}  // namespace

fs::path state_file(const HostRoot& root) {
    return root.dir / "run/vfpath/drivers";
}

std::optional<BindRecord> find_record(const HostRoot& root, std::string_view bdf) {
    for (auto& r : load(state_file(root)))
        if (r.bdf == bdf) return r;
    return std::nullopt;
}

Status save_record(const HostRoot& root, const BindRecord& rec) {
    auto records = load(state_file(root));
    for (const auto& r : records)
        if (r.bdf == rec.bdf) return ok();  // the first driver is the one to go back to
    records.push_back(rec);
    return store(state_file(root), records);
}

Status drop_record(const HostRoot& root, std::string_view bdf) {
    auto records = load(state_file(root));
    std::erase_if(records, [&](const BindRecord& r) { return r.bdf == bdf; });
    return store(state_file(root), records);
}

}  // namespace vfpath::sriov
