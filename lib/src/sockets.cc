#include <capinspect/sockets.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/inet_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include <capinspect/proc_root.h>

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

namespace capinspect {
namespace {

constexpr std::uint8_t tcp_close = 7, tcp_listen = 10;

struct KindInfo {
    const char* name;
    const char* table;
    int family;
    int protocol;
};

const KindInfo& info(SocketKind kind) {
    static constexpr KindInfo table[] = {
        {"tcp", "tcp", AF_INET, IPPROTO_TCP},          {"tcp6", "tcp6", AF_INET6, IPPROTO_TCP},
        {"udp", "udp", AF_INET, IPPROTO_UDP},          {"udp6", "udp6", AF_INET6, IPPROTO_UDP},
        {"udplite", "udplite", AF_INET, IPPROTO_UDPLITE},
        {"udplite6", "udplite6", AF_INET6, IPPROTO_UDPLITE},
        {"raw", "raw", AF_INET, IPPROTO_RAW},          {"raw6", "raw6", AF_INET6, IPPROTO_RAW},
        {"pkt", "packet", AF_PACKET, 0},
    };
    return table[static_cast<size_t>(kind)];
}

bool is_tcp(SocketKind k) { return k == SocketKind::tcp || k == SocketKind::tcp6; }

// Splits a /proc/net line into blank-separated fields.
std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (j > i) fields.push_back(line.substr(i, j - i));
        i = j;
    }
    return fields;
}

template <typename T>
bool parse_int(std::string_view text, T& out, int base = 10) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// "0100007F:0016": the address as the kernel prints it (32-bit words in host order, %08X
// each) and the port in hex.
bool parse_endpoint(std::string_view text, bool v6, std::array<std::uint8_t, 16>& addr,
                    std::uint16_t& port) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view hex = text.substr(0, colon);
    if (hex.size() != (v6 ? 32u : 8u)) return false;
    addr.fill(0);
    for (size_t word = 0; word < hex.size() / 8; ++word) {
        std::uint32_t value = 0;
        if (!parse_int(hex.substr(word * 8, 8), value, 16)) return false;
        std::memcpy(addr.data() + word * 4, &value, 4);  // host order words, as printed
    }
    return parse_int(text.substr(colon + 1), port, 16);
}

// The header line every table opens with: "  sl  local_address ..." for the inet tables,
// "sk       RefCnt ..." for packet.
bool is_header(std::string_view line) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    std::string_view first = line.substr(start, line.find_first_of(" \t", start) - start);
    return first == "sl" || first == "sk";
}

// The entry lines of a table. The header is recognised, not assumed: a table that lost
// it keeps its first entry (parsed, or counted as malformed), never drops it silently.
std::vector<std::string_view> data_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        if (!line.empty() && !(pos == 0 && is_header(line))) lines.push_back(line);
        pos = eol + 1;
    }
    return lines;
}

// A copy with the alignment netlink structures need (fuzzed input comes unaligned).
std::vector<std::uint64_t> aligned_copy(std::string_view bytes) {
    std::vector<std::uint64_t> buf((bytes.size() + 7) / 8 + 1, 0);
    std::memcpy(buf.data(), bytes.data(), bytes.size());
    return buf;
}

}  // namespace

const char* socket_kind_name(SocketKind kind) { return info(kind).name; }
const char* socket_kind_table(SocketKind kind) { return info(kind).table; }

const char* socket_state_name(SocketKind kind, std::uint8_t state) {
    if (kind == SocketKind::packet) return "UNCONN";
    if (!is_tcp(kind)) return state == 1 ? "ESTAB" : state == tcp_close ? "UNCONN" : "UNKNOWN";
    static constexpr const char* names[] = {"UNKNOWN",  "ESTAB",   "SYN-SENT",   "SYN-RECV",
                                            "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
                                            "CLOSE-WAIT", "LAST-ACK", "LISTEN",    "CLOSING",
                                            "SYN-RECV", "BOUND-INACTIVE"};
    return state < std::size(names) ? names[state] : "UNKNOWN";
}

bool SocketEntry::is_ipv6() const {
    return kind == SocketKind::tcp6 || kind == SocketKind::udp6 || kind == SocketKind::udplite6 ||
           kind == SocketKind::raw6;
}

bool SocketEntry::is_listening() const {
    if (kind == SocketKind::packet) return true;
    if (is_tcp(kind)) return state == tcp_listen;
    return state == tcp_close;
}

bool SocketEntry::is_exposed() const {
    switch (kind) {
    case SocketKind::tcp:
    case SocketKind::tcp6: return state == tcp_listen;
    case SocketKind::udp:
    case SocketKind::udp6:
    case SocketKind::udplite:
    case SocketKind::udplite6: return local_port != 0;
    default: return true;  // raw and packet sockets
    }
}

