// netcap --advanced: the exposure inventory (libcap-ng 0.9.5's tree and JSON schema).
// The sockets and their holders come from libcapinspect; exposure.h makes the report
// model of them; this file renders it.
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/core.h>
#include <linux/capability.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/proc_fd.h>
#include <capinspect/process.h>
#include <capinspect/sockets.h>

#include "common/cli.h"
#include "common/json.h"
#include "common/process_columns.h"
#include "common/wrap.h"
#include "netcap/exposure.h"
#include "netcap/netcap.h"

namespace capinspect::netcap {
namespace {

using cli::Json;

constexpr std::string_view orange = "\033[38;5;208m";
constexpr std::string_view yellow = "\033[38;5;226m";
constexpr std::string_view green = "\033[38;5;82m";

// Sockets, their holders and the interface addresses, joined into an Exposure.
class Collector {
public:
    Collector(const ProcRoot& root, Cap last_cap, std::span<const InterfaceAddress> addrs)
        : root_(root), last_cap_(last_cap), addrs_(addrs) {}

    Exposure collect(Shortfall& shortfall) {
        SocketDump dump = dump_sockets(root_, SocketScope::exposed);
        shortfall.note(dump);
        std::unordered_map<std::uint64_t, size_t> by_inode;  // socket inode → index in dump
        for (size_t i = 0; i < dump.sockets.size(); ++i)
            if (dump.sockets[i].inode != 0) by_inode.emplace(dump.sockets[i].inode, i);
        std::vector<std::vector<size_t>> holders(dump.sockets.size());
        std::vector<bool> reuseport(dump.sockets.size());
        if (!by_inode.empty()) add_holders(by_inode, holders, reuseport, shortfall);

        for (size_t i = 0; i < dump.sockets.size(); ++i) {
            if (holders[i].empty()) continue;
            const SocketEntry& s = dump.sockets[i];
            std::string packet_iface;
            if (s.kind == SocketKind::packet && s.ifindex > 0) {
                auto it = dump.interfaces.find(s.ifindex);
                if (it != dump.interfaces.end()) packet_iface = it->second;
            }
            builder_.add_socket(s, holders[i], reuseport[i], addrs_, packet_iface);
        }
        return std::move(builder_).finish();
    }

private:
    // Every process (with or without capabilities) that holds one of the sockets, with the
    // facts the report shows.
    void add_holders(const std::unordered_map<std::uint64_t, size_t>& by_inode,
                     std::vector<std::vector<size_t>>& holders, std::vector<bool>& reuseport,
                     Shortfall& shortfall) {
        ProcessQuery query;
        query.facts = fact_sockets | fact_exe | fact_cgroup | fact_lsm | fact_user_ns;
        query.keep = [&](const Process& p) {
            return std::any_of(p.sockets.begin(), p.sockets.end(),
                               [&](const SocketFd& f) { return by_inode.count(f.inode) != 0; });
        };
        auto processes = list_processes(root_, query, shortfall.read);
        if (!processes) throw processes.error();
        std::vector<SocketFd> held;
        std::vector<size_t> held_index;
        for (Process& p : *processes) {
            held.clear();
            held_index.clear();
            for (const SocketFd& f : p.sockets)
                if (auto it = by_inode.find(f.inode); it != by_inode.end()) {
                    held.push_back(f);
                    held_index.push_back(it->second);
                }
            pid_t pid = p.pid;
            size_t process = builder_.add_process(std::move(p));
            auto answers = read_socket_reuseport(pid, held);
            for (size_t k = 0; k < held.size(); ++k) {
                auto& list = holders[held_index[k]];
                // A socket open on two fds of one process: that process once.
                if (list.empty() || list.back() != process) list.push_back(process);
                if (answers[k].value_or(false)) reuseport[held_index[k]] = true;
            }
        }
    }

