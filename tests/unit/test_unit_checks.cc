// capinspect unit: the checks on literal records. The mountinfo texts are those of
// systemd 252 in a systemd-nspawn container (the manager, PID 1, and a service with the
// whole filesystem hardening), shortened; the processes are what /proc showed there.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <capinspect/mountinfo.h>

#include "capinspect/unit_checks.h"

using namespace capinspect;
using namespace capinspect::auditor;

namespace {

constexpr Cap last_cap = 40;
constexpr std::uint64_t nspawn_full = 0xfcecbfff;  // the container's bounding set
constexpr std::uint64_t net_bind_service = 1u << 10;

constexpr const char* manager_mounts =
    "140 100 0:39 / / rw shared:1 - tmpfs tmpfs rw,mode=755\n"
    "141 140 254:0 /usr /usr ro,relatime shared:2 - ext4 /dev/vda rw\n"
    "142 140 0:40 / /tmp rw,nosuid,nodev shared:3 - tmpfs tmpfs rw\n"
    "143 140 0:41 / /sys ro,nosuid,nodev,noexec,relatime shared:4 - tmpfs tmpfs rw\n"
    "44 143 0:49 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:15 - tmpfs tmpfs ro\n"
    "53 44 0:37 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:24 - cgroup2 cgroup rw\n"
    "144 140 0:42 / /dev rw,nosuid shared:5 - tmpfs tmpfs rw,mode=755\n"
    "147 140 0:44 / /run rw,nosuid,nodev shared:7 - tmpfs tmpfs rw,mode=755\n";

// PrivateTmp, PrivateDevices, ProtectSystem=strict, ProtectHome=yes, InaccessiblePaths=/srv,
// ReadOnlyPaths=/opt (covered by the read-only "/"), ProtectControlGroups.
constexpr const char* sandbox_mounts =
    "503 453 0:39 / / ro shared:108 master:1 - tmpfs tmpfs rw,mode=755\n"
    "504 503 254:0 /usr /usr ro,relatime shared:125 master:2 - ext4 /dev/vda rw\n"
    "505 503 0:40 / /tmp rw,nosuid,nodev shared:126 master:3 - tmpfs tmpfs rw\n"
    "506 503 0:41 / /sys ro,nosuid,nodev,noexec,relatime shared:128 master:4 - tmpfs tmpfs rw\n"
    "513 506 0:49 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:135 master:15 - tmpfs tmpfs ro\n"
    "522 513 0:37 / /sys/fs/cgroup/unified ro,nosuid,nodev,noexec,relatime shared:144 master:24 - cgroup2 cgroup rw\n"
    "529 503 0:44 / /run ro,nosuid,nodev shared:146 master:7 - tmpfs tmpfs rw,mode=755\n"
    "553 503 0:59 / /dev ro,nosuid,noexec shared:168 - tmpfs tmpfs rw,mode=755\n"
    "524 503 0:44 /host/inaccessible/dir /home ro,nosuid,nodev,noexec shared:173 master:7 - tmpfs tmpfs rw\n"
    "525 503 0:44 /host/inaccessible/dir /root ro,nosuid,nodev,noexec shared:174 master:7 - tmpfs tmpfs rw\n"
    "528 529 0:44 /host/inaccessible/dir /run/user ro,nosuid,nodev,noexec shared:155 master:7 - tmpfs tmpfs rw\n"
    "536 503 0:44 /host/inaccessible/dir /srv ro,nosuid,nodev,noexec shared:175 master:7 - tmpfs tmpfs rw\n"
    "537 505 0:40 /systemd-private-d6d1-hard.service-JNsUIq/tmp /tmp rw,nosuid,nodev shared:127 master:3 - tmpfs "
    "tmpfs rw\n"
    "538 503 0:39 /var/tmp/systemd-private-d6d1-hard.service-cBXABK/tmp /var/tmp rw shared:176 master:1 - tmpfs "
    "tmpfs rw\n";

std::vector<MountEntry> mounts(const char* text) {
    auto m = parse_mountinfo(text);
    REQUIRE(m);
    return *m;
}

ProcStatus status(std::uint32_t uid, std::uint64_t caps, std::uint64_t bounding, std::uint64_t ambient, bool nnp,
                  unsigned filters) {
    ProcStatus st;
    st.name = "sleep";
    st.uid = {uid, uid, uid, uid};
    st.permitted = st.effective = CapSet(caps);
    st.bounding = CapSet(bounding);
    st.ambient = CapSet(ambient);
    st.no_new_privs = nnp;
    st.seccomp = SeccompMode::filter;
    st.seccomp_filters = filters;
    return st;
}

Process manager() {
    Process p;
    p.pid = 1;
    p.status = status(0, nspawn_full, nspawn_full, 0, false, 5);
    p.mounts = mounts(manager_mounts);
    p.mnt_ns = 4026532174u;
    p.net_ns = 4026532173u;
    p.user_ns = UserNamespaceInfo{};
    p.user_ns->inode = 4026531837u;
    return p;
}

// The hardened service's process as systemd started it.
Process hardened(pid_t pid = 84) {
    Process p;
    p.pid = pid;
    p.status = status(65534, net_bind_service, net_bind_service, net_bind_service, true, 16);
    p.mounts = mounts(sandbox_mounts);
    p.mnt_ns = 4026532311u;
    p.net_ns = 4026532246u;
    p.net_devices = std::vector<std::string>{"lo"};
    p.user_ns = UserNamespaceInfo{};
    p.user_ns->inode = 4026532312u;
    p.user_ns->scope = PrivilegeScope::namespace_;
    p.user_ns->uid_map = {{0, 0, 1}, {65534, 65534, 1}};
    return p;
}

// A process that runs outside the sandbox: ExecStart=+, or moved into the cgroup.
Process unconfined(pid_t pid) {
    Process m = manager();
    m.pid = pid;
    return m;
}

UnitConfig hardened_unit() {
    UnitConfig c;
    c.id = "sandbox.service";
    c.load_state = "loaded";
    c.active_state = "active";
    c.control_group = "/system.slice/sandbox.service";
    c.main_pid = 84;
    c.user = "nobody";
    c.uid = 65534;
    c.bounding = net_bind_service;
    c.ambient = net_bind_service;
    c.system_call_filter = {false, {"chroot", "mount", "umount2"}};
    c.private_tmp = c.private_devices = c.private_network = c.private_users = true;
    c.protect_control_groups = true;
    c.protect_system = "strict";
    c.protect_home = "yes";
    c.inaccessible_paths = {"/srv", "-/nonexistent"};
    c.read_only_paths = {"/opt"};
    return c;
}

CheckEnvironment env() {
    CheckEnvironment e;
    e.last_cap = last_cap;
    e.resolve_user = [](const std::string& name) -> std::optional<std::uint32_t> {
        if (name == "nobody") return 65534u;
        if (name == "root") return 0u;
        return std::nullopt;
    };
    e.user_name = [](std::uint32_t uid) -> std::string { return uid == 0 ? "root" : uid == 65534 ? "nobody" : ""; };
    e.path_exists = [](const std::string& path) { return path != "/nonexistent" && path != "/boot" && path != "/efi"; };
    return e;
}

const Check& check(const UnitReport& r, const std::string& setting) {
    auto it = std::find_if(r.checks.begin(), r.checks.end(), [&](const Check& k) { return k.setting == setting; });
    REQUIRE(it != r.checks.end());
    return *it;
}

std::vector<std::string> settings_with(const UnitReport& r, Verdict v) {
    std::vector<std::string> out;
    for (const Check& k : r.checks)
        if (k.verdict == v) out.push_back(k.setting);
    return out;
}

}  // namespace

