#include <capinspect/proc_root.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <linux/magic.h>

#include "proc_root_internal.h"

namespace capinspect {

const char* const default_proc_path = "/proc";

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

std::string join(std::string_view dir, std::string_view name) {
    std::string out(dir);
    out += '/';
    out += name;
    return out;
}

std::optional<pid_t> parse_pid(const char* name) {
    pid_t pid = 0;
    const char* end = name + std::strlen(name);
    auto [ptr, ec] = std::from_chars(name, end, pid);
    if (ec != std::errc() || ptr != end || pid <= 0 || name[0] == '0') return std::nullopt;
    return pid;
}

// Undo mountinfo's octal escapes (\040 for a blank, ...).
std::string unescape_mountinfo(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() &&
            s.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The hidepid= value of the proc mount at `mountpoint`, from the caller's mountinfo.
std::string find_hidepid(std::string_view mountinfo, std::string_view mountpoint) {
    std::string found;
    size_t pos = 0;
    while (pos < mountinfo.size()) {
        size_t eol = mountinfo.find('\n', pos);
        if (eol == std::string_view::npos) eol = mountinfo.size();
        std::string_view line = mountinfo.substr(pos, eol - pos);
        pos = eol + 1;
        // Fields: id parent major:minor root mountpoint options [optional...] - type source super
        size_t sep = line.find(" - ");
        if (sep == std::string_view::npos) continue;
        std::string_view head = line.substr(0, sep), tail = line.substr(sep + 3);
        size_t f = 0, start = 0;
        std::string_view mp;
        for (size_t i = 0; i <= head.size() && f < 5; ++i) {
            if (i == head.size() || head[i] == ' ') {
                if (f == 4) mp = head.substr(start, i - start);
                ++f;
                start = i + 1;
            }
        }
        if (!tail.starts_with("proc ") || unescape_mountinfo(mp) != mountpoint) continue;
        size_t opt = tail.find("hidepid=");
        found.clear();  // the last mount on a mount point is the visible one
        if (opt != std::string_view::npos) {
            std::string_view value = tail.substr(opt + 8);
            found = std::string(value.substr(0, value.find_first_of(", \n")));
            if (found == "0" || found == "off") found.clear();
        }
    }
    return found;
}

}  // namespace

std::optional<std::uint64_t> parse_namespace_link(std::string_view link) {
    size_t open = link.find(":[");
    if (open == std::string_view::npos || !link.ends_with("]")) return std::nullopt;
    std::string_view digits = link.substr(open + 2, link.size() - open - 3);
    std::uint64_t ino = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ino);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    return ino;
}

namespace {

// The error context of a read: "DIR/NAME", built only when a read fails.
struct FileLabel {
    std::string_view dir;
    const char* name = nullptr;
    std::string str() const { return name ? join(dir, name) : std::string(dir); }
};

Result<std::string> read_whole(int dirfd, const char* name, FileLabel label, std::size_t limit, bool trusted,
                               bool short_read_is_end) {
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (trusted ? 0 : O_NOFOLLOW);
    Fd fd(::openat(dirfd, name, flags));
    if (!fd) return fail(errno, label.str());
    if (!trusted) {
        // The kernel's proc files are regular files; in another tree anything else (a
        // device that never ends, a FIFO) is not one.
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return fail(errno, label.str());
        if (S_ISDIR(st.st_mode)) return fail(EISDIR, label.str());
        if (!S_ISREG(st.st_mode)) return fail_data(label.str() + ": not a regular file");
    }
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errno, label.str());
        }
        if (n == 0) break;
        if (out.size() + static_cast<size_t>(n) > limit) return fail(EFBIG, label.str());
        out.append(buf, static_cast<size_t>(n));
        if (short_read_is_end && static_cast<size_t>(n) < sizeof buf) break;
    }
    return out;
}

}  // namespace

Result<std::string> read_file_at(int dirfd, const char* name, std::string_view label, std::size_t limit,
                                 bool trusted) {
    return read_whole(dirfd, name, FileLabel{label}, limit, trusted, false);
}

