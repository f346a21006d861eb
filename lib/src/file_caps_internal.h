// What the directory walker shares with file_caps.cc. Private to the library.
#pragma once
#include <optional>
#include <string>

#include <capinspect/error.h>
#include <capinspect/file_caps.h>

namespace capinspect::detail {

// read_file_caps() without the path in errors: an OS error has an empty context, a data
// error the description alone. `path` as for get_xattr_at(). No allocation when the file
// has no capabilities.
Result<std::optional<FileCaps>> read_file_caps_at(int dirfd, const char* name, const char* path);

// Gives an error of read_file_caps_at() its path: "PATH" for an OS error, "PATH: WHAT"
// for a data error.
Error with_path(Error e, const std::string& path);

}  // namespace capinspect::detail
