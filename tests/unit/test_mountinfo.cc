// mountinfo and net/dev: the parsers on literal text (lines as systemd 252's sandbox and
// systemd-nspawn make them), the covering mount of a path, malformed input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <capinspect/mountinfo.h>
#include <capinspect/net_dev.h>

using namespace capinspect;

namespace {

// A hardened service's view in a systemd-nspawn container (PrivateTmp, PrivateDevices,
// ProtectSystem=strict, ProtectHome=yes, InaccessiblePaths=/srv), shortened.
constexpr const char* sandbox =
    "503 453 0:39 / / ro shared:108 master:1 - tmpfs tmpfs rw,size=6170940k,mode=755\n"
    "504 503 254:0 /usr /usr ro,relatime shared:125 master:2 - ext4 /dev/vda rw,discard\n"
    "505 503 0:40 / /tmp rw,nosuid,nodev shared:126 master:3 - tmpfs tmpfs rw,size=2468376k\n"
    "529 503 0:44 / /run ro,nosuid,nodev shared:146 master:7 - tmpfs tmpfs rw,mode=755\n"
    "553 503 0:59 / /dev ro,nosuid,noexec shared:168 - tmpfs tmpfs rw,size=4096k,mode=755\n"
    "524 503 0:44 /host/inaccessible/dir /home ro,nosuid,nodev,noexec shared:173 master:7 - tmpfs tmpfs rw\n"
    "536 503 0:44 /host/inaccessible/dir /srv ro,nosuid,nodev,noexec shared:175 master:7 - tmpfs tmpfs rw\n"
    "537 505 0:40 /systemd-private-d6d1-hard.service-JNsUIq/tmp /tmp rw,nosuid,nodev shared:127 master:3 - "
    "tmpfs tmpfs rw\n"
    "538 503 0:39 /var/tmp/systemd-private-d6d1-hard.service-cBXABK/tmp /var/tmp rw shared:176 master:1 - "
    "tmpfs tmpfs rw\n";

}  // namespace

TEST_CASE("mountinfo: every field of a line") {
    auto m = parse_mountinfo("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:4 - ext3 /dev/root rw,errors=continue\n");
    REQUIRE(m);
    REQUIRE(m->size() == 1);
    const MountEntry& e = (*m)[0];
    CHECK(e.id == 36);
    CHECK(e.parent == 35);
    CHECK(e.major == 98);
    CHECK(e.minor == 0);
    CHECK(e.root == "/mnt1");
    CHECK(e.mount_point == "/mnt2");
    CHECK(e.options == "rw,noatime");
    CHECK(e.optional_fields == std::vector<std::string>{"master:1", "shared:4"});
    CHECK(e.fs_type == "ext3");
    CHECK(e.source == "/dev/root");
    CHECK(e.super_options == "rw,errors=continue");
    CHECK_FALSE(e.read_only());
}

TEST_CASE("mountinfo: no optional field, octal escapes, an empty text") {
    auto m = parse_mountinfo("1 0 0:1 /a\\040b /mnt/with\\011tab\\012nl\\134 ro - fuse.x my\\040src ro\n");
    REQUIRE(m);
    REQUIRE(m->size() == 1);
    CHECK((*m)[0].optional_fields.empty());
    CHECK((*m)[0].root == "/a b");
    CHECK((*m)[0].mount_point == "/mnt/with\ttab\nnl\\");
    CHECK((*m)[0].fs_type == "fuse.x");
    CHECK((*m)[0].source == "my src");
    CHECK((*m)[0].read_only());
    // Not an escape: left as it is.
    auto odd = parse_mountinfo("1 0 0:1 /\\9x /\\04 rw - t s o");
    REQUIRE(odd);
    CHECK((*odd)[0].root == "/\\9x");
    CHECK((*odd)[0].mount_point == "/\\04");
    auto empty = parse_mountinfo("");
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("mountinfo: malformed lines are one data error naming the line") {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"1 0 0:1 / / rw shared:1 ext4 /dev/x rw\n", "malformed mountinfo line 1: no \"-\" separator"},
        {"1 0 0:1 / /\n", "malformed mountinfo line 1: no \"-\" separator"},
        {"1 0 0:1 / / rw - ext4\n", "malformed mountinfo line 1: too few fields after \"-\""},
        {"x 0 0:1 / / rw - ext4 s o\n", "malformed mountinfo line 1: mount id"},
        {"1 -1 0:1 / / rw - ext4 s o\n", "malformed mountinfo line 1: parent id"},
        {"1 0 01 / / rw - ext4 s o\n", "malformed mountinfo line 1: device"},
        {"1 0 0: / / rw - ext4 s o\n", "malformed mountinfo line 1: device"},
        {"1 0 0:1 / relative rw - ext4 s o\n", "malformed mountinfo line 1: mount point"},
        {"1 0 0:1 / / rw - ext4 s o\n\n2 1 0:2 / /a rw - tmpfs\n", "malformed mountinfo line 3: too few fields after \"-\""},
        {"99999999999 0 0:1 / / rw - ext4 s o\n", "malformed mountinfo line 1: mount id"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        auto m = parse_mountinfo(c.text);
        REQUIRE_FALSE(m);
        CHECK(m.error().data);
        CHECK(m.error().code == EINVAL);
        CHECK(m.error().message() == c.message);
    }
}

