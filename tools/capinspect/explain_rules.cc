#include "capinspect/explain_rules.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fmt/core.h>

#include <capinspect/exec_caps.h>
#include <capinspect/user_ns.h>

namespace capinspect::auditor {
namespace {

std::string process_label(pid_t pid, const std::string& name) { return fmt::format("pid {} ({})", pid, name); }

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string and_join(const std::vector<std::string>& items) {
    if (items.size() <= 1) return join(items);
    std::vector<std::string> head(items.begin(), items.end() - 1);
    return join(head) + " and " + items.back();
}

std::vector<std::string> sets_holding(const ProcStatus& st, Cap c) {
    std::vector<std::string> out;
    if (st.effective.has(c)) out.emplace_back("effective");
    if (st.permitted.has(c)) out.emplace_back("permitted");
    if (st.inheritable.has(c)) out.emplace_back("inheritable");
    if (st.ambient && st.ambient->has(c)) out.emplace_back("ambient");
    return out;
}

// The file's capabilities the way setcap(8) writes them: "cap_net_raw=ep", with the
// inheritable ones apart.
std::string file_caps_text(const FileCaps& f) {
    std::vector<std::string> parts;
    CapSet both = f.permitted & f.inheritable;
    auto names = [](CapSet s) {
        std::string out;
        for (Cap c : s) out += (out.empty() ? "" : ",") + cap_display_name(c);
        return out;
    };
    const char* e = f.effective ? "e" : "";
    if (!both.empty()) parts.push_back(names(both) + "=" + e + "ip");
    if (!(f.permitted - both).empty()) parts.push_back(names(f.permitted - both) + "=" + e + "p");
    if (!(f.inheritable - both).empty()) parts.push_back(names(f.inheritable - both) + "=" + e + "i");
    if (parts.empty()) parts.emplace_back("=");
    return join(parts, " ");
}

// The uid, as the reader sees it, that is root in the process's user namespace.
std::optional<std::uint32_t> namespace_root(const Process& p) {
    if (!p.user_ns) return std::nullopt;
    if (p.user_ns->scope == PrivilegeScope::host) return 0u;
    for (const IdMapRange& r : p.user_ns->uid_map)
        if (r.inside == 0 && r.count > 0) return r.outside;
    return std::nullopt;
}

class Explainer {
public:
    Explainer(const ExplainContext& ctx, Cap c)
        : ctx_(ctx), p_(*ctx.process), st_(p_.status), c_(c), name_(cap_display_name(c)) {}

    Explanation run() {
        e_.cap = c_;
        e_.held = sets_holding(st_, c_);
        in_p_ = st_.permitted.has(c_);
        in_b_ = st_.bounding.has(c_);
        in_i_ = st_.inheritable.has(c_);
        in_a_ = st_.ambient && st_.ambient->has(c_);
        if (e_.held.empty())
            step("held", Evidence::observed, fmt::format("{} does not hold {} in any set", who(), name_));
        else
            step("held", Evidence::observed, fmt::format("{} holds it in the {} set{}", who(), and_join(e_.held),
                                                         e_.held.size() == 1 ? "" : "s"));
        file_capabilities();
        root();
        ambient();
        inheritable();
        if (in_p_ && !explained_)
            step("source", Evidence::inferred,
                 "no source is visible now: the executable or the ancestors changed since the exec that gave it, "
                 "or it was kept across a change of uid (PR_SET_KEEPCAPS)");
        if (e_.held.empty()) what_stops_it();
        bounding();
        no_new_privs();
        if (in_p_ && !st_.effective.has(c_))
            step("limit", Evidence::observed,
                 "permitted but not effective: the process can make it effective with capset(2) at any time");
        scope();
        threads();
        return std::move(e_);
    }

private:
    void step(const char* role, Evidence ev, std::string detail) { e_.steps.push_back({role, ev, std::move(detail)}); }

    std::string who() const { return process_label(p_.pid, st_.name); }
    std::string exe() const { return p_.exe ? *p_.exe + (p_.exe_deleted ? " (deleted)" : "") : "its executable"; }

