// libFuzzer target: the outside data netcap --advanced parses and projects: a cgroup file
// (parse_cgroup), an LSM label (parse_lsm_label), and a /proc/net/tcp6 table whose sockets are projected onto fixed interfaces; the label
// and the bind node of every endpoint must be well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <capinspect/proc_cgroup.h>
#include <capinspect/process.h>
#include <capinspect/sockets.h>

#include "netcap/exposure.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace capinspect;
    using namespace capinspect::netcap;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)parse_cgroup(text);
    (void)parse_lsm_label(text);

    static const std::vector<InterfaceAddress> addrs = [] {
        std::vector<InterfaceAddress> v(3);
        v[0].iface = "lo";
        v[0].addr[0] = 127;
        v[0].addr[3] = 1;
        v[1].iface = "eth0";
        v[1].addr = {192, 0, 2, 2};
        v[2].iface = "eth0";
        v[2].ipv6 = true;
        v[2].addr[0] = 0xfd;
        v[2].addr[15] = 2;
        return v;
    }();
    unsigned skipped = 0;
    for (SocketKind kind : {SocketKind::tcp6, SocketKind::udp, SocketKind::packet}) {
        auto sockets = kind == SocketKind::packet ? parse_proc_net_packet(text, skipped)
                                                  : parse_proc_net_inet(text, kind, skipped);
        for (const SocketEntry& s : sockets)
            for (const Endpoint& e : project_socket(s, addrs, "")) {
                if (e.label().empty() || e.bind_node().empty() || e.iface.empty()) std::abort();
            }
    }
    return 0;
}
