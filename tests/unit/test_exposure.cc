// netcap --advanced's report model (tools/netcap/exposure.h): the projection of sockets onto
// interfaces and planes, flags, sort order and the capability summary.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <capinspect/process.h>
#include <capinspect/proc_status.h>
#include <capinspect/sockets.h>

#include "netcap/exposure.h"

using namespace capinspect;
using namespace capinspect::netcap;

namespace {

InterfaceAddress addr(const char* iface, const char* text) {
    InterfaceAddress a;
    a.iface = iface;
    a.ipv6 = std::string_view(text).find(':') != std::string_view::npos;
    if (inet_pton(a.ipv6 ? AF_INET6 : AF_INET, text, a.addr.data()) != 1) throw std::invalid_argument(text);
    return a;
}

// The interfaces of the reference machine, plus a second external one.
const std::vector<InterfaceAddress> machine = {
    addr("lo", "127.0.0.1"), addr("eth0", "192.0.2.2"), addr("eth1", "10.0.0.1"),
    addr("lo", "::1"),       addr("eth0", "fd00::2"),   addr("eth0", "fe80::fc:ff:fe00:1"),
};

SocketEntry inet(SocketKind kind, const char* local, std::uint16_t port, std::uint8_t state = 10) {
    SocketEntry s;
    s.kind = kind;
    s.state = state;
    REQUIRE(inet_pton(s.is_ipv6() ? AF_INET6 : AF_INET, local, s.local_addr.data()) == 1);
    s.local_port = port;
    if (kind == SocketKind::raw || kind == SocketKind::raw6) s.protocol = port;
    return s;
}

SocketEntry packet(int ifindex, std::uint16_t protocol = 3) {
    SocketEntry s;
    s.kind = SocketKind::packet;
    s.ifindex = ifindex;
    s.protocol = protocol;
    return s;
}

// "PLANE|IFACE|IFACE_ADDR|LABEL|BIND_NODE|W" per endpoint.
std::vector<std::string> describe(const std::vector<Endpoint>& eps) {
    std::vector<std::string> out;
    for (const Endpoint& e : eps)
        out.push_back(std::string(plane_title(e.plane)) + "|" + e.iface + "|" + e.iface_addr + "|" + e.label() + "|" +
                      e.bind_node() + "|" + (e.wildcard ? "W" : "-"));
    return out;
}

std::vector<std::string> project(const SocketEntry& s, std::string_view packet_iface = {}) {
    return describe(project_socket(s, machine, packet_iface));
}

ProcStatus status(pid_t pid, std::uint64_t effective, std::uint64_t permitted) {
    ProcStatus st;
    st.name = "srv";
    st.pid = st.tgid = pid;
    st.effective = CapSet(effective);
    st.permitted = CapSet(permitted);
    st.bounding = CapSet::all_up_to(40);
    st.ambient = CapSet();
    st.no_new_privs = false;
    st.seccomp = SeccompMode::disabled;
    return st;
}

constexpr std::uint64_t bit(Cap c) { return std::uint64_t{1} << c; }

Process process(ProcStatus st) {
    Process p;
    p.pid = st.pid;
    p.status = std::move(st);
    return p;
}

}  // namespace

TEST_CASE("a wildcard bind reaches every address of its family except lo's") {
    CHECK(project(inet(SocketKind::tcp, "0.0.0.0", 80)) ==
          std::vector<std::string>{"INET (external)|eth0|192.0.2.2|tcp:0.0.0.0:80|*|W",
                                   "INET (external)|eth1|10.0.0.1|tcp:0.0.0.0:80|*|W"});
    CHECK(project(inet(SocketKind::tcp6, "::", 443)) ==
          std::vector<std::string>{"INET (external)|eth0|fd00::2|tcp6:[::]:443|*|W",
                                   "INET (external)|eth0|fe80::fc:ff:fe00:1|tcp6:[::]:443|*|W"});
    // raw sockets: the "port" is the IP protocol
    CHECK(project(inet(SocketKind::raw6, "::", 58)) ==
          std::vector<std::string>{"INET (external)|eth0|fd00::2|raw6:[::]:58|*|W",
                                   "INET (external)|eth0|fe80::fc:ff:fe00:1|raw6:[::]:58|*|W"});
    // no interface but lo: the wildcard lands on "unknown" with the bind as its address
    std::vector<InterfaceAddress> only_lo = {addr("lo", "127.0.0.1"), addr("lo", "::1")};
    CHECK(describe(project_socket(inet(SocketKind::udp, "0.0.0.0", 53, 7), only_lo, {})) ==
          std::vector<std::string>{"INET (external)|unknown|0.0.0.0|udp:0.0.0.0:53|*|W"});
    CHECK(describe(project_socket(inet(SocketKind::tcp6, "::", 22), {}, {})) ==
          std::vector<std::string>{"INET (external)|unknown|::|tcp6:[::]:22|*|W"});
}

