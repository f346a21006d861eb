#include "capinspect/unit_checks.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>

#include <capinspect/securebits.h>
#include <capinspect/user_ns.h>

namespace capinspect::auditor {
namespace {

// systemd's range of dynamic users (DynamicUser=), systemd.exec(5).
constexpr std::uint32_t dynamic_uid_min = 61184, dynamic_uid_max = 65519;

// A process or one of its other threads: what the per-thread checks look at.
struct Task {
    const Process* process;
    const ProcStatus* status;
    pid_t id;  // the pid, or the thread's tid
    bool thread;
};

std::vector<Task> tasks_of(const std::vector<Process>& processes) {
    std::vector<Task> out;
    for (const Process& p : processes) {
        out.push_back({&p, &p.status, p.pid, false});
        for (const ProcessThread& t : p.threads) out.push_back({&p, &t.status, t.tid, true});
    }
    return out;
}

std::string task_label(const Task& t) {
    return t.thread ? "thread " + std::to_string(t.id) + " of pid " + std::to_string(t.process->pid)
                    : "pid " + std::to_string(t.id);
}

// What a check saw, grouped by value: "V" when every task shows the same, else
// "V1 (pid 12, thread 14 of pid 12); V2 (pid 13)".
class Observations {
public:
    void add(const std::string& value, const std::string& who, pid_t id, bool bad, std::string brief = "") {
        auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.value == value; });
        if (it == groups_.end()) {
            groups_.push_back({value, brief.empty() ? value : std::move(brief), {}});
            it = groups_.end() - 1;
        }
        it->who.push_back(who);
        (bad ? bad_ : good_).push_back(id);
    }
    std::string text(bool brief = false) const {
        if (groups_.size() == 1) return brief ? groups_[0].brief : groups_[0].value;
        std::string out;
        for (const Group& g : groups_) {
            if (!out.empty()) out += "; ";
            out += (brief ? g.brief : g.value) + " (";
            for (size_t i = 0; i < g.who.size(); ++i) {
                if (i) out += ", ";
                if (i == 3 && g.who.size() > 4) {
                    out += std::to_string(g.who.size() - 3) + " more";
                    break;
                }
                out += g.who[i];
            }
            out += ")";
        }
        return out;
    }
    bool any_bad() const { return !bad_.empty(); }
    const std::vector<pid_t>& bad() const { return bad_; }
    bool empty() const { return groups_.empty(); }

private:
    struct Group {
        std::string value, brief;
        std::vector<std::string> who;
    };
    std::vector<Group> groups_;
    std::vector<pid_t> bad_, good_;
};

std::vector<pid_t> pids_of(const std::vector<Process>& processes) {
    std::vector<pid_t> out;
    for (const Process& p : processes) out.push_back(p.pid);
    return out;
}

class Checker {
public:
    Checker(const UnitConfig& c, const std::vector<Process>& ps, const Process* manager, const CheckEnvironment& env)
        : c_(c), processes_(ps), manager_(manager), env_(env), tasks_(tasks_of(ps)) {}

    UnitReport run() {
        report_.unit = c_.id;
        check_user();
        check_dynamic_user();
        check_bounding();
        check_ambient();
        check_no_new_privileges();
        check_secure_bits();
        check_seccomp("SystemCallFilter", c_.system_call_filter.is_set(), format_filter(c_.system_call_filter));
        check_seccomp("SystemCallArchitectures", !c_.system_call_architectures.empty(),
                      format_list(c_.system_call_architectures));
        check_seccomp("RestrictNamespaces", c_.namespaces_restricted(), format_namespaces(c_.restrict_namespaces));
        check_seccomp("RestrictAddressFamilies", c_.restrict_address_families.is_set(),
                      format_filter(c_.restrict_address_families));
        for (auto [name, value] : std::initializer_list<std::pair<const char*, bool>>{
                 {"MemoryDenyWriteExecute", c_.memory_deny_write_execute},
                 {"LockPersonality", c_.lock_personality},
                 {"RestrictRealtime", c_.restrict_realtime},
                 {"RestrictSUIDSGID", c_.restrict_suid_sgid},
                 {"ProtectKernelModules", c_.protect_kernel_modules},
                 {"ProtectKernelTunables", c_.protect_kernel_tunables},
                 {"ProtectKernelLogs", c_.protect_kernel_logs},
                 {"ProtectClock", c_.protect_clock},
                 {"ProtectHostname", c_.protect_hostname}})
            check_seccomp(name, value, "yes");
        check_private_tmp();
        check_private_devices();
        check_protect_system();
        check_protect_home();
        check_protect_control_groups();
        check_inaccessible_paths();
        check_read_only_paths();
        check_private_network();
        check_private_users();
        add_notes();

        if (processes_.empty()) {
            report_.verdict = UnitVerdict::not_running;
        } else {
            bool drift = std::any_of(report_.checks.begin(), report_.checks.end(),
                                     [](const Check& k) { return k.verdict == Verdict::drift; });
            report_.verdict = drift ? UnitVerdict::drift : UnitVerdict::ok;
        }
        return std::move(report_);
    }

private:
    static Check make_check(std::string setting, std::optional<std::string> configured,
                            std::optional<std::string> live, Verdict verdict, std::vector<pid_t> pids) {
        Check k;
        k.setting = std::move(setting);
        k.configured = std::move(configured);
        k.live = std::move(live);
        k.verdict = verdict;
        k.pids = std::move(pids);
        return k;
    }