Result<std::string> detail::read_single_record(const ProcDir& dir, const char* name) {
    // A kernel's single-record file prints all of itself at the first read; a short read
    // is its end. Not so in a saved tree, nor for a table (mountinfo), which the kernel
    // hands out a page of records at a time.
    return read_whole(dir.fd(), name, FileLabel{dir.label(), name}, proc_file_limit, dir.is_live(), dir.is_live());
}

Result<std::vector<pid_t>> list_numeric_entries(int dirfd, std::string_view label) {
    // A fresh open file description, so that listing never disturbs another reader's offset.
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(errno, std::string(label));
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        int err = errno;
        ::close(fd);
        return fail(err, std::string(label));
    }
    std::vector<pid_t> ids;
    errno = 0;
    while (struct dirent* e = ::readdir(dir)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        if (auto id = parse_pid(e->d_name)) ids.push_back(*id);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return fail(err, std::string(label));
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<ProcRoot> ProcRoot::open(std::string path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail(errno, path);
    ProcRoot root(std::move(path), std::move(fd));
    struct statfs fs {};
    char self[32] = {};
    if (::fstatfs(root.fd(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC &&
        ::readlinkat(root.fd(), "self", self, sizeof self - 1) > 0) {
        pid_t pid = 0;
        std::from_chars(self, self + std::strlen(self), pid);
        root.live_ = pid == ::getpid();
    }
    return root;
}

std::string ProcRoot::hidepid() const {
    char real[PATH_MAX];
    if (!live_ || ::realpath(path_.c_str(), real) == nullptr) return "";
    auto info = read_file("self/mountinfo", proc_table_limit);
    return info ? find_hidepid(*info, real) : "";
}

Result<std::string> ProcRoot::read_file(std::string_view relpath, std::size_t limit) const {
    std::string name(relpath);
    return read_file_at(fd(), name.c_str(), join(path_, relpath), limit, live_);
}

Result<std::string> ProcRoot::read_link(std::string_view relpath) const {
    std::string name(relpath);
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(fd(), name.c_str(), buf, sizeof buf);
    if (n < 0) return fail(errno, join(path_, relpath));
    return std::string(buf, static_cast<size_t>(n));
}

Result<std::vector<pid_t>> ProcRoot::list_pids() const {
    return list_numeric_entries(fd(), path_);
}

Result<ProcDir> ProcRoot::open_pid(pid_t pid) const {
    char name[16];
    auto [end, ec] = std::to_chars(name, name + sizeof name - 1, pid);
    *end = '\0';
    std::string label = join(path_, name);
    Fd fd(::openat(this->fd(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return fail(errno, label);
    return ProcDir(pid, std::move(fd), std::move(label), live_);
}

Result<std::string> ProcDir::read_file(const char* name, std::size_t limit) const {
    return read_whole(fd(), name, FileLabel{label_, name}, limit, live_, false);
}

Result<std::string> ProcDir::read_link(const char* name) const {
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(fd(), name, buf, sizeof buf);
    if (n < 0) return fail(errno, join(label_, name));
    return std::string(buf, static_cast<size_t>(n));
}

Result<struct stat> ProcDir::stat(const char* name) const {
    struct stat st {};
    if (::fstatat(fd(), name, &st, 0) != 0) return fail(errno, join(label_, name));
    return st;
}

Result<std::uint64_t> ProcDir::read_namespace(const char* type) const {
    std::string name = std::string("ns/") + type;
    auto link = read_link(name.c_str());
    if (!link) return fail(link.error());
    auto ino = parse_namespace_link(*link);
    if (!ino) return fail_data(join(label_, name) + ": not a namespace link");
    return *ino;
}

Result<std::vector<pid_t>> ProcDir::list_tasks() const {
    Fd task(::openat(fd(), "task", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!task) return fail(errno, join(label_, "task"));
    return list_numeric_entries(task.get(), join(label_, "task"));
}

Result<ProcDir> ProcDir::open_task(pid_t tid) const {
    std::string name = "task/" + std::to_string(tid);
    std::string label = join(label_, name);
    Fd fd(::openat(this->fd(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return fail(errno, label);
    return ProcDir(tid, std::move(fd), std::move(label), live_);
}

}  // namespace capinspect