TEST_CASE("a specific bind reaches the interfaces that own the address") {
    CHECK(project(inet(SocketKind::tcp, "127.0.0.1", 8081)) ==
          std::vector<std::string>{"INET (loopback)|lo|127.0.0.1|tcp:127.0.0.1:8081|127.0.0.1|-"});
    CHECK(project(inet(SocketKind::tcp, "192.0.2.2", 8092)) ==
          std::vector<std::string>{"INET (external)|eth0|192.0.2.2|tcp:192.0.2.2:8092|192.0.2.2|-"});
    // IPv6 decoded right (0.9.5 reverses the bytes and files these under "unknown")
    CHECK(project(inet(SocketKind::tcp6, "::1", 8090)) ==
          std::vector<std::string>{"INET (loopback)|lo|::1|tcp6:[::1]:8090|[::1]|-"});
    CHECK(project(inet(SocketKind::tcp6, "fd00::2", 8091)) ==
          std::vector<std::string>{"INET (external)|eth0|fd00::2|tcp6:[fd00::2]:8091|[fd00::2]|-"});
    // an IPv6 socket bound to an IPv4-mapped address receives that IPv4 address's traffic
    CHECK(project(inet(SocketKind::tcp6, "::ffff:192.0.2.2", 8093)) ==
          std::vector<std::string>{
              "INET (external)|eth0|192.0.2.2|tcp6:[::ffff:192.0.2.2]:8093|[::ffff:192.0.2.2]|-"});
}

TEST_CASE("a bind no interface owns: lo, multicast/group or unknown") {
    CHECK(project(inet(SocketKind::tcp, "127.77.0.1", 9000)) ==
          std::vector<std::string>{"INET (loopback)|lo|127.77.0.1|tcp:127.77.0.1:9000|127.77.0.1|-"});
    CHECK(project(inet(SocketKind::tcp6, "::ffff:127.0.0.2", 9000)) ==
          std::vector<std::string>{
              "INET (loopback)|lo|::ffff:127.0.0.2|tcp6:[::ffff:127.0.0.2]:9000|[::ffff:127.0.0.2]|-"});
    CHECK(project(inet(SocketKind::udp, "224.0.0.251", 5356, 7)) ==
          std::vector<std::string>{
              "INET (external)|multicast/group|224.0.0.251|udp:224.0.0.251:5356|224.0.0.251|-"});
    CHECK(project(inet(SocketKind::udp6, "ff02::fb", 5353, 7)) ==
          std::vector<std::string>{"INET (external)|multicast/group|ff02::fb|udp6:[ff02::fb]:5353|[ff02::fb]|-"});
    CHECK(project(inet(SocketKind::tcp, "198.51.100.7", 80)) ==
          std::vector<std::string>{"INET (external)|unknown|198.51.100.7|tcp:198.51.100.7:80|198.51.100.7|-"});
}

TEST_CASE("::1 from /proc/net/tcp6 is loopback: the whole decode") {
    const char* table =
        "  sl  local_address                         remote_address                        st tx_queue "
        "rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:1F9A 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0\n";
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(table, SocketKind::tcp6, skipped);
    REQUIRE(rows.size() == 1);
    CHECK(project(rows[0]) == std::vector<std::string>{"INET (loopback)|lo|::1|tcp6:[::1]:8090|[::1]|-"});
}