std::string format_socket_address(const SocketEntry& s, bool remote) {
    if (s.kind == SocketKind::packet) return "*";
    const auto& addr = remote ? s.remote_addr : s.local_addr;
    bool v6 = s.is_ipv6();
    size_t len = v6 ? 16 : 4;
    bool any = true;
    for (size_t i = 0; i < len; ++i) any = any && addr[i] == 0;
    if (any) return "*";
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), text, sizeof text);
    return text;
}

AddressScope local_address_scope(const SocketEntry& s) {
    if (s.kind == SocketKind::packet) return AddressScope::wildcard;
    const auto& a = s.local_addr;
    bool v6 = s.is_ipv6();
    if (std::all_of(a.begin(), a.begin() + (v6 ? 16 : 4), [](std::uint8_t b) { return b == 0; }))
        return AddressScope::wildcard;
    static constexpr std::uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    std::uint8_t v4_first = a[0];
    if (v6) {
        if (std::memcmp(a.data(), v4_mapped, sizeof v4_mapped) != 0) {
            static constexpr std::array<std::uint8_t, 16> one = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            if (a == one) return AddressScope::loopback;
            return a[0] == 0xff ? AddressScope::multicast : AddressScope::unicast;
        }
        v4_first = a[12];  // ::ffff:a.b.c.d receives what a.b.c.d receives
    }
    if (v4_first == 127) return AddressScope::loopback;
    if (v4_first >= 224 && v4_first <= 239) return AddressScope::multicast;
    return AddressScope::unicast;
}

std::string format_ip_address(bool ipv6, const std::array<std::uint8_t, 16>& addr) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, addr.data(), text, sizeof text);
    return text;
}

Result<std::vector<InterfaceAddress>> list_interface_addresses() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return fail(errno, "getifaddrs");
    std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, freeifaddrs);
    std::vector<InterfaceAddress> out;
    for (const ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !ifa->ifa_name) continue;
        InterfaceAddress ia;
        ia.iface = ifa->ifa_name;
        if (ifa->ifa_addr->sa_family == AF_INET) {
            sockaddr_in sin;
            std::memcpy(&sin, ifa->ifa_addr, sizeof sin);
            std::memcpy(ia.addr.data(), &sin.sin_addr, 4);
        } else if (ifa->ifa_addr->sa_family == AF_INET6) {
            sockaddr_in6 sin6;
            std::memcpy(&sin6, ifa->ifa_addr, sizeof sin6);
            std::memcpy(ia.addr.data(), &sin6.sin6_addr, 16);
            ia.ipv6 = true;
        } else {
            continue;
        }
        out.push_back(std::move(ia));
    }
    return out;
}

std::string SocketDump::interface_of(const SocketEntry& s) const {
    if (s.ifindex == 0) return "*";
    auto it = interfaces.find(s.ifindex);
    return it != interfaces.end() ? it->second : std::to_string(s.ifindex);
}

std::vector<SocketEntry> parse_proc_net_inet(std::string_view text, SocketKind kind, unsigned& skipped) {
    std::vector<SocketEntry> out;
    bool v6 = kind == SocketKind::tcp6 || kind == SocketKind::udp6 || kind == SocketKind::udplite6 ||
              kind == SocketKind::raw6;
    for (std::string_view line : data_lines(text)) {
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        auto f = split_fields(line);
        SocketEntry s;
        s.kind = kind;
        unsigned state = 0;
        if (f.size() < 10 || !parse_endpoint(f[1], v6, s.local_addr, s.local_port) ||
            !parse_endpoint(f[2], v6, s.remote_addr, s.remote_port) || !parse_int(f[3], state, 16) ||
            state > 0xff || !parse_int(f[7], s.uid) || !parse_int(f[9], s.inode)) {
            ++skipped;
            continue;
        }
        s.state = static_cast<std::uint8_t>(state);
        if (kind == SocketKind::raw || kind == SocketKind::raw6) s.protocol = s.local_port;
        out.push_back(s);
    }
    return out;
}

std::vector<SocketEntry> parse_proc_net_packet(std::string_view text, unsigned& skipped) {
    std::vector<SocketEntry> out;
    for (std::string_view line : data_lines(text)) {
        // sk RefCnt Type Proto Iface R Rmem User Inode
        auto f = split_fields(line);
        SocketEntry s;
        s.kind = SocketKind::packet;
        if (f.size() < 9 || !parse_int(f[3], s.protocol, 16) || !parse_int(f[4], s.ifindex) ||
            s.ifindex < 0 || !parse_int(f[7], s.uid) || !parse_int(f[8], s.inode)) {
            ++skipped;
            continue;
        }
        out.push_back(s);
    }
    return out;
}