    const ProcRoot& root_;
    Cap last_cap_;
    std::span<const InterfaceAddress> addrs_;
    ExposureBuilder builder_;
};

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// ---- the tree ----

// A node's text and the colours of its parts.
class Styled {
public:
    explicit Styled(bool color) : color_(color) {}
    Styled& add(std::string_view s, std::string_view sgr = {}) {
        if (color_ && !sgr.empty() && !s.empty()) spans_.push_back({text_.size(), text_.size() + s.size(), sgr});
        text_ += s;
        return *this;
    }
    const std::string& text() const { return text_; }
    const std::vector<cli::ColorSpan>& spans() const { return spans_; }

private:
    bool color_;
    std::string text_;
    std::vector<cli::ColorSpan> spans_;
};

struct Node {
    Styled label;
    std::vector<Node> children;
    explicit Node(Styled s) : label(std::move(s)) {}
};

std::string_view risk_color(CapRisk risk) {
    return risk == CapRisk::high ? orange : risk == CapRisk::elevated ? yellow : std::string_view();
}

class TreeRenderer {
public:
    TreeRenderer(bool color, Cap last_cap) : color_(color), last_cap_(last_cap) {}

    std::string render(const Exposure& exposure, unsigned width) {
        Node root(styled(""));
        // The levels above the processes follow the sort order, so a new node starts
        // wherever its key differs from the previous port group's.
        const Endpoint* prev = nullptr;
        Node *plane = nullptr, *iface = nullptr, *proto = nullptr, *bind = nullptr;
        for (const PortGroup& g : group_by_port(exposure)) {
            const Endpoint& e = exposure.endpoints[g.first].where;
            bool fresh = !prev || prev->plane != e.plane;
            if (fresh) plane = &add(root, styled(plane_title(e.plane)));
            fresh = fresh || prev->iface != e.iface;
            if (fresh) iface = &add(*plane, styled(escape_name(e.iface)));
            fresh = fresh || prev->proto != e.proto;
            if (fresh) {
                bool loud = e.proto == "raw" || e.proto == "raw6" || e.proto == "packet";
                proto = &add(*iface, styled(e.proto, loud ? yellow : std::string_view()));
            }
            fresh = fresh || prev->bind != e.bind;
            if (fresh) bind = &add(*proto, styled(e.bind_node()));
            Node& port = add(*bind, styled(std::to_string(e.port)));
            for (const EndpointHolder& h : g.holders)
                port.children.push_back(process_node(exposure.processes[h.process], h.flags));
            prev = &e;
        }
        std::string out;
        for (size_t i = 0; i < root.children.size(); ++i)
            emit(out, root.children[i], "", i + 1 == root.children.size(), width);
        return out;
    }

private:
    Styled styled(std::string_view text, std::string_view sgr = {}) const {
        Styled s(color_);
        s.add(text, sgr);
        return s;
    }

    static Node& add(Node& parent, Styled label) {
        parent.children.emplace_back(std::move(label));
        return parent.children.back();
    }