    void not_set(const char* setting) {
        report_.checks.push_back(make_check(setting, std::nullopt, std::nullopt, Verdict::not_set, {}));
    }

    // A check of a set setting from what `obs` saw: drift when a task showed it not in
    // force; otherwise `otherwise` (ok, or unobservable).
    void add(const char* setting, std::string configured, const Observations& obs,
             Verdict otherwise = Verdict::ok) {
        Check k = make_check(setting, std::move(configured), std::nullopt, Verdict::ok, {});
        if (processes_.empty()) {
            k.verdict = Verdict::unobservable;
            k.live = "no process is running";
        } else {
            k.live = obs.text();
            if (std::string brief = obs.text(true); brief != *k.live) k.live_brief = brief;
            k.verdict = obs.any_bad() ? Verdict::drift : otherwise;
            k.pids = obs.any_bad() ? obs.bad() : pids_of(processes_);
        }
        report_.checks.push_back(std::move(k));
    }

    std::string uid_text(const IdSet& uid) const {
        if (uid.real == uid.effective && uid.effective == uid.saved && uid.saved == uid.fs) {
            std::string name = env_.user_name ? env_.user_name(uid.effective) : std::string();
            return "uid " + std::to_string(uid.effective) + (name.empty() ? "" : " (" + name + ")");
        }
        return "uids " + std::to_string(uid.real) + "/" + std::to_string(uid.effective) + "/" +
               std::to_string(uid.saved) + "/" + std::to_string(uid.fs) + " (real/effective/saved/fs)";
    }

    void check_user() {
        if (c_.user.empty() && !c_.dynamic_user) return not_set("User");
        std::optional<std::uint32_t> expected = c_.uid;
        if (!expected) {
            std::uint32_t n = 0;
            auto [ptr, ec] = std::from_chars(c_.user.data(), c_.user.data() + c_.user.size(), n);
            if (ec == std::errc() && ptr == c_.user.data() + c_.user.size())
                expected = n;
            else if (env_.resolve_user)
                expected = env_.resolve_user(c_.user);
        }
        if (!expected) {
            report_.checks.push_back(make_check("User", c_.user,
                                                "no user " + c_.user + " is known here: nothing to compare",
                                                Verdict::unobservable, pids_of(processes_)));
            return;
        }
        Observations obs;
        for (const Task& t : tasks_) {
            const IdSet& u = t.status->uid;
            bool ok = u.real == *expected && u.effective == *expected && u.saved == *expected && u.fs == *expected;
            obs.add(uid_text(u), task_label(t), t.id, !ok);
        }
        add("User", c_.user, obs);
    }

    void check_dynamic_user() {
        if (!c_.dynamic_user) return not_set("DynamicUser");
        Observations obs;
        for (const Task& t : tasks_) {
            std::uint32_t uid = t.status->uid.effective;
            bool in_range = uid >= dynamic_uid_min && uid <= dynamic_uid_max;
            bool ok = in_range && (!c_.uid || *c_.uid == uid) && t.status->uid.real == uid;
            obs.add(uid_text(t.status->uid) + (in_range ? " (dynamic)" : " (not a dynamic uid)"), task_label(t), t.id,
                    !ok);
        }
        add("DynamicUser", "yes", obs);
    }

