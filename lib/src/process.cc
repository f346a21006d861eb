#include <capinspect/process.h>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <capinspect/net_dev.h>

#include "file_caps_internal.h"
#include "proc_root_internal.h"
#include "proc_status_internal.h"
#include "xattr_at.h"

namespace capinspect {
namespace {

bool holds(CapSet effective, CapSet permitted, CapSet inheritable, CapSet ambient, Holding holding) {
    switch (holding) {
    case Holding::any: return true;
    case Holding::effective: return !effective.empty();
    case Holding::any_set: return !(effective | permitted | inheritable | ambient).empty();
    }
    return true;
}

bool holds(const ProcStatus& st, Holding holding) {
    return holds(st.effective, st.permitted, st.inheritable, st.ambient.value_or(CapSet()), holding);
}

// A kernel thread, as the kernel says: the Kthread: line of status, else the PF_KTHREAD
// flag of stat. Kernel threads are kthreadd (ppid 0) and its children (ppid 2), so for any
// other process the second read is spared. In a pid namespace pid 2 and its children are
// ordinary processes, and the flags say so.
bool is_kernel_thread(const ProcDir& dir, const ProcStatus& st) {
    if (st.kthread) return *st.kthread;
    if (st.ppid != 0 && st.ppid != 2) return false;
    auto stat = detail::read_single_record(dir, "stat");
    if (!stat) return false;
    auto flags = parse_stat_flags(*stat);
    return flags && (*flags & stat_flag_kthread) != 0;
}

// kthreadd's children on the live system, sorted, when pid 2 is kthreadd. A walk rules
// each out with one readlink(2) of its exe (ENOENT: it runs no program) instead of a
// status read. Any other answer (a user-mode helper the kernel started, which ran a
// program; EACCES for a caller without ptrace access) leaves the decision to the status.
std::vector<pid_t> kthreadd_children(const ProcRoot& root) {
    std::vector<pid_t> pids;
    if (!root.is_live()) return pids;
    auto dir = root.open_pid(2);
    if (!dir) return pids;
    auto st = read_status(*dir);
    if (!st || !is_kernel_thread(*dir, *st)) return pids;
    auto text = dir->read_file("task/2/children");
    if (!text) return pids;
    pids.push_back(2);
    const char* p = text->data();
    const char* end = p + text->size();
    while (p < end) {
        pid_t pid = 0;
        auto [next, ec] = std::from_chars(p, end, pid);
        if (ec == std::errc()) pids.push_back(pid);
        p = next < end ? next + 1 : end;
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

// True when the process has no exe link (ENOENT), as a kernel thread has not. One
// readlink(2) by path, before any file of the process is opened: if the pid was reused
// since kthreadd's children were listed, the new process runs a program and is read like
// any other.
bool runs_no_program(const ProcRoot& root, pid_t pid) {
    char name[24];
    auto [end, ec] = std::to_chars(name, name + 16, pid);
    std::memcpy(end, "/exe", 5);
    char buf[1];
    return ::readlinkat(root.fd(), name, buf, sizeof buf) < 0 && errno == ENOENT;
}

// Levels from the user namespace of `ns_fd` up to the reader's (inode `reader`), through
// NS_GET_PARENT; nullopt when the reader's is not among its ancestors (EPERM: the walk up
// left the caller's namespace). The kernel nests at most 32 levels.
std::optional<unsigned> userns_depth(int ns_fd, std::uint64_t reader) {
    Fd owned;
    int fd = ns_fd;
    for (unsigned depth = 0; depth <= 33; ++depth) {
        struct stat st {};
        if (::fstat(fd, &st) != 0) return std::nullopt;
        if (st.st_ino == reader) return depth;
        Fd parent(::ioctl(fd, NS_GET_PARENT));
        if (!parent) return std::nullopt;
        owned = std::move(parent);
        fd = owned.get();
    }
    return std::nullopt;
}

// The identity, mode and capabilities of the file `fd` (O_PATH) refers to. Without /proc
// to reach its attribute through, `path` (when given) is asked instead.
Result<ExecutableFile> read_executable_fd(Fd fd, const std::string& label, const char* path) {
    if (!fd) return fail(errno, label);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(errno, label);
    ExecutableFile file;
    file.id = FileId{st.st_dev, st.st_ino};
    file.mode = st.st_mode;
    file.uid = st.st_uid;
    file.gid = st.st_gid;
    struct statvfs vfs {};
    if (::fstatvfs(fd.get(), &vfs) == 0) file.nosuid = (vfs.f_flag & ST_NOSUID) != 0;
    int err = 0;
    auto raw = detail::read_raw(
        [&](char* buf, size_t size) {
            ssize_t n = detail::get_xattr_fd(fd.get(), file_caps_xattr, buf, size);
            if (n < 0 && errno == ENOENT && path) n = ::getxattr(path, file_caps_xattr, buf, size);
            return n;
        },
        err);
    // A file system without extended attributes holds no capabilities.
    if (!raw && (err == ENOTSUP || err == EOPNOTSUPP)) return file;
    auto caps = detail::decode_read(std::move(raw), err);
    if (!caps) return fail(detail::with_path(caps.error(), label));
    file.caps = std::move(*caps);
    return file;
}

class Walker {
public:
    Walker(const ProcRoot& root, const ProcessQuery& query, ReadFailures& failures)
        : root_(root), query_(query), failures_(failures) {
        facts_ = query.facts | (query.facts & fact_exe_file ? fact_exe : 0u) | (query.cgroup ? fact_cgroup : 0u);
        if (facts_ & fact_user_ns)
            for (const char* ref : {"self/ns/user", "1/ns/user"})
                if (auto link = root.read_link(ref)) {
                    reader_userns_ = parse_namespace_link(*link);
                    break;
                }
        // A cgroup's few pids need no list of kernel threads: their status rules one out.
        if (query.pids.empty() && !query.cgroup) kthreads_ = kthreadd_children(root);
        self_ = root.is_live() && !query.include_self ? ::getpid() : 0;
    }

    // False for a process the walk need not read: the caller's own, a kernel thread, or on
    // the live system one that cannot hold capabilities the way the query asks, which one
    // capget(2) of its leader rules out before any file is opened (not with threads:
    // another thread may).
    bool may_hold(pid_t pid) const {
        if (pid == self_) return false;
        if (std::binary_search(kthreads_.begin(), kthreads_.end(), pid) && runs_no_program(root_, pid)) return false;
        if (query_.holding == Holding::any || query_.threads || !root_.is_live()) return true;
        auto caps = read_thread_caps(pid);
        if (caps) return holds(caps->effective, caps->permitted, caps->inheritable, CapSet(), query_.holding);
        return caps.error().code != ESRCH;
    }

    // Reads the process into a new record at the end of `out` (built in place: a record is
    // large, and a walk keeps thousands), or leaves `out` as it was.
    void read(pid_t pid, std::vector<Process>& out) {
        auto dir = root_.open_pid(pid);
        if (!dir) return failures_.note(dir.error());
        unsigned threads = 0;
        auto st = detail::read_status(*dir, threads);
        if (!st) return failures_.note(st.error());
        if (st->tgid != st->pid || is_kernel_thread(*dir, *st)) return;
        ++failures_.read;

        Process& p = out.emplace_back();
        p.pid = pid;
        p.status = std::move(*st);
        if (!read_rest(*dir, threads, p)) out.pop_back();
    }

private:
    // The threads and the facts; false when the process is not kept or is gone.
    bool read_rest(const ProcDir& dir, unsigned threads, Process& p) {
        // The kernel's thread count spares a single-threaded process the listing of its
        // task directory; a saved tree's status need not agree with its task directory.
        if (query_.threads && (threads != 1 || !root_.is_live())) read_threads(dir, p);
        if (!selected(p)) return false;
        if (facts_ & fact_sockets) {
            auto fds = list_socket_fds(dir);
            if (fds)
                p.sockets = std::move(*fds);
            else if (!unread(p, fact_sockets, fds.error()))
                return false;
        }
        if (query_.keep && !query_.keep(p)) return false;
        if (!read_facts(dir, p)) return false;
        // A process that moved out of the cgroup since it was listed is not kept.
        return !query_.cgroup || (p.cgroup && is_cgroup_below(p.cgroup->path, *query_.cgroup));
    }

    bool selected(const Process& p) const {
        auto user_ok = [&](const ProcStatus& st) {
            return query_.users.empty() ||
                   std::find(query_.users.begin(), query_.users.end(), st.uid.effective) != query_.users.end();
        };
        auto ok = [&](const ProcStatus& st) { return user_ok(st) && holds(st, query_.holding); };
        if (ok(p.status)) return true;
        return std::any_of(p.threads.begin(), p.threads.end(), [&](const ProcessThread& t) { return ok(t.status); });
    }

    void read_threads(const ProcDir& dir, Process& p) {
        auto tids = dir.list_tasks();
        if (!tids) return failures_.note(tids.error());
        for (pid_t tid : *tids) {
            if (tid == p.pid) continue;
            auto task = dir.open_task(tid);
            if (!task) {
                failures_.note(task.error());
                continue;
            }
            auto st = read_status(*task);
            if (!st) {
                failures_.note(st.error());
                continue;
            }
            p.threads.push_back({tid, std::move(*st)});
        }
    }

    // Records a fact that could not be read. False when the error says the process is
    // gone (ESRCH); a missing file (ENOENT: a zombie has no exe) leaves the fact empty.
    bool unread(Process& p, ProcessFact fact, const Error& e) {
        if (e.code == ESRCH) return false;
        if (e.code == ENOENT) return true;
        p.unread.emplace_back(fact, e.code);
        failures_.note_fact(fact, e);
        return true;
    }

    // The facts after `keep`; false when the process is gone.
    bool read_facts(const ProcDir& dir, Process& p) {
        if (facts_ & fact_user_ns && !read_user_ns(dir, p)) return false;
        if (facts_ & fact_net_ns) {
            auto ns = dir.read_namespace("net");
            if (ns)
                p.net_ns = *ns;
            else if (!unread(p, fact_net_ns, ns.error()))
                return false;
        }
        if (facts_ & fact_exe) {
            auto link = dir.read_link("exe");
            if (link)
                p.exe = exe_link_path(std::move(*link), &p.exe_deleted);
            else if (!unread(p, fact_exe, link.error()))
                return false;
        }
        if (facts_ & fact_exe_file && p.exe) {
            auto file = read_executable(dir);
            if (file)
                p.exe_file = std::move(*file);
            else if (!unread(p, fact_exe_file, file.error()))
                return false;
        }
        if (facts_ & fact_cgroup) {
            auto text = detail::read_single_record(dir, "cgroup");
            if (text)
                p.cgroup = parse_cgroup(*text);
            else if (!unread(p, fact_cgroup, text.error()))
                return false;
        }
        if (facts_ & fact_mounts) {
            auto mounts = read_mountinfo(dir);
            if (mounts)
                p.mounts = std::move(*mounts);
            else if (!unread(p, fact_mounts, mounts.error()))
                return false;
            auto ns = dir.read_namespace("mnt");
            if (ns)
                p.mnt_ns = *ns;
            else if (ns.error().code == ESRCH)
                return false;
        }
        if (facts_ & fact_net_devices) {
            auto names = read_net_devices(dir);
            if (names)
                p.net_devices = std::move(*names);
            else if (!unread(p, fact_net_devices, names.error()))
                return false;
        }
        if (facts_ & fact_lsm) {
            auto text = dir.read_file("attr/current");
            if (text)
                p.lsm = parse_lsm_label(*text);
            else if (text.error().code == EINVAL)
                p.lsm = std::string();  // no LSM that labels processes
            else if (!unread(p, fact_lsm, text.error()))
                return false;
        }
        return true;
    }

    bool read_user_ns(const ProcDir& dir, Process& p) {
        auto ns = dir.read_namespace("user");
        if (!ns) return unread(p, fact_user_ns, ns.error());
        UserNamespaceInfo info;
        info.inode = *ns;
        bool own = reader_userns_ && *ns == *reader_userns_;
        info.scope = own ? PrivilegeScope::host : PrivilegeScope::namespace_;
        if (!own) {
            // Read only for the few processes in another namespace: the maps, and on the
            // live system the owner and the nesting depth.
            if (auto text = dir.read_file("uid_map"))
                if (auto map = parse_id_map(*text)) info.uid_map = std::move(*map);
            if (auto text = dir.read_file("gid_map"))
                if (auto map = parse_id_map(*text)) info.gid_map = std::move(*map);
            if (dir.is_live()) {
                Fd fd(::openat(dir.fd(), "ns/user", O_RDONLY | O_CLOEXEC));
                if (fd) {
                    uid_t owner = 0;
                    if (::ioctl(fd.get(), NS_GET_OWNER_UID, &owner) == 0) info.owner_uid = owner;
                    if (reader_userns_) info.depth = userns_depth(fd.get(), *reader_userns_);
                }
            }
        }
        p.user_ns = std::move(info);
        return true;
    }

    const ProcRoot& root_;
    const ProcessQuery& query_;
    ReadFailures& failures_;
    unsigned facts_ = 0;
    std::optional<std::uint64_t> reader_userns_;
    std::vector<pid_t> kthreads_;
    pid_t self_ = 0;
};

}  // namespace

const char* process_fact_name(ProcessFact fact) {
    switch (fact) {
    case fact_user_ns: return "user namespace";
    case fact_net_ns: return "network namespace";
    case fact_exe: return "executable";
    case fact_exe_file: return "executable file";
    case fact_cgroup: return "cgroup";
    case fact_lsm: return "security label";
    case fact_sockets: return "open files";
    case fact_mounts: return "mounts";
    case fact_net_devices: return "network interfaces";
    }
    return "?";
}

const char* privilege_scope_name(PrivilegeScope scope) {
    return scope == PrivilegeScope::host ? "host" : "userns";
}

void ReadFailures::note(const Error& e) {
    if (e.is_vanished()) return;  // it exited meanwhile: not a failure
    if (e.data) {
        if (malformed++ == 0) first_malformed = e.message();
    } else {
        ++unreadable[e.code];
    }
}

void ReadFailures::note_fact(ProcessFact fact, const Error& e) {
    if (e.is_vanished()) return;
    if (e.data && first_malformed_fact.empty()) first_malformed_fact = e.message();
    ++facts_unread[{static_cast<unsigned>(fact), e.data ? EINVAL : e.code}];
}

std::string exe_link_path(std::string link, bool* deleted) {
    constexpr std::string_view suffix = " (deleted)";
    bool was = link.size() > suffix.size() && link.compare(link.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (was) link.resize(link.size() - suffix.size());
    if (deleted) *deleted = was;
    return link;
}

std::string parse_lsm_label(std::string_view attr_current) {
    std::string_view line = attr_current.substr(0, attr_current.find('\n'));
    while (!line.empty() && line.back() == '\0') line.remove_suffix(1);
    return std::string(line);
}

bool has_capabilities(const Process& p, Holding holding) {
    if (holds(p.status, holding)) return true;
    return std::any_of(p.threads.begin(), p.threads.end(),
                       [&](const ProcessThread& t) { return holds(t.status, holding); });
}

bool same_capabilities(const ProcStatus& a, const ProcStatus& b) {
    return a.effective == b.effective && a.permitted == b.permitted && a.inheritable == b.inheritable &&
           a.bounding == b.bounding && a.ambient == b.ambient;
}

Result<ExecutableFile> read_executable(const ProcDir& dir) {
    // O_PATH follows the magic link to the very inode the process runs, without opening
    // it for reading (an execute-only file works too).
    return read_executable_fd(Fd(::openat(dir.fd(), "exe", O_PATH | O_CLOEXEC)), dir.label() + "/exe", nullptr);
}

Result<ExecutableFile> read_executable(const std::string& path) {
    // Symlinks are followed, as execve(2) follows them.
    return read_executable_fd(Fd(::open(path.c_str(), O_PATH | O_CLOEXEC)), path, path.c_str());
}

namespace {

// The pids a walk reads: the query's, the cgroup's or all, less those that may_hold()
// rules out.
Result<std::vector<pid_t>> pids_to_read(const ProcRoot& root, const ProcessQuery& query, const Walker& walker) {
    std::vector<pid_t> pids = query.pids;
    if (!pids.empty()) {
        std::sort(pids.begin(), pids.end());
        pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
    } else {
        bool listed = false;
        if (query.cgroup && root.is_live()) {
            // Only the cgroup's processes: a unit's few among thousands.
            if (auto in_cgroup = list_cgroup_pids(*query.cgroup)) {
                pids = std::move(*in_cgroup);
                listed = true;
            }
        }
        if (!listed) {
            auto all = root.list_pids();
            if (!all) return fail(all.error());
            pids = std::move(*all);
        }
    }
    pids.erase(std::remove_if(pids.begin(), pids.end(), [&](pid_t pid) { return !walker.may_hold(pid); }),
               pids.end());
    return pids;
}

}  // namespace

Result<std::vector<Process>> list_processes(const ProcRoot& root, const ProcessQuery& query,
                                            ReadFailures& failures) {
    Walker walker(root, query, failures);
    auto pids = pids_to_read(root, query, walker);
    if (!pids) return fail(pids.error());
    // Room for every process that may be kept, so that no record is moved while the
    // list grows.
    std::vector<Process> out;
    out.reserve(pids->size());
    for (pid_t pid : *pids) walker.read(pid, out);
    return out;
}

Result<unsigned> for_each_process(const ProcRoot& root, const ProcessQuery& query, ReadFailures& failures,
                                  const std::function<void(Process&)>& visit) {
    Walker walker(root, query, failures);
    auto pids = pids_to_read(root, query, walker);
    if (!pids) return fail(pids.error());
    std::vector<Process> one;
    one.reserve(1);
    unsigned visited = 0;
    for (pid_t pid : *pids) {
        walker.read(pid, one);
        if (one.empty()) continue;
        visit(one.back());
        one.clear();
        ++visited;
    }
    return visited;
}

}  // namespace capinspect
