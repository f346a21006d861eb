#include "capinspect/diff.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/core.h>

#include <capinspect/escape.h>
#include <capinspect/process.h>

namespace capinspect::auditor {
namespace {

using cli::Json;


bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --- merging -----------------------------------------------------------------------------

// Weakest first: a merged key is as confined as its least confined process.
int seccomp_rank(SeccompMode m) {
    switch (m) {
    case SeccompMode::disabled: return 0;
    case SeccompMode::filter: return 1;
    case SeccompMode::strict: return 2;
    }
    return 0;
}

struct Merger {
    ProcessGroup group;
    bool nnp_false = false, nnp_unknown = false, seccomp_unknown = false;
    bool host = false, userns = false;

    void add(const ProcessRecord& p) {
        group.pids.push_back(p.pid);
        auto add_sets = [&](const CapSets& s) {
            group.sets.effective = group.sets.effective | s.effective;
            group.sets.permitted = group.sets.permitted | s.permitted;
            group.sets.inheritable = group.sets.inheritable | s.inheritable;
            group.sets.bounding = group.sets.bounding | s.bounding;
            if (s.ambient) group.sets.ambient = group.sets.ambient.value_or(CapSet()) | *s.ambient;
        };
        add_sets(p.sets);
        for (const ThreadRecord& t : p.threads) add_sets(t.sets);
        if (p.scope == PrivilegeScope::host) host = true;
        if (p.scope == PrivilegeScope::namespace_) userns = true;
        if (!p.no_new_privs)
            nnp_unknown = true;
        else if (!*p.no_new_privs)
            nnp_false = true;
        if (!p.seccomp)
            seccomp_unknown = true;
        else if (!group.seccomp || seccomp_rank(*p.seccomp) < seccomp_rank(*group.seccomp))
            group.seccomp = p.seccomp;
    }