TEST_CASE("unit: a hardened service in force passes every check it sets") {
    Process m = manager();
    auto r = check_unit(hardened_unit(), {hardened()}, &m, env());
    CHECK(r.unit == "sandbox.service");
    CHECK(r.verdict == UnitVerdict::ok);
    CHECK(settings_with(r, Verdict::drift).empty());
    CHECK(settings_with(r, Verdict::ok) ==
          std::vector<std::string>{"User", "CapabilityBoundingSet", "AmbientCapabilities", "NoNewPrivileges",
                                   "SystemCallFilter", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome",
                                   "ProtectControlGroups", "InaccessiblePaths", "ReadOnlyPaths", "PrivateNetwork",
                                   "PrivateUsers"});
    // Every setting is listed, the ones not set as such, without a value.
    CHECK(r.checks.size() == 28);
    const Check& dyn = check(r, "DynamicUser");
    CHECK(dyn.verdict == Verdict::not_set);
    CHECK_FALSE(dyn.configured);
    CHECK(dyn.pids.empty());

    CHECK(check(r, "User").live == "uid 65534 (nobody)");
    CHECK(check(r, "User").pids == std::vector<pid_t>{84});
    CHECK(check(r, "CapabilityBoundingSet").configured == "cap_net_bind_service");
    CHECK(check(r, "NoNewPrivileges").configured == "no (implied by SystemCallFilter= for a User= other than root)");
    CHECK(check(r, "SystemCallFilter").configured == "~chroot mount umount2");
    CHECK(check(r, "SystemCallFilter").live == "seccomp filter, 16 filters (the manager has 5)");
    CHECK(check(r, "PrivateTmp").live == "/tmp private (systemd-private-*), /var/tmp private (systemd-private-*)");
    CHECK(check(r, "ProtectSystem").live == "/ read-only, /usr read-only for the manager too, /etc read-only");
    CHECK(check(r, "ProtectHome").live == "/home inaccessible, /root inaccessible, /run/user inaccessible");
    // "-/nonexistent" does not exist: systemd skips it, and so does the check.
    CHECK(check(r, "InaccessiblePaths").live == "/srv inaccessible");
    CHECK(check(r, "ReadOnlyPaths").live == "/opt read-only");
    CHECK(check(r, "PrivateNetwork").live == "a network namespace of its own, interfaces: lo");
    CHECK(check(r, "PrivateUsers").live == "a user namespace of its own (uid map 0 0 1, 65534 65534 1)");
    CHECK(r.notes.empty());
    CHECK(r.errors.empty());
}

