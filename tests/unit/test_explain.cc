// capinspect explain: the derivation rules on literal processes, and pam_cap's
// capability.conf.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "capinspect/explain_rules.h"
#include "capinspect/pam_cap.h"

using namespace capinspect;
using namespace capinspect::auditor;

namespace {

constexpr Cap net_raw = 13, net_bind_service = 10, sys_admin = 21;
constexpr Cap last_cap = 40;

ProcStatus status(pid_t pid, const char* name, std::uint32_t uid, CapSet caps) {
    ProcStatus st;
    st.pid = st.tgid = pid;
    st.name = name;
    st.uid = {uid, uid, uid, uid};
    st.effective = st.permitted = caps;
    st.bounding = CapSet::all_up_to(last_cap);
    st.ambient = CapSet();
    st.no_new_privs = false;
    return st;
}

Process process(pid_t pid, const char* name, std::uint32_t uid, CapSet caps) {
    Process p;
    p.pid = pid;
    p.status = status(pid, name, uid, caps);
    p.status.ppid = 100;
    p.exe = "/usr/local/bin/" + std::string(name);
    p.exe_file = ExecutableFile{};
    p.exe_file->id = {0x801, 4242};
    p.exe_file->mode = S_IFREG | 0755;
    p.user_ns = UserNamespaceInfo{};
    return p;
}

CapSet only(Cap c) {
    CapSet s;
    s.add(c);
    return s;
}

// The steps as "role evidence: detail" lines, for matching.
std::vector<std::string> lines(const Explanation& e) {
    std::vector<std::string> out;
    for (const Step& s : e.steps) out.push_back(std::string(s.role) + " " + evidence_name(s.evidence) + ": " + s.detail);
    return out;
}

bool any_line(const Explanation& e, const std::string& start) {
    auto l = lines(e);
    return std::any_of(l.begin(), l.end(), [&](const std::string& x) { return x.rfind(start, 0) == 0; });
}

bool has_line(const Explanation& e, const std::string& start) {
    auto l = lines(e);
    bool found = std::any_of(l.begin(), l.end(), [&](const std::string& x) { return x.rfind(start, 0) == 0; });
    if (!found) {
        std::string all;
        for (const auto& x : l) all += "  " + x + "\n";
        MESSAGE("no step starts with \"" << start << "\"; the steps:\n" << all);
    }
    return found;
}

ExplainContext context(const Process& p) {
    ExplainContext ctx;
    ctx.process = &p;
    ctx.last_cap = last_cap;
    ctx.ancestors.push_back(status(100, "bash", 1000, CapSet()));
    ctx.ancestors.back().ppid = 1;
    ctx.ancestors.push_back(status(1, "systemd", 0, CapSet::all_up_to(last_cap)));
    return ctx;
}

}  // namespace

TEST_CASE("explain: file capabilities of the executable") {
    Process p = process(200, "pinger", 1000, only(net_raw));
    p.exe_file->caps = FileCaps{2, only(net_raw), CapSet(), true, std::nullopt};
    auto ctx = context(p);
    auto e = explain_capability(ctx, net_raw);
    CHECK(e.held == std::vector<std::string>{"effective", "permitted"});
    CHECK(has_line(e, "held observed: pid 200 (pinger) holds it in the effective and permitted sets"));
    CHECK(has_line(e, "source observed: /usr/local/bin/pinger (inode 4242, device 8:1) has the file capabilities "
                      "cap_net_raw=ep (revision 2); this is the file as it is now"));
    CHECK(has_line(e, "source inferred: at exec the file's permitted set, within the bounding set, gave it as "
                      "permitted, and the file's effective flag made it effective"));
    CHECK(has_line(e, "limit observed: in the bounding set"));
    CHECK(has_line(e, "scope observed: it acts on the host"));
    CHECK_FALSE(any_line(e, "source inferred: no source is visible"));

    // A V3 value for another user namespace's root does not apply here.
    p.exe_file->caps->revision = 3;
    p.exe_file->caps->rootid = 1000;
    auto v3 = explain_capability(ctx, net_raw);
    CHECK(has_line(v3, "source observed: /usr/local/bin/pinger (inode 4242, device 8:1) has the file capabilities "
                       "cap_net_raw=ep (revision 3, root id 1000: for the user namespace whose root is uid 1000)"));
    CHECK(has_line(v3, "source observed: they do not apply to it: its user namespace's root is uid 0, not 1000"));
    CHECK(has_line(v3, "source inferred: no source is visible now"));

    // In that namespace they do.
    p.user_ns->scope = PrivilegeScope::namespace_;
    p.user_ns->uid_map = {{0, 1000, 1}};
    p.user_ns->owner_uid = 1000;
    p.user_ns->depth = 1;
    auto inside = explain_capability(ctx, net_raw);
    CHECK(has_line(inside, "source inferred: at exec the file's permitted set"));
    CHECK(has_line(inside, "scope observed: it acts only inside a user namespace owned by uid 1000, 1 level below the "
                           "reader's, on what that namespace owns, not on the host"));

    // On a nosuid mount the kernel ignores them.
    p.exe_file->nosuid = true;
    CHECK(has_line(explain_capability(ctx, net_raw), "source observed: but it is on a nosuid mount"));
}

