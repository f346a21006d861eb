#include <doctest/doctest.h>

#include <cap-ng.h>
#include <sys/capability.h>

#include <capinspect/caps.h>
#include <capinspect/proc_root.h>

#include <memory>
#include <string>

using namespace capinspect;

TEST_CASE("CapSet algebra and iteration") {
    CapSet s;
    CHECK(s.empty());
    s.add(0);
    s.add(13);
    s.add(63);
    s.add(64);  // out of range: ignored
    CHECK(s.count() == 3);
    CHECK(s.has(13));
    CHECK_FALSE(s.has(12));
    CHECK_FALSE(s.has(64));
    std::string order;
    for (Cap c : s) order += std::to_string(c) + " ";
    CHECK(order == "0 13 63 ");
    s.remove(63);
    CHECK(s.mask() == ((1ull << 13) | 1));
    CHECK((CapSet(6) | CapSet(1)) == CapSet(7));
    CHECK((CapSet(6) & CapSet(3)) == CapSet(2));
    CHECK((CapSet(7) - CapSet(2)) == CapSet(5));
    CHECK(CapSet(4).intersects(CapSet(6)));
    CHECK_FALSE(CapSet(4).intersects(CapSet(3)));
}

TEST_CASE("full means every capability up to cap_last_cap, higher bits ignored") {
    CHECK(CapSet::all_up_to(40).mask() == 0x1ffffffffffull);
    CHECK(CapSet::all_up_to(63).mask() == ~0ull);
    CHECK(CapSet::all_up_to(0).mask() == 1);
    CHECK(CapSet(0x1ffffffffffull).is_full(40));
    CHECK(CapSet(~0ull).is_full(40));
    CHECK_FALSE(CapSet(0x1fffeffffffull).is_full(40));  // no sys_resource
    CHECK_FALSE(CapSet(0x1ffffffffffull).is_full(41));
}

TEST_CASE("our name table matches libcap and libcap-ng for every number") {
    auto root = ProcRoot::open();
    REQUIRE(root);
    auto last = read_cap_last_cap(*root);
    REQUIRE(last);
    CHECK(*last >= 40);  // checkpoint_restore exists since Linux 5.9
    for (Cap c = 0; c <= max_cap; ++c) {
        CAPTURE(c);
        // libcap answers a bare number for the capabilities it has no name for.
        std::unique_ptr<char, int (*)(void*)> libcap(cap_to_name(static_cast<cap_value_t>(c)), cap_free);
        std::string expected = libcap.get();
        if (expected.rfind("cap_", 0) == 0) {
            CHECK(cap_name(c) == expected.substr(4));
        } else {
            CHECK(cap_name(c) == "cap_" + std::to_string(c));
        }
        // libcap-ng's own table (built against older headers) must agree where it has a name.
        const char* ng = capng_capability_to_name(static_cast<unsigned>(c));
        if (ng && std::string(ng).find_first_not_of("0123456789") != std::string::npos)
            CHECK(cap_name(c) == ng);
    }
}

TEST_CASE("numbers without a libcap name print as cap_N and parse back") {
    // libcap 2.66 names capabilities up to 40; 41..63 are valid numbers without names.
    CHECK(cap_name(41) == "cap_41");
    CHECK(cap_name(63) == "cap_63");
    CHECK(parse_cap("cap_41").value() == 41);
    CHECK(parse_cap("CAP_63").value() == 63);
    CHECK_FALSE(parse_cap("cap_64"));
}

TEST_CASE("parse_cap: any case, with or without cap_, or a number") {
    CHECK(parse_cap("chown").value() == 0);
    CHECK(parse_cap("CHOWN").value() == 0);
    CHECK(parse_cap("cap_net_raw").value() == 13);
    CHECK(parse_cap("Cap_Net_Raw").value() == 13);
    CHECK(parse_cap("Net_Raw").value() == 13);
    CHECK(parse_cap("40").value() == 40);
    CHECK(parse_cap("63").value() == 63);
    for (const char* bad : {"", "64", "-1", "net raw", "cap_", "13x", "nosuchcap", "0x1", "cap_cap_chown"}) {
        CAPTURE(bad);
        auto r = parse_cap(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == EINVAL);
    }
    CHECK(parse_cap("nosuchcap").error().message() == "unknown capability: nosuchcap");
}

TEST_CASE("parse_cap_list") {
    CHECK(parse_cap_list("net_raw,chown", 40).value() == CapSet(0x2001));
    CHECK(parse_cap_list("net_raw, CAP_CHOWN  kill", 40).value() == CapSet(0x2021));
    CHECK(parse_cap_list("all", 40).value() == CapSet::all_up_to(40));
    CHECK(parse_cap_list("13,13", 40).value() == CapSet(0x2000));
    CHECK_FALSE(parse_cap_list("", 40));
    CHECK_FALSE(parse_cap_list(" , ", 40));
    CHECK_FALSE(parse_cap_list("net_raw,bogus", 40));
}

TEST_CASE("hex masks as /proc prints them") {
    CHECK(parse_cap_mask("000001ffffffffff").value() == CapSet(0x1ffffffffffull));
    CHECK(parse_cap_mask("0x3000").value() == CapSet(0x3000));
    CHECK(parse_cap_mask("FFFFFFFFFFFFFFFF").value() == CapSet(~0ull));
    for (const char* bad : {"", "0x", "00000000000000000", "zz", "12 3", "-1", "+1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_cap_mask(bad));
    }
    CHECK(format_cap_mask(CapSet(0x1ffffffffffull)) == "000001ffffffffff");
    CHECK(format_cap_mask(CapSet()) == "0000000000000000");
    for (std::uint64_t m : {0ull, 1ull, 0x8000000000000000ull, 0x123456789abcdefull})
        CHECK(parse_cap_mask(format_cap_mask(CapSet(m))).value() == CapSet(m));
}

TEST_CASE("format_cap_list") {
    CHECK(format_cap_list(CapSet()) == "");
    CHECK(format_cap_list(CapSet(0x2400)) == "net_bind_service, net_raw");
    CHECK(format_cap_list(CapSet(0x2400), ",") == "net_bind_service,net_raw");
    CHECK(format_cap_list(CapSet(1ull << 41 | 1)) == "chown, cap_41");
}

TEST_CASE("read_thread_caps matches the caller's own status") {
    auto self = read_thread_caps(0);
    REQUIRE(self);
    auto other = read_thread_caps(0x7ffffff0);
    REQUIRE_FALSE(other);
    CHECK(other.error().code == ESRCH);
}
