#include <capinspect/proc_status.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>

#include <capinspect/proc_root.h>

#include "proc_root_internal.h"
#include "proc_status_internal.h"

namespace capinspect {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// "0\t0\t0\t0": the four ids of Uid:/Gid:.
bool parse_ids(std::string_view text, IdSet& ids) {
    std::uint32_t* fields[] = {&ids.real, &ids.effective, &ids.saved, &ids.fs};
    size_t i = 0;
    for (std::uint32_t* field : fields) {
        if (i > text.size()) return false;  // fewer than four ids
        size_t j = text.find('\t', i);
        if (j == std::string_view::npos) j = text.size();
        if (!parse_number(text.substr(i, j - i), *field)) return false;
        i = j + 1;
    }
    return i == text.size() + 1;
}

bool parse_flag(std::string_view text, bool& out) {
    if (text != "0" && text != "1") return false;
    out = text == "1";
    return true;
}

bool parse_mask(std::string_view text, CapSet& out) {
    if (text.size() != 16) return false;  // the kernel always prints 16 digits
    auto set = parse_cap_mask(text);
    if (!set) return false;
    out = *set;
    return true;
}

bool parse_pid_list(std::string_view text, std::vector<pid_t>& out) {
    size_t i = 0;
    while (i <= text.size()) {
        size_t j = text.find('\t', i);
        if (j == std::string_view::npos) j = text.size();
        pid_t pid = 0;
        if (!parse_number(text.substr(i, j - i), pid)) return false;
        out.push_back(pid);
        i = j + 1;
    }
    return !out.empty();
}

// The fields we read, each at most once.
enum Field : unsigned {
    f_name, f_state, f_tgid, f_pid, f_ppid, f_uid, f_gid, f_capinh, f_capprm, f_capeff,
    f_capbnd, f_capamb, f_nnp, f_seccomp, f_seccomp_filters, f_nspid, f_kthread, f_count
};
constexpr unsigned required = 1u << f_name | 1u << f_pid | 1u << f_ppid | 1u << f_uid |
                              1u << f_gid | 1u << f_capinh | 1u << f_capprm | 1u << f_capeff |
                              1u << f_capbnd;
constexpr std::string_view field_names[f_count] = {
    "Name", "State", "Tgid", "Pid", "PPid", "Uid", "Gid", "CapInh", "CapPrm", "CapEff",
    "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters", "NSpid", "Kthread"};

// For each first byte, the fields whose names start with it: a line's key is compared
// with three names at most instead of all seventeen (pscap parses a file per process;
// this halved the time of a parse).
constexpr auto fields_by_initial = [] {
    std::array<std::uint32_t, 256> table{};
    for (unsigned f = 0; f < f_count; ++f)
        table[static_cast<unsigned char>(field_names[f][0])] |= 1u << f;
    return table;
}();

// The field a key names, or f_count for the fields we skip.
unsigned find_field(std::string_view key) {
    if (key.empty()) return f_count;
    for (std::uint32_t m = fields_by_initial[static_cast<unsigned char>(key[0])]; m; m &= m - 1) {
        unsigned f = static_cast<unsigned>(std::countr_zero(m));
        if (field_names[f] == key) return f;
    }
    return f_count;
}

bool parse_field(Field f, std::string_view value, ProcStatus& st) {
    switch (f) {
    case f_name:
        // comm is a C string in the kernel: a NUL byte cannot be part of it.
        if (value.find('\0') != std::string_view::npos) return false;
        st.name = unescape_status_name(value);
        return true;
    case f_state: if (value.empty()) return false; st.state = value[0]; return true;
    case f_tgid: return parse_number(value, st.tgid);
    case f_pid: return parse_number(value, st.pid);
    case f_ppid: return parse_number(value, st.ppid);
    case f_uid: return parse_ids(value, st.uid);
    case f_gid: return parse_ids(value, st.gid);
    case f_capinh: return parse_mask(value, st.inheritable);
    case f_capprm: return parse_mask(value, st.permitted);
    case f_capeff: return parse_mask(value, st.effective);
    case f_capbnd: return parse_mask(value, st.bounding);
    case f_capamb: return parse_mask(value, st.ambient.emplace());
    case f_nnp: return parse_flag(value, st.no_new_privs.emplace());
    case f_seccomp: {
        unsigned mode = 0;
        if (!parse_number(value, mode) || mode > 2) return false;
        st.seccomp = static_cast<SeccompMode>(mode);
        return true;
    }
    case f_seccomp_filters: return parse_number(value, st.seccomp_filters.emplace());
    case f_nspid: return parse_pid_list(value, st.nspid);
    case f_kthread: return parse_flag(value, st.kthread.emplace());
    case f_count: break;
    }
    return false;
}

}  // namespace

