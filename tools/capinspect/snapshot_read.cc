// The snapshot reader: any bytes in, a checked Snapshot or one line saying what is wrong
// out. Every field is checked for presence and type; values with a fixed vocabulary
// (capability names, protocols, classes) must be known; names are decoded back to their
// bytes. Keys this version does not know are ignored, as capinspect-json(5) allows a later
// release to add keys.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <capinspect/sockets.h>

#include "capinspect/snapshot.h"
#include "common/json.h"

namespace capinspect::auditor {
namespace {

using nlohmann::json;

// Documents nest four levels; deeper input is refused while it is parsed, before it can
// cost memory or stack.
constexpr int max_depth = 16;

struct Invalid {
    std::string message;
};

// A short, printable view of a value for a message.
std::string shown(const json& v) {
    std::string text = v.dump(-1, ' ', true, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

const char* type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "not a value";
    }
}

// One object of the document, with its place for messages ("processes[3]").
class Obj {
public:
    Obj(const json& v, std::string where) : v_(v), where_(std::move(where)) {
        if (!v_.is_object()) fail("", fmt::format("expected an object, found {}", type_name(v_)));
    }

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        std::string at = where_;
        if (!key.empty()) at += at.empty() ? std::string(key) : "." + std::string(key);
        throw Invalid{at.empty() ? what : at + ": " + what};
    }

    std::string at(std::string_view key) const {
        return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
    }

    // The value of a key that must be there (and not null).
    const json& need(std::string_view key) const {
        auto it = v_.find(key);
        if (it == v_.end()) fail(key, "missing");
        if (it->is_null()) fail(key, "must not be null");
        return *it;
    }
    // The value of a key that may be missing or null.
    const json* maybe(std::string_view key) const {
        auto it = v_.find(key);
        return it == v_.end() || it->is_null() ? nullptr : &*it;
    }

    std::uint64_t uint(std::string_view key, std::uint64_t max) const { return uint_of(need(key), key, max); }
    std::optional<std::uint64_t> opt_uint(std::string_view key, std::uint64_t max) const {
        const json* v = maybe(key);
        return v ? std::optional(uint_of(*v, key, max)) : std::nullopt;
    }
    std::string str(std::string_view key) const { return str_of(need(key), key); }
    std::optional<std::string> opt_str(std::string_view key) const {
        const json* v = maybe(key);
        return v ? std::optional(str_of(*v, key)) : std::nullopt;
    }
    std::string name(std::string_view key) const { return name_of(need(key), key); }
    std::optional<std::string> opt_name(std::string_view key) const {
        const json* v = maybe(key);
        return v ? std::optional(name_of(*v, key)) : std::nullopt;
    }
    bool boolean(std::string_view key) const { return bool_of(need(key), key); }
    std::optional<bool> opt_bool(std::string_view key) const {
        const json* v = maybe(key);
        return v ? std::optional(bool_of(*v, key)) : std::nullopt;
    }
    CapSet caps(std::string_view key) const { return caps_of(need(key), key); }
    std::optional<CapSet> opt_caps(std::string_view key) const {
        const json* v = maybe(key);
        return v ? std::optional(caps_of(*v, key)) : std::nullopt;
    }
    const json& array(std::string_view key) const {
        const json& v = need(key);
        if (!v.is_array()) fail(key, fmt::format("expected an array, found {}", type_name(v)));
        return v;
    }
    const json* opt_array(std::string_view key) const {
        const json* v = maybe(key);
        if (v && !v->is_array()) fail(key, fmt::format("expected an array, found {}", type_name(*v)));
        return v;
    }

private:
    std::uint64_t uint_of(const json& v, std::string_view key, std::uint64_t max) const {
        std::uint64_t n = 0;
        if (v.is_number_unsigned())
            n = v.get<std::uint64_t>();
        else if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
            n = static_cast<std::uint64_t>(v.get<std::int64_t>());
        else
            fail(key, fmt::format("expected a number from 0 to {}, found {}", max, shown(v)));
        if (n > max) fail(key, fmt::format("expected a number from 0 to {}, found {}", max, shown(v)));
        return n;
    }
    std::string str_of(const json& v, std::string_view key) const {
        if (!v.is_string()) fail(key, fmt::format("expected a string, found {}", type_name(v)));
        return v.get<std::string>();
    }
    std::string name_of(const json& v, std::string_view key) const {
        auto bytes = cli::parse_json_name(str_of(v, key));
        if (!bytes) fail(key, fmt::format("not an escaped name: {}", shown(v)));
        return std::move(*bytes);
    }
    bool bool_of(const json& v, std::string_view key) const {
        if (!v.is_boolean()) fail(key, fmt::format("expected a boolean, found {}", type_name(v)));
        return v.get<bool>();
    }
    CapSet caps_of(const json& v, std::string_view key) const {
        if (!v.is_array()) fail(key, fmt::format("expected an array of capability names, found {}", type_name(v)));
        CapSet set;
        for (const json& item : v) {
            if (!item.is_string()) fail(key, fmt::format("expected a capability name, found {}", type_name(item)));
            auto cap = parse_cap(item.get_ref<const std::string&>());
            if (!cap) fail(key, fmt::format("unknown capability {}", shown(item)));
            set.add(*cap);
        }
        return set;
    }

