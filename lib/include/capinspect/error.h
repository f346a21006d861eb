// Errors as values: every library call that touches the system returns
// std::expected<T, Error>. The library never prints, exits or throws for OS failures.
#pragma once
#include <cerrno>
#include <expected>
#include <string>

#include <capinspect/export.h>

namespace capinspect {

struct CAPINSPECT_API Error {
    int code = 0;         // an errno value (EINVAL for malformed data)
    std::string context;  // what was being read: a path, "pid 123", a field name

    // "CONTEXT: strerror(code)", or a custom text for data errors.
    std::string message() const;
    // The process (or file) is gone: ENOENT or ESRCH. Callers skip it silently.
    bool is_vanished() const { return code == ENOENT || code == ESRCH; }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(int code, std::string context) {
    return std::unexpected(Error{code, std::move(context)});
}

}  // namespace capinspect
