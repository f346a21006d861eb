// The network exposure of a machine as libcap-ng 0.9.5's `netcap --advanced` inventories
// it: the sockets that accept traffic, projected onto the interface addresses that reach
// them and grouped in planes, with the processes that hold them, their capabilities and
// their defences. Reference: getifaddrs(3), ip(7), ipv6(7), packet(7), capabilities(7).
// The report model of netcap --advanced (the data comes from libcapinspect's process walk
// and socket dump); advanced.cc renders it as a tree or as JSON. libcap-ng also has
// BLUETOOTH and VSOCK planes and SCTP/DCCP listeners; none of them is inspected.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/process.h>
#include <capinspect/sockets.h>

namespace capinspect::netcap {

// The planes of the report, in report order.
enum class Plane : std::uint8_t { inet_external, inet_loopback, link_layer };
// "INET (external)", "INET (loopback)", "LINK-LAYER".
const char* plane_title(Plane plane);

// Interface names for endpoints that no interface address matched.
inline constexpr std::string_view unknown_interface = "unknown";
inline constexpr std::string_view multicast_interface = "multicast/group";

// The names of the interfaces that have an address, sorted by bytes, each once
// (--list-interfaces).
std::vector<std::string> list_addressed_interfaces(std::span<const InterfaceAddress> addrs);

// One place where a socket can be reached: an address of an interface.
struct Endpoint {
    Plane plane = Plane::inet_external;
    std::string iface;       // interface name, unknown_interface or multicast_interface
    std::string iface_addr;  // that interface's address; the bind address when no interface
                             // matched; "ifindex:N" for a packet socket
    std::string proto;       // "tcp", "udp6", "raw", ...; "packet" for a packet socket
    std::string bind;        // the local address as format_ip_address() writes it; "::" for packet
    std::uint16_t port = 0;  // the local port; the IP protocol of a raw socket; the
                             // ethertype (host order) of a packet socket
    bool wildcard = false;   // an inet socket bound to 0.0.0.0 or ::

    // "tcp:0.0.0.0:80", "tcp6:[::1]:8443", "packet:[::]:3": the bind in brackets when it
    // holds a ':'.
    std::string label() const;
    // The tree's bind node: "*" for a wildcard inet bind and for packet sockets, "[::1]" for
    // IPv6, the address otherwise.
    std::string bind_node() const;
};

// Where socket `s` can be reached (libcap-ng 0.9.5's projection, with IPv6 addresses
// decoded correctly):
// - inet bound to the wildcard address: one endpoint per address of the same family of
//   every interface except the one named "lo", plane INET (external), wildcard set;
// - inet bound to an address: one endpoint per interface that has exactly that address;
//   plane INET (loopback) for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104, else external;
// - no interface matched: one endpoint on "lo" (a loopback address), "multicast/group" (a
//   multicast address) or "unknown", with the bind address as the interface address;
// - packet: one endpoint in LINK-LAYER on `packet_iface` (the name of its ifindex; empty when
//   unbound or unknown gives "unknown"), interface address "ifindex:N", bind "::".
std::vector<Endpoint> project_socket(const SocketEntry& s,
                                                    std::span<const InterfaceAddress> addrs,
                                                    std::string_view packet_iface);

// How much a capability gives away, as netcap --advanced colours it: high (process
// control, kernel modules, raw devices, id changes, setpcap, audit_control) is orange,
// elevated (sys_admin, file and network administration, chown, mknod, sys_chroot) yellow.
enum class CapRisk : std::uint8_t { none, elevated, high };
CapRisk cap_risk(Cap c);
// The highest risk of the capabilities in the set.
CapRisk worst_cap_risk(CapSet set);

// Capabilities of the effective set that make a reachable process a prize: sys_admin,
// sys_ptrace, dac_read_search, net_admin, net_raw (the privileged-caps flag).
inline constexpr CapSet privileged_caps{(1ull << 21) | (1ull << 19) | (1ull << 2) | (1ull << 12) | (1ull << 13)};

// The flags of a process at an endpoint, as bits; flag_names() lists them in report order.
enum ExposureFlag : unsigned {
    flag_wildcard_bind = 1u << 0,
    flag_reuseport = 1u << 1,
    flag_privileged_caps = 1u << 2,
};
std::vector<std::string_view> flag_names(unsigned flags);

// What netcap --advanced shows of a process that holds an exposed socket.
enum class CapsClass : std::uint8_t { none, partial, full };
// By the effective set, as libcap-ng classifies.
CapsClass caps_class(const ProcStatus& st, Cap last_cap);
// "(full)", "(none)", or the permitted set as "chown, net_raw".
std::string caps_summary(const ProcStatus& st, Cap last_cap);
bool runs_as_nonroot(const Process& p);         // by the real uid, as libcap-ng decides
bool has_privileged_caps(const ProcStatus& st);  // the privileged-caps flag
// The unit libcap-ng 0.9.5 names: a .service or .scope of the system's manager inside
// system.slice; "" for every other process (user services, sessions, init.scope).
std::string system_service(const Process& p);

// A process at an endpoint, with its flags there.
struct EndpointHolder {
    size_t process = 0;  // index in Exposure::processes
    unsigned flags = 0;  // ExposureFlag bits
};

struct ExposedEndpoint {
    Endpoint where;
    std::vector<EndpointHolder> holders;  // each process once, by pid
};

struct Exposure {
    std::vector<Process> processes;
    std::vector<ExposedEndpoint> endpoints;  // in report order (see ExposureBuilder::finish)
};

// Collects processes and sockets, merges endpoints with the same label, interface and
// interface address, and sorts.
class ExposureBuilder {
public:
    // Returns the index of the process for add_socket.
    size_t add_process(Process p);
    // Adds the endpoints of socket `s`, held by `holders` (indexes from add_process);
    // `reuseport` is its SO_REUSEPORT option where it could be read.
    void add_socket(const SocketEntry& s, std::span<const size_t> holders, bool reuseport,
                    std::span<const InterfaceAddress> addrs, std::string_view packet_iface);
    // Endpoints sorted by plane, interface, protocol, bind (wildcards first, then the
    // address text), port, interface address and label, all by bytes; holders by pid.
    Exposure finish() &&;

private:
    Exposure out_;
    std::unordered_map<std::string, size_t> index_;  // endpoint identity → position
};

// Endpoints sorted as finish() sorts them.
bool endpoint_less(const Endpoint& a, const Endpoint& b);

// Keeps the endpoints on interface `name` (an exact match of the raw bytes; the pseudo
// names "unknown" and "multicast/group" work too).
void keep_interface(Exposure& exposure, std::string_view name);

// A port node of the tree: the endpoints [first, last) that share plane, interface,
// protocol, bind and port, and their processes, each once (flags merged), by pid.
struct PortGroup {
    size_t first = 0, last = 0;
    std::vector<EndpointHolder> holders;
};
std::vector<PortGroup> group_by_port(const Exposure& exposure);

}  // namespace capinspect::netcap
