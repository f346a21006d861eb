#include <doctest/doctest.h>

#include <capinspect/exec_caps.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace capinspect;

namespace {

// Capability numbers used below (linux/capability.h).
constexpr Cap chown_ = 0, setgid_ = 6, setuid_ = 7, net_bind = 10, net_raw = 13, sys_resource = 24;

CapSet caps(std::initializer_list<Cap> list) {
    CapSet s;
    for (Cap c : list) s.add(c);
    return s;
}

// Every capability of a 40-capability kernel, and the same without sys_resource (the
// bounding set of the machine the reference outputs come from).
const CapSet all40 = CapSet::all_up_to(40);
const CapSet bnd = all40 - caps({sys_resource});

IdSet ids(std::uint32_t r, std::uint32_t e, std::uint32_t s, std::uint32_t fs) { return IdSet{r, e, s, fs}; }
IdSet ids(std::uint32_t all) { return IdSet{all, all, all, all}; }

ExecTask root_task() {
    ExecTask t;
    t.uid = ids(0);
    t.gid = ids(0);
    t.effective = t.permitted = t.bounding = bnd;
    return t;
}

ExecTask user_task(std::uint32_t uid = 1000) {
    ExecTask t;
    t.uid = ids(uid);
    t.gid = ids(uid);
    t.bounding = bnd;
    return t;
}

ExecFileCaps fcaps(CapSet permitted, CapSet inheritable, bool effective) {
    return ExecFileCaps{permitted, inheritable, effective};
}

}  // namespace

TEST_CASE("root running a plain program gets its bounding set, effective") {
    auto out = predict_execve(root_task(), ExecFile{});
    CHECK_FALSE(out.refused);
    CHECK_FALSE(out.privileged_file);
    CHECK(out.task.permitted == bnd);
    CHECK(out.task.effective == bnd);
    CHECK(out.task.inheritable.empty());
    CHECK(out.task.ambient.empty());
    CHECK(out.task.bounding == bnd);
    CHECK(out.task.uid == ids(0));
    CHECK(exec_task_differences(out.task, root_task()).empty());
}

TEST_CASE("root: the inheritable set joins the permitted set, even outside the bounding set") {
    ExecTask t = root_task();
    t.bounding = bnd - caps({net_raw});
    t.inheritable = caps({net_raw});
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.permitted == (t.bounding | caps({net_raw})));
    CHECK(out.task.effective == out.task.permitted);
    CHECK(out.task.inheritable == caps({net_raw}));
}

TEST_CASE("SECBIT_NOROOT: root gets nothing from a plain program") {
    ExecTask t = root_task();
    t.securebits = Securebits(Securebits::lock_mask);  // what --lock sets
    t.no_new_privs = true;
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.permitted.empty());
    CHECK(out.task.effective.empty());
    CHECK(out.task.bounding == bnd);
    CHECK(out.task.securebits == Securebits(Securebits::lock_mask));
    CHECK(out.task.no_new_privs);
}

TEST_CASE("real uid 0 with another effective uid: permitted, not effective") {
    ExecTask t = root_task();
    t.uid = ids(0, 1000, 1000, 1000);
    t.effective = CapSet();
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.permitted == bnd);
    CHECK(out.task.effective.empty());
    CHECK(out.task.uid == ids(0, 1000, 1000, 1000));
}

TEST_CASE("a user's ambient capabilities survive a plain exec, and only they") {
    ExecTask t = user_task();
    t.inheritable = t.permitted = t.effective = t.ambient = caps({chown_, net_raw});
    t.permitted.add(net_bind);  // permitted only: lost
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.ambient == caps({chown_, net_raw}));
    CHECK(out.task.permitted == caps({chown_, net_raw}));
    CHECK(out.task.effective == caps({chown_, net_raw}));
    CHECK(out.task.inheritable == caps({chown_, net_raw}));
}

TEST_CASE("a user without capabilities gets nothing") {
    auto out = predict_execve(user_task(), ExecFile{});
    CHECK(out.task.permitted.empty());
    CHECK(out.task.effective.empty());
    CHECK(out.task.uid == ids(1000));
}

