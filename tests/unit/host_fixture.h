// Helpers for tests on the host fixture trees (tests/fixtures/host-*, numa-minus1, iommu-shared).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sriov/api.h"

namespace vfpath::testing {

namespace fs = std::filesystem;

inline fs::path fixture(const std::string& name) {
    return fs::path(VFPATH_FIXTURES) / name;
}
inline topology::HostRoot fixture_root(const std::string& name) {
    return {fixture(name)};
}

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
}

// A writable copy of a fixture tree (symlinks kept as links), removed at destruction.
class TreeCopy {
public:
    explicit TreeCopy(const std::string& name) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("vfpath-unit-" + std::to_string(getpid()) + "-" + info->name() + "-" + name);
        fs::remove_all(dir_);
        fs::copy(fixture(name), dir_,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~TreeCopy() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    topology::HostRoot root() const { return {dir_}; }
    fs::path sys(const std::string& rel) const { return dir_ / "sys" / rel; }
    const fs::path& dir() const { return dir_; }
    // Points a device's driver link at another driver ("" removes it).
    void relink_driver(const std::string& bdf, const std::string& driver) const {
        const fs::path l = sys("bus/pci/devices/" + bdf + "/driver");
        fs::remove(l);
        if (!driver.empty()) fs::create_directory_symlink("../../drivers/" + driver, l);
    }

private:
    fs::path dir_;
};

// Writes like the real Writer, then does what the kernel would: drivers_probe binds the device
// to its driver_override, unbind drops the driver link, sriov_numvfs creates the virtfnN links.
class KernelWriter : public sriov::Writer {
public:
    explicit KernelWriter(const TreeCopy& t) : t_(t) {}

protected:
    Status apply(const sriov::Write& w) override {
        if (auto st = Writer::apply(w); !st) return st;
        const std::string name = w.path.filename().string();
        if (name == "unbind") t_.relink_driver(w.value, "");
        if (name == "drivers_probe") {
            std::string o = slurp(t_.sys("bus/pci/devices/" + w.value + "/driver_override"));
            while (!o.empty() && o.back() == '\n') o.pop_back();
            if (!o.empty() && o != "(null)") t_.relink_driver(w.value, o);
        }
        if (name == "sriov_numvfs") {
            const fs::path pf = w.path.parent_path();
            for (const auto& e : fs::directory_iterator(pf))
                if (e.path().filename().string().rfind("virtfn", 0) == 0) fs::remove(e.path());
            const unsigned n = std::stoul(w.value);
            for (unsigned i = 0; i < n; ++i)
                fs::create_directory_symlink("../0000:af:02." + std::to_string(i),
                                             pf / ("virtfn" + std::to_string(i)));
        }
        return ok();
    }

private:
    const TreeCopy& t_;
};

}  // namespace vfpath::testing
