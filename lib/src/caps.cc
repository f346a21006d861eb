#include <capinspect/caps.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <iterator>

#include <capinspect/proc_root.h>

namespace capinspect {
namespace {

// The names of capabilities(7), lower case without "cap_", in the kernel's numbering
// (linux/capability.h). A table of our own, as systemd's cap-list keeps: the programs
// that only print names then do not load libcap at start-up, and a unit test checks
// every entry against libcap and libcap-ng.
struct KnownCap {
    Cap number;
    std::string_view name;
};
constexpr KnownCap known_caps[] = {
    {CAP_CHOWN, "chown"}, {CAP_DAC_OVERRIDE, "dac_override"},
    {CAP_DAC_READ_SEARCH, "dac_read_search"}, {CAP_FOWNER, "fowner"}, {CAP_FSETID, "fsetid"},
    {CAP_KILL, "kill"}, {CAP_SETGID, "setgid"}, {CAP_SETUID, "setuid"}, {CAP_SETPCAP, "setpcap"},
    {CAP_LINUX_IMMUTABLE, "linux_immutable"}, {CAP_NET_BIND_SERVICE, "net_bind_service"},
    {CAP_NET_BROADCAST, "net_broadcast"}, {CAP_NET_ADMIN, "net_admin"}, {CAP_NET_RAW, "net_raw"},
    {CAP_IPC_LOCK, "ipc_lock"}, {CAP_IPC_OWNER, "ipc_owner"}, {CAP_SYS_MODULE, "sys_module"},
    {CAP_SYS_RAWIO, "sys_rawio"}, {CAP_SYS_CHROOT, "sys_chroot"}, {CAP_SYS_PTRACE, "sys_ptrace"},
    {CAP_SYS_PACCT, "sys_pacct"}, {CAP_SYS_ADMIN, "sys_admin"}, {CAP_SYS_BOOT, "sys_boot"},
    {CAP_SYS_NICE, "sys_nice"}, {CAP_SYS_RESOURCE, "sys_resource"}, {CAP_SYS_TIME, "sys_time"},
    {CAP_SYS_TTY_CONFIG, "sys_tty_config"}, {CAP_MKNOD, "mknod"}, {CAP_LEASE, "lease"},
    {CAP_AUDIT_WRITE, "audit_write"}, {CAP_AUDIT_CONTROL, "audit_control"},
    {CAP_SETFCAP, "setfcap"}, {CAP_MAC_OVERRIDE, "mac_override"}, {CAP_MAC_ADMIN, "mac_admin"},
    {CAP_SYSLOG, "syslog"}, {CAP_WAKE_ALARM, "wake_alarm"}, {CAP_BLOCK_SUSPEND, "block_suspend"},
    {CAP_AUDIT_READ, "audit_read"}, {CAP_PERFMON, "perfmon"}, {CAP_BPF, "bpf"},
    {CAP_CHECKPOINT_RESTORE, "checkpoint_restore"},
};

constexpr bool numbered_in_order() {
    for (Cap c = 0; c < std::size(known_caps); ++c)
        if (known_caps[c].number != c) return false;
    return true;
}
static_assert(numbered_in_order(), "known_caps must list the kernel's numbers in order");

// Known names, then cap_N for the numbers the table does not know (as libcap prints them).
const std::array<std::string, max_cap + 1>& name_table() {
    static const auto table = [] {
        std::array<std::string, max_cap + 1> names;
        for (Cap c = 0; c <= max_cap; ++c)
            names[c] = c < std::size(known_caps) ? std::string(known_caps[c].name)
                                                 : "cap_" + std::to_string(c);
        return names;
    }();
    return table;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

}  // namespace

const std::string& cap_name(Cap c) {
    static const std::string out_of_range = "cap_?";
    return c <= max_cap ? name_table()[c] : out_of_range;
}

std::string format_cap_list(CapSet set, std::string_view sep) {
    std::string out;
    for (Cap c : set) {
        if (!out.empty()) out += sep;
        out += cap_name(c);
    }
    return out;
}

Result<Cap> parse_cap(std::string_view text) {
    auto invalid = [&] { return fail_data("unknown capability: " + std::string(text)); };
    if (text.empty()) return invalid();
    if (text.front() >= '0' && text.front() <= '9') {
        Cap c = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), c);
        if (ec != std::errc() || end != text.data() + text.size() || c > max_cap) return invalid();
        return c;
    }
    std::string_view bare = text;
    if (bare.size() > 4 && iequals(bare.substr(0, 4), "cap_")) bare.remove_prefix(4);
    for (Cap c = 0; c <= max_cap; ++c)
        if (iequals(bare, name_table()[c])) return c;
    // "cap_41" style names for numbers libcap does not name parse back too.
    if (iequals(text.substr(0, 4), "cap_")) {
        auto rest = text.substr(4);
        Cap c = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), c);
        if (ec == std::errc() && end == rest.data() + rest.size() && !rest.empty() && c <= max_cap)
            return c;
    }
    return invalid();
}

