#include <doctest/doctest.h>

#include <capinspect/own_process.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>

#include <unistd.h>

#include <vector>

using namespace capinspect;

TEST_CASE("probe_cap_last_cap agrees with /proc/sys/kernel/cap_last_cap") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto last = read_cap_last_cap(*root);
    REQUIRE(last);
    CHECK(probe_cap_last_cap() == *last);
}

TEST_CASE("read_own_process agrees with /proc/self/status") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto last = read_cap_last_cap(*root);
    REQUIRE(last);
    auto own = read_own_process(*last);
    REQUIRE(own);
    auto text = root->read_file("self/status");
    REQUIRE(text);
    auto st = parse_status(*text);
    REQUIRE(st);
    CHECK(own->pid == getpid());
    CHECK(own->uid == st->uid);
    CHECK(own->gid == st->gid);
    CHECK(own->effective == st->effective);
    CHECK(own->permitted == st->permitted);
    CHECK(own->inheritable == st->inheritable);
    CHECK(own->bounding == st->bounding);
    CHECK(own->ambient == st->ambient);
    CHECK(own->no_new_privs == st->no_new_privs);
    CHECK(own->seccomp == st->seccomp);
    std::vector<gid_t> groups(static_cast<size_t>(getgroups(0, nullptr)));
    if (!groups.empty()) groups.resize(static_cast<size_t>(getgroups(static_cast<int>(groups.size()), groups.data())));
    CHECK(own->groups == std::vector<std::uint32_t>(groups.begin(), groups.end()));
}

TEST_CASE("read_own_process with a status: the sets from it, the rest probed where it lacks them") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto last = read_cap_last_cap(*root);
    REQUIRE(last);
    auto probed = read_own_process(*last);
    REQUIRE(probed);
    auto text = root->read_file("thread-self/status");
    REQUIRE(text);
    auto st = parse_status(*text);
    REQUIRE(st);
    auto own = read_own_process(*last, *st);
    REQUIRE(own);
    CHECK(own->uid == probed->uid);
    CHECK(own->effective == probed->effective);
    CHECK(own->bounding == probed->bounding);
    CHECK(own->ambient == probed->ambient);
    CHECK(own->no_new_privs == probed->no_new_privs);
    CHECK(own->seccomp == probed->seccomp);

    // The sets are taken from the status as given (here: an edited one) ...
    ProcStatus edited = *st;
    edited.bounding = CapSet();
    edited.bounding.add(0);  // cap_chown alone
    edited.no_new_privs = !*st->no_new_privs;
    auto from_status = read_own_process(*last, edited);
    REQUIRE(from_status);
    CHECK(from_status->bounding == edited.bounding);
    CHECK(from_status->no_new_privs == edited.no_new_privs);
    // ... and what an older kernel's status lacks is probed.
    ProcStatus old = *st;
    old.ambient.reset();
    old.no_new_privs.reset();
    old.seccomp.reset();
    auto from_old = read_own_process(*last, old);
    REQUIRE(from_old);
    CHECK(from_old->ambient == probed->ambient);
    CHECK(from_old->no_new_privs == probed->no_new_privs);
    CHECK(from_old->seccomp == probed->seccomp);
}