    // A live set, and what of it lies beyond the configured one.
    std::string caps_value(CapSet set, CapSet beyond, bool brief) const {
        if (!brief) {
            std::string value = describe_caps(set, env_.last_cap);
            if (!beyond.empty()) value += " (beyond it: " + describe_caps(beyond, env_.last_cap) + ")";
            return value;
        }
        if (set.count() <= 4) return caps_value(set, beyond, false);
        if (beyond.empty()) return describe_caps_brief(set, env_.last_cap);
        // "26 capabilities, 25 beyond it: cap_chown cap_kill ... (22 more)"
        std::string whole = describe_caps(set, env_.last_cap);
        if (whole.rfind("all", 0) != 0) whole = std::to_string(set.count()) + " capabilities";
        std::string out = whole + ", " + std::to_string(beyond.count()) + " beyond it: ";
        std::string names = describe_caps_brief(beyond, env_.last_cap);
        size_t colon = names.find(": ");
        return out + (colon != std::string::npos && names.rfind("all", 0) != 0 ? names.substr(colon + 2) : names);
    }

    void check_bounding() {
        if (!c_.bounding_set()) return not_set("CapabilityBoundingSet");
        CapSet allowed(c_.bounding);
        Observations obs;
        for (const Task& t : tasks_) {
            CapSet beyond = t.status->bounding - allowed;
            obs.add(caps_value(t.status->bounding, beyond, false), task_label(t), t.id, !beyond.empty(),
                    caps_value(t.status->bounding, beyond, true));
        }
        add("CapabilityBoundingSet", format_caps(c_.bounding), obs);
    }

    void check_ambient() {
        if (c_.ambient == 0) return not_set("AmbientCapabilities");
        CapSet allowed(c_.ambient);
        Observations obs;
        bool unknown = false;
        for (const Task& t : tasks_) {
            if (!t.status->ambient) {
                unknown = true;
                obs.add("not shown by this kernel", task_label(t), t.id, false);
                continue;
            }
            CapSet beyond = *t.status->ambient - allowed;
            obs.add(caps_value(*t.status->ambient, beyond, false), task_label(t), t.id, !beyond.empty(),
                    caps_value(*t.status->ambient, beyond, true));
        }
        add("AmbientCapabilities", format_caps(c_.ambient), obs, unknown ? Verdict::unobservable : Verdict::ok);
    }

    // The settings that systemd implements with a seccomp filter: when the service is
    // not root (it lacks CAP_SYS_ADMIN then), systemd sets no_new_privs for them, as the
    // kernel requires, even when NoNewPrivileges= is off (systemd.exec(5)).
    std::optional<std::string> implied_no_new_privileges() const {
        bool root = (c_.user.empty() && !c_.dynamic_user) || c_.user == "root" || c_.user == "0" ||
                    (c_.uid && *c_.uid == 0);
        if (root || CapSet(c_.ambient).has(21 /* CAP_SYS_ADMIN */)) return std::nullopt;
        std::vector<std::pair<const char*, bool>> settings = {
            {"SystemCallFilter", c_.system_call_filter.is_set()},
            {"SystemCallArchitectures", !c_.system_call_architectures.empty()},
            {"RestrictNamespaces", c_.namespaces_restricted()},
            {"RestrictAddressFamilies", c_.restrict_address_families.is_set()},
            {"MemoryDenyWriteExecute", c_.memory_deny_write_execute},
            {"LockPersonality", c_.lock_personality},
            {"RestrictRealtime", c_.restrict_realtime},
            {"RestrictSUIDSGID", c_.restrict_suid_sgid},
            {"ProtectKernelModules", c_.protect_kernel_modules},
            {"ProtectKernelTunables", c_.protect_kernel_tunables},
            {"ProtectKernelLogs", c_.protect_kernel_logs},
            {"ProtectClock", c_.protect_clock},
            {"ProtectHostname", c_.protect_hostname},
            {"PrivateDevices", c_.private_devices},
        };
        for (auto [name, set] : settings)
            if (set) return std::string(name) + "=";
        return std::nullopt;
    }

