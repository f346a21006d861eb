// The sockets of a network namespace: TCP, UDP, UDP-Lite and raw over IPv4 and IPv6, and
// packet sockets. Reference: sock_diag(7), linux/inet_diag.h, linux/packet_diag.h,
// proc(5) (/proc/net/tcp and friends).
// The kernel answers over NETLINK_SOCK_DIAG (one dump per family and protocol, filtered by
// state in the kernel); the /proc/net text tables are the fallback (netlink refused, or a
// saved proc tree). Both give the same SocketEntry.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcRoot;

// The tables libcap-ng's netcap reads, in its order.
enum class SocketKind : std::uint8_t { tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6, packet };
inline constexpr SocketKind all_socket_kinds[] = {
    SocketKind::tcp,      SocketKind::tcp6, SocketKind::udp,  SocketKind::udp6,  SocketKind::udplite,
    SocketKind::udplite6, SocketKind::raw,  SocketKind::raw6, SocketKind::packet};

// "tcp", "udp6", ..., "pkt" for packet sockets (libcap-ng's names).
CAPINSPECT_API const char* socket_kind_name(SocketKind kind);
// The file under /proc/net: "tcp", "udp6", ..., "packet".
CAPINSPECT_API const char* socket_kind_table(SocketKind kind);

// TCP states as the kernel numbers them (include/net/tcp_states.h); UDP and raw sockets
// use ESTABLISHED (connected) and CLOSE (unconnected).
enum class TcpState : std::uint8_t {
    established = 1, syn_sent, syn_recv, fin_wait1, fin_wait2, time_wait, close, close_wait,
    last_ack, listen, closing, new_syn_recv, bound_inactive
};
// "LISTEN", "ESTAB", ... as ss(8) prints them; "UNCONN" for an unconnected datagram socket.
CAPINSPECT_API const char* socket_state_name(SocketKind kind, std::uint8_t state);

struct CAPINSPECT_API SocketEntry {
    SocketKind kind = SocketKind::tcp;
    std::uint8_t state = 0;            // TcpState; 0 for packet sockets
    std::array<std::uint8_t, 16> local_addr{};   // network byte order; IPv4 in the first 4
    std::array<std::uint8_t, 16> remote_addr{};
    std::uint16_t local_port = 0;      // host order; for raw sockets the IP protocol
    std::uint16_t remote_port = 0;
    std::uint16_t protocol = 0;        // raw: IP protocol; packet: ethertype (host order)
    int ifindex = 0;                   // packet sockets: bound interface, 0 unbound
    std::uint32_t uid = 0;
    std::uint64_t inode = 0;

    bool is_ipv6() const;
    // Listening TCP, or a datagram/raw socket bound to a local port or protocol; packet
    // sockets always count (they receive whatever reaches their interface).
    bool is_listening() const;
    // What libcap-ng 0.9.5's netcap --advanced inventories: listening TCP, UDP and UDP-Lite
    // with a local port (connected or not), every raw and every packet socket.
    bool is_exposed() const;
};

// Which sockets a dump keeps.
enum class SocketScope : std::uint8_t {
    all,        // every socket in every state
    listening,  // SocketEntry::is_listening()
    exposed,    // SocketEntry::is_exposed()
};

// "127.0.0.1", "::1", "*" for the wildcard address.
CAPINSPECT_API std::string format_socket_address(const SocketEntry& s, bool remote);

// What a socket's local address reaches: every address of the namespace (0.0.0.0, ::),
// loopback only (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104), a multicast group, or one
// unicast address. Packet sockets have no IP address: wildcard.
enum class AddressScope : std::uint8_t { wildcard, loopback, multicast, unicast };
CAPINSPECT_API AddressScope local_address_scope(const SocketEntry& s);

// The address as inet_ntop(3) writes it: "127.0.0.1", "::1", "0.0.0.0", "::".
CAPINSPECT_API std::string format_ip_address(bool ipv6, const std::array<std::uint8_t, 16>& addr);

// One IPv4 or IPv6 address of an interface, as getifaddrs(3) lists it.
struct InterfaceAddress {
    std::string iface;                    // the name: raw bytes
    bool ipv6 = false;
    std::array<std::uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4
};

// Every IPv4 and IPv6 address of every interface of the caller's network namespace, in
// getifaddrs(3) order.
CAPINSPECT_API Result<std::vector<InterfaceAddress>> list_interface_addresses();

// Parses one /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6} table (header line
// included; a first line that is not the kernel's header is an entry). Lines with too few
// or malformed fields are skipped and counted in `skipped`.
CAPINSPECT_API std::vector<SocketEntry> parse_proc_net_inet(std::string_view text, SocketKind kind,
                                                            unsigned& skipped);
// Parses /proc/net/packet.
CAPINSPECT_API std::vector<SocketEntry> parse_proc_net_packet(std::string_view text, unsigned& skipped);

// Decodes one NETLINK_SOCK_DIAG answer: the payload of an nlmsghdr (struct inet_diag_msg
// or struct packet_diag_msg and their attributes). A payload too short is a data error.
CAPINSPECT_API Result<SocketEntry> decode_inet_diag(std::string_view payload, SocketKind kind);
CAPINSPECT_API Result<SocketEntry> decode_packet_diag(std::string_view payload);

struct SocketDump {
    std::vector<SocketEntry> sockets;  // in table order, then the kernel's order
    std::vector<Error> errors;         // tables that could not be read (one each)
    bool used_netlink = false;
    unsigned skipped = 0;              // malformed lines or messages
    // The names of the interfaces packet sockets are bound to (ifindex → name), looked up
    // in the dump's own network namespace; live system only.
    std::map<int, std::string> interfaces;

    // The interface of packet socket `s`: "*" when unbound, its name, else its index.
    std::string interface_of(const SocketEntry& s) const;
};

// Every socket of the caller's current network namespace in `scope`, over sock_diag (the
// kernel filters by state where the scope allows); a kind that netlink refuses is read
// from <root>/net/<table> instead (ENOENT there is silent: the protocol is not built).
// `keep`, when given, also decides as each socket is decoded (a join keeps only the
// inodes it knows, so that a dump of 100 000 sockets never holds them all).
using SocketFilter = std::function<bool(const SocketEntry&)>;
CAPINSPECT_API SocketDump dump_sockets(const ProcRoot& root, SocketScope scope, const SocketFilter& keep = {});
// The same with listening_only meaning SocketScope::listening, else SocketScope::all.
CAPINSPECT_API SocketDump dump_sockets(const ProcRoot& root, bool listening_only);

// The same from the /proc/net tables alone (a saved proc tree, --proc-root).
CAPINSPECT_API SocketDump read_proc_net_sockets(const ProcRoot& root, SocketScope scope,
                                                const SocketFilter& keep = {});
CAPINSPECT_API SocketDump read_proc_net_sockets(const ProcRoot& root, bool listening_only);

}  // namespace capinspect