TEST_CASE("packet sockets: LINK-LAYER, by interface index") {
    CHECK(project(packet(1), "lo") == std::vector<std::string>{"LINK-LAYER|lo|ifindex:1|packet:[::]:3|*|-"});
    CHECK(project(packet(0)) == std::vector<std::string>{"LINK-LAYER|unknown|ifindex:0|packet:[::]:3|*|-"});
    CHECK(project(packet(7, 0x88cc)) ==
          std::vector<std::string>{"LINK-LAYER|unknown|ifindex:7|packet:[::]:35020|*|-"});
}

TEST_CASE("which sockets count: TCP listeners, bound datagram sockets, raw, packet") {
    CHECK(inet(SocketKind::tcp, "0.0.0.0", 80, 10).is_exposed());
    CHECK_FALSE(inet(SocketKind::tcp, "127.0.0.1", 80, 1).is_exposed());    // established
    CHECK_FALSE(inet(SocketKind::tcp6, "::", 0, 7).is_exposed());           // closed
    CHECK(inet(SocketKind::udp, "0.0.0.0", 53, 7).is_exposed());
    CHECK(inet(SocketKind::udp6, "::1", 40000, 1).is_exposed());            // connected, has a port
    CHECK_FALSE(inet(SocketKind::udp, "0.0.0.0", 0, 7).is_exposed());
    CHECK(inet(SocketKind::udplite, "0.0.0.0", 5555, 7).is_exposed());
    CHECK(inet(SocketKind::raw, "0.0.0.0", 1, 7).is_exposed());
    CHECK(inet(SocketKind::raw6, "::", 58, 1).is_exposed());
    CHECK(packet(0).is_exposed());
}

TEST_CASE("labels and bind nodes") {
    Endpoint e;
    e.proto = "udp6";
    e.bind = "fe80::1";
    e.port = 546;
    CHECK(e.label() == "udp6:[fe80::1]:546");
    CHECK(e.bind_node() == "[fe80::1]");
    e.proto = "tcp";
    e.bind = "0.0.0.0";
    e.wildcard = true;
    CHECK(e.label() == "tcp:0.0.0.0:546");
    CHECK(e.bind_node() == "*");
}

TEST_CASE("capability risk tiers and the privileged-caps set") {
    CHECK(cap_risk(19) == CapRisk::high);      // sys_ptrace
    CHECK(cap_risk(8) == CapRisk::high);       // setpcap
    CHECK(cap_risk(30) == CapRisk::high);      // audit_control
    CHECK(cap_risk(21) == CapRisk::elevated);  // sys_admin
    CHECK(cap_risk(13) == CapRisk::elevated);  // net_raw
    CHECK(cap_risk(27) == CapRisk::elevated);  // mknod
    CHECK(cap_risk(10) == CapRisk::none);      // net_bind_service
    CHECK(cap_risk(63) == CapRisk::none);
    CHECK(worst_cap_risk(CapSet()) == CapRisk::none);
    CHECK(worst_cap_risk(CapSet(bit(10) | bit(12))) == CapRisk::elevated);
    CHECK(worst_cap_risk(CapSet(bit(10) | bit(12) | bit(6))) == CapRisk::high);
    CHECK(format_cap_list(privileged_caps) == "dac_read_search, net_admin, net_raw, sys_ptrace, sys_admin");
}

TEST_CASE("flags print in 0.9.5's order") {
    CHECK(flag_names(0).empty());
    CHECK(flag_names(flag_privileged_caps | flag_reuseport | flag_wildcard_bind) ==
          std::vector<std::string_view>{"wildcard-bind", "reuseport", "privileged-caps"});
    CHECK(flag_names(flag_privileged_caps) == std::vector<std::string_view>{"privileged-caps"});
}