TEST_CASE("file capabilities: +ep, +p, +ie, and the bounding set") {
    ExecFile f;
    SUBCASE("+ep gives permitted and effective") {
        f.caps = fcaps(caps({chown_}), {}, true);
        auto out = predict_execve(user_task(), f);
        CHECK(out.privileged_file);
        CHECK_FALSE(out.refused);
        CHECK(out.task.permitted == caps({chown_}));
        CHECK(out.task.effective == caps({chown_}));
    }
    SUBCASE("+p gives permitted only") {
        f.caps = fcaps(caps({chown_}), {}, false);
        auto out = predict_execve(user_task(), f);
        CHECK(out.task.permitted == caps({chown_}));
        CHECK(out.task.effective.empty());
    }
    SUBCASE("+ie needs the capability in the task's inheritable set") {
        f.caps = fcaps({}, caps({net_raw}), true);
        ExecTask t = user_task();
        auto out = predict_execve(t, f);
        CHECK(out.task.permitted.empty());
        CHECK_FALSE(out.refused);
        t.inheritable = caps({net_raw});
        out = predict_execve(t, f);
        CHECK(out.task.permitted == caps({net_raw}));
        CHECK(out.task.effective == caps({net_raw}));
    }
    SUBCASE("+p outside the bounding set is dropped") {
        f.caps = fcaps(caps({chown_, sys_resource}), {}, false);
        auto out = predict_execve(user_task(), f);
        CHECK(out.task.permitted == caps({chown_}));
        CHECK_FALSE(out.refused);
    }
    SUBCASE("+ep outside the bounding set: execve fails (capability-dumb binary)") {
        f.caps = fcaps(caps({chown_, sys_resource}), {}, true);
        auto out = predict_execve(user_task(), f);
        CHECK(out.refused);
        ExecTask t = user_task();
        t.bounding = CapSet();
        f.caps = fcaps(caps({chown_}), {}, true);
        CHECK(predict_execve(t, f).refused);
    }
    SUBCASE("file capabilities clear the ambient set") {
        ExecTask t = user_task();
        t.inheritable = t.permitted = t.effective = t.ambient = caps({net_raw});
        f.caps = fcaps(caps({chown_}), {}, false);
        auto out = predict_execve(t, f);
        CHECK(out.task.ambient.empty());
        CHECK(out.task.permitted == caps({chown_}));
        CHECK(out.task.effective.empty());
    }
    SUBCASE("root with file capabilities still gets everything") {
        f.caps = fcaps(caps({chown_}), {}, false);
        auto out = predict_execve(root_task(), f);
        CHECK(out.task.permitted == bnd);
        CHECK(out.task.effective == bnd);
    }
}

TEST_CASE("set-user-ID root run by a user: euid 0 and the root rules") {
    ExecFile f;
    f.setuid_owner = 0;
    ExecTask t = user_task();
    t.inheritable = t.permitted = t.effective = t.ambient = caps({net_raw});
    auto out = predict_execve(t, f);
    CHECK(out.privileged_file);
    CHECK(out.task.uid == ids(1000, 0, 0, 0));
    CHECK(out.task.gid == ids(1000));
    CHECK(out.task.permitted == bnd);  // bounding | inheritable
    CHECK(out.task.effective == bnd);
    CHECK(out.task.ambient.empty());   // a set-id exec clears it

    SUBCASE("with file capabilities only the file's capabilities count") {
        f.caps = fcaps(caps({chown_}), {}, true);
        auto fc = predict_execve(user_task(), f);
        CHECK(fc.task.uid.effective == 0);
        CHECK(fc.task.permitted == caps({chown_}));
        CHECK(fc.task.effective == caps({chown_}));
        // run by root, the root rules apply again
        auto by_root = predict_execve(root_task(), f);
        CHECK(by_root.task.permitted == bnd);
    }
    SUBCASE("run again by the process it made (uid 1000, euid 0)") {
        ExecTask again = out.task;
        auto second = predict_execve(again, f);
        CHECK(second.task.uid == ids(1000, 0, 0, 0));
        CHECK(second.task.permitted == bnd);
        CHECK(second.task.effective == bnd);
    }
    SUBCASE("with SECBIT_NOROOT: euid 0 but no capabilities") {
        ExecTask n = user_task();
        n.securebits.add(Securebit::noroot);
        auto nr = predict_execve(n, f);
        CHECK(nr.task.uid.effective == 0);
        CHECK(nr.task.permitted.empty());
        CHECK(nr.task.effective.empty());
    }
}

TEST_CASE("set-user-ID to another user: the ids move, the capabilities do not come") {
    ExecFile f;
    f.setuid_owner = 1001;
    auto out = predict_execve(user_task(), f);
    CHECK(out.task.uid == ids(1000, 1001, 1001, 1001));
    CHECK(out.task.permitted.empty());
}

TEST_CASE("no_new_privs: set-id bits ignored, file capability gains undone") {
    ExecTask t = user_task();
    t.no_new_privs = true;
    ExecFile f;
    f.setuid_owner = 0;
    auto out = predict_execve(t, f);
    CHECK_FALSE(out.privileged_file);
    CHECK(out.task.uid == ids(1000));
    CHECK(out.task.permitted.empty());

    ExecFile fc;
    fc.caps = fcaps(caps({chown_}), {}, true);
    out = predict_execve(t, fc);
    CHECK(out.task.permitted.empty());
    CHECK(out.task.effective.empty());
    // what the task already has is not a gain
    t.permitted = caps({chown_});
    out = predict_execve(t, fc);
    CHECK(out.task.permitted == caps({chown_}));
    CHECK(out.task.effective == caps({chown_}));
}

