// Applying a planned change: ordered sysfs writes through a Writer, the state file, and the wait
// for the kernel to show the result.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "sriov/api.h"
#include "sriov/cp/sysfs.h"

namespace vfpath::sriov {

using namespace detail;

std::string describe(const Write& w) {
    std::string v;
    for (char c : w.value) v += c == '\n' ? std::string("\\n") : std::string(1, c);
    return "write '" + v + "' > " + w.path.string();
}

Status Writer::write(const Write& w) {
    if (on_write) on_write(w);
    journal_.push_back(w);
    if (dry_run_) return ok();
    return apply(w);
}

Status Writer::apply(const Write& w) {
    // One write(2) per value: sysfs attributes take the whole value in one call, and the error
    // the kernel returns there is the only explanation it gives.
    const int fd = ::open(w.path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + w.path.string() + ": " + std::strerror(errno));
    const ssize_t n = ::write(fd, w.value.data(), w.value.size());
    const int err = errno;
    ::close(fd);
    if (n < 0 || size_t(n) != w.value.size())
        return fail(describe(w) + " failed: " + (n < 0 ? std::strerror(err) : "short write"));
    return ok();
}

std::vector<Refusal> ChangePlan::blocking(bool force) const {
    std::vector<Refusal> out;
    for (const auto& r : refusals)
        if (!force || !r.forceable) out.push_back(r);
    return out;
}

Status apply(const HostRoot& root, const ChangePlan& plan, Writer& w) {
    // The previous driver is remembered before anything changes, so a failure halfway can still
    // be undone with `restore`.
    if (plan.record && !w.dry_run())
        if (auto st = save_record(root, *plan.record); !st) return st;
    for (const Write& wr : plan.writes)
        if (auto st = w.write(wr); !st) return st;
    if (plan.forget && !w.dry_run())
        if (auto st = drop_record(root, plan.bdf); !st) return st;
    return ok();
}

// How often wait_done looks at sysfs again.
constexpr auto k_poll = std::chrono::milliseconds(20);

Status wait_done(const HostRoot& root, const ChangePlan& plan, double timeout_s) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::duration<double>(timeout_s);
    const fs::path dev = root.sys() / "bus/pci/devices" / plan.bdf;
    for (;;) {
        std::string shown;
        bool done = true;
        if (plan.expect_vfs) {
            auto d = read_device(root, plan.bdf);
            const size_t n = d ? d->vfs.size() : 0;
            done = d && n == *plan.expect_vfs && d->num_vfs == *plan.expect_vfs;
            shown = std::to_string(n) + " virtfn links and sriov_numvfs " +
                    (d ? std::to_string(d->num_vfs) : "?") + " in " + dev.string();
        } else {
            const std::string drv = link_name(dev / "driver");
            done = drv == plan.expect_driver;
            shown = (drv.empty() ? std::string("no driver") : "driver " + drv) + " (" +
                    (dev / "driver").string() + ")";
        }
        if (done) return ok();
        if (clock::now() >= deadline) {
            const std::string want = plan.expect_vfs ? std::to_string(*plan.expect_vfs) + " VFs"
                                     : plan.expect_driver.empty() ? std::string("no driver")
                                                                  : "driver " + plan.expect_driver;
            return fail(plan.bdf + ": expected " + want + " after the writes, sysfs shows " +
                        shown + "; the kernel log (dmesg) says why");
        }
        std::this_thread::sleep_for(k_poll);
    }
}

}  // namespace vfpath::sriov
