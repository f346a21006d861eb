#include <capinspect/exposure.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>

#include <capinspect/proc_root.h>

namespace capinspect {
namespace {

bool is_zero(const std::array<std::uint8_t, 16>& a, size_t len) {
    return std::all_of(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(len),
                       [](std::uint8_t b) { return b == 0; });
}

// ::ffff:a.b.c.d
bool is_v4_mapped(const std::array<std::uint8_t, 16>& a) {
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a.data(), prefix, sizeof prefix) == 0;
}

bool is_loopback(bool ipv6, const std::array<std::uint8_t, 16>& a) {
    if (!ipv6) return a[0] == 127;
    if (is_v4_mapped(a)) return a[12] == 127;
    static constexpr std::array<std::uint8_t, 16> one = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a == one;
}

bool is_multicast(bool ipv6, const std::array<std::uint8_t, 16>& a) {
    if (!ipv6) return a[0] >= 224 && a[0] <= 239;
    if (is_v4_mapped(a)) return a[12] >= 224 && a[12] <= 239;
    return a[0] == 0xff;
}

// True when interface address `ia` is the address a socket is bound to. An IPv6 socket
// bound to an IPv4-mapped address receives the traffic of that IPv4 address.
bool same_address(const InterfaceAddress& ia, bool ipv6, const std::array<std::uint8_t, 16>& a) {
    if (ia.ipv6 == ipv6) return std::memcmp(ia.addr.data(), a.data(), ipv6 ? 16 : 4) == 0;
    if (ipv6 && !ia.ipv6 && is_v4_mapped(a)) return std::memcmp(ia.addr.data(), a.data() + 12, 4) == 0;
    return false;
}

std::string identity(const Endpoint& e) {
    std::string key = e.label();
    key += '\0';
    key += e.iface;
    key += '\0';
    key += e.iface_addr;
    return key;
}

// The order of the report; wildcard binds before addresses, strings by bytes.
auto sort_key(const Endpoint& e) {
    return std::make_tuple(e.plane, std::string_view(e.iface), std::string_view(e.proto), !e.wildcard,
                           std::string_view(e.bind), e.port, std::string_view(e.iface_addr));
}

}  // namespace