TEST_CASE("a nosuid mount ignores set-id bits and file capabilities") {
    ExecFile f;
    f.setuid_owner = 0;
    f.caps = fcaps(caps({chown_}), {}, true);
    f.nosuid = true;
    auto out = predict_execve(user_task(), f);
    CHECK_FALSE(out.privileged_file);
    CHECK(out.task.uid == ids(1000));
    CHECK(out.task.permitted.empty());
    CHECK_FALSE(out.refused);
}

TEST_CASE("real and effective uids that differ before the exec") {
    ExecTask t = user_task();
    t.uid = ids(1000, 1001, 1001, 1001);
    t.inheritable = t.permitted = t.effective = t.ambient = caps({chown_});
    // Not an id change: current kernels keep the ambient set and, under
    // no_new_privs, the effective uid.
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.uid == ids(1000, 1001, 1001, 1001));
    CHECK(out.task.ambient == caps({chown_}));
    t.no_new_privs = true;
    out = predict_execve(t, ExecFile{});
    CHECK(out.task.uid == ids(1000, 1001, 1001, 1001));
    // The saved and fs ids follow the effective one.
    t.uid = ids(1000, 1001, 0, 1000);
    out = predict_execve(t, ExecFile{});
    CHECK(out.task.uid == ids(1000, 1001, 1001, 1001));
}

TEST_CASE("set-group-ID: an id change unless the task is in the group already") {
    ExecTask t = user_task();
    t.inheritable = t.permitted = t.effective = t.ambient = caps({chown_});
    ExecFile f;
    f.setgid_group = 65534;
    auto out = predict_execve(t, f);
    CHECK(out.task.gid == ids(1000, 65534, 65534, 65534));
    CHECK(out.task.ambient.empty());
    t.groups = {27, 65534};
    out = predict_execve(t, f);
    CHECK(out.task.gid == ids(1000, 65534, 65534, 65534));
    CHECK(out.task.ambient == caps({chown_}));
    CHECK(out.task.groups == std::vector<std::uint32_t>{27, 65534});
}

TEST_CASE("securebits: KEEP_CAPS is cleared, the others stay") {
    ExecTask t = root_task();
    t.securebits.add(Securebit::keep_caps);
    t.securebits.add(Securebit::no_cap_ambient_raise);
    t.securebits.add(Securebit::keep_caps_locked);
    auto out = predict_execve(t, ExecFile{});
    CHECK_FALSE(out.task.securebits.has(Securebit::keep_caps));
    CHECK(out.task.securebits.has(Securebit::keep_caps_locked));
    CHECK(out.task.securebits.has(Securebit::no_cap_ambient_raise));
}

TEST_CASE("captest's own states: --id keeps chown only through the ambient set") {
    ExecTask t = user_task(99);
    t.bounding = CapSet();
    t.effective = t.permitted = caps({chown_});
    auto out = predict_execve(t, ExecFile{});
    CHECK(out.task.effective.empty());
    CHECK(out.task.permitted.empty());
    t.inheritable = t.ambient = caps({chown_});
    out = predict_execve(t, ExecFile{});
    CHECK(out.task.effective == caps({chown_}));
    CHECK(out.task.permitted == caps({chown_}));
    CHECK(out.task.ambient == caps({chown_}));
    CHECK(out.task.bounding.empty());
}

TEST_CASE("the regain-root test of a child: CAP_SETUID or a set-user-ID identity") {
    // Not part of the prediction, but what captest derives from it: after a plain exec
    // by root the child holds setuid and setgid.
    auto out = predict_execve(root_task(), ExecFile{});
    CHECK(out.task.effective.has(setuid_));
    CHECK(out.task.effective.has(setgid_));
}

TEST_CASE("exec_task_differences names the fields that differ") {
    ExecTask a = root_task(), b = root_task();
    CHECK(exec_task_differences(a, b).empty());
    b.uid.effective = 5;
    b.groups = {4};
    b.permitted.remove(chown_);
    b.ambient.add(chown_);
    b.securebits.add(Securebit::noroot);
    b.no_new_privs = true;
    CHECK(exec_task_differences(a, b) ==
          std::vector<std::string>{"uid", "groups", "permitted", "ambient", "securebits", "no_new_privs"});
    b = a;
    b.gid.fs = 3;
    b.effective = CapSet();
    b.inheritable = caps({chown_});
    b.bounding = CapSet();
    CHECK(exec_task_differences(a, b) ==
          std::vector<std::string>{"gid", "effective", "inheritable", "bounding"});
}