TEST_CASE("the capability summary classifies by the effective set and lists the permitted one") {
    ProcStatus st = status(10, bit(10) | bit(13), bit(10) | bit(13) | bit(19));
    st.uid = {1000, 0, 0, 0};  // real uid 1000, effective root
    CHECK(caps_class(st, 40) == CapsClass::partial);
    CHECK(caps_summary(st, 40) == "net_bind_service, net_raw, sys_ptrace");
    CHECK(runs_as_nonroot(process(st)));  // by the real uid
    CHECK(has_privileged_caps(st));  // net_raw is effective

    // sys_ptrace only permitted: no privileged-caps flag (0.9.5 looks at the effective set)
    st = status(11, bit(10), bit(10) | bit(19));
    CHECK_FALSE(has_privileged_caps(st));
    CHECK_FALSE(runs_as_nonroot(process(st)));

    // permitted but not effective: "(none)"
    st = status(12, 0, bit(13));
    CHECK(caps_class(st, 40) == CapsClass::none);
    CHECK(caps_summary(st, 40) == "(none)");

    // every capability the kernel knows; bits above cap_last_cap do not matter
    st = status(13, CapSet::all_up_to(40).mask(), CapSet::all_up_to(40).mask());
    CHECK(caps_summary(st, 40) == "(full)");
    st = status(13, CapSet::all_up_to(40).mask() & ~bit(24), CapSet::all_up_to(40).mask());
    CHECK(caps_class(st, 40) == CapsClass::partial);
}

TEST_CASE("system_service: libcap-ng 0.9.5's system.slice services and scopes only") {
    auto unit_of = [](const char* cgroup) {
        Process p;
        p.cgroup = parse_cgroup(cgroup);
        return system_service(p);
    };
    CHECK(unit_of("0::/system.slice/ssh.service\n") == "ssh.service");
    CHECK(unit_of("0::/system.slice/capdemo.service/sub\n") == "capdemo.service");
    CHECK(unit_of("0::/system.slice/docker-0123abcd.scope\n") == "docker-0123abcd.scope");
    CHECK(unit_of("0::/system.slice/system-getty.slice/getty@tty1.service\n") == "getty@tty1.service");
    // user sessions are not system units, nor is init.scope
    CHECK(unit_of("0::/user.slice/user-1000.slice/session-3.scope\n").empty());
    CHECK(unit_of("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n").empty());
    CHECK(unit_of("0::/init.scope\n").empty());
    CHECK(unit_of("0::/\n").empty());
    CHECK(unit_of("").empty());
    // cgroup v1: systemd's own hierarchy (name=systemd), as pscap's UNIT column reads it
    CHECK(unit_of("12:pids:/\n11:cpu,cpuacct:/system.slice/cron.service\n"
                  "1:name=systemd:/system.slice/other.service\n") == "other.service");
    // no cgroup read
    CHECK(system_service(Process()).empty());
}

TEST_CASE("list_addressed_interfaces: sorted by bytes, each once") {
    CHECK(list_addressed_interfaces(machine) == std::vector<std::string>{"eth0", "eth1", "lo"});
    CHECK(list_addressed_interfaces({}).empty());
}

