// Sockets across network namespaces, and which processes hold them.
// Reference: network_namespaces(7), setns(2), sock_diag(7), proc(5) (/proc/PID/ns/net,
// /proc/PID/fd). A socket belongs to one network namespace; a process holds it through
// an fd, wherever that process lives. To see the sockets of another namespace the caller
// enters it (setns, CAP_SYS_ADMIN) through a process that lives there, dumps, and comes
// back.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/process.h>
#include <capinspect/sockets.h>

namespace capinspect {

// The sockets of one network namespace.
struct NamespaceSockets {
    std::optional<std::uint64_t> net_ns;  // its inode; nullopt when unknown (a saved tree)
    bool own = false;                     // the caller's own namespace
    SocketDump dump;
};

struct NetworkScan {
    std::vector<NamespaceSockets> namespaces;  // the caller's first, then by inode
    unsigned unreachable = 0;                  // namespaces that could not be entered
};

// The sockets in `scope` (kept by `keep` as they are decoded) of the caller's network
// namespace and, with `every_namespace`, of every other namespace one of `processes` lives
// in (Process::net_ns: read them with fact_net_ns). Each namespace is entered through the
// ns/net of one of its processes, checked to be that namespace, and left before the next.
// A saved tree (not the live proc file system) gives its /proc/net tables, once.
// Fails only when the caller cannot return to its own namespace.
CAPINSPECT_API Result<NetworkScan> scan_network_namespaces(const ProcRoot& root,
                                                          const std::vector<Process>& processes,
                                                          SocketScope scope, bool every_namespace,
                                                          const SocketFilter& keep = {});

// Which processes hold which socket, from Process::sockets (fact_sockets).
class CAPINSPECT_API SocketOwners {
public:
    // The holders of one socket: indexes into the processes, ascending (pid order), each
    // process once even when it holds the socket on several fds.
    struct Range {
        const std::uint32_t* first = nullptr;
        const std::uint32_t* last = nullptr;
        const std::uint32_t* begin() const { return first; }
        const std::uint32_t* end() const { return last; }
        bool empty() const { return first == last; }
        std::size_t size() const { return static_cast<std::size_t>(last - first); }
    };

    SocketOwners() = default;
    // `processes` in pid order, as list_processes() gives them.
    explicit SocketOwners(const std::vector<Process>& processes);
    Range of(std::uint64_t inode) const;
    bool holds_any(std::uint64_t inode) const { return !of(inode).empty(); }

private:
    std::vector<std::uint64_t> inodes_;  // sorted
    std::vector<std::uint32_t> owners_;  // owners_[i] holds inodes_[i]
};

}  // namespace capinspect