    void file_capabilities() {
        if (!p_.exe_file) {
            step("source", Evidence::not_observable,
                 p_.exe ? "the executable's file could not be examined (it needs ptrace access to the process)"
                        : "the executable could not be read (it needs ptrace access to the process)");
            return;
        }
        const ExecutableFile& f = *p_.exe_file;
        if (!f.caps) {
            step("source", Evidence::observed, fmt::format("{} has no file capabilities", exe()));
            return;
        }
        const FileCaps& fc = *f.caps;
        if (!fc.permitted.has(c_) && !fc.inheritable.has(c_)) {
            step("source", Evidence::observed,
                 fmt::format("{} has file capabilities ({}), not this one", exe(), file_caps_text(fc)));
            return;
        }
        std::string version = fmt::format("revision {}", fc.revision);
        if (fc.rootid) version += fmt::format(", root id {}: for the user namespace whose root is uid {}", *fc.rootid, *fc.rootid);
        step("source", Evidence::observed,
             fmt::format("{} (inode {}, device {}:{}) has the file capabilities {} ({}); this is the file as it is "
                         "now, not necessarily as it was when the process executed it",
                         exe(), f.id.ino, major(f.id.dev), minor(f.id.dev), file_caps_text(fc), version));
        auto root = namespace_root(p_);
        if (f.nosuid) {
            step("source", Evidence::observed,
                 "but it is on a nosuid mount, where the kernel ignores file capabilities at exec");
            return;
        }
        if (!root) {
            step("source", Evidence::not_observable,
                 "whether they apply cannot be told: the root of the process's user namespace is not known");
            return;
        }
        ExecFile ef = exec_file_of(f, *root);
        if (!ef.caps) {
            step("source", Evidence::observed,
                 fmt::format("they do not apply to it: its user namespace's root is uid {}, not {}", *root,
                             fc.rootid.value_or(0)));
            return;
        }
        if (fc.permitted.has(c_)) {
            if (in_b_) {
                step("source", Evidence::inferred,
                     fmt::format("at exec the file's permitted set, within the bounding set, gave it as permitted{}",
                                 fc.effective ? ", and the file's effective flag made it effective" : ""));
                explained_ |= in_p_;
            } else {
                step("source", Evidence::inferred, "the file's permitted set cannot give it: the bounding set lacks it");
            }
        }
        if (fc.inheritable.has(c_)) {
            step("source", Evidence::inferred,
                 fmt::format("the file's inheritable set gives it when the process's inheritable set holds it at exec "
                             "(it {} now)",
                             in_i_ ? "does" : "does not"));
            explained_ |= in_p_ && in_i_;
        }
    }

    void root() {
        const IdSet& uid = st_.uid;
        auto ns_root = namespace_root(p_);
        std::uint32_t r = ns_root.value_or(0);
        std::string where = p_.scope() == PrivilegeScope::namespace_
                                ? fmt::format(" of its user namespace (uid {} as the reader sees it)", r)
                                : std::string();
        // The ids the kernel shows are the reader's: root of the process's namespace is `r`.
        bool setuid_case = uid.real != r && uid.effective == r;
        if (setuid_case) {
            const auto& f = p_.exe_file;
            bool setuid_root = f && (f->mode & S_ISUID) && f->uid == r;
            std::string ids = fmt::format("real uid {}, effective uid {}", uid.real, uid.effective);
            if (setuid_root && !f->nosuid) {
                step("source", Evidence::observed,
                     fmt::format("{}; {} is set-user-ID root (mode {:04o}, owner {})", ids, exe(), f->mode & 07777, f->uid));
                step("source", Evidence::inferred,
                     fmt::format("exec of a set-user-ID-root file made it root{}: the kernel gave it the bounding set "
                                 "as permitted and effective",
                                 where));
                step("source", Evidence::not_observable,
                     "unless SECBIT_NOROOT was set then: the kernel shows securebits only to the thread itself");
                explained_ |= in_p_ && in_b_;
            } else if (f) {
                step("source", Evidence::observed,
                     fmt::format("{}, but {} is not set-user-ID root: it changed its ids itself", ids, exe()));
            }
            return;
        }
        if (uid.real == r || uid.effective == r) {
            bool ns = p_.scope() == PrivilegeScope::namespace_;
            std::uint32_t shown = uid.effective == r ? uid.effective : uid.real;
            std::string who_is = uid.effective == r ? "it runs as root" : "its real uid is root";
            step("source", Evidence::observed,
                 ns ? fmt::format("{} of its user namespace (uid 0 there, uid {} as the reader sees it)", who_is, shown)
                    : fmt::format("{} (uid 0)", who_is));
            step("source", Evidence::inferred,
                 fmt::format("an exec as root gives every capability of the bounding set (and of the inheritable "
                             "set) as permitted{}",
                             uid.effective == r ? ", and makes them effective" : ""));
            step("source", Evidence::not_observable,
                 "unless SECBIT_NOROOT was set: the kernel shows securebits only to the thread itself");
            explained_ |= in_p_ && (in_b_ || in_i_);
        }
    }