    Node process_node(const Process& p, unsigned flags) const {
        const ProcStatus& st = p.status;
        CapSet ambient = st.ambient.value_or(CapSet());
        std::string unit = system_service(p);
        std::string lsm = p.lsm.value_or("");
        CapsClass caps_cls = caps_class(st, last_cap_);
        std::string head = fmt::format("{} (pid={} uid={}", escape_name(st.name), p.pid, st.uid.real);
        if (p.exe) head += " exe=" + escape_name(*p.exe);
        if (!unit.empty()) head += " unit=" + escape_name(unit);
        head += ')';
        Node node(styled(head));

        Styled caps(color_);
        caps.add("caps: ");
        switch (caps_cls) {
        case CapsClass::full: caps.add("(full)", orange); break;
        case CapsClass::none: caps.add("(none)", green); break;
        case CapsClass::partial: {
            bool first = true;
            for (Cap c : st.permitted) {
                if (!first) caps.add(", ");
                caps.add(cap_name(c), risk_color(cap_risk(c)));
                first = false;
            }
            // The annotations that stand for pscap's '@' and '+', on a list only (0.9.5).
            if (!ambient.empty()) caps.add(" [").add("ambient-present", orange).add("]");
            if (!st.bounding.empty()) {
                std::string_view sgr = st.permitted.has(CAP_SETPCAP) ? orange : std::string_view();
                caps.add(" [").add("open-ended-bounding", sgr).add("]");
            }
            break;
        }
        }
        node.children.emplace_back(std::move(caps));
        if (!ambient.empty()) {
            Styled amb(color_);
            amb.add("ambient: ").add(format_cap_list(ambient), orange);
            node.children.emplace_back(std::move(amb));
        }

        Node defenses(styled("defenses"));
        Styled nonroot(color_);
        nonroot.add("runs_as_nonroot: ").add(yes_no(runs_as_nonroot(p)), runs_as_nonroot(p) ? green : yellow);
        defenses.children.emplace_back(std::move(nonroot));
        Styled nnp(color_);
        nnp.add("no_new_privs: ");
        if (st.no_new_privs)
            nnp.add(yes_no(*st.no_new_privs), *st.no_new_privs ? green : yellow);
        else
            nnp.add("unknown");
        defenses.children.emplace_back(std::move(nnp));
        Styled seccomp(color_);
        SeccompMode mode = st.seccomp.value_or(SeccompMode::disabled);
        seccomp.add("seccomp: ").add(seccomp_mode_name(mode), mode == SeccompMode::disabled ? yellow : green);
        defenses.children.emplace_back(std::move(seccomp));
        if (!lsm.empty()) {
            Styled label(color_);
            label.add("lsm: ").add(escape_name(lsm), lsm.find("unconfined_t") != std::string::npos ? orange : green);
            defenses.children.emplace_back(std::move(label));
        }
        node.children.push_back(std::move(defenses));

        Node flag_node(styled("flags"));
        CapRisk caps_risk = caps_cls == CapsClass::full ? CapRisk::high : worst_cap_risk(st.permitted);
        for (std::string_view name : flag_names(flags)) {
            std::string_view sgr = name == "privileged-caps" ? risk_color(caps_risk) : yellow;
            flag_node.children.emplace_back(styled(name, sgr));
        }
        if (flag_node.children.empty()) flag_node.children.emplace_back(styled("(none)"));
        node.children.push_back(std::move(flag_node));
        return node;
    }

    static void emit(std::string& out, const Node& node, const std::string& prefix, bool last, unsigned width) {
        std::string first = prefix + std::string(last ? cli::tree_last : cli::tree_branch);
        std::string cont = prefix + std::string(last ? cli::tree_blank : cli::tree_pipe);
        cli::append_wrapped(out, node.label.text(), node.label.spans(), first, cont, width);
        for (size_t i = 0; i < node.children.size(); ++i)
            emit(out, node.children[i], cont, i + 1 == node.children.size(), width);
    }