TEST_CASE("explain: a set-user-ID root executable") {
    Process p = process(300, "suidtool", 0, CapSet::all_up_to(last_cap));
    p.status.uid = {1000, 0, 0, 0};
    p.exe_file->mode = S_IFREG | S_ISUID | 0755;
    p.exe_file->uid = 0;
    auto ctx = context(p);
    auto e = explain_capability(ctx, sys_admin);
    CHECK(has_line(e, "source observed: real uid 1000, effective uid 0; /usr/local/bin/suidtool is set-user-ID root "
                      "(mode 4755, owner 0)"));
    CHECK(has_line(e, "source inferred: exec of a set-user-ID-root file made it root"));
    CHECK(has_line(e, "source not-observable: unless SECBIT_NOROOT was set then"));
    // Without the bit, the process changed its ids itself.
    p.exe_file->mode = S_IFREG | 0755;
    CHECK(has_line(explain_capability(ctx, sys_admin), "source observed: real uid 1000, effective uid 0, but "
                                                       "/usr/local/bin/suidtool is not set-user-ID root"));
}

TEST_CASE("explain: uid 0, and SECBIT_NOROOT that cannot be seen") {
    Process p = process(400, "daemon", 0, CapSet::all_up_to(last_cap));
    auto ctx = context(p);
    auto e = explain_capability(ctx, sys_admin);
    CHECK(has_line(e, "source observed: it runs as root (uid 0)"));
    CHECK(has_line(e, "source inferred: an exec as root gives every capability of the bounding set"));
    CHECK(has_line(e, "source not-observable: unless SECBIT_NOROOT was set"));
}

TEST_CASE("explain: ambient capabilities from the parent and from the unit") {
    Process p = process(500, "listener", 65534, only(net_bind_service));
    p.status.ambient = only(net_bind_service);
    p.status.inheritable = only(net_bind_service);
    auto ctx = context(p);
    ctx.ancestors[0].ambient = only(net_bind_service);
    ctx.ancestors[0].inheritable = only(net_bind_service);
    auto e = explain_capability(ctx, net_bind_service);
    CHECK(e.held == std::vector<std::string>{"effective", "permitted", "inheritable", "ambient"});
    CHECK(has_line(e, "source observed: in the ambient set"));
    CHECK(has_line(e, "source observed: its parent pid 100 (bash) holds it in its ambient set too: inherited"));
    CHECK(has_line(e, "source observed: its parent pid 100 (bash) holds it in its inheritable set"));

    ctx.ancestors[0].ambient = CapSet();
    ctx.unit = UnitConfig{};
    ctx.unit->id = "listener.service";
    ctx.unit->ambient = only(net_bind_service).mask();
    ctx.unit->bounding = only(net_bind_service).mask();
    auto u = explain_capability(ctx, net_bind_service);
    CHECK(has_line(u, "source inferred: its parent pid 100 (bash) does not hold it in its ambient set: the service "
                      "manager raised it from the unit's AmbientCapabilities= when it started the service"));
    CHECK(has_line(u, "source observed: its unit listener.service sets AmbientCapabilities= with it"));

    // The unit's bounding set is why another capability is missing.
    p.status.bounding = only(net_bind_service);
    auto raw = explain_capability(ctx, net_raw);
    CHECK(raw.held.empty());
    CHECK(has_line(raw, "held observed: pid 500 (listener) does not hold cap_net_raw in any set"));
    CHECK(has_line(raw, "limit inferred: what stops it: it is not in the bounding set, the process is not root and "
                        "its executable has no file capability for it"));
    CHECK(has_line(raw, "limit observed: not in the bounding set: no exec can grant it"));
    CHECK(has_line(raw, "limit observed: every ancestor up to pid 1 (systemd) has it in its bounding set"));
    CHECK(has_line(raw, "limit observed: its unit listener.service sets CapabilityBoundingSet= without it"));

    ctx.unit.reset();
    ctx.unit_problem = "cannot reach systemd on the system bus: No such file or directory";
    CHECK(has_line(explain_capability(ctx, net_bind_service),
                   "source not-observable: its unit's settings: cannot reach systemd on the system bus"));
}

TEST_CASE("explain: the nearest ancestor without it in the bounding set, and where it was dropped") {
    Process p = process(600, "child", 1000, CapSet());
    p.status.bounding = CapSet::all_up_to(last_cap) - only(sys_admin);
    auto ctx = context(p);
    ctx.ancestors.clear();
    for (auto [pid, name, has] : std::initializer_list<std::tuple<pid_t, const char*, bool>>{
             {590, "sh", false}, {580, "capsh", false}, {570, "sudo", true}, {1, "init", true}}) {
        ProcStatus a = status(pid, name, 0, CapSet());
        if (!has) a.bounding.remove(sys_admin);
        ctx.ancestors.push_back(a);
    }
    auto e = explain_capability(ctx, sys_admin);
    CHECK(has_line(e, "limit observed: the nearest ancestor that already lacks it is pid 590 (sh); it was dropped in "
                      "pid 580 (capsh), whose parent pid 570 (sudo) has it"));
    p.status.no_new_privs = true;
    CHECK(has_line(explain_capability(ctx, sys_admin), "limit observed: no_new_privs is set"));
}