    const json& v_;
    std::string where_;
};

std::string item_at(const Obj& parent, std::string_view key, size_t i) {
    return fmt::format("{}[{}]", parent.at(key), i);
}

FileCapsRecord read_file_caps(const Obj& o) {
    FileCapsRecord r;
    r.set = o.str("set");
    static constexpr std::string_view classes[] = {"effective", "permitted", "inheritable", "empty", "invalid"};
    if (std::find(std::begin(classes), std::end(classes), r.set) == std::end(classes))
        o.fail("set", fmt::format("unknown class {}", shown(json(r.set))));
    if (r.set == "invalid") {
        r.error = o.opt_str("error").value_or("");
        return r;
    }
    r.effective_flag = o.boolean("effective_flag");
    r.permitted = o.caps("permitted");
    r.inheritable = o.caps("inheritable");
    if (auto id = o.opt_uint("rootid", std::numeric_limits<std::uint32_t>::max()))
        r.rootid = static_cast<std::uint32_t>(*id);
    r.version = static_cast<unsigned>(o.uint("version", 3));
    if (r.version == 0) o.fail("version", "expected 1, 2 or 3, found 0");
    return r;
}

CapSets read_sets(const Obj& o) {
    CapSets s;
    s.effective = o.caps("effective");
    s.permitted = o.caps("permitted");
    s.inheritable = o.caps("inheritable");
    s.bounding = o.caps("bounding");
    s.ambient = o.opt_caps("ambient");
    return s;
}

constexpr std::uint64_t max_pid = std::numeric_limits<pid_t>::max();
constexpr std::uint64_t max_id = std::numeric_limits<std::uint32_t>::max();

ProcessRecord read_process(const Obj& o) {
    ProcessRecord p;
    p.pid = static_cast<pid_t>(o.uint("pid", max_pid));
    p.ppid = static_cast<pid_t>(o.uint("ppid", max_pid));
    p.command = o.name("command");
    p.uid = static_cast<std::uint32_t>(o.uint("uid", max_id));
    p.user = o.name("user");
    p.unit = o.opt_name("unit");
    p.exe = o.opt_name("exe");
    p.sets = read_sets(o);
    p.no_new_privs = o.opt_bool("no_new_privs");
    if (auto mode = o.opt_str("seccomp")) {
        p.seccomp = find_seccomp_mode(*mode);
        if (!p.seccomp) o.fail("seccomp", fmt::format("unknown mode {}", shown(json(*mode))));
    }
    if (auto n = o.opt_uint("seccomp_filters", max_id)) p.seccomp_filters = static_cast<unsigned>(*n);
    if (auto scope = o.opt_str("scope")) {
        if (*scope == privilege_scope_name(PrivilegeScope::host))
            p.scope = PrivilegeScope::host;
        else if (*scope == privilege_scope_name(PrivilegeScope::namespace_))
            p.scope = PrivilegeScope::namespace_;
        else
            o.fail("scope", fmt::format("unknown scope {}", shown(json(*scope))));
    }
    if (auto owner = o.opt_uint("userns_owner", max_id)) p.userns_owner = static_cast<std::uint32_t>(*owner);
    if (const json* threads = o.opt_array("threads")) {
        for (size_t i = 0; i < threads->size(); ++i) {
            Obj t((*threads)[i], item_at(o, "threads", i));
            ThreadRecord tr;
            tr.tid = static_cast<pid_t>(t.uint("tid", max_pid));
            tr.command = t.name("command");
            tr.sets = read_sets(t);
            p.threads.push_back(std::move(tr));
        }
    }
    if (const json* caps = o.maybe("exe_caps")) p.exe_caps = read_file_caps(Obj(*caps, o.at("exe_caps")));
    return p;
}

SocketRecord read_socket(const Obj& o) {
    SocketRecord s;
    s.proto = o.str("proto");
    if (std::none_of(std::begin(all_socket_kinds), std::end(all_socket_kinds),
                     [&](SocketKind k) { return s.proto == socket_kind_name(k); }))
        o.fail("proto", fmt::format("unknown protocol {}", shown(json(s.proto))));
    s.state = o.str("state");
    s.laddr = o.str("laddr");
    s.lport = static_cast<std::uint32_t>(o.uint("lport", 65535));
    s.iface = o.opt_name("iface");
    s.netns = o.opt_uint("netns", std::numeric_limits<std::uint64_t>::max());
    s.inode = o.uint("inode", std::numeric_limits<std::uint64_t>::max());
    std::string exposure = o.str("exposure");
    auto e = find_exposure(exposure);
    if (!e) o.fail("exposure", fmt::format("unknown class {}", shown(json(exposure))));
    s.exposure = *e;
    const json& pids = o.array("pids");
    for (const json& pid : pids) {
        if (!pid.is_number_integer() || pid.get<std::int64_t>() <= 0 ||
            static_cast<std::uint64_t>(pid.get<std::int64_t>()) > max_pid)
            o.fail("pids", fmt::format("expected process ids, found {}", shown(pid)));
        s.pids.push_back(static_cast<pid_t>(pid.get<std::int64_t>()));
    }
    return s;
}

UnreadRecord read_unread(const Obj& o) {
    UnreadRecord u;
    u.what = o.str("what");
    u.error = o.opt_str("error");
    u.total = o.opt_uint("total", std::numeric_limits<std::uint64_t>::max());
    u.path = o.opt_name("path");
    return u;
}

SnapshotInfo read_info(const Obj& o) {
    SnapshotInfo info;
    info.capinspect_version = o.str("capinspect_version");
    info.hostname = o.name("hostname");
    info.kernel = o.str("kernel");
    info.time = o.str("time");
    info.cap_last_cap = static_cast<Cap>(o.uint("cap_last_cap", max_cap));
    if (const json* roots = o.opt_array("file_roots")) {
        std::vector<std::string> list;
        for (size_t i = 0; i < roots->size(); ++i) {
            const json& r = (*roots)[i];
            std::string where = item_at(o, "file_roots", i);
            if (!r.is_string()) throw Invalid{fmt::format("{}: expected a string, found {}", where, type_name(r))};
            auto bytes = cli::parse_json_name(r.get_ref<const std::string&>());
            if (!bytes || bytes->empty() || (*bytes)[0] != '/')
                throw Invalid{fmt::format("{}: not an absolute path: {}", where, shown(r))};
            list.push_back(std::move(*bytes));
        }
        info.file_roots = std::move(list);
    }
    return info;
}

Snapshot read_document(const json& doc) {
    if (!doc.is_object()) throw Invalid{fmt::format("expected a JSON object, found {}", type_name(doc))};
    Obj top(doc, "");
    // The version first: a newer document may differ in anything else.
    const json* version = top.maybe("schema_version");
    if (!version) throw Invalid{"no schema_version: not a capinspect document"};
    if (!version->is_number_integer()) throw Invalid{fmt::format("schema_version: expected a number, found {}", shown(*version))};
    if (version->is_number_unsigned() ? version->get<std::uint64_t>() > cli::schema_version
                                      : version->get<std::int64_t>() > cli::schema_version)
        throw Invalid{fmt::format("schema_version {} is newer than this capinspect reads ({}): use a newer capinspect",
                                  shown(*version), cli::schema_version)};
    if (version->get<std::int64_t>() != cli::schema_version)
        throw Invalid{fmt::format("schema_version {} is not supported (this capinspect reads {})", shown(*version),
                                  cli::schema_version)};
    if (!top.maybe("snapshot")) throw Invalid{"no \"snapshot\" object: not a capinspect snapshot"};

    Snapshot snap;
    snap.info = read_info(Obj(top.need("snapshot"), "snapshot"));
    const json& processes = top.array("processes");
    for (size_t i = 0; i < processes.size(); ++i)
        snap.processes.push_back(read_process(Obj(processes[i], item_at(top, "processes", i))));
    const json& sockets = top.array("sockets");
    for (size_t i = 0; i < sockets.size(); ++i)
        snap.sockets.push_back(read_socket(Obj(sockets[i], item_at(top, "sockets", i))));
    const json* files = top.opt_array("files");
    if (files && !snap.info.file_roots) top.fail("files", "listed, but snapshot.file_roots is null");
    if (!files && snap.info.file_roots) top.fail("files", "missing, but snapshot.file_roots lists roots");
    if (files) {
        std::vector<FileRecord> list;
        for (size_t i = 0; i < files->size(); ++i) {
            Obj f((*files)[i], item_at(top, "files", i));
            FileRecord r;
            r.path = f.name("path");
            r.caps = read_file_caps(f);
            list.push_back(std::move(r));
        }
        snap.files = std::move(list);
    }
    if (const json* unread = top.opt_array("unread"))
        for (size_t i = 0; i < unread->size(); ++i)
            snap.unread.push_back(read_unread(Obj((*unread)[i], item_at(top, "unread", i))));
    return snap;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ": the rest is the news.
std::string parse_message(const char* what) {
    std::string_view text = what;
    if (!text.empty() && text[0] == '[') {
        size_t close = text.find("] ");
        if (close != std::string_view::npos) text.remove_prefix(close + 2);
    }
    return std::string(text);
}

struct TooDeep {};

}  // namespace

const char* exposure_name(Exposure e) {
    switch (e) {
    case Exposure::wildcard: return "wildcard";
    case Exposure::namespace_wildcard: return "namespace_wildcard";
    case Exposure::loopback: return "loopback";
    case Exposure::address: return "address";
    case Exposure::raw: return "raw";
    }
    return "?";
}

std::optional<Exposure> find_exposure(std::string_view name) {
    for (Exposure e : all_exposures)
        if (name == exposure_name(e)) return e;
    return std::nullopt;
}

std::optional<Snapshot> read_snapshot_file(const std::string& path, std::string& error) {
    // A snapshot of a million files is some tens of megabytes; far more is not one.
    constexpr size_t max_size = size_t{1} << 30;
    std::string shown_path = path == "-" ? "standard input" : path;
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = fmt::format("cannot read {}: {}", shown_path, std::strerror(errno));
        return std::nullopt;
    }
    std::string text;
    char buf[1 << 16];
    int err = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0) break;
        if (text.size() + static_cast<size_t>(n) > max_size) {
            err = EFBIG;
            break;
        }
        text.append(buf, static_cast<size_t>(n));
    }
    if (fd != STDIN_FILENO) ::close(fd);
    if (err) {
        error = fmt::format("cannot read {}: {}", shown_path, std::strerror(err));
        return std::nullopt;
    }
    if (text.empty()) {
        error = fmt::format("{}: empty, not a snapshot", shown_path);
        return std::nullopt;
    }
    std::string why;
    auto snap = parse_snapshot(text, why);
    if (!snap) error = fmt::format("{}: {}", shown_path, why);
    return snap;
}