    void ambient() {
        const UnitConfig* unit = ctx_.unit ? &*ctx_.unit : nullptr;
        bool unit_sets = unit && CapSet(unit->ambient).has(c_);
        if (!st_.ambient) {
            step("source", Evidence::not_observable, "this kernel does not show the ambient set");
        } else if (in_a_) {
            step("source", Evidence::observed,
                 "in the ambient set: an exec of a file that is neither set-id nor has file capabilities keeps it "
                 "permitted and effective");
            explained_ = true;
            if (!ctx_.ancestors.empty()) {
                const ProcStatus& parent = ctx_.ancestors.front();
                bool has = parent.ambient && parent.ambient->has(c_);
                if (has)
                    step("source", Evidence::observed,
                         fmt::format("its parent {} holds it in its ambient set too: inherited",
                                     process_label(parent.pid, parent.name)));
                else if (unit_sets)
                    step("source", Evidence::inferred,
                         fmt::format("its parent {} does not hold it in its ambient set: the service manager raised "
                                     "it from the unit's AmbientCapabilities= when it started the service",
                                     process_label(parent.pid, parent.name)));
                else
                    step("source", Evidence::observed,
                         fmt::format("its parent {} does not hold it in its ambient set: raised by the process "
                                     "itself, or by a parent that has changed since",
                                     process_label(parent.pid, parent.name)));
            }
        }
        if (unit_sets)
            step("source", Evidence::observed,
                 fmt::format("its unit {} sets AmbientCapabilities= with it{}", unit->id,
                             in_a_ ? "" : ", but the process does not hold it in its ambient set"));
        else if (unit && in_a_)
            step("source", Evidence::observed, fmt::format("its unit {} does not set it in AmbientCapabilities=", unit->id));
        if (!unit && !ctx_.unit_problem.empty())
            step("source", Evidence::not_observable, "its unit's settings: " + ctx_.unit_problem);
    }

    void inheritable() {
        const PamContext* pam = ctx_.pam ? &*ctx_.pam : nullptr;
        bool granted = pam && pam->grant && pam->grant->inheritable.has(c_);
        if (in_i_) {
            step("source", Evidence::observed,
                 "in the inheritable set: an exec of a file whose inheritable set holds it makes it permitted");
            if (!ctx_.ancestors.empty()) {
                const ProcStatus& parent = ctx_.ancestors.front();
                step("source", Evidence::observed,
                     fmt::format("its parent {} {} it in its inheritable set", process_label(parent.pid, parent.name),
                                 parent.inheritable.has(c_) ? "holds" : "does not hold"));
            }
        }
        if (!pam || (!in_i_ && !granted)) return;
        if (granted) {
            std::string by = pam->pam_files.empty() ? "no file of /etc/pam.d loads pam_cap.so"
                                                    : "pam_cap.so is loaded by " + join(pam->pam_files);
            step("source", Evidence::observed,
                 fmt::format("/etc/security/capability.conf line {} gives it to {} ({}): {}", pam->rule->line, pam->user,
                             pam->rule->caps, by));
            if (in_i_ && !pam->pam_files.empty())
                step("source", Evidence::inferred, "PAM put it in the inheritable set at login");
        } else if (!pam->problem.empty()) {
            step("source", Evidence::observed, "capability.conf: " + pam->problem);
        } else if (pam->rule) {
            step("source", Evidence::observed,
                 fmt::format("/etc/security/capability.conf line {} gives {} \"{}\", not this one", pam->rule->line,
                             pam->user, pam->rule->caps));
        } else {
            step("source", Evidence::observed,
                 fmt::format("/etc/security/capability.conf gives {} nothing", pam->user));
        }
    }

    void what_stops_it() {
        std::vector<std::string> why;
        if (!in_b_) why.emplace_back("it is not in the bounding set");
        if (!(st_.uid.real == 0 || st_.uid.effective == 0)) why.emplace_back("the process is not root");
        bool file_gives = p_.exe_file && p_.exe_file->caps && p_.exe_file->caps->permitted.has(c_);
        if (!file_gives) why.emplace_back("its executable has no file capability for it");
        if (st_.no_new_privs.value_or(false)) why.emplace_back("no_new_privs is set");
        step("limit", Evidence::inferred,
             "what stops it: " + (why.empty() ? std::string("nothing visible: it was dropped by the process") : and_join(why)));
    }

