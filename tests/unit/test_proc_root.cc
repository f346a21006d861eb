#include <doctest/doctest.h>

#include <capinspect/caps.h>
#include <capinspect/proc_cgroup.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>

#include <algorithm>
#include <string>

using namespace capinspect;

namespace {
const std::string fixture = std::string(CAPINSPECT_SOURCE_DIR) + "/tests/fixtures/proc-basic";
}

TEST_CASE("a fixture tree stands in for /proc") {
    auto root = ProcRoot::open(fixture);
    REQUIRE(root);
    CHECK_FALSE(root->is_live());
    CHECK(root->hidepid().empty());
    CHECK(read_cap_last_cap(*root).value() == 40);

    auto pids = root->list_pids();
    REQUIRE(pids);
    // Sorted, numeric entries only (net/ and 0123 are not processes).
    CHECK(pids->front() == 1);
    CHECK(std::is_sorted(pids->begin(), pids->end()));
    CHECK(std::find(pids->begin(), pids->end(), 123) == pids->end());

    auto dir = root->open_pid(100);
    REQUIRE(dir);
    CHECK(dir->label() == fixture + "/100");
    auto st = read_status(*dir);
    REQUIRE(st);
    CHECK(st->name == "sshd");
    CHECK(dir->read_link("exe").value() == "/usr/sbin/sshd");
    CHECK(parse_cgroup(dir->read_file("cgroup").value()).unit == "ssh.service");

    auto tasks = root->open_pid(300)->list_tasks();
    REQUIRE(tasks);
    CHECK(*tasks == std::vector<pid_t>{300, 301, 302, 303});
    auto thread = root->open_pid(300)->open_task(301);
    REQUIRE(thread);
    CHECK(read_status(*thread)->effective == CapSet(0x2000));
}

TEST_CASE("errors carry errno and the path") {
    auto root = ProcRoot::open(fixture);
    REQUIRE(root);
    auto gone = root->open_pid(99999);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().is_vanished());
    CHECK(gone.error().message() == fixture + "/99999: No such file or directory");
    auto bad = read_status(*root->open_pid(208));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == fixture + "/208/status: malformed field CapEff");
    auto missing = ProcRoot::open("/nonexistent/proc");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
    auto not_proc = ProcRoot::open(fixture + "/net");
    REQUIRE(not_proc);
    CHECK_FALSE(read_cap_last_cap(*not_proc));
}

TEST_CASE("parse_cgroup: the path and the unit that runs the process") {
    auto unit = [](std::string_view text) { return parse_cgroup(text).unit; };
    CHECK(unit("0::/system.slice/ssh.service\n") == "ssh.service");
    CHECK(unit("0::/user.slice/user-1000.slice/session-2.scope\n") == "session-2.scope");
    CHECK(unit("0::/\n") == "");
    CHECK(unit("0::/system.slice\n") == "");
    CHECK(unit("12:cpu,cpuacct:/\n1:name=systemd:/system.slice/cron.service\n0::/\n") == "");
    CHECK(unit("12:cpu,cpuacct:/\n1:name=systemd:/system.slice/cron.service\n") == "cron.service");
    CHECK(unit("") == "");
    CHECK(unit("garbage") == "");
    CHECK(unit("0::/.service\n") == "");
    // Below a unit, sub-cgroups belong to the unit (delegation): the unit is the first.
    CHECK(unit("0::/system.slice/docker.service/payload.scope\n") == "docker.service");

    auto user = parse_cgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n");
    CHECK(user.path == "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service");
    CHECK(user.unit == "foo.service");
    CHECK(user.user_manager == 1000u);
    CHECK_FALSE(user.system_unit());
    auto manager = parse_cgroup("0::/user.slice/user-1000.slice/user@1000.service\n");
    CHECK(manager.unit == "user@1000.service");
    CHECK(manager.system_unit());
    auto system = parse_cgroup("0::/system.slice/ssh.service\n");
    CHECK(system.path == "/system.slice/ssh.service");
    CHECK(system.system_unit());
}

TEST_CASE("is_cgroup_below") {
    CHECK(is_cgroup_below("/system.slice/a.service", "/system.slice/a.service"));
    CHECK(is_cgroup_below("/system.slice/a.service/sub", "/system.slice/a.service"));
    CHECK(is_cgroup_below("/system.slice/a.service/sub", "/system.slice/a.service/"));
    CHECK_FALSE(is_cgroup_below("/system.slice/a.service2", "/system.slice/a.service"));
    CHECK_FALSE(is_cgroup_below("/system.slice", "/system.slice/a.service"));
    CHECK(is_cgroup_below("/anything", "/"));
    CHECK_FALSE(is_cgroup_below("", "/"));
}

TEST_CASE("parse_namespace_link") {
    CHECK(parse_namespace_link("user:[4026531837]") == 4026531837u);
    CHECK(parse_namespace_link("net:[1]") == 1u);
    CHECK_FALSE(parse_namespace_link("user:[]"));
    CHECK_FALSE(parse_namespace_link("user:[12x]"));
    CHECK_FALSE(parse_namespace_link("user:[12"));
    CHECK_FALSE(parse_namespace_link("socket:12]"));
    CHECK_FALSE(parse_namespace_link(""));
    auto root = ProcRoot::open(fixture);
    REQUIRE(root);
    CHECK(root->open_pid(205)->read_namespace("user").value() == 4026532999u);
    CHECK(root->read_link("1/ns/user").value() == "user:[4026531837]");
    CHECK(root->open_pid(100)->read_namespace("net").error().is_vanished());
}
