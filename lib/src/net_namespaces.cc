#include <capinspect/net_namespaces.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace capinspect {

Result<NetworkScan> scan_network_namespaces(const ProcRoot& root, const std::vector<Process>& processes,
                                            SocketScope scope, bool every_namespace, const SocketFilter& keep) {
    NetworkScan scan;
    if (!root.is_live()) {
        scan.namespaces.push_back({std::nullopt, true, read_proc_net_sockets(root, scope, keep)});
        return scan;
    }
    std::optional<std::uint64_t> own;
    if (auto link = root.read_link("self/ns/net")) own = parse_namespace_link(*link);
    scan.namespaces.push_back({own, true, dump_sockets(root, scope, keep)});
    if (!every_namespace) return scan;

    std::map<std::uint64_t, pid_t> others;  // namespace → a process that lives there
    for (const Process& p : processes)
        if (p.net_ns && p.net_ns != own) others.emplace(*p.net_ns, p.pid);
    if (others.empty()) return scan;
    Fd home(::openat(root.fd(), "self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!home) return fail(errno, root.path() + "/self/ns/net");
    for (auto [ns, pid] : others) {
        std::string link = std::to_string(pid) + "/ns/net";
        Fd target(::openat(root.fd(), link.c_str(), O_RDONLY | O_CLOEXEC));
        // The pid may have been reused since it was read: enter only the namespace it
        // was seen in.
        struct stat st {};
        if (!target || ::fstat(target.get(), &st) != 0 || st.st_ino != ns ||
            ::setns(target.get(), CLONE_NEWNET) != 0) {
            ++scan.unreachable;
            continue;
        }
        scan.namespaces.push_back({ns, false, dump_sockets(root, scope, keep)});
        if (::setns(home.get(), CLONE_NEWNET) != 0)
            return fail(errno, "setns back to the caller's network namespace");
    }
    return scan;
}

SocketOwners::SocketOwners(const std::vector<Process>& processes) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> held;
    for (size_t i = 0; i < processes.size(); ++i)
        for (const SocketFd& s : processes[i].sockets) held.emplace_back(s.inode, static_cast<std::uint32_t>(i));
    // Sorted by inode, then owner: a flat index for the join, a third of a hash map's
    // memory at 100 000 sockets.
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    inodes_.reserve(held.size());
    owners_.reserve(held.size());
    for (auto [inode, owner] : held) {
        inodes_.push_back(inode);
        owners_.push_back(owner);
    }
}

SocketOwners::Range SocketOwners::of(std::uint64_t inode) const {
    auto [first, last] = std::equal_range(inodes_.begin(), inodes_.end(), inode);
    const std::uint32_t* base = owners_.data();
    return {base + (first - inodes_.begin()), base + (last - inodes_.begin())};
}

}  // namespace capinspect
