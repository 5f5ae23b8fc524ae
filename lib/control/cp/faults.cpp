#include "control/cp/faults.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace vfpath::control {

std::string_view to_string(FaultKind k) {
    switch (k) {
        case FaultKind::reset: return "reset";
        case FaultKind::link_down: return "link-down";
        case FaultKind::remove: return "remove";
        case FaultKind::err_recovering: return "err-recovering";
        case FaultKind::unplug: return "unplug";
    }
    return "?";
}

std::optional<double> parse_duration(std::string_view t) {
    double scale = 1;
    if (t.ends_with("ms")) scale = 1e-3, t.remove_suffix(2);
    else if (t.ends_with("us")) scale = 1e-6, t.remove_suffix(2);
    else if (t.ends_with("s")) t.remove_suffix(1);
    if (t.empty()) return std::nullopt;
    double v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || p != t.data() + t.size() || !std::isfinite(v) || v < 0)
        return std::nullopt;
    return v * scale;
}

Result<FaultSpec> parse_fault(std::string_view text) {
    FaultSpec f;
    f.text = std::string(text);
    const std::string where = "fault \"" + f.text + "\": ";
    const auto colon = text.find(':');
    const auto at = text.find('@');
    if (colon == std::string_view::npos || at == std::string_view::npos || at < colon)
        return fail(where + "expected KIND:PORT@TIME[,every=DUR][,count=N][,for=DUR][,slow=DUR]");
    const std::string_view kind = text.substr(0, colon);
    if (kind == "reset") f.kind = FaultKind::reset;
    else if (kind == "link-down") f.kind = FaultKind::link_down;
    else if (kind == "remove") f.kind = FaultKind::remove;
    else if (kind == "err-recovering") f.kind = FaultKind::err_recovering;
    else if (kind == "unplug") f.kind = FaultKind::unplug;
    else
        return fail(where + "unknown kind \"" + std::string(kind) +
                    "\" (reset, link-down, remove, err-recovering, unplug)");
    f.port = std::string(text.substr(colon + 1, at - colon - 1));
    if (f.port.empty()) return fail(where + "no port name before '@'");
    std::string_view rest = text.substr(at + 1);
    const auto comma = rest.find(',');
    const auto t = parse_duration(rest.substr(0, comma));
    if (!t) return fail(where + "bad time \"" + std::string(rest.substr(0, comma)) +
                        "\" (e.g. 2s, 250ms)");
    f.at_s = *t;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!rest.empty()) {
        const auto c = rest.find(',');
        const std::string_view opt = rest.substr(0, c);
        rest = c == std::string_view::npos ? std::string_view{} : rest.substr(c + 1);
        const auto eq = opt.find('=');
        const std::string_view key = opt.substr(0, eq);
        const std::string_view val = eq == std::string_view::npos ? "" : opt.substr(eq + 1);
        if (key == "every" || key == "for" || key == "slow") {
            const auto d = parse_duration(val);
            if (!d || (key == "every" && *d <= 0))
                return fail(where + "bad " + std::string(key) + " \"" + std::string(val) + "\"");
            (key == "every" ? f.every_s : key == "for" ? f.for_s : f.slow_s) = *d;
        } else if (key == "count") {
            unsigned n = 0;
            auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), n);
            if (ec != std::errc{} || p != val.data() + val.size() || val.empty())
                return fail(where + "bad count \"" + std::string(val) + "\"");
            f.count = n;
        } else {
            return fail(where + "unknown option \"" + std::string(key) +
                        "\" (every, count, for, slow)");
        }
    }
    if (f.every_s == 0 && f.count != 1) return fail(where + "count needs every=");
    if (f.for_s > 0 && f.kind != FaultKind::link_down && f.kind != FaultKind::err_recovering)
        return fail(where + "for= is for link-down and err-recovering");
    if (f.slow_s > 0 && f.kind != FaultKind::reset)
        return fail(where + "slow= is for reset");
    if (f.every_s > 0 && f.for_s > 0 && f.for_s >= f.every_s)
        return fail(where + "for= must be shorter than every=");
    return f;
}

FaultSchedule::FaultSchedule(std::vector<FaultSpec> specs) {
    for (auto& s : specs) add(std::move(s));
}

void FaultSchedule::add(FaultSpec spec) {
    state_.push_back({spec.at_s, 0, -1, false});
    specs_.push_back(std::move(spec));
}

std::vector<FaultAction> FaultSchedule::due(double now) {
    std::vector<FaultAction> out;
    for (size_t i = 0; i < specs_.size(); ++i) {
        State& st = state_[i];
        const FaultSpec& f = specs_[i];
        if (st.up_at >= 0 && now >= st.up_at) {
            out.push_back({f.kind, i, true});
            st.up_at = -1;
        }
        if (st.done || now < st.next) continue;
        out.push_back({f.kind, i, false});
        ++st.fired;
        if (f.for_s > 0) st.up_at = now + f.for_s;
        if (f.every_s > 0 && (f.count == 0 || st.fired < f.count)) {
            st.next += f.every_s;
            if (st.next < now) st.next = now;  // never fire a backlog in a burst
        } else {
            st.done = true;
        }
    }
    return out;
}

bool FaultSchedule::finished() const {
    for (const auto& st : state_)
        if (!st.done || st.up_at >= 0) return false;
    return true;
}

double FaultSchedule::next_in(double now) const {
    double best = std::numeric_limits<double>::max();
    for (const auto& st : state_) {
        if (!st.done) best = std::min(best, st.next - now);
        if (st.up_at >= 0) best = std::min(best, st.up_at - now);
    }
    return best < 0 ? 0 : best;
}

}  // namespace vfpath::control
