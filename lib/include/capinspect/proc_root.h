// Access to a proc file system through directory descriptors.
// Reference: proc(5). Every read is relative to a ProcRoot, so a fixture tree or a saved
// copy of /proc can stand in for the real one (util-linux's lib/path.c does the same).
// A ProcDir holds one /proc/PID directory open: every file read through it comes from the
// same process, even when the pid is reused meanwhile (the reads then fail with ESRCH).
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

// The path of the live proc file system; the only place the literal appears.
CAPINSPECT_API extern const char* const default_proc_path;

// An owned file descriptor, closed on destruction.
class CAPINSPECT_API Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();
    int get() const { return fd_; }
    int release() { int fd = fd_; fd_ = -1; return fd; }
    explicit operator bool() const { return fd_ >= 0; }
private:
    int fd_ = -1;
};

// The most a per-process proc file can hold (status, stat, cgroup, uid_map, attr/current).
// The kernel prints a few kilobytes, and under a megabyte at worst (status with 65 536
// supplementary groups); tables (mountinfo, /proc/net) pass a larger bound.
inline constexpr std::size_t proc_file_limit = std::size_t{4} << 20;
inline constexpr std::size_t proc_table_limit = std::size_t{1} << 30;

// Reads a whole file relative to dirfd; proc files report size 0, so it reads until EOF.
// More than `limit` bytes is EFBIG. With `trusted` false (a saved or fixture tree, not the
// kernel's), a symlink (ELOOP), a directory (EISDIR) or anything else but a regular file
// (a FIFO, /dev/zero: a data error) is refused. The error context is `label`.
CAPINSPECT_API Result<std::string> read_file_at(int dirfd, const char* name, std::string_view label,
                                                std::size_t limit = proc_file_limit, bool trusted = false);

// "user:[4026531837]" (a /proc/PID/ns/* link) → 4026531837; nullopt for anything else.
CAPINSPECT_API std::optional<std::uint64_t> parse_namespace_link(std::string_view link);

// Lists the numeric entries of a directory (pids in /proc, tids in /proc/PID/task),
// sorted ascending.
CAPINSPECT_API Result<std::vector<pid_t>> list_numeric_entries(int dirfd, std::string_view label);

class ProcDir;

class CAPINSPECT_API ProcRoot {
public:
    // Opens a proc root; path defaults to the live /proc.
    static Result<ProcRoot> open(std::string path = default_proc_path);

    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }
    // True when this is the procfs of the caller's own pid namespace, so that pids in it
    // are pids the caller can pass to system calls (capget, kill).
    bool is_live() const { return live_; }
    // The hidepid= mount option ("invisible", "noaccess", "ptraceable", "2", ...) when the
    // proc file system hides processes of other users; empty otherwise. Reads
    // self/mountinfo at each call (only a live root can say).
    std::string hidepid() const;

    Result<std::string> read_file(std::string_view relpath, std::size_t limit = proc_file_limit) const;
    Result<std::string> read_link(std::string_view relpath) const;
    Result<std::vector<pid_t>> list_pids() const;
    Result<ProcDir> open_pid(pid_t pid) const;

private:
    ProcRoot(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    Fd fd_;
    bool live_ = false;
};

class CAPINSPECT_API ProcDir {
public:
    // `live`: the directory belongs to the kernel's proc file system (ProcRoot::is_live).
    ProcDir(pid_t pid, Fd fd, std::string label, bool live = false)
        : pid_(pid), fd_(std::move(fd)), label_(std::move(label)), live_(live) {}
    pid_t pid() const { return pid_; }
    int fd() const { return fd_.get(); }
    // "/proc/123": used in error messages.
    const std::string& label() const { return label_; }
    bool is_live() const { return live_; }

    Result<std::string> read_file(const char* name, std::size_t limit = proc_file_limit) const;
    Result<std::string> read_link(const char* name) const;
    Result<struct stat> stat(const char* name) const;
    // The inode of the process's namespace of `type` ("user", "net", ...): ns/TYPE.
    // Reading it needs ptrace access to the process (EACCES otherwise).
    Result<std::uint64_t> read_namespace(const char* type) const;
    // Thread ids of this process (task/), ascending.
    Result<std::vector<pid_t>> list_tasks() const;
    // task/TID as a ProcDir of its own.
    Result<ProcDir> open_task(pid_t tid) const;

private:
    pid_t pid_;
    Fd fd_;
    std::string label_;
    bool live_ = false;
};

}  // namespace capinspect
