// Securebits: the per-thread flags that switch off the special treatment of uid 0 and lock
// that choice. Reference: capabilities(7) "The securebits flags", linux/securebits.h,
// prctl(2) PR_GET_SECUREBITS. They are not in /proc/PID/status: a thread can only read its
// own, so the I/O part here reads the caller's.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

// Bit numbers of linux/securebits.h. Each flag is followed by its lock bit.
enum class Securebit : unsigned {
    noroot = 0,
    noroot_locked = 1,
    no_setuid_fixup = 2,
    no_setuid_fixup_locked = 3,
    keep_caps = 4,
    keep_caps_locked = 5,
    no_cap_ambient_raise = 6,
    no_cap_ambient_raise_locked = 7,
};
inline constexpr unsigned securebit_count = 8;

class Securebits {
public:
    constexpr Securebits() = default;
    constexpr explicit Securebits(std::uint32_t mask) : mask_(mask) {}

    static constexpr std::uint32_t bit(Securebit b) { return std::uint32_t{1} << static_cast<unsigned>(b); }
    // The four flags libcap-ng's capng_lock() sets and captest prints.
    static constexpr std::uint32_t lock_mask = 0x0f;

    constexpr std::uint32_t mask() const { return mask_; }
    constexpr bool has(Securebit b) const { return (mask_ & bit(b)) != 0; }
    constexpr bool empty() const { return mask_ == 0; }
    constexpr void add(Securebit b) { mask_ |= bit(b); }
    constexpr void remove(Securebit b) { mask_ &= ~bit(b); }
    friend constexpr bool operator==(Securebits a, Securebits b) { return a.mask_ == b.mask_; }
    friend constexpr bool operator!=(Securebits a, Securebits b) { return a.mask_ != b.mask_; }

private:
    std::uint32_t mask_ = 0;
};

// "NOROOT", "KEEP_CAPS_LOCKED", ...: the linux/securebits.h name without "SECBIT_", as
// libcap-ng prints the first four. An unknown bit number gives "".
CAPINSPECT_API std::string_view securebit_name(Securebit b);

// The names of the set bits among `which` (a mask), in bit order, joined by sep; a set
// bit above the known ones prints as "bit_N". "" when none is set.
CAPINSPECT_API std::string format_securebits(Securebits bits, std::uint32_t which = ~std::uint32_t{0},
                                             std::string_view sep = ", ");

// The securebits of the calling thread: prctl(PR_GET_SECUREBITS).
CAPINSPECT_API Result<Securebits> read_securebits();

}  // namespace capinspect
