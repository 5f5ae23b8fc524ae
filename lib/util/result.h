// Result<T> for the control path (STYLE §10): a value or an error message that names the thing
// and where. std::expected is C++23; this is the small subset we use.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vfpath {

struct Error {
    std::string message;
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    const std::string& error() const { return std::get<1>(v_).message; }

private:
    std::variant<T, Error> v_;
};

// Success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok() { return Ok{}; }
inline Error fail(std::string msg) { return Error{std::move(msg)}; }

}  // namespace vfpath