const char* plane_title(Plane plane) {
    switch (plane) {
    case Plane::inet_external: return "INET (external)";
    case Plane::inet_loopback: return "INET (loopback)";
    case Plane::link_layer: return "LINK-LAYER";
    }
    return "?";
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

std::vector<std::string> list_addressed_interfaces(const std::vector<InterfaceAddress>& addrs) {
    std::vector<std::string> names;
    for (const InterfaceAddress& a : addrs) names.push_back(a.iface);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string Endpoint::label() const {
    std::string text = proto;
    text += ':';
    if (bind.find(':') != std::string::npos)
        text += '[' + bind + ']';
    else
        text += bind;
    text += ':';
    text += std::to_string(port);
    return text;
}

std::string Endpoint::bind_node() const {
    if (wildcard || plane == Plane::link_layer) return "*";
    if (bind.find(':') != std::string::npos) return '[' + bind + ']';
    return bind;
}

std::vector<Endpoint> project_socket(const SocketEntry& s, const std::vector<InterfaceAddress>& addrs,
                                     std::string_view packet_iface) {
    std::vector<Endpoint> out;
    Endpoint e;
    if (s.kind == SocketKind::packet) {
        e.plane = Plane::link_layer;
        e.iface = packet_iface.empty() ? std::string(unknown_interface) : std::string(packet_iface);
        e.iface_addr = "ifindex:" + std::to_string(s.ifindex);
        e.proto = "packet";
        e.bind = "::";
        e.port = s.protocol;
        out.push_back(std::move(e));
        return out;
    }
    bool ipv6 = s.is_ipv6();
    bool raw = s.kind == SocketKind::raw || s.kind == SocketKind::raw6;
    e.proto = socket_kind_name(s.kind);
    e.bind = format_ip_address(ipv6, s.local_addr);
    e.port = raw ? s.protocol : s.local_port;
    e.wildcard = is_zero(s.local_addr, ipv6 ? 16 : 4);
    bool loopback = !e.wildcard && is_loopback(ipv6, s.local_addr);
    for (const InterfaceAddress& ia : addrs) {
        bool match = e.wildcard ? ia.ipv6 == ipv6 && ia.iface != "lo" : same_address(ia, ipv6, s.local_addr);
        if (!match) continue;
        Endpoint on = e;
        on.plane = loopback ? Plane::inet_loopback : Plane::inet_external;
        on.iface = ia.iface;
        on.iface_addr = format_ip_address(ia.ipv6, ia.addr);
        out.push_back(std::move(on));
    }
    if (out.empty()) {
        e.plane = loopback ? Plane::inet_loopback : Plane::inet_external;
        e.iface = loopback                               ? "lo"
                  : !e.wildcard && is_multicast(ipv6, s.local_addr) ? std::string(multicast_interface)
                                                         : std::string(unknown_interface);
        e.iface_addr = e.bind;
        out.push_back(std::move(e));
    }
    return out;
}

CapRisk cap_risk(Cap c) {
    switch (c) {
    case CAP_SYS_PTRACE:
    case CAP_SYS_MODULE:
    case CAP_SYS_RAWIO:
    case CAP_SETUID:
    case CAP_SETGID:
    case CAP_SETPCAP:
    case CAP_AUDIT_CONTROL: return CapRisk::high;
    case CAP_SYS_ADMIN:
    case CAP_DAC_OVERRIDE:
    case CAP_DAC_READ_SEARCH:
    case CAP_NET_ADMIN:
    case CAP_NET_RAW:
    case CAP_CHOWN:
    case CAP_FOWNER:
    case CAP_MKNOD:
    case CAP_SYS_CHROOT: return CapRisk::elevated;
    default: return CapRisk::none;
    }
}

CapRisk worst_cap_risk(CapSet set) {
    CapRisk worst = CapRisk::none;
    for (Cap c : set) worst = std::max(worst, cap_risk(c));
    return worst;
}

static_assert(privileged_caps == CapSet((1ull << CAP_SYS_ADMIN) | (1ull << CAP_SYS_PTRACE) |
                                        (1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_NET_ADMIN) |
                                        (1ull << CAP_NET_RAW)));

std::vector<std::string_view> flag_names(unsigned flags) {
    std::vector<std::string_view> names;
    if (flags & flag_wildcard_bind) names.push_back("wildcard-bind");
    if (flags & flag_reuseport) names.push_back("reuseport");
    if (flags & flag_privileged_caps) names.push_back("privileged-caps");
    return names;
}

std::string ExposedProcess::caps_summary() const {
    switch (caps_class) {
    case CapsClass::full: return "(full)";
    case CapsClass::none: return "(none)";
    case CapsClass::partial: break;
    }
    return format_cap_list(permitted);
}

ExposedProcess summarize_process(const ProcStatus& st, Cap last_cap) {
    ExposedProcess p;
    p.pid = st.pid;
    p.comm = st.name;
    p.uid = st.uid.real;
    p.caps_class = st.effective.empty()              ? CapsClass::none
                   : st.effective.is_full(last_cap) ? CapsClass::full
                                                    : CapsClass::partial;
    p.permitted = st.permitted;
    p.effective = st.effective;
    p.ambient = st.ambient.value_or(CapSet());
    p.bounding = st.bounding;
    p.no_new_privs = st.no_new_privs;
    p.seccomp = st.seccomp.value_or(SeccompMode::disabled);
    return p;
}

std::string parse_system_unit(std::string_view cgroup) {
    size_t pos = 0;
    while (pos < cgroup.size()) {
        size_t eol = cgroup.find('\n', pos);
        if (eol == std::string_view::npos) eol = cgroup.size();
        std::string_view line = cgroup.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.find("system.slice") == std::string_view::npos) continue;
        for (std::string_view suffix : {std::string_view(".service"), std::string_view(".scope")}) {
            size_t at = line.find(suffix);
            if (at == std::string_view::npos) continue;
            size_t begin = line.rfind('/', at);
            begin = begin == std::string_view::npos ? 0 : begin + 1;
            size_t end = line.find('/', at);
            if (end == std::string_view::npos) end = line.size();
            return std::string(line.substr(begin, end - begin));
        }
    }
    return {};
}

std::string parse_lsm_label(std::string_view attr_current) {
    std::string_view line = attr_current.substr(0, attr_current.find('\n'));
    while (!line.empty() && line.back() == '\0') line.remove_suffix(1);
    return std::string(line);
}

std::string strip_deleted_suffix(std::string_view link) {
    constexpr std::string_view deleted = " (deleted)";
    if (link.ends_with(deleted)) link.remove_suffix(deleted.size());
    return std::string(link);
}

ExposedProcess read_exposed_process(const ProcDir& dir, const ProcStatus& st, Cap last_cap) {
    ExposedProcess p = summarize_process(st, last_cap);
    p.pid = dir.pid();
    if (auto exe = dir.read_link("exe")) p.exe = strip_deleted_suffix(*exe);
    if (auto cgroup = dir.read_file("cgroup")) p.unit = parse_system_unit(*cgroup);
    if (auto attr = dir.read_file("attr/current")) p.lsm = parse_lsm_label(*attr);
    return p;
}

size_t ExposureBuilder::add_process(ExposedProcess p) {
    out_.processes.push_back(std::move(p));
    return out_.processes.size() - 1;
}

void ExposureBuilder::add_socket(const SocketEntry& s, const std::vector<size_t>& holders, bool reuseport,
                                 const std::vector<InterfaceAddress>& addrs, std::string_view packet_iface) {
    for (Endpoint& e : project_socket(s, addrs, packet_iface)) {
        unsigned flags = (e.wildcard ? flag_wildcard_bind : 0u) | (reuseport ? flag_reuseport : 0u);
        auto [it, fresh] = index_.try_emplace(identity(e), out_.endpoints.size());
        if (fresh) out_.endpoints.push_back({std::move(e), {}});
        auto& list = out_.endpoints[it->second].holders;
        for (size_t h : holders) {
            unsigned f = flags | (out_.processes[h].has_privileged_caps() ? flag_privileged_caps : 0u);
            auto found =
                std::find_if(list.begin(), list.end(), [&](const EndpointHolder& x) { return x.process == h; });
            if (found == list.end())
                list.push_back({h, f});
            else
                found->flags |= f;
        }
    }
}

bool endpoint_less(const Endpoint& a, const Endpoint& b) {
    auto ka = sort_key(a), kb = sort_key(b);
    if (ka != kb) return ka < kb;
    return a.label() < b.label();
}

Exposure ExposureBuilder::finish() && {
    Exposure out = std::move(out_);
    index_.clear();
    const auto& procs = out.processes;
    for (ExposedEndpoint& e : out.endpoints)
        std::sort(e.holders.begin(), e.holders.end(), [&](const EndpointHolder& a, const EndpointHolder& b) {
            return procs[a.process].pid < procs[b.process].pid;
        });
    std::sort(out.endpoints.begin(), out.endpoints.end(),
              [](const ExposedEndpoint& a, const ExposedEndpoint& b) { return endpoint_less(a.where, b.where); });
    return out;
}

void keep_interface(Exposure& exposure, std::string_view name) {
    std::erase_if(exposure.endpoints, [&](const ExposedEndpoint& e) { return e.where.iface != name; });
}

std::vector<PortGroup> group_by_port(const Exposure& exposure) {
    std::vector<PortGroup> groups;
    const auto& eps = exposure.endpoints;
    auto same_port = [](const Endpoint& a, const Endpoint& b) {
        return a.plane == b.plane && a.iface == b.iface && a.proto == b.proto && a.bind == b.bind &&
               a.port == b.port;
    };
    for (size_t i = 0; i < eps.size();) {
        size_t j = i + 1;
        while (j < eps.size() && same_port(eps[i].where, eps[j].where)) ++j;
        std::map<std::pair<pid_t, size_t>, unsigned> merged;  // (pid, process) → flags
        for (size_t k = i; k < j; ++k)
            for (const EndpointHolder& h : eps[k].holders)
                merged[{exposure.processes[h.process].pid, h.process}] |= h.flags;
        PortGroup g{i, j, {}};
        for (auto& [key, flags] : merged) g.holders.push_back({key.second, flags});
        groups.push_back(std::move(g));
        i = j;
    }
    return groups;
}

}  // namespace capinspect
