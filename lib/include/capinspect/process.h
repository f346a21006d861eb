// The processes of a proc root as records: the one walk that every tool and the auditor
// read processes through. Reference: proc(5) (/proc/PID/{status,stat,task,ns,exe,cgroup,
// attr/current,fd}), capget(2), user_namespaces(7), ioctl_ns(2), cgroups(7).
//
// A caller says which processes it wants and which facts about them; the walk reads each
// process through one ProcDir (so every fact comes from the same process even if the pid
// is reused meanwhile), reads only what was asked (a fact nobody asked for costs no
// system call), leaves kernel threads and the caller itself out, skips a process that
// vanished and counts one that could not be read.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/file_caps.h>
#include <capinspect/mountinfo.h>
#include <capinspect/proc_cgroup.h>
#include <capinspect/proc_fd.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>
#include <capinspect/user_ns.h>

namespace capinspect {

// The facts a walk can read besides the status file (always read), as bits.
enum ProcessFact : unsigned {
    fact_user_ns = 1u << 0,   // Process::user_ns: the user namespace and the privilege scope
    fact_net_ns = 1u << 1,    // Process::net_ns: the network namespace inode
    fact_exe = 1u << 2,       // Process::exe: the executable's path
    fact_exe_file = 1u << 3,  // Process::exe_file: the running executable's inode, mode and
                              // file capabilities (implies fact_exe)
    fact_cgroup = 1u << 4,    // Process::cgroup: the cgroup and systemd unit
    fact_lsm = 1u << 5,       // Process::lsm: the LSM label
    fact_sockets = 1u << 6,   // Process::sockets: the sockets its fds hold
    fact_mounts = 1u << 7,    // Process::mounts and mnt_ns: its mount namespace and what it sees
    fact_net_devices = 1u << 8,  // Process::net_devices: the interfaces of its network namespace
};
inline constexpr unsigned process_fact_count = 9;

// "user namespace", "network namespace", "executable", ... for messages.
CAPINSPECT_API const char* process_fact_name(ProcessFact fact);

struct Process;

// Which processes a walk keeps.
enum class Holding : std::uint8_t {
    any,        // every process
    effective,  // a non-empty effective set (pscap's and netcap's "holds capabilities")
    any_set,    // a capability in the effective, permitted, inheritable or ambient set
};

struct ProcessQuery {
    // Only these processes; empty means every process. A pid that names a thread which is
    // not its group's leader, a kernel thread or a process that is gone gives nothing.
    std::vector<pid_t> pids;
    // Only processes whose effective uid is listed (with `threads`: the leader's or any
    // thread's); empty means any.
    std::vector<uid_t> users;
    // Only processes that hold capabilities this way (with `threads`: the leader or any
    // thread). On the live system a process that cannot hold any is ruled out with one
    // capget(2), before any file is opened.
    Holding holding = Holding::any;
    // Only processes in this cgroup (a cgroup v2 path such as "/system.slice/ssh.service")
    // or below it. On the live system only the processes that the cgroup file system lists
    // there are read.
    std::optional<std::string> cgroup;
    // Read every thread (Process::threads).
    bool threads = false;
    // ProcessFact bits.
    unsigned facts = 0;
    // Keep the caller's own process (left out by default: a tool is not its own finding).
    bool include_self = false;
    // A last selection, made when the status, the threads and the sockets (the facts that
    // can decide) are read and before the other facts: a process it refuses costs nothing
    // more. Empty keeps every process.
    std::function<bool(const Process&)> keep;
};

// One thread other than the leader.
struct ProcessThread {
    pid_t tid = 0;
    ProcStatus status;
};

// Where a process's capabilities have effect. Capabilities held in a child user
// namespace act only on what that namespace owns: a rootless container's "full" is not
// root on the host.
enum class PrivilegeScope : std::uint8_t {
    host,       // the user namespace of the reader (the caller's, or pid 1's for a saved tree)
    namespace_, // a user namespace other than the reader's
};

// "host", "userns".
CAPINSPECT_API const char* privilege_scope_name(PrivilegeScope scope);

struct UserNamespaceInfo {
    std::uint64_t inode = 0;
    PrivilegeScope scope = PrivilegeScope::host;
    // The uid that created the namespace (ioctl NS_GET_OWNER_UID): live system only.
    std::optional<std::uint32_t> owner_uid;
    // Levels below the reader's namespace (1: a child of it), following NS_GET_PARENT:
    // live system only, and only when the namespace descends from the reader's.
    std::optional<unsigned> depth;
    // uid_map and gid_map as the reader sees them; empty when unreadable.
    IdMap uid_map, gid_map;
};

// The file a process runs, as it is now (not as it was at exec: it may have been changed
// since), reached through /proc/PID/exe, so the exact inode even when its path was
// replaced or unlinked.
struct ExecutableFile {
    FileId id;
    mode_t mode = 0;  // st_mode: the set-user-ID bit, the type
    std::uint32_t uid = 0, gid = 0;
    bool nosuid = false;            // on a nosuid mount: set-id bits and file caps are ignored
    std::optional<FileCaps> caps;   // its security.capability; nullopt: none
};

struct Process {
    pid_t pid = 0;
    ProcStatus status;                   // the thread-group leader's
    std::vector<ProcessThread> threads;  // with ProcessQuery::threads: the other threads, by tid