    ProcessGroup finish() && {
        std::sort(group.pids.begin(), group.pids.end());
        if (host)
            group.scope = PrivilegeScope::host;
        else if (userns)
            group.scope = PrivilegeScope::namespace_;
        if (nnp_false)
            group.no_new_privs = false;
        else if (!nnp_unknown)
            group.no_new_privs = true;
        // An unknown mode could be the weakest: only "disabled" is sure then.
        if (seccomp_unknown && group.seccomp && *group.seccomp != SeccompMode::disabled) group.seccomp.reset();
        return std::move(group);
    }
};

std::map<ProcessKey, ProcessGroup> process_groups(const Snapshot& s) {
    std::map<ProcessKey, Merger> merging;
    for (const ProcessRecord& p : s.processes) merging[process_key(p)].add(p);
    std::map<ProcessKey, ProcessGroup> out;
    for (auto& [key, m] : merging) out.emplace(key, std::move(m).finish());
    return out;
}

std::map<ListenerKey, ListenerGroup> listener_groups(const Snapshot& s) {
    std::map<pid_t, const ProcessRecord*> by_pid;
    for (const ProcessRecord& p : s.processes) by_pid.emplace(p.pid, &p);
    std::map<ListenerKey, ListenerGroup> out;
    for (const SocketRecord& sock : s.sockets) {
        std::vector<std::pair<Subject, pid_t>> owners;
        for (pid_t pid : sock.pids) {
            auto it = by_pid.find(pid);
            if (it != by_pid.end()) owners.emplace_back(subject_of(*it->second), pid);
        }
        if (owners.empty()) owners.emplace_back(Subject{}, 0);
        std::sort(owners.begin(), owners.end());
        const Subject* last = nullptr;
        for (const auto& [who, pid] : owners) {
            ListenerGroup& g = out[ListenerKey{sock.proto, sock.exposure, sock.lport, who}];
            if (pid) g.pids.push_back(pid);
            if (!last || *last != who) ++g.sockets;  // a socket counts once per key
            last = &who;
        }
    }
    for (auto& [key, g] : out) {
        std::sort(g.pids.begin(), g.pids.end());
        g.pids.erase(std::unique(g.pids.begin(), g.pids.end()), g.pids.end());
    }
    return out;
}

// --- comparing ---------------------------------------------------------------------------

// What was added to and removed from a set; nothing when the set is full in both.
struct SetDelta {
    CapSet added, removed;
};
SetDelta compare_set(CapSet old, Cap old_last, CapSet now, Cap now_last) {
    if (old.is_full(old_last) && now.is_full(now_last)) return {};
    return {now - old, old - now};
}

bool same_file_caps(const FileCapsRecord& a, const FileCapsRecord& b) {
    if (a.set == "invalid" || b.set == "invalid") return a.set == b.set;
    return a.effective_flag == b.effective_flag && a.permitted == b.permitted && a.inheritable == b.inheritable &&
           a.rootid == b.rootid && a.version == b.version;
}

// A change that only takes away: fewer capabilities, the effective flag cleared, the
// same namespace and layout. Anything else a changed value does may give privilege.
bool only_reduced(const FileCapsRecord& before, const FileCapsRecord& after) {
    if (before.set == "invalid" || after.set == "invalid") return false;
    return (after.permitted - before.permitted).empty() && (after.inheritable - before.inheritable).empty() &&
           (!after.effective_flag || before.effective_flag) && after.rootid == before.rootid &&
           after.version == before.version;
}

bool is_below(const std::string& path, const std::string& root) {
    if (root == "/") return true;
    return path == root ||
           (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

bool under_any(const std::string& path, const std::vector<std::string>& roots) {
    return std::any_of(roots.begin(), roots.end(), [&](const std::string& r) { return is_below(path, r); });
}

void compare_processes(const Snapshot& old, const Snapshot& now, Diff& diff) {
    auto before = process_groups(old), after = process_groups(now);
    for (const auto& [key, g] : after)
        if (!before.count(key)) {
            Change c;
            c.kind = ChangeKind::process_added;
            c.process = key;
            c.after_process = g;
            diff.changes.push_back(std::move(c));
        }
    for (const auto& entry : before) {
        // Named references, not a structured binding: the lambda below captures them.
        const ProcessKey& key = entry.first;
        const ProcessGroup& g = entry.second;
        auto it = after.find(key);
        if (it == after.end()) {
            Change c;
            c.kind = ChangeKind::process_removed;
            c.process = key;
            c.before_process = g;
            diff.changes.push_back(std::move(c));
            continue;
        }
        const ProcessGroup& a = it->second;
        Cap ol = old.info.cap_last_cap, nl = now.info.cap_last_cap;
        SetDelta e = compare_set(g.sets.effective, ol, a.sets.effective, nl);
        SetDelta p = compare_set(g.sets.permitted, ol, a.sets.permitted, nl);
        SetDelta i = compare_set(g.sets.inheritable, ol, a.sets.inheritable, nl);
        SetDelta b = compare_set(g.sets.bounding, ol, a.sets.bounding, nl);
        SetDelta am = compare_set(g.sets.ambient.value_or(CapSet()), ol, a.sets.ambient.value_or(CapSet()), nl);
        auto change = [&](ChangeKind kind) {
            Change c;
            c.kind = kind;
            c.process = key;
            c.before_process = g;
            c.after_process = a;
            return c;
        };
        if (!(e.added | p.added | i.added | b.added | am.added).empty()) {
            Change c = change(ChangeKind::capabilities_added);
            c.delta = {e.added, p.added, i.added, b.added, am.added};
            diff.changes.push_back(std::move(c));
        }
        if (!(e.removed | p.removed | i.removed | b.removed | am.removed).empty()) {
            Change c = change(ChangeKind::capabilities_removed);
            c.delta = {e.removed, p.removed, i.removed, b.removed, am.removed};
            diff.changes.push_back(std::move(c));
        }
        if (g.scope && a.scope && g.scope != a.scope)
            diff.changes.push_back(
                change(a.scope == PrivilegeScope::host ? ChangeKind::scope_widened : ChangeKind::scope_narrowed));
        bool weaker = false, stronger = false;
        if (g.no_new_privs && a.no_new_privs && *g.no_new_privs != *a.no_new_privs)
            (*a.no_new_privs ? stronger : weaker) = true;
        if (g.seccomp && a.seccomp && *g.seccomp != *a.seccomp)
            (seccomp_rank(*a.seccomp) > seccomp_rank(*g.seccomp) ? stronger : weaker) = true;
        if (weaker) diff.changes.push_back(change(ChangeKind::defences_weakened));
        if (stronger) diff.changes.push_back(change(ChangeKind::defences_strengthened));
    }
}

void compare_files(const Snapshot& old, const Snapshot& now, Diff& diff) {
    if (!old.files || !now.files) {
        diff.notes.push_back(fmt::format("files are not compared: the {} snapshot was taken without them",
                                         !old.files && !now.files ? "old and the new" : !old.files ? "old" : "new"));
        return;
    }
    const auto& old_roots = *old.info.file_roots;
    const auto& new_roots = *now.info.file_roots;
    bool same_roots = std::is_permutation(old_roots.begin(), old_roots.end(), new_roots.begin(), new_roots.end());
    if (!same_roots)
        diff.notes.push_back("the snapshots walked different file roots: only files under a root of both are compared");
    auto comparable = [&](const std::string& path) {
        return same_roots || (under_any(path, old_roots) && under_any(path, new_roots));
    };
    std::map<std::string, const FileCapsRecord*> before, after;
    for (const FileRecord& f : *old.files)
        if (comparable(f.path)) before[f.path] = &f.caps;
    for (const FileRecord& f : *now.files)
        if (comparable(f.path)) after[f.path] = &f.caps;
    for (const auto& [path, caps] : after) {
        auto it = before.find(path);
        if (it != before.end() && same_file_caps(*it->second, *caps)) continue;
        Change c;
        c.kind = it == before.end()                      ? ChangeKind::file_added
                 : only_reduced(*it->second, *caps) ? ChangeKind::file_reduced
                                                    : ChangeKind::file_changed;
        c.path = path;
        if (it != before.end()) c.before_file = *it->second;
        c.after_file = *caps;
        diff.changes.push_back(std::move(c));
    }
    for (const auto& [path, caps] : before)
        if (!after.count(path)) {
            Change c;
            c.kind = ChangeKind::file_removed;
            c.path = path;
            c.before_file = *caps;
            diff.changes.push_back(std::move(c));
        }
}

void compare_listeners(const Snapshot& old, const Snapshot& now, Diff& diff) {
    auto before = listener_groups(old), after = listener_groups(now);
    for (const auto& [key, g] : after)
        if (!before.count(key)) {
            Change c;
            c.kind = ChangeKind::listener_added;
            c.listener = key;
            c.after_listener = g;
            diff.changes.push_back(std::move(c));
        }
    for (const auto& [key, g] : before)
        if (!after.count(key)) {
            Change c;
            c.kind = ChangeKind::listener_removed;
            c.listener = key;
            c.before_listener = g;
            diff.changes.push_back(std::move(c));
        }
}

// --- text --------------------------------------------------------------------------------

struct Text {
    bool utf8;
    std::string name(std::string_view bytes) const { return utf8 ? escape_name(bytes) : escape_name_ascii(bytes); }
};

std::string subject_text(const Text& t, const Subject& s) {
    switch (s.kind) {
    case Subject::Kind::unit: return "unit " + t.name(s.name);
    case Subject::Kind::exe: return "exe " + t.name(s.name);
    case Subject::Kind::command: return "command " + t.name(s.name);
    case Subject::Kind::none: break;
    }
    return "owner not visible";
}

std::string set_text(CapSet set, Cap last_cap) {
    if (set.empty()) return "none";
    if (set.is_full(last_cap)) return "full";
    return format_cap_list(set, ",");
}

std::string pids_text(const std::vector<pid_t>& pids) {
    std::string out = fmt::format("{} process{} (pid", pids.size(), pids.size() == 1 ? "" : "es");
    out += pids.size() == 1 ? " " : "s ";
    for (size_t i = 0; i < pids.size() && i < 8; ++i) out += (i ? "," : "") + std::to_string(pids[i]);
    if (pids.size() > 8) out += ",...";
    return out + ")";
}

std::string group_text(const ProcessGroup& g, Cap last_cap) {
    std::string out = pids_text(g.pids);
    auto set = [&](const char* name, CapSet s) {
        if (!s.empty()) out += fmt::format("; {} {}", name, set_text(s, last_cap));
    };
    set("effective", g.sets.effective);
    set("permitted", g.sets.permitted);
    set("inheritable", g.sets.inheritable);
    set("ambient", g.sets.ambient.value_or(CapSet()));
    if (!g.sets.bounding.is_full(last_cap)) out += fmt::format("; bounding {}", set_text(g.sets.bounding, last_cap));
    if (g.scope == PrivilegeScope::namespace_) out += "; only in a user namespace";
    return out;
}

std::string file_text(const FileCapsRecord& f, Cap last_cap) {
    if (f.set == "invalid") return f.error.empty() ? "invalid" : fmt::format("invalid ({})", f.error);
    std::string out = f.set;
    if (f.set == "inheritable")
        out += " " + set_text(f.inheritable, last_cap);
    else if (f.set != "empty")
        out += " " + set_text(f.permitted, last_cap);
    if (f.set != "inheritable" && !f.inheritable.empty())
        out += ", inheritable " + set_text(f.inheritable, last_cap);
    if (f.rootid) out += fmt::format(", rootid {}", *f.rootid);
    return out;
}

std::string listener_text(const Text& t, const ListenerKey& k) {
    std::string port;
    if (k.proto == "raw" || k.proto == "raw6")
        port = fmt::format("protocol {}", k.lport);
    else if (k.proto == "pkt")
        port = fmt::format("ethertype 0x{:04x}", k.lport);
    else
        port = fmt::format("port {}", k.lport);
    return fmt::format("{} {} {}, {}", k.proto, exposure_name(k.exposure), port, subject_text(t, k.owner));
}

std::string delta_text(const CapSets& d, char sign) {
    std::string out;
    auto set = [&](const char* name, CapSet s) {
        if (s.empty()) return;
        if (!out.empty()) out += "; ";
        out += name;
        for (Cap c : s) out += fmt::format(" {}{}", sign, cap_name(c));
    };
    set("effective", d.effective);
    set("permitted", d.permitted);
    set("inheritable", d.inheritable);
    set("bounding", d.bounding);
    set("ambient", d.ambient.value_or(CapSet()));
    return out;
}

std::string defences_text(const ProcessGroup& b, const ProcessGroup& a) {
    std::string out;
    auto yes_no = [](bool v) { return v ? "yes" : "no"; };
    if (b.no_new_privs && a.no_new_privs && *b.no_new_privs != *a.no_new_privs)
        out += fmt::format("no_new_privs {} -> {}", yes_no(*b.no_new_privs), yes_no(*a.no_new_privs));
    if (b.seccomp && a.seccomp && *b.seccomp != *a.seccomp)
        out += fmt::format("{}seccomp {} -> {}", out.empty() ? "" : "; ", seccomp_mode_name(*b.seccomp),
                           seccomp_mode_name(*a.seccomp));
    return out;
}

const char* change_label(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::process_added: return "new process";
    case ChangeKind::capabilities_added: return "capabilities";
    case ChangeKind::scope_widened: return "host scope";
    case ChangeKind::defences_weakened: return "weaker defences";
    case ChangeKind::file_added: return "new file";
    case ChangeKind::file_changed: return "changed file";
    case ChangeKind::listener_added: return "new listener";
    case ChangeKind::process_removed: return "process gone";
    case ChangeKind::capabilities_removed: return "capabilities";
    case ChangeKind::scope_narrowed: return "namespace scope";
    case ChangeKind::defences_strengthened: return "stronger defences";
    case ChangeKind::file_reduced: return "reduced file";
    case ChangeKind::file_removed: return "file removed";
    case ChangeKind::listener_removed: return "listener gone";
    }
    return "?";
}

std::string change_line(const Text& t, const Change& c, Cap old_last, Cap new_last) {
    auto key_text = [&] {
        return fmt::format("{} (user {})", subject_text(t, c.process->who), t.name(c.process->user));
    };
    switch (c.kind) {
    case ChangeKind::process_added: return key_text() + ": " + group_text(*c.after_process, new_last);
    case ChangeKind::process_removed: return key_text() + ": was " + group_text(*c.before_process, old_last);
    case ChangeKind::capabilities_added: return key_text() + ": " + delta_text(c.delta, '+');
    case ChangeKind::capabilities_removed: return key_text() + ": " + delta_text(c.delta, '-');
    case ChangeKind::scope_widened: return key_text() + ": user namespace only -> host";
    case ChangeKind::scope_narrowed: return key_text() + ": host -> user namespace only";
    case ChangeKind::defences_weakened:
    case ChangeKind::defences_strengthened:
        return key_text() + ": " + defences_text(*c.before_process, *c.after_process);
    case ChangeKind::file_added: return t.name(*c.path) + ": " + file_text(*c.after_file, new_last);
    case ChangeKind::file_changed:
    case ChangeKind::file_reduced:
        return t.name(*c.path) + ": " + file_text(*c.before_file, old_last) + " -> " + file_text(*c.after_file, new_last);
    case ChangeKind::file_removed: return t.name(*c.path) + ": was " + file_text(*c.before_file, old_last);
    case ChangeKind::listener_added: return listener_text(t, *c.listener) + ": " + pids_text(c.after_listener->pids);
    case ChangeKind::listener_removed:
        return listener_text(t, *c.listener) + ": was " + pids_text(c.before_listener->pids);
    }
    return "";
}

// --- JSON --------------------------------------------------------------------------------

Json caps_json(CapSet set) {
    Json list = Json::array();
    for (Cap c : set) list.push_back(cap_name(c));
    return list;
}

void subject_json(Json& o, const Subject& s) {
    o["unit"] = s.kind == Subject::Kind::unit ? cli::json_name(s.name) : Json(nullptr);
    o["exe"] = s.kind == Subject::Kind::exe ? cli::json_name(s.name) : Json(nullptr);
    o["command"] = s.kind == Subject::Kind::command ? cli::json_name(s.name) : Json(nullptr);
}

Json pids_json(const std::vector<pid_t>& pids) {
    Json list = Json::array();
    for (pid_t p : pids) list.push_back(p);
    return list;
}

void sets_json(Json& o, const CapSets& s) {
    o["effective"] = caps_json(s.effective);
    o["permitted"] = caps_json(s.permitted);
    o["inheritable"] = caps_json(s.inheritable);
    o["bounding"] = caps_json(s.bounding);
    o["ambient"] = s.ambient ? caps_json(*s.ambient) : Json(nullptr);
}

Json group_json(const std::optional<ProcessGroup>& g) {
    if (!g) return nullptr;
    Json o = Json::object();
    o["pids"] = pids_json(g->pids);
    sets_json(o, g->sets);
    o["scope"] = g->scope ? Json(privilege_scope_name(*g->scope)) : Json(nullptr);
    o["no_new_privs"] = g->no_new_privs ? Json(*g->no_new_privs) : Json(nullptr);
    o["seccomp"] = g->seccomp ? Json(seccomp_mode_name(*g->seccomp)) : Json(nullptr);
    return o;
}

Json file_json(const std::optional<FileCapsRecord>& f) {
    if (!f) return nullptr;
    Json o = Json::object();
    o["set"] = f->set;
    if (f->set == "invalid") {
        o["error"] = f->error;
        return o;
    }
    o["effective_flag"] = f->effective_flag;
    o["permitted"] = caps_json(f->permitted);
    o["inheritable"] = caps_json(f->inheritable);
    o["rootid"] = f->rootid ? Json(*f->rootid) : Json(nullptr);
    o["version"] = f->version;
    return o;
}

Json listener_json(const std::optional<ListenerGroup>& g) {
    if (!g) return nullptr;
    Json o = Json::object();
    o["pids"] = pids_json(g->pids);
    return o;
}

Json change_json(const Change& c) {
    Json o = Json::object();
    o["change"] = change_kind_name(c.kind);
    o["gain"] = is_gain(c.kind);
    if (c.process) {
        subject_json(o, c.process->who);
        o["user"] = cli::json_name(c.process->user);
        o["before"] = group_json(c.before_process);
        o["after"] = group_json(c.after_process);
        if (c.kind == ChangeKind::capabilities_added || c.kind == ChangeKind::capabilities_removed) {
            CapSets d = c.delta;
            if (!d.ambient) d.ambient = CapSet();
            sets_json(o, d);
        }
    } else if (c.path) {
        o["path"] = cli::json_name(*c.path);
        o["before"] = file_json(c.before_file);
        o["after"] = file_json(c.after_file);
    } else if (c.listener) {
        o["proto"] = c.listener->proto;
        o["exposure"] = exposure_name(c.listener->exposure);
        o["lport"] = c.listener->lport;
        subject_json(o, c.listener->owner);
        o["before"] = listener_json(c.before_listener);
        o["after"] = listener_json(c.after_listener);
    }
    return o;
}

}  // namespace

const char* change_kind_name(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::process_added: return "process_added";
    case ChangeKind::capabilities_added: return "capabilities_added";
    case ChangeKind::scope_widened: return "scope_widened";
    case ChangeKind::defences_weakened: return "defences_weakened";
    case ChangeKind::file_added: return "file_added";
    case ChangeKind::file_changed: return "file_changed";
    case ChangeKind::listener_added: return "listener_added";
    case ChangeKind::process_removed: return "process_removed";
    case ChangeKind::capabilities_removed: return "capabilities_removed";
    case ChangeKind::scope_narrowed: return "scope_narrowed";
    case ChangeKind::defences_strengthened: return "defences_strengthened";
    case ChangeKind::file_reduced: return "file_reduced";
    case ChangeKind::file_removed: return "file_removed";
    case ChangeKind::listener_removed: return "listener_removed";
    }
    return "?";
}

bool is_gain(ChangeKind kind) { return kind < ChangeKind::process_removed; }

Subject subject_of(const ProcessRecord& p) {
    if (p.unit && ends_with(*p.unit, ".service")) return {Subject::Kind::unit, *p.unit};
    if (p.exe && !p.exe->empty()) return {Subject::Kind::exe, exe_link_path(*p.exe)};
    return {Subject::Kind::command, p.command};
}

ProcessKey process_key(const ProcessRecord& p) {
    return {subject_of(p), p.user.empty() ? std::to_string(p.uid) : p.user};
}

Diff diff_snapshots(const Snapshot& old, const Snapshot& now) {
    Diff diff;
    if (old.info.hostname != now.info.hostname)
        diff.notes.push_back(fmt::format("the snapshots are of different hosts: {} and {}", escape_name(old.info.hostname),
                                         escape_name(now.info.hostname)));
    if (old.info.cap_last_cap != now.info.cap_last_cap)
        diff.notes.push_back(fmt::format("the kernel's last capability changed from {} to {}: sets full in both "
                                         "compare equal",
                                         old.info.cap_last_cap, now.info.cap_last_cap));
    if (!old.unread.empty() || !now.unread.empty())
        diff.notes.push_back(fmt::format("the {} could not read everything (see \"unread\" in the snapshot{})",
                                         old.unread.empty() ? "new snapshot"
                                         : now.unread.empty() ? "old snapshot"
                                                              : "old and the new snapshot",
                                         !old.unread.empty() && !now.unread.empty() ? "s" : ""));
    compare_processes(old, now, diff);
    compare_files(old, now, diff);
    compare_listeners(old, now, diff);
    auto key = [](const Change& c) {
        return std::tie(c.kind, c.process, c.path, c.listener);
    };
    std::stable_sort(diff.changes.begin(), diff.changes.end(),
                     [&](const Change& a, const Change& b) { return key(a) < key(b); });
    for (const Change& c : diff.changes) ++(is_gain(c.kind) ? diff.gained : diff.lost);
    diff.old_last_cap = old.info.cap_last_cap;
    diff.new_last_cap = now.info.cap_last_cap;
    return diff;
}

std::string diff_text(const Diff& diff, bool colour, bool utf8) {
    Text t{utf8};
    const char* bold = colour ? "\033[1m" : "";
    const char* red = colour ? "\033[31m" : "";
    const char* yellow = colour ? "\033[33m" : "";
    const char* reset = colour ? "\033[0m" : "";
    std::string out;
    for (const std::string& n : diff.notes) out += "note: " + n + "\n";
    if (diff.changes.empty()) return out + "no differences\n";
    out += fmt::format("{}{} gained, {} lost{}\n", bold, diff.gained, diff.lost, reset);
    bool gains_open = false, losses_open = false;
    size_t width = 0;
    for (const Change& c : diff.changes) width = std::max(width, std::string_view(change_label(c.kind)).size());
    for (const Change& c : diff.changes) {
        bool gain = is_gain(c.kind);
        if (gain && !gains_open) {
            out += fmt::format("{}Gained:{}\n", bold, reset);
            gains_open = true;
        }
        if (!gain && !losses_open) {
            out += fmt::format("{}Lost:{}\n", bold, reset);
            losses_open = true;
        }
        out += fmt::format("{}  {} {:<{}} {}{}\n", gain ? red : yellow, gain ? '+' : '-', change_label(c.kind), width,
                           change_line(t, c, diff.old_last_cap, diff.new_last_cap), reset);
    }
    return out;
}

Json diff_json(const Diff& diff, const Snapshot& old, const Snapshot& now) {
    Json doc = cli::json_document();
    doc["old"] = snapshot_info_json(old.info);
    doc["new"] = snapshot_info_json(now.info);
    doc["gained"] = diff.gained;
    doc["lost"] = diff.lost;
    Json notes = Json::array();
    for (const std::string& n : diff.notes) notes.push_back(n);
    doc["notes"] = std::move(notes);
    Json changes = Json::array();
    for (const Change& c : diff.changes) changes.push_back(change_json(c));
    doc["changes"] = std::move(changes);
    return doc;
}

}  // namespace capinspect::auditor
