#include <doctest/doctest.h>

#include <capinspect/proc_root.h>
#include <capinspect/user_ns.h>

using namespace capinspect;

TEST_CASE("the initial namespace's map, as the kernel pads it") {
    auto map = parse_id_map("         0          0 4294967295\n");
    REQUIRE(map);
    REQUIRE(map->size() == 1);
    CHECK((*map)[0] == IdMapRange{0, 0, 4294967295u});
    CHECK(is_initial_id_map(*map));
    CHECK(format_id_map(*map) == "0 0 4294967295");
}

TEST_CASE("child namespace maps: several ranges, or one user") {
    auto map = parse_id_map("         0       1000          1\n         1     100000      65536\n");
    REQUIRE(map);
    CHECK(map->size() == 2);
    CHECK_FALSE(is_initial_id_map(*map));
    CHECK(format_id_map(*map) == "0 1000 1, 1 100000 65536");
    CHECK(format_id_map(*map, "; ") == "0 1000 1; 1 100000 65536");
    // `unshare -Ur` as root maps only root
    auto root_only = parse_id_map("0 0 1\n");
    REQUIRE(root_only);
    CHECK_FALSE(is_initial_id_map(*root_only));
    // a count short of the whole range is not the initial namespace
    auto almost = parse_id_map("0 0 4294967294\n");
    REQUIRE(almost);
    CHECK_FALSE(is_initial_id_map(*almost));
}

TEST_CASE("an empty map (not written yet) is empty, not an error") {
    auto map = parse_id_map("");
    REQUIRE(map);
    CHECK(map->empty());
    CHECK_FALSE(is_initial_id_map(*map));
    CHECK(format_id_map(*map) == "");
}

TEST_CASE("malformed maps are data errors naming the line") {
    for (const char* bad : {"0 0\n", "0 0 1 2\n", "a b c\n", "0 0 1\nx\n", "0 0 -1\n", "0 0 99999999999\n"}) {
        CAPTURE(bad);
        auto map = parse_id_map(bad);
        REQUIRE_FALSE(map);
        CHECK(map.error().data);
        CHECK(map.error().code == EINVAL);
    }
    CHECK(parse_id_map("0 0 1\nx\n").error().message() == "malformed id map line 2");
}

TEST_CASE("this process's map parses") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto text = root->read_file("self/uid_map");
    REQUIRE(text);
    auto map = parse_id_map(*text);
    REQUIRE(map);
    CHECK_FALSE(map->empty());
}
