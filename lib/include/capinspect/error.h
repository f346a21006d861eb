// Errors as values: every library call that touches the system returns Result<T>, a value
// or an Error. The library never prints, exits or throws for OS failures.
//
// Result<T> is our own class, the same in every configuration: it crosses the boundary of
// libcapinspect.so, so its layout must not depend on the compiler or the -std= of the
// program that includes this header (std::expected exists only in C++23 and, on Debian 12,
// only for g++). Its interface is the part of std::expected<T, Error> the library uses.
#pragma once
#include <cerrno>
#include <new>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

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

// An error on its way into a Result (std::unexpected's role).
class Failure {
public:
    explicit Failure(Error e) : error_(std::move(e)) {}
    Error& error() & { return error_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }
private:
    Error error_;
};

namespace detail {

// The storage and the special members of Result<T>: a tag and a union, nothing from the
// standard library whose layout could vary.
template <typename T>
class ResultStorage {
public:
    template <typename... Args>
    explicit ResultStorage(std::in_place_t, Args&&... args) : ok_(true) {
        ::new (static_cast<void*>(&value_)) T(std::forward<Args>(args)...);
    }
    explicit ResultStorage(Error&& e) : ok_(false) { ::new (static_cast<void*>(&error_)) Error(std::move(e)); }
    ResultStorage(const ResultStorage& o) : ok_(o.ok_) {
        if (ok_) ::new (static_cast<void*>(&value_)) T(o.value_);
        else ::new (static_cast<void*>(&error_)) Error(o.error_);
    }
    ResultStorage(ResultStorage&& o) noexcept(std::is_nothrow_move_constructible<T>::value) : ok_(o.ok_) {
        if (ok_) ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
        else ::new (static_cast<void*>(&error_)) Error(std::move(o.error_));
    }
    ResultStorage& operator=(const ResultStorage& o) {
        if (this != &o) {
            ResultStorage copy(o);
            *this = std::move(copy);
        }
        return *this;
    }
    ResultStorage& operator=(ResultStorage&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            if (ok_) ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
            else ::new (static_cast<void*>(&error_)) Error(std::move(o.error_));
        }
        return *this;
    }
    ~ResultStorage() { destroy(); }

protected:
    void destroy() {
        if (ok_) value_.~T();
        else error_.~Error();
    }
    bool ok_;
    union {
        T value_;
        Error error_;
    };
};

// Deletes the copy operations of Result<T> when T cannot be copied (ProcDir, CapsFile).
template <bool copyable>
struct CopyGate {};
template <>
struct CopyGate<false> {
    CopyGate() = default;
    CopyGate(const CopyGate&) = delete;
    CopyGate(CopyGate&&) = default;
    CopyGate& operator=(const CopyGate&) = delete;
    CopyGate& operator=(CopyGate&&) = default;
};

}  // namespace detail

template <typename T>
class Result : private detail::ResultStorage<T>, private detail::CopyGate<std::is_copy_constructible<T>::value> {
    static_assert(!std::is_reference<T>::value && !std::is_void<T>::value, "Result<T> holds a value");
    using Storage = detail::ResultStorage<T>;

public:
    Result(const T& value) : Storage(std::in_place, value) {}
    Result(T&& value) : Storage(std::in_place, std::move(value)) {}
    // A value of another type that converts to T ("text" for Result<std::string>).
    template <typename U,
              typename = std::enable_if_t<!std::is_same<std::decay_t<U>, T>::value &&
                                          !std::is_same<std::decay_t<U>, Result>::value &&
                                          !std::is_same<std::decay_t<U>, Failure>::value &&
                                          std::is_convertible<U&&, T>::value>>
    Result(U&& value) : Storage(std::in_place, std::forward<U>(value)) {}
    Result(const Failure& f) : Storage(Error(f.error())) {}
    Result(Failure&& f) : Storage(std::move(f).error()) {}

    bool has_value() const noexcept { return this->ok_; }
    explicit operator bool() const noexcept { return this->ok_; }

    // The value; only when has_value().
    T& operator*() & { return this->value_; }
    const T& operator*() const& { return this->value_; }
    T&& operator*() && { return std::move(this->value_); }
    T* operator->() { return &this->value_; }
    const T* operator->() const { return &this->value_; }

    // The value; throws std::system_error (the error's code and context) when there is none.
    T& value() & { check(); return this->value_; }
    const T& value() const& { check(); return this->value_; }
    T&& value() && { check(); return std::move(this->value_); }

    // The error; only when !has_value().
    Error& error() & { return this->error_; }
    const Error& error() const& { return this->error_; }
    Error&& error() && { return std::move(this->error_); }

private:
    void check() const {
        if (!this->ok_) throw std::system_error(this->error_.code, std::generic_category(), this->error_.context);
    }
};

// An OS failure: errno and what was being done.
inline Failure fail(int code, std::string context) {
    return Failure(Error{code, std::move(context), false});
}
// Passes an error on.
inline Failure fail(Error e) { return Failure(std::move(e)); }
// Malformed data (EINVAL); `what` is the whole message.
inline Failure fail_data(std::string what) { return Failure(Error{EINVAL, std::move(what), true}); }

}  // namespace capinspect