TEST_CASE("unit: a process started with ExecStart=+ drifts from every setting it escapes") {
    UnitConfig c;
    c.id = "plus.service";
    c.control_group = "/system.slice/plus.service";
    c.main_pid = 83;
    c.user = "nobody";
    c.uid = 65534;
    c.bounding = net_bind_service;
    c.no_new_privileges = true;
    c.system_call_filter = {true, {"read", "write"}};
    c.exec_commands.push_back({"ExecStart", "/bin/sleep", {"/bin/sleep", "600"}, {"privileged"}, 0});
    Process m = manager();
    auto r = check_unit(c, {unconfined(83)}, &m, env());
    CHECK(r.verdict == UnitVerdict::drift);
    CHECK(settings_with(r, Verdict::drift) ==
          std::vector<std::string>{"User", "CapabilityBoundingSet", "NoNewPrivileges", "SystemCallFilter"});
    CHECK(check(r, "User").live == "uid 0 (root)");
    CHECK(check(r, "User").pids == std::vector<pid_t>{83});
    const Check& bnd = check(r, "CapabilityBoundingSet");
    CHECK(bnd.live->find("beyond it: ") != std::string::npos);
    CHECK(bnd.live_brief == "26 capabilities, 25 beyond it: cap_chown cap_dac_override cap_dac_read_search ... (22 more)");
    CHECK(check(r, "SystemCallFilter").live == "seccomp filter, 5 filters (the manager has 5)");
    CHECK(check(r, "SystemCallFilter").configured == "read write");
    // The main process is the privileged command (transient units give no pid of their own).
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0] == "pid 83 runs ExecStart=+/bin/sleep: a privileged command, to which the sandbox settings do not apply");
}