nlohmann::ordered_json snapshot_info_json(const SnapshotInfo& info) {
    cli::Json o = cli::Json::object();
    o["capinspect_version"] = info.capinspect_version;
    o["hostname"] = cli::json_name(info.hostname);
    o["kernel"] = info.kernel;
    o["time"] = info.time;
    o["cap_last_cap"] = info.cap_last_cap;
    if (info.file_roots) {
        cli::Json roots = cli::Json::array();
        for (const std::string& r : *info.file_roots) roots.push_back(cli::json_name(r));
        o["file_roots"] = std::move(roots);
    } else {
        o["file_roots"] = nullptr;
    }
    return o;
}

std::optional<Snapshot> parse_snapshot(std::string_view text, std::string& error) {
    try {
        json doc = json::parse(text.begin(), text.end(), [](int depth, json::parse_event_t, json&) {
            if (depth > max_depth) throw TooDeep{};
            return true;
        });
        return read_document(doc);
    } catch (const TooDeep&) {
        error = fmt::format("not a snapshot: nested deeper than {} levels", max_depth);
    } catch (const json::parse_error& e) {
        error = "not valid JSON: " + parse_message(e.what());
    } catch (const Invalid& e) {
        error = e.message;
    } catch (const std::exception& e) {
        error = parse_message(e.what());
    }
    return std::nullopt;
}

}  // namespace capinspect::auditor
