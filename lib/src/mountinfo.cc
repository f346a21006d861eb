#include <capinspect/mountinfo.h>

#include <charconv>

#include <capinspect/proc_root.h>

namespace capinspect {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Undoes the kernel's mangling (\040 for a blank, ...), as util-linux's unmangle does: only
// a backslash and three octal digits is an escape; anything else stays as it is.
std::string unescape(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) && is_octal(field[i + 3])) {
            unsigned v = static_cast<unsigned>(field[i + 1] - '0') * 64 + static_cast<unsigned>(field[i + 2] - '0') * 8 +
                         static_cast<unsigned>(field[i + 3] - '0');
            if (v <= 0xff) {
                out += static_cast<char>(v);
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

// The blank-separated fields of a line (the kernel separates them with one blank; runs of
// blanks are tolerated).
std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        if (i == line.size()) break;
        size_t j = line.find(' ', i);
        if (j == std::string_view::npos) j = line.size();
        fields.push_back(line.substr(i, j - i));
        i = j;
    }
    return fields;
}

bool parse_u32(std::string_view text, std::uint32_t& out) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

Failure malformed(size_t line_no, const char* what) {
    return fail_data("malformed mountinfo line " + std::to_string(line_no) + ": " + what);
}

// The mount point of `m` with trailing slashes removed ("/" stays).
std::string_view trimmed(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    return path;
}

// Among the mounts whose mount point is exactly `point`, the top one: the one no other of
// them sits on. With several (a list that is not a proc file's), the last.
const MountEntry* top_of(const std::vector<MountEntry>& mounts, std::string_view point) {
    std::vector<const MountEntry*> stack;
    for (const MountEntry& m : mounts)
        if (trimmed(m.mount_point) == point) stack.push_back(&m);
    const MountEntry* top = nullptr;
    for (const MountEntry* m : stack) {
        bool covered = false;
        for (const MountEntry* o : stack)
            if (o != m && o->parent == m->id && o->id != m->id) {
                covered = true;
                break;
            }
        if (!covered) top = m;
    }
    // Every one is covered: a parent cycle, which no kernel writes. Take the last.
    if (!top && !stack.empty()) top = stack.back();
    return top;
}

}  // namespace

bool MountEntry::read_only() const { return has_mount_option(options, "ro"); }

Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text) {
    std::vector<MountEntry> mounts;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        ++line_no;
        if (line.empty()) continue;
        auto fields = split_fields(line);
        // Six fixed fields, the optional ones, "-", three more.
        size_t sep = 6;
        while (sep < fields.size() && fields[sep] != "-") ++sep;
        if (fields.size() < 6 || sep >= fields.size()) return malformed(line_no, "no \"-\" separator");
        if (fields.size() - sep - 1 < 2) return malformed(line_no, "too few fields after \"-\"");
        MountEntry m;
        if (!parse_u32(fields[0], m.id)) return malformed(line_no, "mount id");
        if (!parse_u32(fields[1], m.parent)) return malformed(line_no, "parent id");
        std::string_view dev = fields[2];
        size_t colon = dev.find(':');
        if (colon == std::string_view::npos || !parse_u32(dev.substr(0, colon), m.major) ||
            !parse_u32(dev.substr(colon + 1), m.minor))
            return malformed(line_no, "device");
        m.root = unescape(fields[3]);
        m.mount_point = unescape(fields[4]);
        if (m.mount_point.empty() || m.mount_point[0] != '/') return malformed(line_no, "mount point");
        m.options = std::string(fields[5]);
        for (size_t i = 6; i < sep; ++i) m.optional_fields.emplace_back(fields[i]);
        m.fs_type = unescape(fields[sep + 1]);
        m.source = unescape(fields[sep + 2]);
        // The super options may be missing on very old kernels; anything after them is kept.
        if (sep + 3 < fields.size()) m.super_options = std::string(fields[sep + 3]);
        mounts.push_back(std::move(m));
    }
    return mounts;
}

Result<std::vector<MountEntry>> read_mountinfo(const ProcDir& dir) {
    auto text = dir.read_file("mountinfo", proc_table_limit);
    if (!text) return fail(text.error());
    auto mounts = parse_mountinfo(*text);
    if (!mounts) mounts.error().context = dir.label() + "/mountinfo: " + mounts.error().context;
    return mounts;
}

bool has_mount_option(std::string_view options, std::string_view option) {
    while (true) {
        size_t comma = options.find(',');
        if (options.substr(0, comma) == option) return true;
        if (comma == std::string_view::npos) return false;
        options.remove_prefix(comma + 1);
    }
}

bool is_path_below(std::string_view path, std::string_view ancestor) {
    path = trimmed(path);
    ancestor = trimmed(ancestor);
    if (ancestor == "/") return !path.empty() && path[0] == '/';
    if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) return false;
    return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

const MountEntry* find_covering_mount(const std::vector<MountEntry>& mounts, std::string_view path) {
    path = trimmed(path);
    std::string_view best;
    bool found = false;
    for (const MountEntry& m : mounts) {
        std::string_view point = trimmed(m.mount_point);
        if (is_path_below(path, point) && (!found || point.size() > best.size())) {
            best = point;
            found = true;
        }
    }
    return found ? top_of(mounts, best) : nullptr;
}

const MountEntry* find_mount_at(const std::vector<MountEntry>& mounts, std::string_view path) {
    return top_of(mounts, trimmed(path));
}

}  // namespace capinspect