Result<SocketEntry> decode_inet_diag(std::string_view payload, SocketKind kind) {
    inet_diag_msg msg;
    if (payload.size() < sizeof msg) return fail_data("inet_diag message too short");
    std::memcpy(&msg, payload.data(), sizeof msg);
    SocketEntry s;
    s.kind = kind;
    s.state = msg.idiag_state;
    std::memcpy(s.local_addr.data(), msg.id.idiag_src, 16);
    std::memcpy(s.remote_addr.data(), msg.id.idiag_dst, 16);
    if (msg.idiag_family == AF_INET) {  // only the first word is the address
        std::fill(s.local_addr.begin() + 4, s.local_addr.end(), 0);
        std::fill(s.remote_addr.begin() + 4, s.remote_addr.end(), 0);
    }
    s.local_port = ntohs(msg.id.idiag_sport);
    s.remote_port = ntohs(msg.id.idiag_dport);
    if (kind == SocketKind::raw || kind == SocketKind::raw6) s.protocol = s.local_port;
    s.uid = msg.idiag_uid;
    s.inode = msg.idiag_inode;
    return s;
}

Result<SocketEntry> decode_packet_diag(std::string_view payload) {
    packet_diag_msg msg;
    if (payload.size() < sizeof msg) return fail_data("packet_diag message too short");
    std::memcpy(&msg, payload.data(), sizeof msg);
    SocketEntry s;
    s.kind = SocketKind::packet;
    s.protocol = msg.pdiag_num;  // packet_diag already gives it in host order
    s.inode = msg.pdiag_ino;
    auto buf = aligned_copy(payload);
    const char* attrs = reinterpret_cast<const char*>(buf.data()) + NLMSG_ALIGN(sizeof msg);
    size_t len = payload.size() > NLMSG_ALIGN(sizeof msg) ? payload.size() - NLMSG_ALIGN(sizeof msg) : 0;
    auto on_attr = [](const nlattr* attr, void* data) -> int {
        auto* entry = static_cast<SocketEntry*>(data);
        std::uint16_t size = mnl_attr_get_payload_len(attr);
        if (mnl_attr_get_type(attr) == PACKET_DIAG_INFO && size >= sizeof(packet_diag_info)) {
            packet_diag_info pdi;
            std::memcpy(&pdi, mnl_attr_get_payload(attr), sizeof pdi);
            entry->ifindex = static_cast<int>(pdi.pdi_index);
        } else if (mnl_attr_get_type(attr) == PACKET_DIAG_UID && size >= sizeof(std::uint32_t)) {
            std::memcpy(&entry->uid, mnl_attr_get_payload(attr), sizeof entry->uid);
        }
        return MNL_CB_OK;
    };
    if (len > 0 && mnl_attr_parse_payload(attrs, len, on_attr, &s) < 0)
        return fail_data("packet_diag attributes malformed");
    return s;
}

namespace {

bool in_scope(const SocketEntry& s, SocketScope scope) {
    switch (scope) {
    case SocketScope::listening: return s.is_listening();
    case SocketScope::exposed: return s.is_exposed();
    default: return true;
    }
}

// The states the kernel is asked for (a bit per TcpState); in_scope() has the last word.
std::uint32_t kernel_states(SocketKind kind, SocketScope scope) {
    switch (scope) {
    case SocketScope::listening: return is_tcp(kind) ? 1u << tcp_listen : 1u << tcp_close;
    case SocketScope::exposed: return is_tcp(kind) ? 1u << tcp_listen : 0xfffu;
    default: return 0xfffu;
    }
}

struct DumpState {
    SocketKind kind;
    SocketScope scope;
    const SocketFilter* keep;
    std::vector<SocketEntry>* out;
    unsigned* skipped;
};

bool wanted(const SocketEntry& s, SocketScope scope, const SocketFilter& keep) {
    return in_scope(s, scope) && (!keep || keep(s));
}

int on_message(const nlmsghdr* nlh, void* data) {
    auto* st = static_cast<DumpState*>(data);
    std::string_view payload(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)),
                             mnl_nlmsg_get_payload_len(nlh));
    auto s = st->kind == SocketKind::packet ? decode_packet_diag(payload) : decode_inet_diag(payload, st->kind);
    if (!s) {
        ++*st->skipped;
    } else if (wanted(*s, st->scope, *st->keep)) {
        st->out->push_back(*s);
    }
    return MNL_CB_OK;
}

int on_done(const nlmsghdr* nlh, void*) {
    int error = 0;
    if (mnl_nlmsg_get_payload_len(nlh) >= sizeof error)
        std::memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof error);
    if (error < 0) {
        errno = -error;
        return MNL_CB_ERROR;
    }
    return MNL_CB_STOP;
}