    void check_no_new_privileges() {
        std::string configured;
        if (c_.no_new_privileges) {
            configured = "yes";
        } else if (auto by = implied_no_new_privileges()) {
            configured = "no (implied by " + *by + " for a User= other than root)";
        } else {
            return not_set("NoNewPrivileges");
        }
        Observations obs;
        bool unknown = false;
        for (const Task& t : tasks_) {
            if (!t.status->no_new_privs) {
                unknown = true;
                obs.add("not shown by this kernel", task_label(t), t.id, false);
                continue;
            }
            bool set = *t.status->no_new_privs;
            obs.add(set ? "set" : "not set", task_label(t), t.id, !set);
        }
        add("NoNewPrivileges", configured, obs, unknown ? Verdict::unobservable : Verdict::ok);
    }

    void check_secure_bits() {
        if (c_.secure_bits == 0) return not_set("SecureBits");
        // The unit file's spelling: keep-caps, noroot-locked, ...
        std::string names = format_securebits(Securebits(static_cast<std::uint32_t>(c_.secure_bits)), ~0u, " ");
        std::string configured;
        for (char ch : names) configured += ch == '_' ? '-' : static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        report_.checks.push_back(make_check("SecureBits", configured,
                                            processes_.empty() ? "no process is running"
                                                               : "the kernel shows a thread's securebits only to itself",
                                            Verdict::unobservable, pids_of(processes_)));
    }

    std::optional<unsigned> manager_filters() const {
        if (!manager_) return std::nullopt;
        if (manager_->status.seccomp == SeccompMode::disabled) return 0u;
        return manager_->status.seccomp_filters;
    }

    void check_seccomp(const char* setting, bool set, const std::string& configured) {
        if (!set) return not_set(setting);
        auto base = manager_filters();
        Observations obs;
        bool unknown = false;
        for (const Task& t : tasks_) {
            const ProcStatus& st = *t.status;
            if (!st.seccomp) {
                unknown = true;
                obs.add("not shown by this kernel", task_label(t), t.id, false);
                continue;
            }
            if (*st.seccomp != SeccompMode::filter) {
                obs.add(std::string("seccomp ") + seccomp_mode_name(*st.seccomp), task_label(t), t.id, true);
                continue;
            }
            if (!st.seccomp_filters) {
                // A kernel before 5.9: filters in force, but not how many.
                bool manager_has = !manager_ || manager_->status.seccomp == SeccompMode::filter;
                if (manager_has) unknown = true;
                obs.add("seccomp filter", task_label(t), t.id, false);
                continue;
            }
            unsigned n = *st.seccomp_filters;
            std::string value = "seccomp filter, " + std::to_string(n) + (n == 1 ? " filter" : " filters");
            if (base && *base) value += " (the manager has " + std::to_string(*base) + ")";
            obs.add(value, task_label(t), t.id, n <= base.value_or(0));
        }
        add(setting, configured, obs, unknown ? Verdict::unobservable : Verdict::ok);
    }

    // Mount checks: each process's view, from its mountinfo.

    const std::vector<MountEntry>* manager_mounts() const {
        return manager_ && manager_->mounts ? &*manager_->mounts : nullptr;
    }

    static bool same_mount(const MountEntry* a, const MountEntry* b) {
        return a && b && a->major == b->major && a->minor == b->minor && a->root == b->root &&
               a->mount_point == b->mount_point;
    }

    // Runs `one` for each process whose mounts were read; notes the others as errors and
    // makes the check unobservable for them.
    template <typename One>
    void for_each_mount_view(Observations& obs, bool& unknown, One one) {
        for (const Process& p : processes_) {
            if (!p.mounts) {
                unknown = true;
                obs.add("mounts not readable", "pid " + std::to_string(p.pid), p.pid, false);
                continue;
            }
            one(p, *p.mounts);
        }
    }

    // guarded: protected, and not as the manager's view is; guarded_as_manager: protected,
    // but so it is for the manager (tells nothing); open: not protected; exempt: not
    // protected, as it should be (ReadWritePaths=, created after the start); absent.
    enum class PathState { guarded, guarded_as_manager, open, exempt, absent };

    // The start of the service's main process (else of its activation), µs since the epoch.
    std::uint64_t start_time() const {
        return c_.exec_main_start_timestamp ? c_.exec_main_start_timestamp : c_.active_enter_timestamp;
    }

    // A path the process has no mount of its own on, that came into being after the
    // service started: systemd, which skips missing paths, could not act on it.
    bool created_after_start(const std::vector<MountEntry>& mounts, const std::string& path) const {
        if (!env_.birth_usec || !start_time() || find_mount_at(mounts, path)) return false;
        auto born = env_.birth_usec(path);
        return born && *born > start_time();
    }