Result<CapSet> parse_cap_list(std::string_view text, Cap last_cap) {
    CapSet set;
    bool any = false;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ',' || text[i] == ' ' || text[i] == '\t') { ++i; continue; }
        size_t j = text.find_first_of(", \t", i);
        if (j == std::string_view::npos) j = text.size();
        auto word = text.substr(i, j - i);
        if (iequals(word, "all")) {
            set = set | CapSet::all_up_to(last_cap);
        } else {
            auto cap = parse_cap(word);
            if (!cap) return fail(cap.error());
            set.add(*cap);
        }
        any = true;
        i = j;
    }
    if (!any) return fail_data("empty capability list");
    return set;
}

Result<CapSet> parse_cap_mask(std::string_view text) {
    auto invalid = [&] { return fail_data("invalid capability mask: " + std::string(text)); };
    std::string_view digits = text;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        digits.remove_prefix(2);
    if (digits.empty() || digits.size() > 16) return invalid();
    std::uint64_t mask = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mask, 16);
    if (ec != std::errc() || end != digits.data() + digits.size()) return invalid();
    return CapSet(mask);
}

std::string format_cap_mask(CapSet set) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(16, '0');
    std::uint64_t m = set.mask();
    for (int i = 15; i >= 0; --i, m >>= 4) out[static_cast<size_t>(i)] = hex[m & 0xf];
    return out;
}

std::string format_cap_summary(CapSet decided, CapSet listed, Cap last_cap, std::string_view sep) {
    if (decided.empty()) return "none";
    if (decided.is_full(last_cap)) return "full";
    return listed.empty() ? std::string("none") : format_cap_list(listed, sep);
}

Cap probe_cap_last_cap() {
    // The bounding set query fails (EINVAL) past the last capability.
    Cap last = 0;
    while (last < max_cap && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0) ++last;
    return last;
}

Cap live_cap_last_cap() {
    if (auto root = ProcRoot::open())
        if (auto last = read_cap_last_cap(*root)) return *last;
    return probe_cap_last_cap();
}

Result<Cap> read_cap_last_cap(const ProcRoot& root) {
    auto text = root.read_file("sys/kernel/cap_last_cap");
    if (text) {
        Cap last = 0;
        const char* begin = text->data();
        const char* end = begin + text->size();
        auto [ptr, ec] = std::from_chars(begin, end, last);
        if (ec != std::errc() || (ptr != end && *ptr != '\n'))
            return fail_data(root.path() + "/sys/kernel/cap_last_cap: not a number");
        return last > max_cap ? max_cap : last;
    }
    if (!root.is_live()) return fail(text.error());
    return probe_cap_last_cap();
}

Result<ThreadCaps> read_thread_caps(pid_t tid) {
    struct __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, tid};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    // glibc has capget(2) but no declaration of it (libcap's header has one).
    if (syscall(SYS_capget, &header, data) != 0) return fail(errno, "capget " + std::to_string(tid));
    auto join = [](std::uint32_t low, std::uint32_t high) {
        return CapSet(std::uint64_t{high} << 32 | low);
    };
    return ThreadCaps{join(data[0].effective, data[1].effective),
                      join(data[0].permitted, data[1].permitted),
                      join(data[0].inheritable, data[1].inheritable)};
}

}  // namespace capinspect