TEST_CASE("unit: a process moved into the cgroup drifts alone; threads are checked one by one") {
    Process m = manager();
    Process main = hardened(84);
    ProcessThread t{85, main.status};
    t.status.bounding = CapSet(net_bind_service | 1u << 13);  // a thread with cap_net_raw too
    main.threads.push_back(t);
    Process intruder = unconfined(106);
    auto r = check_unit(hardened_unit(), {main, intruder}, &m, env());
    CHECK(r.verdict == UnitVerdict::drift);
    const Check& bnd = check(r, "CapabilityBoundingSet");
    CHECK(bnd.verdict == Verdict::drift);
    CHECK(bnd.pids == std::vector<pid_t>{85, 106});
    CHECK(bnd.live->find("cap_net_bind_service (pid 84)") == 0);
    CHECK(bnd.live->find("cap_net_bind_service cap_net_raw (beyond it: cap_net_raw) (thread 85 of pid 84)") !=
          std::string::npos);
    CHECK(check(r, "User").pids == std::vector<pid_t>{106});
    CHECK(check(r, "User").live == "uid 65534 (nobody) (pid 84, thread 85 of pid 84); uid 0 (root) (pid 106)");
    // The intruder shares the manager's mounts and namespaces.
    CHECK(check(r, "PrivateTmp").pids == std::vector<pid_t>{106});
    CHECK(check(r, "PrivateTmp").live->find("/tmp shared with the manager") != std::string::npos);
    CHECK(check(r, "ProtectSystem").verdict == Verdict::drift);
    CHECK(check(r, "ProtectHome").verdict == Verdict::drift);
    CHECK(check(r, "PrivateDevices").verdict == Verdict::drift);
    CHECK(check(r, "InaccessiblePaths").verdict == Verdict::drift);
    CHECK(check(r, "ReadOnlyPaths").verdict == Verdict::drift);
    CHECK(check(r, "ProtectControlGroups").verdict == Verdict::drift);
    CHECK(check(r, "PrivateNetwork").pids == std::vector<pid_t>{106});
    CHECK(check(r, "PrivateUsers").pids == std::vector<pid_t>{106});
    CHECK(check(r, "NoNewPrivileges").pids == std::vector<pid_t>{106});
}

TEST_CASE("unit: a unit whose processes are gone is not running, not ok") {
    auto r = check_unit(hardened_unit(), {}, nullptr, env());
    CHECK(r.verdict == UnitVerdict::not_running);
    CHECK(settings_with(r, Verdict::ok).empty());
    CHECK(settings_with(r, Verdict::drift).empty());
    const Check& user = check(r, "User");
    CHECK(user.verdict == Verdict::unobservable);
    CHECK(user.configured == "nobody");
    CHECK(user.live == "no process is running");
}

TEST_CASE("unit: what the kernel does not show is unobservable, never passed") {
    Process m = manager();
    UnitConfig c;
    c.id = "x.service";
    c.secure_bits = 0x10 | 0x20;  // keep-caps, keep-caps-locked
    c.protect_system = "yes";
    auto r = check_unit(c, {hardened()}, &m, env());
    const Check& sb = check(r, "SecureBits");
    CHECK(sb.verdict == Verdict::unobservable);
    CHECK(sb.configured == "keep-caps keep-caps-locked");
    // ProtectSystem=yes makes /usr read-only, which it is for the manager too here.
    const Check& ps = check(r, "ProtectSystem");
    CHECK(ps.verdict == Verdict::unobservable);
    CHECK(ps.live == "/usr read-only for the manager too");
    CHECK(r.verdict == UnitVerdict::ok);

    // Where the manager's /usr is writable, the read-only /usr tells.
    auto rw = mounts(
        "1 0 0:39 / / rw - tmpfs tmpfs rw\n"
        "2 1 254:0 /usr /usr rw - ext4 /dev/vda rw\n");
    m.mounts = rw;
    auto ok = check_unit(c, {hardened()}, &m, env());
    CHECK(check(ok, "ProtectSystem").verdict == Verdict::ok);
    CHECK(check(ok, "ProtectSystem").live == "/usr read-only");
    // And where the process's /usr is writable, it drifts.
    Process open = hardened();
    open.mounts = rw;
    auto drift = check_unit(c, {open}, &m, env());
    CHECK(check(drift, "ProtectSystem").verdict == Verdict::drift);
    CHECK(check(drift, "ProtectSystem").live == "/usr writable");

    // ProtectSystem=full adds /etc.
    c.protect_system = "full";
    auto full = check_unit(c, {hardened()}, &m, env());
    CHECK(check(full, "ProtectSystem").live == "/usr read-only, /etc read-only");
}