    // A path at or below one of ReadWritePaths=, which wins over ProtectSystem=.
    bool writable_by_unit(const std::string& path) const {
        for (const std::string& e : c_.read_write_paths) {
            auto [p, optional] = strip_prefixes(e);
            if (!p.empty() && is_path_below(path, p)) return true;
        }
        return false;
    }

    // Whether `path` is read-only for a process, and whether the manager's view already was.
    PathState read_only_state(const std::vector<MountEntry>& mounts, const std::string& path) const {
        const MountEntry* m = find_covering_mount(mounts, path);
        if (!m) return PathState::absent;
        if (!m->read_only()) return PathState::open;
        const auto* mm = manager_mounts();
        const MountEntry* theirs = mm ? find_covering_mount(*mm, path) : nullptr;
        if (theirs && theirs->read_only() && same_mount(m, theirs)) return PathState::guarded_as_manager;
        return PathState::guarded;
    }

    static const char* state_text(PathState s, const char* guarded_word) {
        switch (s) {
        case PathState::guarded: return guarded_word;
        case PathState::guarded_as_manager: return "read-only for the manager too";
        case PathState::open: return "writable";
        case PathState::exempt: return "exempt";
        case PathState::absent: return "absent";
        }
        return "?";
    }

    // A check over paths, each process in turn: drift when a path is open for one, else
    // ok when at least one path shows the setting apart from the manager's view, else
    // unobservable. `state` gives a path's state and its text.
    void check_paths(const char* setting, const std::string& configured, const std::vector<std::string>& paths,
                     const std::function<std::pair<PathState, std::string>(const std::vector<MountEntry>&,
                                                                           const std::string&)>& state) {
        Observations obs;
        bool unknown = false, indistinct = false;
        for_each_mount_view(obs, unknown, [&](const Process& p, const std::vector<MountEntry>& mounts) {
            std::string value;
            bool open = false, distinct = false, any = false;
            for (const std::string& path : paths) {
                auto [s, text] = state(mounts, path);
                if (s == PathState::absent) continue;
                any = true;
                if (!value.empty()) value += ", ";
                value += path + " " + text;
                open |= s == PathState::open;
                distinct |= s == PathState::guarded;
            }
            if (!any) value = "none of the paths exists";
            if (!open && !distinct) indistinct = true;
            obs.add(value, "pid " + std::to_string(p.pid), p.pid, open);
        });
        add(setting, configured, obs, unknown || indistinct ? Verdict::unobservable : Verdict::ok);
    }

    // Paths systemd acts on only when they exist: those that exist for the reader, or
    // that have a mount of their own in the process's or the manager's view.
    std::vector<std::string> existing(const std::vector<std::string>& paths) const {
        std::vector<std::string> out;
        for (const std::string& path : paths) {
            bool mounted = false;
            for (const Process& p : processes_)
                if (p.mounts && find_mount_at(*p.mounts, path)) mounted = true;
            if (const auto* mm = manager_mounts(); mm && find_mount_at(*mm, path)) mounted = true;
            if (mounted || !env_.path_exists || env_.path_exists(path)) out.push_back(path);
        }
        return out;
    }

