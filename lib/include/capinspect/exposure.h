// The network exposure of a machine as libcap-ng 0.9.5's `netcap --advanced` inventories
// it: the sockets that accept traffic, projected onto the interface addresses that reach
// them and grouped in planes, with the processes that hold them, their capabilities and
// their defences. Reference: getifaddrs(3), ip(7), ipv6(7), packet(7), capabilities(7),
// proc(5) (/proc/PID/cgroup, /proc/PID/attr/current), seccomp(2), prctl(2)
// (PR_SET_NO_NEW_PRIVS).
// Data only: the tool renders it (a tree, or JSON with libcap-ng's schema). libcap-ng also
// has BLUETOOTH and VSOCK planes and SCTP/DCCP listeners; this module inspects none of them.
#pragma once
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/proc_status.h>
#include <capinspect/sockets.h>

namespace capinspect {

class ProcDir;

// The planes of the report, in report order.
enum class Plane : std::uint8_t { inet_external, inet_loopback, link_layer };
// "INET (external)", "INET (loopback)", "LINK-LAYER".
CAPINSPECT_API const char* plane_title(Plane plane);

// Interface names for endpoints that no interface address matched.
inline constexpr std::string_view unknown_interface = "unknown";
inline constexpr std::string_view multicast_interface = "multicast/group";

// One IPv4 or IPv6 address of an interface, as getifaddrs(3) lists it.
struct InterfaceAddress {
    std::string iface;                    // the name: raw bytes
    bool ipv6 = false;
    std::array<std::uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4
};

// The address as inet_ntop(3) writes it: "127.0.0.1", "::1", "0.0.0.0", "::".
CAPINSPECT_API std::string format_ip_address(bool ipv6, const std::array<std::uint8_t, 16>& addr);

// Every IPv4 and IPv6 address of every interface of the caller's network namespace, in
// getifaddrs(3) order.
CAPINSPECT_API Result<std::vector<InterfaceAddress>> list_interface_addresses();

// The names of the interfaces that have an address, sorted by bytes, each once
// (--list-interfaces).
CAPINSPECT_API std::vector<std::string> list_addressed_interfaces(const std::vector<InterfaceAddress>& addrs);

// One place where a socket can be reached: an address of an interface.
struct CAPINSPECT_API Endpoint {
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
CAPINSPECT_API std::vector<Endpoint> project_socket(const SocketEntry& s,
                                                    const std::vector<InterfaceAddress>& addrs,
                                                    std::string_view packet_iface);

// How much a capability gives away, as netcap --advanced colours it: high (process
// control, kernel modules, raw devices, id changes, setpcap, audit_control) is orange,
// elevated (sys_admin, file and network administration, chown, mknod, sys_chroot) yellow.
enum class CapRisk : std::uint8_t { none, elevated, high };
CAPINSPECT_API CapRisk cap_risk(Cap c);
// The highest risk of the capabilities in the set.
CAPINSPECT_API CapRisk worst_cap_risk(CapSet set);

// Capabilities of the effective set that make a reachable process a prize: sys_admin,
// sys_ptrace, dac_read_search, net_admin, net_raw (the privileged-caps flag).
inline constexpr CapSet privileged_caps{(1ull << 21) | (1ull << 19) | (1ull << 2) | (1ull << 12) | (1ull << 13)};

// The flags of a process at an endpoint, as bits; flag_names() lists them in report order.
enum ExposureFlag : unsigned {
    flag_wildcard_bind = 1u << 0,
    flag_reuseport = 1u << 1,
    flag_privileged_caps = 1u << 2,
};
CAPINSPECT_API std::vector<std::string_view> flag_names(unsigned flags);

enum class CapsClass : std::uint8_t { none, partial, full };

// A process that holds an exposed socket.
struct CAPINSPECT_API ExposedProcess {
    pid_t pid = 0;
    std::string comm;                // the whole command name, raw bytes
    std::optional<std::string> exe;  // the exe link without " (deleted)"; raw bytes
    std::uint32_t uid = 0;           // the real uid
    std::string unit;                // systemd system unit; empty when none
    CapsClass caps_class = CapsClass::none;  // by the effective set, as libcap-ng classifies
    CapSet permitted, effective, ambient, bounding;
    std::optional<bool> no_new_privs;  // nullopt: the kernel does not say
    SeccompMode seccomp = SeccompMode::disabled;
    std::string lsm;                 // LSM label, raw bytes; empty when none

    bool runs_as_nonroot() const { return uid != 0; }
    bool ambient_present() const { return !ambient.empty(); }
    bool open_ended_bounding() const { return !bounding.empty(); }
    bool has_privileged_caps() const { return effective.intersects(privileged_caps); }
    // "(full)", "(none)", or the permitted set as "chown, net_raw".
    std::string caps_summary() const;
};

// The fields that come from /proc/PID/status (exe, unit and lsm are left empty).
CAPINSPECT_API ExposedProcess summarize_process(const ProcStatus& st, Cap last_cap);

// The systemd system unit of a /proc/PID/cgroup text, libcap-ng 0.9.5's rule: the first
// line naming a ".service" or ".scope" inside "system.slice"; the unit is the path
// component that holds the suffix. Units of user sessions are not system units: "".
CAPINSPECT_API std::string parse_system_unit(std::string_view cgroup);

// The LSM label of a /proc/PID/attr/current text: its first line, without the NUL bytes
// some modules append. "" when there is none.
CAPINSPECT_API std::string parse_lsm_label(std::string_view attr_current);

// An exe link without the " (deleted)" the kernel appends for an unlinked file.
CAPINSPECT_API std::string strip_deleted_suffix(std::string_view link);

// summarize_process() plus exe, cgroup unit and LSM label read through `dir`; a file that
// cannot be read leaves its field empty (libcap-ng omits it too).
CAPINSPECT_API ExposedProcess read_exposed_process(const ProcDir& dir, const ProcStatus& st, Cap last_cap);

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
    std::vector<ExposedProcess> processes;
    std::vector<ExposedEndpoint> endpoints;  // in report order (see ExposureBuilder::finish)
};

// Collects processes and sockets, merges endpoints with the same label, interface and
// interface address, and sorts.
class CAPINSPECT_API ExposureBuilder {
public:
    // Returns the index of the process for add_socket.
    size_t add_process(ExposedProcess p);
    // Adds the endpoints of socket `s`, held by `holders` (indexes from add_process);
    // `reuseport` is its SO_REUSEPORT option where it could be read.
    void add_socket(const SocketEntry& s, const std::vector<size_t>& holders, bool reuseport,
                    const std::vector<InterfaceAddress>& addrs, std::string_view packet_iface);
    // Endpoints sorted by plane, interface, protocol, bind (wildcards first, then the
    // address text), port, interface address and label, all by bytes; holders by pid.
    Exposure finish() &&;

private:
    Exposure out_;
    std::unordered_map<std::string, size_t> index_;  // endpoint identity → position
};

// Endpoints sorted as finish() sorts them.
CAPINSPECT_API bool endpoint_less(const Endpoint& a, const Endpoint& b);

// Keeps the endpoints on interface `name` (an exact match of the raw bytes; the pseudo
// names "unknown" and "multicast/group" work too).
CAPINSPECT_API void keep_interface(Exposure& exposure, std::string_view name);

// A port node of the tree: the endpoints [first, last) that share plane, interface,
// protocol, bind and port, and their processes, each once (flags merged), by pid.
struct PortGroup {
    size_t first = 0, last = 0;
    std::vector<EndpointHolder> holders;
};
CAPINSPECT_API std::vector<PortGroup> group_by_port(const Exposure& exposure);

}  // namespace capinspect
