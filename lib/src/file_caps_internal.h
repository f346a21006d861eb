// What file_caps.cc shares with the directory walker and the write path. Private to the
// library.
#pragma once
#include <cerrno>
#include <optional>
#include <string>

#include <sys/types.h>

#include <capinspect/error.h>
#include <capinspect/file_caps.h>

namespace capinspect::detail {

// read_file_caps() without the path in errors: an OS error has an empty context, a data
// error the description alone. `path` as for get_xattr_at(). No allocation when the file
// has no capabilities.
Result<std::optional<FileCaps>> read_file_caps_at(int dirfd, const char* name, const char* path);

// The raw value of the attribute, read through `get` (which has getxattr's contract):
// nullopt for ENODATA, else the bytes or -errno.
template <typename Get>
std::optional<std::string> read_raw(Get get, int& err) {
    char small[32];
    err = 0;
    ssize_t n = get(small, sizeof small);
    if (n >= 0) return std::string(small, static_cast<size_t>(n));
    if (errno != ERANGE) {
        err = errno;
        return std::nullopt;
    }
    // A value longer than any valid one: fetch it whole, so that it can be described.
    for (int attempt = 0; attempt < 4; ++attempt) {
        ssize_t size = get(nullptr, 0);
        if (size < 0) {
            err = errno;
            return std::nullopt;
        }
        std::string big(static_cast<size_t>(size), '\0');
        n = get(big.data(), big.size());
        if (n >= 0) {
            big.resize(static_cast<size_t>(n));
            return big;
        }
        if (errno != ERANGE) break;
    }
    err = errno;
    return std::nullopt;
}

// Decodes what read_raw() gave: no capabilities for ENODATA, the error otherwise.
Result<std::optional<FileCaps>> decode_read(std::optional<std::string> raw, int err);

// Gives an error of read_file_caps_at() its path: "PATH" for an OS error, "PATH: WHAT"
// for a data error.
Error with_path(Error e, const std::string& path);

}  // namespace capinspect::detail