// One sock_diag dump of one kind into `out`; an errno on failure (ENOENT: the kernel has
// no diag module for that protocol).
int netlink_dump(mnl_socket* nl, SocketKind kind, SocketScope scope, const SocketFilter& keep,
                 std::vector<SocketEntry>& out, unsigned& skipped) {
    static unsigned seq_counter = 0;
    std::vector<std::uint64_t> storage(65536 / 8);
    char* buf = reinterpret_cast<char*>(storage.data());
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    unsigned seq = nlh->nlmsg_seq = ++seq_counter;
    const KindInfo& k = info(kind);
    if (kind == SocketKind::packet) {
        auto* req = static_cast<packet_diag_req*>(mnl_nlmsg_put_extra_header(nlh, sizeof(packet_diag_req)));
        req->sdiag_family = AF_PACKET;
        req->pdiag_show = PACKET_SHOW_INFO;
    } else {
        auto* req = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
        req->sdiag_family = static_cast<std::uint8_t>(k.family);
        req->sdiag_protocol = static_cast<std::uint8_t>(k.protocol);
        req->idiag_states = kernel_states(kind, scope);
        // raw_diag reads the raw protocol to match from the `pad` byte (inet_diag_req_raw);
        // IPPROTO_RAW there means every protocol.
        if (k.protocol == IPPROTO_RAW) req->pad = IPPROTO_RAW;
    }
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return errno;
    unsigned portid = mnl_socket_get_portid(nl);
    DumpState state{kind, scope, &keep, &out, &skipped};
    size_t before = out.size();
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, storage.size() * 8);
        if (n < 0) {
            if (errno == EINTR) continue;
            out.resize(before);
            return errno;
        }
        // A dump the kernel refuses (no raw_diag module, say) still ends in NLMSG_DONE, with
        // the error in its payload; libmnl's default would take that for success.
        mnl_cb_t control[NLMSG_MIN_TYPE] = {};
        control[NLMSG_DONE] = on_done;
        int rc = mnl_cb_run2(buf, static_cast<size_t>(n), seq, portid, on_message, &state, control,
                             NLMSG_MIN_TYPE);
        if (rc == MNL_CB_STOP) return 0;
        if (rc < 0) {
            out.resize(before);
            return errno ? errno : EPROTO;
        }
    }
}

void read_table(const ProcRoot& root, SocketKind kind, SocketScope scope, const SocketFilter& keep,
                SocketDump& dump) {
    std::string path = std::string("net/") + socket_kind_table(kind);
    auto text = root.read_file(path, proc_table_limit);
    if (!text) {
        if (text.error().code != ENOENT) dump.errors.push_back(text.error());
        return;
    }
    auto entries = kind == SocketKind::packet ? parse_proc_net_packet(*text, dump.skipped)
                                              : parse_proc_net_inet(*text, kind, dump.skipped);
    for (const SocketEntry& s : entries)
        if (wanted(s, scope, keep)) dump.sockets.push_back(s);
}

}  // namespace

SocketDump dump_sockets(const ProcRoot& root, SocketScope scope, const SocketFilter& keep) {
    SocketDump dump;
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> nl(mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC),
                                                         mnl_socket_close);
    if (nl && mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) != 0) nl.reset();
    for (SocketKind kind : all_socket_kinds) {
        if (nl && netlink_dump(nl.get(), kind, scope, keep, dump.sockets, dump.skipped) == 0) {
            dump.used_netlink = true;
            continue;
        }
        read_table(root, kind, scope, keep, dump);
    }
    // Interface indexes name interfaces of this namespace: look them up while in it.
    for (const SocketEntry& e : dump.sockets)
        if (e.kind == SocketKind::packet && e.ifindex > 0 && !dump.interfaces.count(e.ifindex))
            if (char name[IF_NAMESIZE] = {}; if_indextoname(static_cast<unsigned>(e.ifindex), name))
                dump.interfaces.emplace(e.ifindex, name);
    return dump;
}

SocketDump dump_sockets(const ProcRoot& root, bool listening_only) {
    return dump_sockets(root, listening_only ? SocketScope::listening : SocketScope::all);
}

SocketDump read_proc_net_sockets(const ProcRoot& root, SocketScope scope, const SocketFilter& keep) {
    SocketDump dump;
    for (SocketKind kind : all_socket_kinds) read_table(root, kind, scope, keep, dump);
    return dump;
}

SocketDump read_proc_net_sockets(const ProcRoot& root, bool listening_only) {
    return read_proc_net_sockets(root, listening_only ? SocketScope::listening : SocketScope::all);
}

}  // namespace capinspect