    void check_private_tmp() {
        if (!c_.private_tmp) return not_set("PrivateTmp");
        check_paths("PrivateTmp", "yes", {"/tmp", "/var/tmp"},
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        const MountEntry* m = find_covering_mount(mounts, path);
                        const auto* mm = manager_mounts();
                        const MountEntry* theirs = mm ? find_covering_mount(*mm, path) : nullptr;
                        bool systemd_private = m && m->root.find("/systemd-private-") != std::string::npos;
                        if (!m) return {PathState::absent, ""};
                        if (same_mount(m, theirs) || (!theirs && !systemd_private))
                            return {PathState::open, "shared with the manager"};
                        return {PathState::guarded, systemd_private ? "private (systemd-private-*)" : "private"};
                    });
    }

    void check_private_devices() {
        if (!c_.private_devices) return not_set("PrivateDevices");
        check_paths("PrivateDevices", "yes", {"/dev"},
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        const MountEntry* m = find_covering_mount(mounts, path);
                        if (!m) return {PathState::absent, ""};
                        const auto* mm = manager_mounts();
                        const MountEntry* theirs = mm ? find_covering_mount(*mm, path) : nullptr;
                        bool own = m->mount_point == "/dev" && m->fs_type == "tmpfs" &&
                                   (!theirs || theirs->major != m->major || theirs->minor != m->minor);
                        if (!own) return {PathState::open, "the manager's devices"};
                        return {PathState::guarded, "a private tmpfs"};
                    });
    }

    void check_protect_system() {
        const std::string& v = c_.protect_system;
        if (v.empty() || v == "no") return not_set("ProtectSystem");
        std::vector<std::string> paths;
        if (v == "strict")
            paths = {"/", "/usr", "/etc"};
        else if (v == "full")
            paths = existing({"/usr", "/boot", "/efi", "/etc"});
        else
            paths = existing({"/usr", "/boot", "/efi"});
        check_paths("ProtectSystem", v, paths,
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        PathState s = read_only_state(mounts, path);
                        if (s == PathState::open && writable_by_unit(path))
                            return {PathState::exempt, "writable (ReadWritePaths=)"};
                        if (s == PathState::open && path != "/" && path != "/usr" && path != "/etc" &&
                            created_after_start(mounts, path))
                            return {PathState::exempt, "created after the service started"};
                        return {s, state_text(s, "read-only")};
                    });
    }

    void check_protect_home() {
        const std::string& v = c_.protect_home;
        if (v.empty() || v == "no") return not_set("ProtectHome");
        auto paths = existing({"/home", "/root", "/run/user"});
        check_paths("ProtectHome", v, paths,
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        // systemd protects these only where they exist when the service starts.
                        auto later = [&](std::pair<PathState, std::string> r) -> std::pair<PathState, std::string> {
                            if (r.first == PathState::open && created_after_start(mounts, path))
                                return {PathState::exempt, "created after the service started"};
                            return r;
                        };
                        if (v == "read-only") {
                            PathState s = read_only_state(mounts, path);
                            return later({s, state_text(s, "read-only")});
                        }
                        const MountEntry* m = find_mount_at(mounts, path);
                        const auto* mm = manager_mounts();
                        const MountEntry* theirs = mm ? find_mount_at(*mm, path) : nullptr;
                        if (v == "tmpfs") {
                            if (m && m->fs_type == "tmpfs" && !same_mount(m, theirs))
                                return {PathState::guarded, "an empty tmpfs"};
                            return later({PathState::open, "not replaced"});
                        }
                        if (m && is_inaccessible_mount(*m)) return {PathState::guarded, "inaccessible"};
                        return later({PathState::open, "accessible"});
                    });
    }

    void check_protect_control_groups() {
        if (!c_.protect_control_groups) return not_set("ProtectControlGroups");
        check_paths("ProtectControlGroups", "yes", {"/sys/fs/cgroup"},
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        // The whole tree: the cgroup file systems are mounted below it.
                        bool any = false, open = false;
                        for (const MountEntry& m : mounts)
                            if (is_path_below(m.mount_point, path)) {
                                any = true;
                                open |= !m.read_only();
                            }
                        if (!any) return {PathState::absent, ""};
                        if (open) return {PathState::open, "writable below"};
                        bool manager_open = false;
                        if (const auto* mm = manager_mounts())
                            for (const MountEntry& m : *mm)
                                if (is_path_below(m.mount_point, path)) manager_open |= !m.read_only();
                        if (manager_mounts() && !manager_open) return {PathState::guarded_as_manager, "read-only for the manager too"};
                        return {PathState::guarded, "read-only"};
                    });
    }

    // "-/srv" → "/srv" (ignore when missing), "+/x" → "/x" (below RootDirectory=).
    static std::pair<std::string, bool> strip_prefixes(const std::string& entry) {
        size_t i = 0;
        bool optional = false;
        while (i < entry.size() && (entry[i] == '-' || entry[i] == '+')) optional |= entry[i++] == '-';
        return {entry.substr(i), optional};
    }

    std::vector<std::string> listed_paths(const std::vector<std::string>& entries) const {
        std::vector<std::string> paths;
        for (const std::string& e : entries) {
            auto [path, optional] = strip_prefixes(e);
            if (path.empty()) continue;
            if (optional && existing({path}).empty()) continue;
            paths.push_back(path);
        }
        return paths;
    }

    // Whether the entry of `path` in `entries` starts with "-" (skipped when missing).
    static bool optional_entry(const std::vector<std::string>& entries, const std::string& path) {
        for (const std::string& e : entries) {
            auto [p, optional] = strip_prefixes(e);
            if (p == path) return optional;
        }
        return false;
    }

    void check_inaccessible_paths() {
        if (c_.inaccessible_paths.empty()) return not_set("InaccessiblePaths");
        check_paths("InaccessiblePaths", format_list(c_.inaccessible_paths), listed_paths(c_.inaccessible_paths),
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        const MountEntry* m = find_covering_mount(mounts, path);
                        if (m && is_inaccessible_mount(*m)) return {PathState::guarded, "inaccessible"};
                        if (optional_entry(c_.inaccessible_paths, path) && created_after_start(mounts, path))
                            return {PathState::exempt, "created after the service started"};
                        return {PathState::open, "accessible"};
                    });
    }

    void check_read_only_paths() {
        if (c_.read_only_paths.empty()) return not_set("ReadOnlyPaths");
        check_paths("ReadOnlyPaths", format_list(c_.read_only_paths), listed_paths(c_.read_only_paths),
                    [&](const std::vector<MountEntry>& mounts, const std::string& path) -> std::pair<PathState, std::string> {
                        PathState s = read_only_state(mounts, path);
                        if (s == PathState::open && optional_entry(c_.read_only_paths, path) &&
                            created_after_start(mounts, path))
                            return {PathState::exempt, "created after the service started"};
                        return {s, state_text(s, "read-only")};
                    });
    }

    void check_private_network() {
        if (!c_.private_network) return not_set("PrivateNetwork");
        Observations obs;
        bool unknown = false;
        for (const Process& p : processes_) {
            std::string who = "pid " + std::to_string(p.pid);
            if (!p.net_ns || !manager_ || !manager_->net_ns) {
                unknown = true;
                obs.add("network namespace not readable", who, p.pid, false);
                continue;
            }
            if (*p.net_ns == *manager_->net_ns) {
                obs.add("the manager's network namespace", who, p.pid, true);
                continue;
            }
            std::string value = "a network namespace of its own";
            bool only_lo = false;
            if (p.net_devices) {
                value += ", interfaces: " + format_list(*p.net_devices);
                only_lo = *p.net_devices == std::vector<std::string>{"lo"};
            } else {
                unknown = true;
                value += ", interfaces not readable";
                only_lo = true;
            }
            obs.add(value, who, p.pid, !only_lo);
        }
        add("PrivateNetwork", "yes", obs, unknown ? Verdict::unobservable : Verdict::ok);
    }

    void check_private_users() {
        if (!c_.private_users) return not_set("PrivateUsers");
        Observations obs;
        bool unknown = false;
        for (const Process& p : processes_) {
            std::string who = "pid " + std::to_string(p.pid);
            if (!p.user_ns || !manager_ || !manager_->user_ns) {
                unknown = true;
                obs.add("user namespace not readable", who, p.pid, false);
                continue;
            }
            if (p.user_ns->inode == manager_->user_ns->inode) {
                obs.add("the manager's user namespace", who, p.pid, true);
                continue;
            }
            std::string value = "a user namespace of its own";
            if (!p.user_ns->uid_map.empty()) value += " (uid map " + format_id_map(p.user_ns->uid_map) + ")";
            obs.add(value, who, p.pid, false);
        }
        add("PrivateUsers", "yes", obs, unknown ? Verdict::unobservable : Verdict::ok);
    }

    void add_notes() {
        for (const ExecCommand& cmd : c_.exec_commands) {
            bool privileged = std::find(cmd.flags.begin(), cmd.flags.end(), "privileged") != cmd.flags.end();
            if (!privileged) continue;
            // Transient services report no pid for their commands: the main one is MainPID.
            std::uint32_t pid = cmd.pid ? cmd.pid : (cmd.property == "ExecStart" ? c_.main_pid : 0);
            bool running = std::any_of(processes_.begin(), processes_.end(),
                                       [&](const Process& p) { return static_cast<std::uint32_t>(p.pid) == pid; });
            if (pid && running)
                report_.notes.push_back("pid " + std::to_string(pid) + " runs " + cmd.property + "=+" + cmd.path +
                                        ": a privileged command, to which the sandbox settings do not apply");
            else
                report_.notes.push_back(cmd.property + "=+" + cmd.path +
                                        " is a privileged command: the sandbox settings do not apply to it");
        }
        if (c_.need_daemon_reload)
            report_.notes.push_back("the unit's files changed since systemd last read them (daemon-reload): "
                                    "the configured values are systemd's, not the files'");
        if (start_time() && env_.mtime_usec && !processes_.empty()) {
            std::vector<std::string> files = c_.dropin_paths;
            if (!c_.fragment_path.empty()) files.insert(files.begin(), c_.fragment_path);
            for (const std::string& f : files) {
                auto t = env_.mtime_usec(f);
                if (t && *t > start_time())
                    report_.notes.push_back(f + " changed after the service started: its processes keep the "
                                                "settings they started with until it is restarted");
            }
        }
        for (const Process& p : processes_)
            for (auto [fact, err] : p.unread)
                report_.errors.push_back("the " + std::string(process_fact_name(fact)) + " of pid " +
                                         std::to_string(p.pid) + " could not be read (" +
                                         (err == EINVAL ? std::string("malformed") : std::strerror(err)) + ")");
    }

    const UnitConfig& c_;
    const std::vector<Process>& processes_;
    const Process* manager_;
    const CheckEnvironment& env_;
    std::vector<Task> tasks_;
    UnitReport report_;
};

}  // namespace