    void bounding() {
        const UnitConfig* unit = ctx_.unit ? &*ctx_.unit : nullptr;
        if (in_b_) {
            step("limit", Evidence::observed, "in the bounding set: an exec can grant it");
        } else {
            step("limit", Evidence::observed,
                 "not in the bounding set: no exec can grant it, and nothing can put it back");
            // The nearest ancestor that already lacks it, and where the run of ancestors
            // without it began.
            size_t nearest = ctx_.ancestors.size();
            for (size_t i = 0; i < ctx_.ancestors.size(); ++i)
                if (!ctx_.ancestors[i].bounding.has(c_)) {
                    nearest = i;
                    break;
                }
            if (ctx_.ancestors.empty()) {
                step("limit", Evidence::not_observable, "its parent could not be read");
            } else if (nearest == ctx_.ancestors.size()) {
                step("limit", Evidence::observed,
                     fmt::format("every ancestor up to {} has it in its bounding set: it was dropped in this process "
                                 "(or by whoever started it, before its exec)",
                                 process_label(ctx_.ancestors.back().pid, ctx_.ancestors.back().name)));
            } else {
                const ProcStatus& a = ctx_.ancestors[nearest];
                std::string text = fmt::format("the nearest ancestor that already lacks it is {}", process_label(a.pid, a.name));
                size_t top = nearest;
                while (top + 1 < ctx_.ancestors.size() && !ctx_.ancestors[top + 1].bounding.has(c_)) ++top;
                if (top + 1 < ctx_.ancestors.size()) {
                    const ProcStatus& t = ctx_.ancestors[top];
                    const ProcStatus& above = ctx_.ancestors[top + 1];
                    text += fmt::format("; it was dropped in {}, whose parent {} has it", process_label(t.pid, t.name),
                                        process_label(above.pid, above.name));
                } else {
                    const ProcStatus& t = ctx_.ancestors[top];
                    text += fmt::format("; the first process of the chain, {}, lacks it too", process_label(t.pid, t.name));
                }
                step("limit", Evidence::observed, text);
            }
        }
        if (unit && unit->bounding_set() && !CapSet(unit->bounding).has(c_))
            step("limit", Evidence::observed,
                 fmt::format("its unit {} sets CapabilityBoundingSet= without it", unit->id));
    }

    void no_new_privs() {
        if (!st_.no_new_privs)
            step("limit", Evidence::not_observable, "this kernel does not show no_new_privs");
        else if (*st_.no_new_privs)
            step("limit", Evidence::observed,
                 "no_new_privs is set: no exec can add to what it has (set-id bits and file capabilities are ignored)");
    }

    void scope() {
        if (!p_.user_ns) {
            step("scope", Evidence::not_observable, "its user namespace could not be read");
            return;
        }
        const UserNamespaceInfo& ns = *p_.user_ns;
        if (ns.scope == PrivilegeScope::host) {
            step("scope", Evidence::observed, "it acts on the host: the process runs in the reader's user namespace");
            return;
        }
        std::string owner = ns.owner_uid ? fmt::format("owned by uid {}", *ns.owner_uid) : std::string("whose owner is not known");
        std::string depth = ns.depth ? fmt::format(", {} level{} below the reader's", *ns.depth, *ns.depth == 1 ? "" : "s") : "";
        step("scope", Evidence::observed,
             fmt::format("it acts only inside a user namespace {}{}, on what that namespace owns, not on the host",
                         owner, depth));
    }

    void threads() {
        auto leader = sets_holding(st_, c_);
        for (const ProcessThread& t : p_.threads) {
            auto sets = sets_holding(t.status, c_);
            if (sets == leader) continue;
            step("thread", Evidence::observed,
                 fmt::format("thread {} ({}) {}, unlike the leader", t.tid, t.status.name,
                             sets.empty() ? std::string("does not hold it")
                                          : "holds it in the " + and_join(sets) + " set" + (sets.size() == 1 ? "" : "s")));
        }
    }

    const ExplainContext& ctx_;
    const Process& p_;
    const ProcStatus& st_;
    Cap c_;
    std::string name_;
    Explanation e_;
    bool in_p_ = false, in_b_ = false, in_i_ = false, in_a_ = false;
    bool explained_ = false;
};

}  // namespace

const char* evidence_name(Evidence e) {
    switch (e) {
    case Evidence::observed: return "observed";
    case Evidence::inferred: return "inferred";
    case Evidence::not_observable: return "not-observable";
    }
    return "?";
}

std::string cap_display_name(Cap cap) {
    const std::string& name = cap_name(cap);
    return name.rfind("cap_", 0) == 0 ? name : "cap_" + name;
}

CapSet held_capabilities(const Process& p) {
    auto of = [](const ProcStatus& st) {
        return st.effective | st.permitted | st.inheritable | st.ambient.value_or(CapSet());
    };
    CapSet out = of(p.status);
    for (const ProcessThread& t : p.threads) out = out | of(t.status);
    return out;
}

Explanation explain_capability(const ExplainContext& ctx, Cap cap) { return Explainer(ctx, cap).run(); }

}  // namespace capinspect::auditor