    bool color_;
    Cap last_cap_;
};

// ---- JSON: libcap-ng 0.9.5's shape in capinspect's vocabulary (schema version 2) ----

namespace pc = cli::process_column;

Json process_json(cli::ProcessCells& cells, const Process& p, unsigned flags) {
    Json j = cells.object(p, p.status,
                          {pc::pid, pc::command, pc::exe, pc::uid, pc::real_uid, pc::user, pc::unit, pc::scope, pc::caps,
                           pc::effective, pc::permitted, pc::ambient, pc::bounding, pc::no_new_privs, pc::seccomp,
                           pc::lsm});
    j["runs_as_nonroot"] = runs_as_nonroot(p);
    Json& f = j["flags"] = Json::array();
    for (std::string_view name : flag_names(flags)) f.push_back(name);
    return j;
}

// The interfaces of one plane: interfaces by name, their addresses in order of first
// appearance, endpoints in report order (an endpoint appears under each address it was
// projected on).
Json ifaces_json(const Exposure& exposure, Plane plane, cli::ProcessCells& cells) {
    Json ifaces = Json::array();
    std::string_view iface_name;
    std::vector<std::pair<std::string_view, Json>> addrs;  // for the current interface
    auto flush = [&] {
        if (addrs.empty()) return;
        Json list = Json::array();
        for (auto& [addr, endpoints] : addrs) {
            Json a = Json::object();
            a["addr"] = addr;
            a["endpoints"] = std::move(endpoints);
            list.push_back(std::move(a));
        }
        Json i = Json::object();
        i["name"] = cli::json_name(iface_name);
        i["addrs"] = std::move(list);
        ifaces.push_back(std::move(i));
        addrs.clear();
    };
    for (const ExposedEndpoint& ep : exposure.endpoints) {
        const Endpoint& e = ep.where;
        if (e.plane != plane) continue;
        if (e.iface != iface_name) {
            flush();
            iface_name = e.iface;
        }
        auto it = std::find_if(addrs.begin(), addrs.end(), [&](const auto& a) { return a.first == e.iface_addr; });
        if (it == addrs.end()) {
            addrs.emplace_back(e.iface_addr, Json::array());
            it = addrs.end() - 1;
        }
        Json j = Json::object();
        j["label"] = e.label();
        j["proto"] = e.proto;
        j["bind"] = e.bind;
        j["port"] = e.port;
        Json& procs = j["processes"] = Json::array();
        for (const EndpointHolder& h : ep.holders)
            procs.push_back(process_json(cells, exposure.processes[h.process], h.flags));
        it->second.push_back(std::move(j));
    }
    flush();
    return ifaces;
}

void print_exposure_json(const Exposure& exposure, Cap last_cap) {
    cli::ProcessCells cells(last_cap);
    Json doc = cli::json_document();
    Json& planes = doc["planes"] = Json::array();
    planes.push_back(
        {{"name", "INET"}, {"reach", "external"}, {"ifaces", ifaces_json(exposure, Plane::inet_external, cells)}});
    planes.push_back(
        {{"name", "INET"}, {"reach", "loopback"}, {"ifaces", ifaces_json(exposure, Plane::inet_loopback, cells)}});
    planes.push_back({{"name", "LINK-LAYER"}, {"ifaces", ifaces_json(exposure, Plane::link_layer, cells)}});
    // Part of libcap-ng's schema whatever the build; Bluetooth sockets are not inspected.
    planes.push_back({{"name", "BLUETOOTH"}, {"ifaces", Json::array()}});
    cli::print_json(doc);
}

int list_interfaces(const Options& opt, std::span<const InterfaceAddress> addrs) {
    std::vector<std::string> names = list_addressed_interfaces(addrs);
    if (opt.interface) std::erase_if(names, [&](const std::string& n) { return n != *opt.interface; });
    if (opt.json) {
        Json doc = cli::json_document();
        Json& list = doc["interfaces"] = Json::array();
        for (const std::string& n : names) list.push_back(cli::json_name(n));
        cli::print_json(doc);
        return cli::exit_ok;
    }
    std::string out;
    for (const std::string& n : names) out += escape_name(n) + "\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return cli::exit_ok;
}



}  // namespace

int run_advanced(const Options& opt, const ProcRoot& root) {
    if (!root.is_live()) {
        cli::warnf("--advanced reads the running system; {} is not its proc file system", root.path());
        return cli::exit_failure;
    }
    std::vector<InterfaceAddress> addrs;
    if (auto listed = list_interface_addresses())
        addrs = std::move(*listed);
    else
        cli::warnf("cannot list the interfaces: {}", listed.error().message());
    // An interface that does not exist is a mistake, not an empty report; the pseudo
    // names of the report ("unknown", "multicast/group") are accepted.
    if (opt.interface && *opt.interface != unknown_interface && *opt.interface != multicast_interface &&
        if_nametoindex(opt.interface->c_str()) == 0)
        return cli::usage_error(fmt::format("unknown interface '{}'", escape_name(*opt.interface)));
    if (opt.list_interfaces) return list_interfaces(opt, addrs);

    auto last_cap = read_cap_last_cap(root);
    if (!last_cap) {
        cli::warnf("cannot read cap_last_cap: {}", last_cap.error().message());
        return cli::exit_failure;
    }
    Shortfall shortfall;
    Exposure exposure;
    try {
        exposure = Collector(root, *last_cap, addrs).collect(shortfall);
    } catch (const Error& e) {
        cli::warn(e.message());
        return cli::exit_failure;
    }
    if (opt.interface) keep_interface(exposure, *opt.interface);
    if (opt.json) {
        print_exposure_json(exposure, *last_cap);
    } else {
        std::string out = TreeRenderer(!opt.no_color && cli::color_terminal(), *last_cap).render(exposure, cli::output_width());
        fwrite(out.data(), 1, out.size(), stdout);
    }
    report_shortfall(shortfall, root);
    return shortfall.nothing_read() ? cli::exit_nothing_read : cli::exit_ok;
}

}  // namespace capinspect::netcap
