// The fuzz targets (tests/fuzz/<name>.cpp). Each is a function that feeds one input to a parser of
// outside input, checks that what came back makes sense (an accepted input gives a consistent
// value, a rejected one a message), and returns whether the input was accepted.
//
// Built two ways:
//  - `meson setup -Dfuzz=true` with clang (scripts/fuzz.sh): VFPATH_LIBFUZZER is defined, each
//    file also defines LLVMFuzzerTestOneInput, and a failed check aborts so libFuzzer keeps the
//    input as a crash;
//  - the normal build: tests/fuzz/corpus_test.cpp replays every seed and regression input
//    through the same functions under GoogleTest, where a failed check is a test failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vfpath::fuzz {

bool fuzz_config(const uint8_t* data, size_t size);
bool fuzz_probe(const uint8_t* data, size_t size);
bool fuzz_netlink(const uint8_t* data, size_t size);
bool fuzz_sysfs(const uint8_t* data, size_t size);
bool fuzz_mailbox(const uint8_t* data, size_t size);

// Reports a failed check: aborts under libFuzzer, a GoogleTest failure in corpus_test.cpp.
void check_failed(const char* file, int line, const char* expr, const std::string& detail);

// Splits an input into NUL-separated fields (the sysfs target's file contents). A missing field
// (fewer NULs than asked for) is nullopt-like: `has` says whether field i exists.
class Fields {
public:
    Fields(const uint8_t* data, size_t size) {
        std::string_view rest(reinterpret_cast<const char*>(data), size);
        while (true) {
            const size_t nul = rest.find('\0');
            fields_.push_back(rest.substr(0, nul));
            if (nul == std::string_view::npos) break;
            rest.remove_prefix(nul + 1);
        }
    }
    bool has(size_t i) const { return i < fields_.size(); }
    std::string_view operator[](size_t i) const { return has(i) ? fields_[i] : std::string_view{}; }
    size_t size() const { return fields_.size(); }

private:
    std::vector<std::string_view> fields_;
};

}  // namespace vfpath::fuzz

#define FUZZ_CHECK(cond, detail)                                                        \
    do {                                                                                \
        if (!(cond)) ::vfpath::fuzz::check_failed(__FILE__, __LINE__, #cond, (detail)); \
    } while (0)

#ifdef VFPATH_LIBFUZZER
#include <cstdio>
#include <cstdlib>

inline void vfpath::fuzz::check_failed(const char* file, int line, const char* expr,
                                       const std::string& detail) {
    std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", file, line, expr, detail.c_str());
    std::abort();
}

// The libFuzzer entry point of a target: `VFPATH_FUZZ_ENTRY(fuzz_config)` at the end of its file.
#define VFPATH_FUZZ_ENTRY(fn)                                                 \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
        (void)::vfpath::fuzz::fn(data, size);                                 \
        return 0;                                                             \
    }
#else
#define VFPATH_FUZZ_ENTRY(fn)
#endif
