#include <capinspect/securebits.h>

#include <sys/prctl.h>

#include <cerrno>

namespace capinspect {

std::string_view securebit_name(Securebit b) {
    switch (b) {
    case Securebit::noroot: return "NOROOT";
    case Securebit::noroot_locked: return "NOROOT_LOCKED";
    case Securebit::no_setuid_fixup: return "NO_SETUID_FIXUP";
    case Securebit::no_setuid_fixup_locked: return "NO_SETUID_FIXUP_LOCKED";
    case Securebit::keep_caps: return "KEEP_CAPS";
    case Securebit::keep_caps_locked: return "KEEP_CAPS_LOCKED";
    case Securebit::no_cap_ambient_raise: return "NO_CAP_AMBIENT_RAISE";
    case Securebit::no_cap_ambient_raise_locked: return "NO_CAP_AMBIENT_RAISE_LOCKED";
    }
    return "";
}

std::string format_securebits(Securebits bits, std::uint32_t which, std::string_view sep) {
    std::string out;
    std::uint32_t shown = bits.mask() & which;
    for (unsigned i = 0; i < 32; ++i) {
        if (!(shown >> i & 1)) continue;
        if (!out.empty()) out += sep;
        if (i < securebit_count)
            out += securebit_name(static_cast<Securebit>(i));
        else
            out += "bit_" + std::to_string(i);
    }
    return out;
}

Result<Securebits> read_securebits() {
    int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (bits < 0) return fail(errno, "prctl PR_GET_SECUREBITS");
    return Securebits(static_cast<std::uint32_t>(bits));
}

}  // namespace capinspect