TEST_CASE("mountinfo: options are matched whole") {
    CHECK(has_mount_option("ro", "ro"));
    CHECK(has_mount_option("rw,nosuid,ro", "ro"));
    CHECK(has_mount_option("nosuid,ro,nodev", "ro"));
    CHECK_FALSE(has_mount_option("errors=remount-ro", "ro"));
    CHECK_FALSE(has_mount_option("rw,rootcontext=ro", "ro"));
    CHECK_FALSE(has_mount_option("", "ro"));
}

TEST_CASE("mountinfo: paths below a mount point") {
    CHECK(is_path_below("/a/b", "/a"));
    CHECK(is_path_below("/a", "/a"));
    CHECK(is_path_below("/a/", "/a"));
    CHECK(is_path_below("/a", "/a/"));
    CHECK_FALSE(is_path_below("/ab", "/a"));
    CHECK(is_path_below("/anything", "/"));
    CHECK(is_path_below("/", "/"));
    CHECK_FALSE(is_path_below("/a", "/a/b"));
}

TEST_CASE("mountinfo: the covering mount is the top one of the longest mount point") {
    auto m = parse_mountinfo(sandbox);
    REQUIRE(m);
    auto covering = [&](const char* path) {
        const MountEntry* e = find_covering_mount(*m, path);
        return e ? e->id : 0u;
    };
    CHECK(covering("/") == 503);
    CHECK(covering("/etc") == 503);      // no mount of its own: "/", read-only under strict
    CHECK(covering("/usr/bin/ls") == 504);
    CHECK(covering("/usr") == 504);
    CHECK(covering("/usrx") == 503);
    CHECK(covering("/tmp") == 537);      // PrivateTmp's mount sits on the container's /tmp
    CHECK(covering("/tmp/x/y") == 537);
    CHECK(covering("/var/tmp") == 538);
    CHECK(covering("/home/user") == 524);
    CHECK(covering("/run/user") == 529);
    CHECK(find_covering_mount(*m, "/tmp")->root == "/systemd-private-d6d1-hard.service-JNsUIq/tmp");
    CHECK(find_covering_mount(*m, "/etc")->read_only());

    CHECK(find_mount_at(*m, "/tmp")->id == 537);
    CHECK(find_mount_at(*m, "/tmp/")->id == 537);
    CHECK(find_mount_at(*m, "/srv")->id == 536);
    CHECK(find_mount_at(*m, "/etc") == nullptr);
    CHECK(find_covering_mount({}, "/") == nullptr);

    // The order of the lines does not decide which of stacked mounts is on top.
    auto reversed = parse_mountinfo(
        "537 505 0:40 /private /tmp rw - tmpfs tmpfs rw\n"
        "505 503 0:40 / /tmp rw - tmpfs tmpfs rw\n"
        "503 1 0:39 / / ro - tmpfs tmpfs rw\n");
    REQUIRE(reversed);
    CHECK(find_covering_mount(*reversed, "/tmp")->id == 537);
    // A parent cycle (no kernel writes one) still gives an answer.
    auto cycle = parse_mountinfo("1 2 0:1 / /a rw - t s o\n2 1 0:2 / /a rw - t s o\n");
    REQUIRE(cycle);
    CHECK(find_mount_at(*cycle, "/a") != nullptr);
}

TEST_CASE("net/dev: interface names") {
    auto names = parse_net_dev(
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs\n"
        "    lo:       0       0    0    0    0     0          0         0        0       0    0\n"
        "  eth0: 1296407   12345    0    0    0     0          0         0   909042    3421    0\n"
        "veth-very-long0:1 2 3\n");
    REQUIRE(names);
    CHECK(*names == std::vector<std::string>{"lo", "eth0", "veth-very-long0"});
    auto only_header = parse_net_dev("Inter-|\n face |\n");
    REQUIRE(only_header);
    CHECK(only_header->empty());
    for (const char* bad : {"h\nh\n   lo 0 0 0\n", "h\nh\n   : 0 0\n", "h\nh\nlo:1\na b: 2\n"}) {
        CAPTURE(bad);
        auto r = parse_net_dev(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().data);
    }
    CHECK(parse_net_dev("h\nh\n   lo 0 0 0\n").error().message() == "malformed net/dev line 3");
}
