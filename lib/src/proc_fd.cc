#include <capinspect/proc_fd.h>

#include <dirent.h>
#include <fcntl.h>
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

Result<std::vector<std::uint64_t>> list_socket_inodes(const ProcDir& dir) {
    int fd = ::openat(dir.fd(), "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(errno, dir.label() + "/fd");
    DIR* d = ::fdopendir(fd);
    if (!d) {
        int err = errno;
        ::close(fd);
        return fail(err, dir.label() + "/fd");
    }
    std::vector<std::uint64_t> inodes;
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
        if (auto inode = parse_socket_link(std::string_view(link, static_cast<size_t>(n))))
            inodes.push_back(*inode);
    }
    ::closedir(d);
    return inodes;
}

}  // namespace capinspect
