// Reading an extended attribute relative to a directory descriptor, without opening the
// file and without following a final symlink. Private to the library.
#pragma once
#include <sys/types.h>

namespace capinspect::detail {

enum class XattrMethod {
    getxattrat,  // getxattrat(2), Linux 6.13
    proc_fd,     // lgetxattr(2) on /proc/self/fd/DIRFD/NAME
    path,        // lgetxattr(2) on the file's path (no getxattrat, no /proc)
};

// Which method get_xattr_at() uses, decided on first use: getxattrat unless the kernel (or
// a seccomp filter) answers ENOSYS, then /proc/self/fd when that directory exists, else
// the path.
XattrMethod xattr_method();

// getxattr(2)'s contract: the size of the value (with buf null and size 0: the size it
// has), or -1 and errno. `path` is the file's path, read only by XattrMethod::path (it may
// then be null when dirfd is AT_FDCWD, as name is a path).
ssize_t get_xattr_at(int dirfd, const char* name, const char* attr, void* buf, size_t size,
                     const char* path);

// The same for the file an O_PATH descriptor refers to: getxattr(2) on /proc/self/fd/FD,
// which reaches the very inode.
ssize_t get_xattr_fd(int fd, const char* attr, void* buf, size_t size);

}  // namespace capinspect::detail
