#include <capinspect/proc_fd.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>

#include <capinspect/proc_root.h>

namespace capinspect {

std::optional<std::uint64_t> parse_socket_link(std::string_view link) {
    std::string_view digits;
    if (link.starts_with("socket:[") && link.ends_with("]")) {
        digits = link.substr(8, link.size() - 9);
    } else if (link.starts_with("[0000]:")) {
        digits = link.substr(7);
    } else {
        return std::nullopt;
    }
    std::uint64_t inode = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    return inode;
}

namespace {

// Calls on_socket(fd number, inode) for each socket fd of the process, in fd order.
template <typename OnSocket>
Result<bool> for_each_socket_fd(const ProcDir& dir, OnSocket on_socket) {
    int fd = ::openat(dir.fd(), "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(errno, dir.label() + "/fd");
    DIR* d = ::fdopendir(fd);
    if (!d) {
        int err = errno;
        ::close(fd);
        return fail(err, dir.label() + "/fd");
    }
    char link[64];
    while (struct dirent* e = ::readdir(d)) {
        // Only symlinks are fds; d_type saves a readlink on "." and "..".
        if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
        ssize_t n = ::readlinkat(fd, e->d_name, link, sizeof link);
        if (n < 0 && (errno == EACCES || errno == EPERM)) {
            // fd/ opened but its links are refused (no ptrace access): not a silent "none".
            int err = errno;
            ::closedir(d);
            return fail(err, dir.label() + "/fd");
        }
        if (n <= 0 || static_cast<size_t>(n) >= sizeof link) continue;
        if (auto inode = parse_socket_link(std::string_view(link, static_cast<size_t>(n)))) {
            int number = -1;
            std::string_view name(e->d_name);
            std::from_chars(name.data(), name.data() + name.size(), number);
            on_socket(number, *inode);
        }
    }
    ::closedir(d);
    return true;
}

// pidfd_open(2) and pidfd_getfd(2) have no glibc wrappers before 2.36's <sys/pidfd.h>.
int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    errno = ENOSYS;
    return -1;
#endif
}

int pidfd_getfd(int pidfd, int fd) {
#ifdef SYS_pidfd_getfd
    return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, fd, 0));
#else
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

Result<std::vector<std::uint64_t>> list_socket_inodes(const ProcDir& dir) {
    std::vector<std::uint64_t> inodes;
    auto done = for_each_socket_fd(dir, [&](int, std::uint64_t inode) { inodes.push_back(inode); });
    if (!done) return fail(done.error());
    return inodes;
}

Result<std::vector<SocketFd>> list_socket_fds(const ProcDir& dir) {
    std::vector<SocketFd> sockets;
    auto done = for_each_socket_fd(dir, [&](int fd, std::uint64_t inode) { sockets.push_back({fd, inode}); });
    if (!done) return fail(done.error());
    return sockets;
}

std::vector<std::optional<bool>> read_socket_reuseport(pid_t pid, const std::vector<SocketFd>& sockets) {
    std::vector<std::optional<bool>> answers(sockets.size());
    if (sockets.empty()) return answers;
    Fd pidfd(pidfd_open(pid));
    if (!pidfd) return answers;
    for (size_t i = 0; i < sockets.size(); ++i) {
        // pidfd_getfd sets O_CLOEXEC on the copy itself.
        Fd copy(pidfd_getfd(pidfd.get(), sockets[i].fd));
        if (!copy) {
            if (errno == EPERM || errno == ESRCH || errno == ENOSYS) break;  // the same for every fd
            continue;
        }
        struct stat st {};
        if (::fstat(copy.get(), &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != sockets[i].inode) continue;
        int value = 0;
        socklen_t len = sizeof value;
        if (::getsockopt(copy.get(), SOL_SOCKET, SO_REUSEPORT, &value, &len) == 0) answers[i] = value != 0;
    }
    return answers;
}

}  // namespace capinspect
