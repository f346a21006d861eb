// Errors as values: every library call that touches the system returns Result<T>, which
// is std::expected<T, Error> where the standard library has it. The library never prints,
// exits or throws for OS failures.
#pragma once
#include <cerrno>
#include <string>
#include <utility>
#if __has_include(<expected>)
#include <expected>
#endif
#ifndef __cpp_lib_expected
#include <variant>
#endif

#include <capinspect/export.h>

namespace capinspect {

struct CAPINSPECT_API Error {
    int code = 0;         // an errno value; EINVAL for malformed data
    std::string context;  // what was being read: a path, "pid 123", a field name
    bool data = false;    // malformed data: the context says it all, no strerror()

    // "CONTEXT: strerror(code)", or the context alone for data errors.
    std::string message() const;
    // The process (or file) is gone: ENOENT or ESRCH. Callers skip it silently.
    bool is_vanished() const { return code == ENOENT || code == ESRCH; }
};

#ifdef __cpp_lib_expected
template <typename T>
using Result = std::expected<T, Error>;
using Failure = std::unexpected<Error>;
#else
// clang 14 cannot compile libstdc++ 12's <expected>: the same interface, as far as this
// library uses it.
class Failure {
public:
    explicit Failure(Error e) : error_(std::move(e)) {}
    Error& error() { return error_; }
private:
    Error error_;
};

template <typename T>
class Result {
public:
    Result(const T& value) : v_(std::in_place_index<0>, value) {}
    Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error())) {}
    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    Error& error() { return std::get<1>(v_); }
    const Error& error() const { return std::get<1>(v_); }
private:
    std::variant<T, Error> v_;
};
#endif

// An OS failure: errno and what was being done.
inline Failure fail(int code, std::string context) {
    return Failure(Error{code, std::move(context), false});
}
// Passes an error on.
inline Failure fail(Error e) { return Failure(std::move(e)); }
// Malformed data (EINVAL); `what` is the whole message.
inline Failure fail_data(std::string what) { return Failure(Error{EINVAL, std::move(what), true}); }

}  // namespace capinspect