TEST_CASE("unit: a drop-in that tightened a setting after the start") {
    UnitConfig c;
    c.id = "late.service";
    c.user = "nobody";
    c.uid = 65534;
    c.bounding = 1u << 13;  // the drop-in: cap_net_raw only
    c.ambient = 1u << 13;
    c.no_new_privileges = true;
    c.active_enter_timestamp = 1'000'000;
    c.fragment_path = "/run/systemd/system/late.service";
    c.dropin_paths = {"/run/systemd/system/late.service.d/narrow.conf"};
    Process p;
    p.pid = 70;
    p.status = status(65534, (1u << 13) | (1u << 10), (1u << 13) | (1u << 10), (1u << 13) | (1u << 10), false, 0);
    Process m = manager();
    CheckEnvironment e = env();
    e.mtime_usec = [](const std::string& path) -> std::optional<std::uint64_t> {
        return path.find("narrow.conf") != std::string::npos ? 2'000'000u : 500'000u;
    };
    auto r = check_unit(c, {p}, &m, e);
    CHECK(settings_with(r, Verdict::drift) ==
          std::vector<std::string>{"CapabilityBoundingSet", "AmbientCapabilities", "NoNewPrivileges"});
    CHECK(check(r, "AmbientCapabilities").live == "cap_net_bind_service cap_net_raw (beyond it: cap_net_bind_service)");
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0] == "/run/systemd/system/late.service.d/narrow.conf changed after the service started: its "
                        "processes keep the settings they started with until it is restarted");
}

TEST_CASE("unit: NoNewPrivileges implied, dynamic users, and settings not set") {
    Process m = manager();
    UnitConfig c;
    c.id = "dyn.service";
    c.user = "dyn";
    c.dynamic_user = true;
    c.uid = 61234;
    c.lock_personality = true;
    Process p = hardened();
    p.status.uid = {61234, 61234, 61234, 61234};
    auto r = check_unit(c, {p}, &m, env());
    CHECK(check(r, "User").verdict == Verdict::ok);
    CHECK(check(r, "DynamicUser").verdict == Verdict::ok);
    CHECK(check(r, "DynamicUser").live == "uid 61234 (dynamic)");
    CHECK(check(r, "NoNewPrivileges").configured == "no (implied by LockPersonality= for a User= other than root)");
    CHECK(check(r, "LockPersonality").verdict == Verdict::ok);
    CHECK(check(r, "PrivateTmp").verdict == Verdict::not_set);

    // For root, systemd needs no no_new_privs for its filters: nothing implied.
    UnitConfig root = c;
    root.user.clear();
    root.dynamic_user = false;
    root.uid.reset();
    auto rr = check_unit(root, {p}, &m, env());
    CHECK(check(rr, "NoNewPrivileges").verdict == Verdict::not_set);
    CHECK(check(rr, "User").verdict == Verdict::not_set);

    // A user unknown here: nothing to compare with.
    UnitConfig ghost;
    ghost.id = "ghost.service";
    ghost.user = "ghost";
    auto g = check_unit(ghost, {p}, &m, env());
    CHECK(check(g, "User").verdict == Verdict::unobservable);
    // A numeric User= needs no lookup.
    ghost.user = "61234";
    CHECK(check(check_unit(ghost, {p}, &m, env()), "User").verdict == Verdict::ok);
}