const char* verdict_name(Verdict v) {
    switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::drift: return "drift";
    case Verdict::unobservable: return "unobservable";
    case Verdict::not_set: return "not-set";
    }
    return "?";
}

const char* unit_verdict_name(UnitVerdict v) {
    switch (v) {
    case UnitVerdict::ok: return "ok";
    case UnitVerdict::drift: return "drift";
    case UnitVerdict::not_running: return "not-running";
    }
    return "?";
}

unsigned unit_facts(const UnitConfig& c) {
    unsigned facts = 0;
    bool mounts = c.private_tmp || c.private_devices || (c.protect_system != "no" && !c.protect_system.empty()) ||
                  (c.protect_home != "no" && !c.protect_home.empty()) || c.protect_control_groups ||
                  !c.inaccessible_paths.empty() || !c.read_only_paths.empty();
    if (mounts) facts |= fact_mounts;
    if (c.private_network) facts |= fact_net_ns | fact_net_devices;
    if (c.private_users) facts |= fact_user_ns;
    return facts;
}

UnitReport check_unit(const UnitConfig& config, const std::vector<Process>& processes, const Process* manager,
                      const CheckEnvironment& env) {
    return Checker(config, processes, manager, env).run();
}

std::string describe_caps(CapSet set, Cap last_cap) {
    CapSet known = CapSet::all_up_to(last_cap);
    auto names = [](CapSet s) { return format_caps(s.mask()); };
    if (set.empty()) return "none";
    if ((set & known) == known) {
        CapSet extra = set - known;
        return extra.empty() ? "all" : "all and " + names(extra);
    }
    CapSet missing = known - set;
    if (set.count() > 8 && missing.count() <= 8 && (set - known).empty()) return "all but " + names(missing);
    return names(set);
}

std::string describe_caps_brief(CapSet set, Cap last_cap) {
    std::string full = describe_caps(set, last_cap);
    if (set.count() <= 4 || full.rfind("all", 0) == 0) return full;
    std::string out = std::to_string(set.count()) + " capabilities:";
    unsigned shown = 0;
    for (Cap c : set) {
        if (shown++ == 3) break;
        out += " " + format_caps(CapSet().mask() | (std::uint64_t{1} << c));
    }
    return out + " ... (" + std::to_string(set.count() - 3) + " more)";
}

bool is_inaccessible_mount(const MountEntry& m) {
    // ".../inaccessible/dir", ".../inaccessible/reg", chr, blk, fifo, sock.
    std::string_view root = m.root;
    size_t slash = root.rfind('/');
    if (slash == std::string_view::npos) return false;
    std::string_view node = root.substr(slash + 1);
    std::string_view parent = root.substr(0, slash);
    constexpr std::string_view dir = "/inaccessible";
    if (parent.size() < dir.size() || parent.substr(parent.size() - dir.size()) != dir) return false;
    return node == "dir" || node == "reg" || node == "chr" || node == "blk" || node == "fifo" || node == "sock";
}

}  // namespace capinspect::auditor
