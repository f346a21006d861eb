#include "xattr_at.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>

#include <capinspect/proc_root.h>

// getxattrat(2) came with Linux 6.13; Debian 12's headers predate it. Its number is the
// same on every architecture that uses the common system call table.
#if !defined(__NR_getxattrat) &&                                                          \
    (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__arm__) || \
     defined(__riscv) || defined(__loongarch__) || defined(__powerpc__) || defined(__s390__))
#define __NR_getxattrat 464
#endif

namespace capinspect::detail {
namespace {

// struct xattr_args of linux/xattr.h (XATTR_ARGS_SIZE_VER0).
struct XattrArgs {
    std::uint64_t value;
    std::uint32_t size;
    std::uint32_t flags;
};

constexpr int unknown = -1;
std::atomic<int> method{unknown};

XattrMethod fallback_method() {
    std::string fds = std::string(default_proc_path) + "/self/fd";
    return ::access(fds.c_str(), X_OK) == 0 ? XattrMethod::proc_fd : XattrMethod::path;
}

ssize_t call_getxattrat(int dirfd, const char* name, const char* attr, void* buf, size_t size) {
#ifdef __NR_getxattrat
    XattrArgs args{reinterpret_cast<std::uintptr_t>(buf), static_cast<std::uint32_t>(size), 0};
    return ::syscall(__NR_getxattrat, dirfd, name, AT_SYMLINK_NOFOLLOW, attr, &args, sizeof args);
#else
    (void)dirfd, (void)name, (void)attr, (void)buf, (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

XattrMethod xattr_method() {
    int m = method.load(std::memory_order_relaxed);
    if (m != unknown) return static_cast<XattrMethod>(m);
    // A probe that cannot succeed: an empty name. ENOSYS tells the system call is missing.
    XattrArgs args{0, 0, 0};
    XattrMethod found = XattrMethod::getxattrat;
#ifdef __NR_getxattrat
    if (::syscall(__NR_getxattrat, AT_FDCWD, "", 0, "security.capability", &args, sizeof args) < 0 &&
        errno == ENOSYS)
        found = fallback_method();
#else
    (void)args;
    found = fallback_method();
#endif
    method.store(static_cast<int>(found), std::memory_order_relaxed);
    return found;
}

ssize_t get_xattr_at(int dirfd, const char* name, const char* attr, void* buf, size_t size,
                     const char* path) {
    switch (xattr_method()) {
    case XattrMethod::getxattrat: return call_getxattrat(dirfd, name, attr, buf, size);
    case XattrMethod::proc_fd:
        if (dirfd != AT_FDCWD) {
            // "/proc/self/fd/N/NAME": a short path however deep the directory is.
            char link[64 + 256];
            int n = std::snprintf(link, sizeof link, "%s/self/fd/%d/%s", default_proc_path, dirfd, name);
            if (n > 0 && static_cast<size_t>(n) < sizeof link) return ::lgetxattr(link, attr, buf, size);
            std::string longer = std::string(default_proc_path) + "/self/fd/" + std::to_string(dirfd) + "/" + name;
            return ::lgetxattr(longer.c_str(), attr, buf, size);
        }
        return ::lgetxattr(name, attr, buf, size);
    case XattrMethod::path:
        return ::lgetxattr(dirfd == AT_FDCWD || !path ? name : path, attr, buf, size);
    }
    errno = ENOSYS;
    return -1;
}

ssize_t get_xattr_fd(int fd, const char* attr, void* buf, size_t size) {
    // getxattrat(2) refuses an O_PATH descriptor (EBADF), as fgetxattr(2) does; the
    // descriptor's magic link in /proc reaches the inode without opening it.
    char link[64];
    std::snprintf(link, sizeof link, "%s/self/fd/%d", default_proc_path, fd);
    return ::getxattr(link, attr, buf, size);
}

}  // namespace capinspect::detail