TEST_CASE("unit: PrivateNetwork needs a namespace of its own holding only lo") {
    Process m = manager();
    UnitConfig c;
    c.id = "net.service";
    c.private_network = true;
    Process p = hardened();
    CHECK(check(check_unit(c, {p}, &m, env()), "PrivateNetwork").verdict == Verdict::ok);
    p.net_devices = std::vector<std::string>{"lo", "veth0"};
    auto r = check_unit(c, {p}, &m, env());
    CHECK(check(r, "PrivateNetwork").verdict == Verdict::drift);
    CHECK(check(r, "PrivateNetwork").live == "a network namespace of its own, interfaces: lo veth0");
    p.net_ns = m.net_ns;
    CHECK(check(check_unit(c, {p}, &m, env()), "PrivateNetwork").live == "the manager's network namespace");
    // Without the manager to compare with, nothing is claimed.
    CHECK(check(check_unit(c, {hardened()}, nullptr, env()), "PrivateNetwork").verdict == Verdict::unobservable);
}

TEST_CASE("unit: ProtectHome read-only and tmpfs, and mounts that could not be read") {
    Process m = manager();
    UnitConfig c;
    c.id = "home.service";
    c.protect_home = "read-only";
    Process p = hardened();
    p.mounts = mounts(
        "1 0 0:39 / / rw - tmpfs tmpfs rw\n"
        "2 1 254:1 /home /home ro - ext4 /dev/vdb rw\n"
        "3 1 0:39 /root /root ro - tmpfs tmpfs rw\n"
        "4 1 0:44 /user /run/user ro - tmpfs tmpfs rw\n");
    auto r = check_unit(c, {p}, &m, env());
    CHECK(check(r, "ProtectHome").verdict == Verdict::ok);
    CHECK(check(r, "ProtectHome").live == "/home read-only, /root read-only, /run/user read-only");

    c.protect_home = "tmpfs";
    p.mounts = mounts(
        "1 0 0:39 / / rw - tmpfs tmpfs rw\n"
        "2 1 0:70 / /home ro - tmpfs tmpfs rw\n"
        "3 1 0:71 / /root ro - tmpfs tmpfs rw\n"
        "4 1 0:72 / /run/user ro - tmpfs tmpfs rw\n");
    CHECK(check(check_unit(c, {p}, &m, env()), "ProtectHome").verdict == Verdict::ok);

    Process unread = hardened();
    unread.mounts.reset();
    unread.unread = {{fact_mounts, EINVAL}};
    auto u = check_unit(c, {unread}, &m, env());
    CHECK(check(u, "ProtectHome").verdict == Verdict::unobservable);
    CHECK(check(u, "ProtectHome").live == "mounts not readable");
    REQUIRE(u.errors.size() == 1);
    CHECK(u.errors[0] == "the mounts of pid 84 could not be read (malformed)");
}

TEST_CASE("unit: the facts the checks need") {
    UnitConfig c;
    CHECK(unit_facts(c) == 0);
    c.private_tmp = true;
    CHECK(unit_facts(c) == fact_mounts);
    c.private_network = true;
    c.private_users = true;
    CHECK(unit_facts(c) == (fact_mounts | fact_net_ns | fact_net_devices | fact_user_ns));
}