std::string unescape_status_name(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        char c = text[++i];
        switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case 'e': out += '\x1b'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        default: out += '\\'; out += c; break;
        }
    }
    return out;
}

Result<ProcStatus> parse_status(std::string_view text) {
    ProcStatus st;
    unsigned seen = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view key = line.substr(0, colon);
        unsigned f = find_field(key);
        if (f == f_count) continue;
        if (seen & 1u << f) return fail_data("duplicated field " + std::string(key));
        seen |= 1u << f;
        std::string_view value = line.substr(colon + 1);
        // The kernel separates key and value with a tab; blanks pad some fields.
        while (!value.empty() && (value.front() == '\t' || value.front() == ' ')) value.remove_prefix(1);
        if (f != f_name)
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        if (!parse_field(static_cast<Field>(f), value, st))
            return fail_data("malformed field " + std::string(key));
    }
    if ((seen & required) != required) {
        for (unsigned f = 0; f < f_count; ++f)
            if ((required & 1u << f) && !(seen & 1u << f))
                return fail_data("missing field " + std::string(field_names[f]));
    }
    if (!(seen & 1u << f_tgid)) st.tgid = st.pid;
    return st;
}

Result<ProcStatus> read_status(const ProcDir& dir) {
    unsigned threads = 0;
    return detail::read_status(dir, threads);
}

Result<ProcStatus> detail::read_status(const ProcDir& dir, unsigned& threads) {
    auto text = detail::read_single_record(dir, "status");
    if (!text) return fail(text.error());
    auto st = parse_status(*text);
    if (!st) {
        // Name the file: "/proc/123/status: malformed field CapEff".
        st.error().context = dir.label() + "/status: " + st.error().context;
        return st;
    }
    threads = 0;
    constexpr std::string_view key = "\nThreads:";
    if (size_t at = text->find(key); at != std::string::npos) {
        std::string_view value = std::string_view(*text).substr(at + key.size());
        value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
        std::from_chars(value.data(), value.data() + value.size(), threads);
    }
    return st;
}

Result<unsigned> parse_stat_flags(std::string_view text) {
    // "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": the command may hold
    // blanks and parentheses, so the fields are counted after its last ')'.
    size_t close = text.rfind(')');
    if (close == std::string_view::npos) return fail_data("stat: no command field");
    std::string_view rest = text.substr(close + 1);
    for (int field = 3; field <= 9; ++field) {
        size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        size_t end = rest.find(' ');
        std::string_view word = rest.substr(0, end);
        if (field == 9) {
            unsigned flags = 0;
            auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), flags);
            if (ec != std::errc() || ptr != word.data() + word.size()) break;
            return flags;
        }
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end);
    }
    return fail_data("stat: malformed flags field");
}

std::optional<SeccompMode> find_seccomp_mode(std::string_view name) {
    for (SeccompMode m : {SeccompMode::disabled, SeccompMode::strict, SeccompMode::filter})
        if (name == seccomp_mode_name(m)) return m;
    return std::nullopt;
}

const char* seccomp_mode_name(SeccompMode mode) {
    switch (mode) {
    case SeccompMode::disabled: return "disabled";
    case SeccompMode::strict: return "strict";
    case SeccompMode::filter: return "filter";
    }
    return "disabled";
}

}  // namespace capinspect