    // The facts asked for; each stays empty when it could not be read (see `unread`).
    std::optional<UserNamespaceInfo> user_ns;
    std::optional<std::uint64_t> net_ns;
    std::optional<std::string> exe;  // the exe link's path, " (deleted)" removed
    bool exe_deleted = false;        // the link said " (deleted)"
    std::optional<ExecutableFile> exe_file;
    std::optional<CgroupInfo> cgroup;
    std::optional<std::string> lsm;  // LSM label; "" when the process has none
    std::vector<SocketFd> sockets;   // in fd order
    // The mounts of its mount namespace below its root (mountinfo), and the namespace's
    // inode (nullopt when ns/mnt could not be read, which needs ptrace access).
    std::optional<std::vector<MountEntry>> mounts;
    std::optional<std::uint64_t> mnt_ns;
    std::optional<std::vector<std::string>> net_devices;  // interface names, net/dev order
    // Facts asked for that could not be read: (fact, errno), in fact order.
    std::vector<std::pair<ProcessFact, int>> unread;

    // The scope of its capabilities; nullopt when the user namespace was not read.
    std::optional<PrivilegeScope> scope() const {
        return user_ns ? std::optional<PrivilegeScope>(user_ns->scope) : std::nullopt;
    }
};

// What a walk could not read: a report must say so rather than look clean.
struct CAPINSPECT_API ReadFailures {
    unsigned read = 0;                   // processes read (whether kept or not)
    std::map<int, unsigned> unreadable;  // errno → processes (EACCES under hidepid=1, ...)
    unsigned malformed = 0;              // status files that did not parse
    std::string first_malformed;         // the first of them, for the message
    // (fact, errno) → processes whose fact could not be read.
    std::map<std::pair<unsigned, int>, unsigned> facts_unread;
    std::string first_malformed_fact;    // the first fact that did not parse, for the message

    // Counts an error; a vanished process (ENOENT, ESRCH) is not a failure.
    void note(const Error& e);
    void note_fact(ProcessFact fact, const Error& e);
    // True when processes were listed but not one could be read. A malformed status file
    // was read (its fault is reported), so it does not count here.
    bool nothing_read() const { return read == 0 && malformed == 0 && !unreadable.empty(); }
};

// The path of the executable a /proc/PID/exe link names: `link` without the " (deleted)"
// the kernel appends once the file was unlinked (*deleted says whether it did).
CAPINSPECT_API std::string exe_link_path(std::string link, bool* deleted = nullptr);

// The LSM label in the text of /proc/PID/attr/current: its first line, without the NUL
// bytes some modules append. "" when there is none.
CAPINSPECT_API std::string parse_lsm_label(std::string_view attr_current);

// Reads the processes of `root` that `query` asks for, in pid order. Fails only when the
// list of processes (or of the cgroup) cannot be read at all.
CAPINSPECT_API Result<std::vector<Process>> list_processes(const ProcRoot& root, const ProcessQuery& query,
                                                           ReadFailures& failures);

// The same walk, handing each process to `visit` as it is read instead of keeping it: a
// report that prints as it goes holds one record at a time, however many processes there
// are. Returns how many were visited.
CAPINSPECT_API Result<unsigned> for_each_process(const ProcRoot& root, const ProcessQuery& query,
                                                 ReadFailures& failures,
                                                 const std::function<void(Process&)>& visit);

// True when the process (its leader, or one of the threads read with it) holds
// capabilities the way `holding` says: the rule ProcessQuery::holding selects by, for a
// caller that reads every process and decides itself.
CAPINSPECT_API bool has_capabilities(const Process& p, Holding holding);

// True when the five capability sets of a and b are the same.
CAPINSPECT_API bool same_capabilities(const ProcStatus& a, const ProcStatus& b);

// The running executable of the process of `dir`, through its exe link. Needs ptrace
// access to the process (EACCES otherwise); ENOENT for a kernel thread or a zombie.
CAPINSPECT_API Result<ExecutableFile> read_executable(const ProcDir& dir);
// The same for the file execve(2) would run for `path` (symlinks followed).
CAPINSPECT_API Result<ExecutableFile> read_executable(const std::string& path);

}  // namespace capinspect