TEST_CASE("unit: sets and mounts as the report shows them") {
    CHECK(describe_caps(CapSet(), last_cap) == "none");
    CHECK(describe_caps(CapSet::all_up_to(last_cap), last_cap) == "all");
    CHECK(describe_caps(CapSet::all_up_to(last_cap) - CapSet(1u << 21), last_cap) == "all but cap_sys_admin");
    CHECK(describe_caps(CapSet((1u << 10) | (1u << 13)), last_cap) == "cap_net_bind_service cap_net_raw");
    CHECK(describe_caps(CapSet(std::uint64_t{1} << 50), last_cap) == "cap_50");
    CHECK(describe_caps_brief(CapSet(0x3f), last_cap) ==
          "6 capabilities: cap_chown cap_dac_override cap_dac_read_search ... (3 more)");

    MountEntry m;
    m.root = "/host/inaccessible/dir";
    CHECK(is_inaccessible_mount(m));
    m.root = "/systemd/inaccessible/reg";
    CHECK(is_inaccessible_mount(m));
    m.root = "/inaccessible/dir/x";
    CHECK_FALSE(is_inaccessible_mount(m));
    m.root = "/notinaccessible/dir";
    CHECK_FALSE(is_inaccessible_mount(m));
    m.root = "/";
    CHECK_FALSE(is_inaccessible_mount(m));
}

TEST_CASE("unit: systemctl show's spelling of values") {
    CHECK(format_caps(0) == "");
    CHECK(format_caps(0xc0) == "cap_setgid cap_setuid");
    CHECK(format_filter({false, {}}) == "~");
    CHECK(format_filter({false, {"mount", "chroot"}}) == "~mount chroot");
    CHECK(format_filter({true, {"AF_INET", "AF_UNIX"}}) == "AF_INET AF_UNIX");
    CHECK(format_namespaces(all_ones) == "no");
    CHECK(format_namespaces(0) == "yes");
    CHECK(format_namespaces(0x40000000 | 0x10000000) == "net user");
    CHECK(format_bool(true) == "yes");
}

TEST_CASE("unit: ReadWritePaths= wins over ProtectSystem=; paths made after the start were never protected") {
    Process m = manager();
    UnitConfig c;
    c.id = "logind.service";
    c.protect_system = "strict";
    c.protect_home = "yes";
    c.read_write_paths = {"/etc", "-/run"};
    c.exec_main_start_timestamp = 1'000'000;
    Process p = hardened();
    // systemd-logind's view: "/" read-only, but /etc (ReadWritePaths=) writable.
    p.mounts = mounts(
        "377 327 0:40 / / ro,nosuid - tmpfs tmpfs rw\n"
        "378 377 254:0 /usr /usr ro,nosuid,relatime - ext4 /dev/vda rw\n"
        "432 377 0:40 /etc /etc rw,nosuid - tmpfs tmpfs rw\n"
        "287 377 0:45 /host/inaccessible/dir /root ro,nosuid,nodev,noexec - tmpfs tmpfs rw\n");
    CheckEnvironment e = env();
    // /home and /run/user came into being after the service started (as in a container
    // whose tmpfiles run later); /root existed.
    e.birth_usec = [](const std::string& path) -> std::optional<std::uint64_t> {
        return path == "/root" ? 500'000u : 2'000'000u;
    };
    auto r = check_unit(c, {p}, &m, e);
    CHECK(check(r, "ProtectSystem").verdict == Verdict::ok);
    CHECK(check(r, "ProtectSystem").live ==
          "/ read-only, /usr read-only for the manager too, /etc writable (ReadWritePaths=)");
    CHECK(check(r, "ProtectHome").verdict == Verdict::ok);
    CHECK(check(r, "ProtectHome").live ==
          "/home created after the service started, /root inaccessible, /run/user created after the service started");

    // Had /home been there at the start, its missing protection is drift.
    e.birth_usec = [](const std::string&) -> std::optional<std::uint64_t> { return 500'000u; };
    auto d = check_unit(c, {p}, &m, e);
    CHECK(check(d, "ProtectHome").verdict == Verdict::drift);
    CHECK(check(d, "ProtectHome").live == "/home accessible, /root inaccessible, /run/user accessible");
    // Without ReadWritePaths=/etc, a writable /etc is drift.
    c.read_write_paths.clear();
    CHECK(check(check_unit(c, {p}, &m, e), "ProtectSystem").verdict == Verdict::drift);
}
