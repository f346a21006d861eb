// proc_fd on the live system: our own sockets by fd, and SO_REUSEPORT read through a
// pidfd_getfd copy (ptrace access to oneself needs no privilege).
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <capinspect/proc_fd.h>
#include <capinspect/proc_root.h>

using namespace capinspect;

namespace {

Fd udp_socket(bool reuseport) {
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    int on = reuseport ? 1 : 0;
    REQUIRE(::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0);
    return fd;
}

std::uint64_t inode_of(const Fd& fd) {
    struct stat st {};
    REQUIRE(::fstat(fd.get(), &st) == 0);
    return st.st_ino;
}

}  // namespace

TEST_CASE("list_socket_fds and read_socket_reuseport on our own sockets") {
    Fd plain = udp_socket(false), shared = udp_socket(true);
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto dir = root->open_pid(::getpid());
    REQUIRE(dir);
    auto fds = list_socket_fds(*dir);
    REQUIRE(fds);
    auto find = [&](const Fd& fd) {
        return std::find_if(fds->begin(), fds->end(), [&](const SocketFd& s) { return s.fd == fd.get(); });
    };
    REQUIRE(find(plain) != fds->end());
    REQUIRE(find(shared) != fds->end());
    CHECK(find(plain)->inode == inode_of(plain));
    CHECK(find(shared)->inode == inode_of(shared));
    auto inodes = list_socket_inodes(*dir);
    REQUIRE(inodes);
    CHECK(inodes->size() == fds->size());

    std::vector<SocketFd> ask = {{plain.get(), inode_of(plain)},
                                 {shared.get(), inode_of(shared)},
                                 {shared.get(), inode_of(plain)},  // the fd now holds another socket
                                 {9999, 1}};                       // no such fd
    auto answers = read_socket_reuseport(::getpid(), ask);
    REQUIRE(answers.size() == 4);
    if (!answers[0] && !answers[1]) {
        MESSAGE("pidfd_getfd is not available here (kernel before 5.6, or refused)");
        return;
    }
    CHECK(answers[0] == std::optional<bool>(false));
    CHECK(answers[1] == std::optional<bool>(true));
    CHECK_FALSE(answers[2]);
    CHECK_FALSE(answers[3]);
    CHECK(read_socket_reuseport(::getpid(), {}).empty());
}
