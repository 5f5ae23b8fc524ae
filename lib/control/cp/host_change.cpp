// `vfpath host create-vfs|bind|unbind|restore`: plan the change against sysfs, refuse what the
// safety checks refuse, print and make each write, then wait for the kernel to show the result.
#include <cstdio>

#include "control/api.h"
#include "sriov/api.h"

namespace vfpath::control {

namespace {

int run_change(const HostOptions& opt, const topology::HostRoot& root,
               const Result<sriov::ChangePlan>& planned) {
    if (!planned) {
        std::fprintf(stderr, "error: %s\n", planned.error().c_str());
        return k_exit_usage;
    }
    const sriov::ChangePlan& p = planned.value();
    const auto blocking = p.blocking(opt.force);
    if (!blocking.empty()) {
        for (const auto& r : blocking)
            std::fprintf(stderr, "refused: %s%s\n", r.message.c_str(),
                         r.forceable ? "" : " (--force does not override this)");
        std::fprintf(stderr, "error: %s: refused, nothing was written\n", p.what.c_str());
        return k_exit_refused;
    }
    for (const auto& r : p.refusals)  // what --force overrode
        std::fprintf(stderr, "warning: --force: %s\n", r.message.c_str());
    for (const auto& w : p.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (p.writes.empty() && !p.forget) {
        std::printf("%s: nothing to do\n", p.what.c_str());
        return k_exit_ok;
    }
    std::printf("%s%s\n", p.what.c_str(), opt.dry_run ? " (dry run: nothing is written)" : "");
    // The first driver recorded is the one `restore` goes back to; a later change keeps it.
    const auto prior = p.record ? sriov::find_record(root, p.bdf) : std::nullopt;
    sriov::Writer w(opt.dry_run);
    w.on_write = [&](const sriov::Write& wr) {
        std::printf("  %s%s\n", opt.dry_run ? "would " : "", sriov::describe(wr).c_str());
        std::fflush(stdout);
    };
    if (auto st = sriov::apply(root, p, w); !st) {
        std::fprintf(stderr, "error: %s\n", st.error().c_str());
        return k_exit_runtime;
    }
    if (opt.dry_run) return k_exit_ok;
    if (p.record && prior)
        std::printf("  %s already has a record in %s (driver %s before vfpath first changed it); "
                    "restore goes back to that one\n",
                    p.bdf.c_str(), sriov::state_file(root).c_str(),
                    prior->driver.empty() ? "(none)" : prior->driver.c_str());
    else if (p.record)
        std::printf("  previous driver %s recorded in %s\n",
                    p.record->driver.empty() ? "(none)" : p.record->driver.c_str(),
                    sriov::state_file(root).c_str());
    if (auto st = sriov::wait_done(root, p, opt.wait_s); !st) {
        std::fprintf(stderr, "error: %s\n", st.error().c_str());
        return k_exit_runtime;
    }
    std::printf("done\n");
    return k_exit_ok;
}

}  // namespace

int host_create_vfs(const HostOptions& opt, const std::string& pf, unsigned count,
                    std::optional<bool> autoprobe) {
    const topology::HostRoot root{opt.root};
    const int rc = run_change(opt, root, sriov::plan_create_vfs(root, pf, {count, autoprobe}));
    if (rc != k_exit_ok || opt.dry_run) return rc;
    auto d = sriov::find_pf(root, pf);
    if (!d) return rc;
    for (size_t i = 0; i < d->vfs.size(); ++i) {
        auto vf = sriov::read_device(root, d->vfs[i]);
        std::printf("VF %zu %s %s\n", i, d->vfs[i].c_str(),
                    vf && !vf->driver.empty() ? vf->driver.c_str() : "(no driver)");
    }
    return rc;
}

int host_bind(const HostOptions& opt, const std::string& bdf, const std::string& driver) {
    const topology::HostRoot root{opt.root};
    return run_change(opt, root, sriov::plan_bind(root, bdf, driver));
}

int host_unbind(const HostOptions& opt, const std::string& bdf) {
    const topology::HostRoot root{opt.root};
    return run_change(opt, root, sriov::plan_unbind(root, bdf));
}

int host_restore(const HostOptions& opt, const std::string& bdf) {
    const topology::HostRoot root{opt.root};
    return run_change(opt, root, sriov::plan_restore(root, bdf));
}

}  // namespace vfpath::control
