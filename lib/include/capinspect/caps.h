// Capability numbers, sets and names.
// Reference: capabilities(7), linux/capability.h, /proc/sys/kernel/cap_last_cap.
// Names come from libcap and print without the "cap_" prefix, as libcap-ng prints them;
// a number that libcap has no name for prints as "cap_N".
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcRoot;

using Cap = unsigned;               // 0 .. max_cap
inline constexpr Cap max_cap = 63;  // the kernel ABI stores sets in 64 bits

// A set of capabilities as the kernel stores it: one bit per capability.
class CapSet {
public:
    constexpr CapSet() = default;
    constexpr explicit CapSet(std::uint64_t mask) : mask_(mask) {}
    // Every capability from 0 to last (inclusive).
    static constexpr CapSet all_up_to(Cap last) {
        return CapSet(last >= max_cap ? ~std::uint64_t{0} : (std::uint64_t{2} << last) - 1);
    }

    constexpr std::uint64_t mask() const { return mask_; }
    constexpr bool empty() const { return mask_ == 0; }
    constexpr unsigned count() const { return static_cast<unsigned>(__builtin_popcountll(mask_)); }
    constexpr bool has(Cap c) const { return c <= max_cap && (mask_ >> c & 1); }
    constexpr void add(Cap c) { if (c <= max_cap) mask_ |= std::uint64_t{1} << c; }
    constexpr void remove(Cap c) { if (c <= max_cap) mask_ &= ~(std::uint64_t{1} << c); }
    // True when every capability the kernel knows (0..last_cap) is in the set;
    // bits above last_cap are ignored, as libcap-ng ignores them.
    constexpr bool is_full(Cap last_cap) const {
        CapSet known = all_up_to(last_cap);
        return (mask_ & known.mask_) == known.mask_;
    }
    constexpr bool intersects(CapSet o) const { return (mask_ & o.mask_) != 0; }

    friend constexpr CapSet operator|(CapSet a, CapSet b) { return CapSet(a.mask_ | b.mask_); }
    friend constexpr CapSet operator&(CapSet a, CapSet b) { return CapSet(a.mask_ & b.mask_); }
    friend constexpr CapSet operator-(CapSet a, CapSet b) { return CapSet(a.mask_ & ~b.mask_); }
    friend constexpr bool operator==(CapSet a, CapSet b) { return a.mask_ == b.mask_; }
    friend constexpr bool operator!=(CapSet a, CapSet b) { return a.mask_ != b.mask_; }

    // Iterates the capabilities in the set in ascending order.
    class iterator {
    public:
        constexpr explicit iterator(std::uint64_t rest) : rest_(rest) {}
        // rest_ is not 0 here: end() is the iterator whose rest_ is 0.
        constexpr Cap operator*() const { return static_cast<Cap>(__builtin_ctzll(rest_)); }
        constexpr iterator& operator++() { rest_ &= rest_ - 1; return *this; }
        constexpr bool operator==(const iterator& o) const { return rest_ == o.rest_; }
        constexpr bool operator!=(const iterator& o) const { return rest_ != o.rest_; }
    private:
        std::uint64_t rest_;
    };
    constexpr iterator begin() const { return iterator(mask_); }
    constexpr iterator end() const { return iterator(0); }

private:
    std::uint64_t mask_ = 0;
};

// "chown", "net_raw", ...; "cap_N" for a number libcap does not name.
CAPINSPECT_API const std::string& cap_name(Cap c);

// Names in ascending order joined by sep ("chown, kill"); "" for an empty set.
CAPINSPECT_API std::string format_cap_list(CapSet set, std::string_view sep = ", ");

// libcap-ng's summary of a process or a file: "none" when `decided` is empty, "full" when
// it holds every capability up to last_cap, else the names of `listed` joined by sep
// ("none" when that is empty). pscap decides by the effective set and lists the permitted
// one; filecap decides by what the file makes effective (or permitted).
CAPINSPECT_API std::string format_cap_summary(CapSet decided, CapSet listed, Cap last_cap,
                                             std::string_view sep = ", ");

// One capability: a name in any case, with or without "cap_", or a number 0..63.
CAPINSPECT_API Result<Cap> parse_cap(std::string_view text);

// A list of capabilities separated by commas and/or blanks; "all" means 0..last_cap.
CAPINSPECT_API Result<CapSet> parse_cap_list(std::string_view text, Cap last_cap);

// A hexadecimal mask as /proc prints it ("000001ffffffffff"), "0x" prefix allowed,
// at most 16 digits.
CAPINSPECT_API Result<CapSet> parse_cap_mask(std::string_view text);

// The mask as 16 lower-case hex digits, the way /proc/PID/status prints it.
CAPINSPECT_API std::string format_cap_mask(CapSet set);

// The highest capability the kernel knows: <proc>/sys/kernel/cap_last_cap, or, on the
// live system when that file cannot be read, probed with prctl(PR_CAPBSET_READ).
// Clamped to 63.
CAPINSPECT_API Result<Cap> read_cap_last_cap(const ProcRoot& root);

// The highest capability the running kernel knows, probed with prctl(PR_CAPBSET_READ),
// which answers EINVAL past it: for when /proc/sys/kernel/cap_last_cap cannot be read.
// Clamped to 63.
CAPINSPECT_API Cap probe_cap_last_cap();

// read_cap_last_cap() of the live proc file system, else probe_cap_last_cap().
CAPINSPECT_API Cap live_cap_last_cap();

// The three sets capget(2) reports for a thread of the live system (tid 0: the caller).
// No privilege is needed, and it is the cheapest way to learn whether a process holds
// anything: one system call and no file.
struct ThreadCaps {
    CapSet effective, permitted, inheritable;
};
CAPINSPECT_API Result<ThreadCaps> read_thread_caps(pid_t tid);

}  // namespace capinspect
