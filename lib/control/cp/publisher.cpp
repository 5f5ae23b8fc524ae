#include "control/cp/publisher.h"

#include <chrono>
#include <optional>

namespace vfpath::control {

namespace {

double mono_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::shared_ptr<const report::View> Publisher::get(double max_age_s, double wait_s) {
    std::unique_lock lk(mu_);
    if (closed_) return nullptr;
    if (view_ && mono_s() - view_mono_s_ <= max_age_s) return view_;
    const uint64_t seen = seq_;
    wanted_ = true;
    cv_.wait_for(lk, std::chrono::duration<double>(wait_s),
                 [&] { return closed_ || seq_ != seen; });
    return closed_ ? nullptr : view_;
}

Status Publisher::request_fault(FaultSpec f) {
    std::lock_guard lk(mu_);
    if (closed_) return fail("the run has ended");
    if (faults_.size() >= k_max_pending_faults)
        return fail(std::to_string(faults_.size()) +
                    " faults are already waiting for the control thread");
    if (faults_requested_ >= k_max_requested_faults)
        return fail("this run has had its " + std::to_string(k_max_requested_faults) +
                    " faults; no more are taken");
    faults_.push_back(std::move(f));
    ++faults_requested_;
    return ok();
}

Status Publisher::request_admin(const std::string& port, const std::string& op, double wait_s) {
    std::unique_lock lk(mu_);
    if (closed_) return fail("the run has ended");
    if (admin_.size() >= k_max_pending_faults)
        return fail(std::to_string(admin_.size()) +
                    " requests are already waiting for the control thread");
    const uint64_t id = ++admin_seq_;
    admin_.push_back({id, port, op});
    std::optional<Status> answer;
    cv_.wait_for(lk, std::chrono::duration<double>(wait_s), [&] {
        if (closed_) return true;
        for (auto it = admin_answers_.begin(); it != admin_answers_.end(); ++it)
            if (it->first == id) {
                answer = std::move(it->second);
                admin_answers_.erase(it);
                return true;
            }
        return false;
    });
    if (answer) return *answer;
    if (closed_) return fail("the run has ended");
    // Not taken in time: withdraw it if it still waits, so it is not done behind our back.
    for (auto it = admin_.begin(); it != admin_.end(); ++it)
        if (it->id == id) {
            admin_.erase(it);
            return fail("the control thread did not answer within " +
                        std::to_string(int(wait_s * 1e3)) + " ms; nothing was done");
        }
    return fail("the control thread did not answer within " + std::to_string(int(wait_s * 1e3)) +
                " ms; the request was taken and may still be carried out");
}

std::vector<Publisher::AdminRequest> Publisher::take_admin() {
    std::lock_guard lk(mu_);
    return std::exchange(admin_, {});
}

void Publisher::answer_admin(uint64_t id, Status st) {
    {
        std::lock_guard lk(mu_);
        admin_answers_.emplace_back(id, std::move(st));
    }
    cv_.notify_all();
}

bool Publisher::wanted() const {
    std::lock_guard lk(mu_);
    return wanted_;
}

void Publisher::publish(std::shared_ptr<report::View> v) {
    {
        std::lock_guard lk(mu_);
        v->seq = ++seq_;
        view_ = std::move(v);
        view_mono_s_ = mono_s();
        wanted_ = false;
    }
    cv_.notify_all();
}

std::vector<FaultSpec> Publisher::take_faults() {
    std::lock_guard lk(mu_);
    return std::exchange(faults_, {});
}

uint64_t Publisher::faults_requested() const {
    std::lock_guard lk(mu_);
    return faults_requested_;
}

void Publisher::close() {
    {
        std::lock_guard lk(mu_);
        closed_ = true;
        view_.reset();
        faults_.clear();
        admin_.clear();
    }
    cv_.notify_all();
}

}  // namespace vfpath::control
