#include <doctest/doctest.h>

#include <capinspect/securebits.h>

#include <linux/securebits.h>
#include <sys/prctl.h>

#include <string>

using namespace capinspect;

TEST_CASE("securebit numbers are linux/securebits.h's") {
    CHECK(Securebits::bit(Securebit::noroot) == SECBIT_NOROOT);
    CHECK(Securebits::bit(Securebit::noroot_locked) == SECBIT_NOROOT_LOCKED);
    CHECK(Securebits::bit(Securebit::no_setuid_fixup) == SECBIT_NO_SETUID_FIXUP);
    CHECK(Securebits::bit(Securebit::no_setuid_fixup_locked) == SECBIT_NO_SETUID_FIXUP_LOCKED);
    CHECK(Securebits::bit(Securebit::keep_caps) == SECBIT_KEEP_CAPS);
    CHECK(Securebits::bit(Securebit::keep_caps_locked) == SECBIT_KEEP_CAPS_LOCKED);
    CHECK(Securebits::bit(Securebit::no_cap_ambient_raise) == SECBIT_NO_CAP_AMBIENT_RAISE);
    CHECK(Securebits::bit(Securebit::no_cap_ambient_raise_locked) == SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED);
    // capng_lock()'s four flags
    CHECK(Securebits::lock_mask ==
          (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED));
}

TEST_CASE("securebit names, in libcap-ng's spelling") {
    CHECK(securebit_name(Securebit::noroot) == "NOROOT");
    CHECK(securebit_name(Securebit::no_setuid_fixup_locked) == "NO_SETUID_FIXUP_LOCKED");
    CHECK(securebit_name(Securebit::no_cap_ambient_raise_locked) == "NO_CAP_AMBIENT_RAISE_LOCKED");
    CHECK(securebit_name(static_cast<Securebit>(9)) == "");
}

TEST_CASE("format_securebits: bit order, a mask of the bits to show, unknown bits") {
    CHECK(format_securebits(Securebits()) == "");
    CHECK(format_securebits(Securebits(0x0f)) == "NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED");
    CHECK(format_securebits(Securebits(0x5f), Securebits::lock_mask) ==
          "NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED");
    CHECK(format_securebits(Securebits(0x50), Securebits::lock_mask) == "");
    CHECK(format_securebits(Securebits(0x50)) == "KEEP_CAPS, NO_CAP_AMBIENT_RAISE");
    CHECK(format_securebits(Securebits(0x101), ~0u, ",") == "NOROOT,bit_8");
}

TEST_CASE("Securebits algebra") {
    Securebits b;
    CHECK(b.empty());
    b.add(Securebit::keep_caps);
    CHECK(b.has(Securebit::keep_caps));
    CHECK_FALSE(b.has(Securebit::noroot));
    CHECK(b.mask() == 0x10);
    b.remove(Securebit::keep_caps);
    CHECK(b == Securebits());
}

TEST_CASE("read_securebits reads the caller's flags") {
    auto bits = read_securebits();
    REQUIRE(bits);
    CHECK(static_cast<int>(bits->mask()) == prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
}