TEST_CASE("the builder merges endpoints, dedups holders, sets flags and sorts") {
    ExposureBuilder b;
    size_t rp2 = b.add_process(process(status(300, bit(10), bit(10))));
    size_t rp1 = b.add_process(process(status(200, bit(10), bit(10))));
    size_t raw = b.add_process(process(status(100, bit(13), bit(13))));
    size_t v6 = b.add_process(process(status(400, 0, 0)));

    // a SO_REUSEPORT pair: two sockets, one label, two processes
    std::vector<size_t> only_rp2 = {rp2}, only_rp1 = {rp1}, only_raw = {raw}, only_v6 = {v6};
    b.add_socket(inet(SocketKind::tcp, "127.0.0.1", 6001), only_rp2, true, machine, {});
    b.add_socket(inet(SocketKind::tcp, "127.0.0.1", 6001), only_rp1, true, machine, {});
    // a raw socket, a packet socket, a wildcard IPv6 listener on two addresses
    b.add_socket(inet(SocketKind::raw, "0.0.0.0", 1, 7), only_raw, false, machine, {});
    b.add_socket(packet(1), only_raw, false, machine, "lo");
    b.add_socket(inet(SocketKind::tcp6, "::", 8443), only_v6, false, machine, {});
    b.add_socket(inet(SocketKind::tcp, "127.0.0.1", 80), only_v6, false, machine, {});
    b.add_socket(inet(SocketKind::tcp, "127.0.0.1", 7), only_v6, false, machine, {});
    Exposure x = std::move(b).finish();

    std::vector<std::string> order;
    for (const ExposedEndpoint& e : x.endpoints)
        order.push_back(e.where.iface + " " + e.where.label() + " " + e.where.iface_addr);
    CHECK(order == std::vector<std::string>{
                       "eth0 raw:0.0.0.0:1 192.0.2.2",
                       "eth0 tcp6:[::]:8443 fd00::2",
                       "eth0 tcp6:[::]:8443 fe80::fc:ff:fe00:1",
                       "eth1 raw:0.0.0.0:1 10.0.0.1",
                       "lo tcp:127.0.0.1:7 127.0.0.1",  // ports numerically
                       "lo tcp:127.0.0.1:80 127.0.0.1",
                       "lo tcp:127.0.0.1:6001 127.0.0.1",
                       "lo packet:[::]:3 ifindex:1",     // LINK-LAYER last
                   });
    const ExposedEndpoint& pair = x.endpoints[6];
    REQUIRE(pair.holders.size() == 2);
    CHECK(x.processes[pair.holders[0].process].pid == 200);  // by pid
    CHECK(x.processes[pair.holders[1].process].pid == 300);
    CHECK(pair.holders[0].flags == flag_reuseport);
    CHECK(x.endpoints[0].holders[0].flags == (flag_wildcard_bind | flag_privileged_caps));
    CHECK(x.endpoints[7].holders[0].flags == flag_privileged_caps);  // packet: no wildcard-bind
    CHECK(x.endpoints[4].holders[0].flags == 0u);

    // the tree: one port node per (plane, interface, protocol, bind, port)
    auto groups = group_by_port(x);
    REQUIRE(groups.size() == 7);
    CHECK(groups[1].first == 1);
    CHECK(groups[1].last == 3);  // tcp6 [::]:8443 on both addresses of eth0
    REQUIRE(groups[1].holders.size() == 1);
    CHECK(x.processes[groups[1].holders[0].process].pid == 400);
    CHECK(groups[5].holders.size() == 2);

    keep_interface(x, "lo");
    CHECK(x.endpoints.size() == 4);
    keep_interface(x, "nosuch");
    CHECK(x.endpoints.empty());
    CHECK(group_by_port(x).empty());
}

TEST_CASE("a socket on two fds of one process, and one shared by two processes") {
    ExposureBuilder b;
    size_t parent = b.add_process(process(status(50, bit(10), bit(10))));
    size_t child = b.add_process(process(status(51, bit(10), bit(10))));
    std::vector<size_t> twice = {parent, parent}, shared = {child, parent};
    b.add_socket(inet(SocketKind::udp, "127.0.0.1", 5353, 7), twice, false, machine, {});
    b.add_socket(inet(SocketKind::tcp, "127.0.0.1", 81), shared, false, machine, {});
    Exposure x = std::move(b).finish();
    REQUIRE(x.endpoints.size() == 2);
    CHECK(x.endpoints[0].where.proto == "tcp");
    CHECK(x.endpoints[0].holders.size() == 2);
    CHECK(x.processes[x.endpoints[0].holders[0].process].pid == 50);
    CHECK(x.endpoints[1].holders.size() == 1);
}

TEST_CASE("wildcard binds sort before addresses, whatever their text") {
    Endpoint a, b;
    a.proto = b.proto = "udp";
    a.iface = b.iface = "unknown";
    a.bind = "0.0.0.0";
    a.wildcard = true;
    b.bind = "0.0.0.1";
    CHECK(endpoint_less(a, b));
    CHECK_FALSE(endpoint_less(b, a));
    b.bind = "0.0.0.0";
    b.wildcard = true;
    b.port = 1;
    a.port = 2;
    CHECK(endpoint_less(b, a));
}