TEST_CASE("explain: permitted but not effective, and threads that differ") {
    Process p = process(700, "worker", 1000, only(net_raw));
    p.status.effective = CapSet();
    ProcessThread t{701, p.status};
    t.status.effective = only(net_raw);
    t.status.name = "io";
    p.threads.push_back(t);
    p.threads.push_back({702, p.status});
    auto ctx = context(p);
    auto e = explain_capability(ctx, net_raw);
    CHECK(e.held == std::vector<std::string>{"permitted"});
    CHECK(has_line(e, "limit observed: permitted but not effective"));
    CHECK(has_line(e, "thread observed: thread 701 (io) holds it in the effective and permitted sets, unlike the leader"));
    CHECK_FALSE(any_line(e, "thread observed: thread 702"));
    CHECK(held_capabilities(p) == only(net_raw));
}

TEST_CASE("explain: pam_cap's grant for the user") {
    Process p = process(800, "login-shell", 1000, CapSet());
    p.status.inheritable = only(net_raw);
    auto ctx = context(p);
    PamContext pam;
    pam.user = "alice";
    pam.pam_files = {"/etc/pam.d/common-auth"};
    pam.rule = PamCapRule{3, "cap_net_raw", {"alice"}};
    pam.grant = *parse_pam_cap_iab("cap_net_raw", last_cap);
    ctx.pam = pam;
    auto e = explain_capability(ctx, net_raw);
    CHECK(has_line(e, "source observed: in the inheritable set"));
    CHECK(has_line(e, "source observed: /etc/security/capability.conf line 3 gives it to alice (cap_net_raw): "
                      "pam_cap.so is loaded by /etc/pam.d/common-auth"));
    CHECK(has_line(e, "source inferred: PAM put it in the inheritable set at login"));
    ctx.pam->rule = PamCapRule{1, "none", {"*"}};
    ctx.pam->grant = *parse_pam_cap_iab("none", last_cap);
    CHECK(has_line(explain_capability(ctx, net_raw),
                   "source observed: /etc/security/capability.conf line 1 gives alice \"none\", not this one"));
}

TEST_CASE("pam_cap: capability.conf rules, the first match wins") {
    auto rules = parse_capability_conf(
        "# comment\n"
        "cap_sys_ptrace               developer\n"
        "\n"
        "cap_net_admin,cap_net_raw    jrnetadmin user1\n"
        "5,12,13                      user1\n"
        "^cap_net_bind_service,!cap_sys_admin   @web\n"
        "lonely\n"
        "none                         *\n");
    REQUIRE(rules.size() == 6);
    CHECK(rules[1].line == 4);
    CHECK(rules[1].who == std::vector<std::string>{"jrnetadmin", "user1"});
    CHECK(find_pam_cap_rule(rules, "user1", {})->line == 4);
    CHECK(find_pam_cap_rule(rules, "developer", {})->caps == "cap_sys_ptrace");
    CHECK(find_pam_cap_rule(rules, "www", {"users", "web"})->line == 6);
    CHECK(find_pam_cap_rule(rules, "nobody", {})->caps == "none");
    CHECK(find_pam_cap_rule(parse_capability_conf("cap_chown alice\n"), "bob", {}) == nullptr);

    auto g = parse_pam_cap_iab("^cap_net_bind_service,!cap_sys_admin,13,CAP_CHOWN", last_cap);
    REQUIRE(g);
    CHECK(g->inheritable == CapSet((1u << 10) | (1u << 13) | 1u));
    CHECK(g->ambient == CapSet(1u << 10));
    CHECK(g->blocked == CapSet(1u << 21));
    CHECK(parse_pam_cap_iab("all", last_cap)->all);
    CHECK(parse_pam_cap_iab("none", last_cap)->none);
    CHECK_FALSE(parse_pam_cap_iab("cap_bogus", last_cap));
    CHECK_FALSE(parse_pam_cap_iab("cap_chown,", last_cap));
    CHECK_FALSE(parse_pam_cap_iab("63", last_cap));
    CHECK(parse_pam_cap_iab("cap_bogus", last_cap).error().message() == "capability.conf: unknown capability \"cap_bogus\"");

    CHECK(pam_config_uses_pam_cap("auth\toptional\t\t\tpam_cap.so \n"));
    CHECK(pam_config_uses_pam_cap("auth optional /lib/security/pam_cap.so keepcaps\n"));
    CHECK_FALSE(pam_config_uses_pam_cap("# auth optional pam_cap.so\n"));
    CHECK_FALSE(pam_config_uses_pam_cap("auth required pam_unix.so # not pam_cap.so\n"));
    CHECK_FALSE(pam_config_uses_pam_cap("auth required pam_capx.so\n"));
}
