#include <capinspect/file_caps.h>

#include <fcntl.h>

#include <cerrno>

#include "file_caps_internal.h"
#include "xattr_at.h"

namespace capinspect {
namespace {

constexpr std::uint32_t revision_mask = 0xFF000000;
constexpr std::uint32_t flag_effective = 0x000001;

std::uint32_t load_le32(std::string_view b, size_t at) {
    auto byte = [&](size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])); };
    return byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
}

void store_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

size_t size_of_revision(unsigned revision) {
    switch (revision) {
    case 1: return 12;
    case 2: return 20;
    case 3: return 24;
    default: return 0;
    }
}

std::string hex(unsigned v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[v & 0xF]);
        v >>= 4;
    } while (v);
    return "0x" + out;
}

}  // namespace

Result<FileCaps> decode_vfs_cap(std::string_view bytes) {
    std::string what = std::string(file_caps_xattr) + ": ";
    if (bytes.size() < 4)
        return fail_data(what + std::to_string(bytes.size()) + " bytes, too short for a header");
    std::uint32_t magic = load_le32(bytes, 0);
    unsigned revision = (magic & revision_mask) >> 24;
    size_t expected = size_of_revision(revision);
    if (expected == 0) return fail_data(what + "unknown revision " + hex(revision));
    if (bytes.size() != expected)
        return fail_data(what + std::to_string(bytes.size()) + " bytes for revision " +
                         std::to_string(revision) + " (expected " + std::to_string(expected) + ")");
    FileCaps caps;
    caps.revision = revision;
    caps.effective = (magic & flag_effective) != 0;
    std::uint64_t permitted = load_le32(bytes, 4), inheritable = load_le32(bytes, 8);
    if (revision >= 2) {
        permitted |= std::uint64_t{load_le32(bytes, 12)} << 32;
        inheritable |= std::uint64_t{load_le32(bytes, 16)} << 32;
    }
    caps.permitted = CapSet(permitted);
    caps.inheritable = CapSet(inheritable);
    if (revision == 3) caps.rootid = load_le32(bytes, 20);
    return caps;
}

std::string encode_vfs_cap(const FileCaps& caps) {
    unsigned revision = size_of_revision(caps.revision) ? caps.revision : 2;
    std::string out;
    store_le32(out, revision << 24 | (caps.effective ? flag_effective : 0));
    std::uint64_t p = caps.permitted.mask(), i = caps.inheritable.mask();
    store_le32(out, static_cast<std::uint32_t>(p));
    store_le32(out, static_cast<std::uint32_t>(i));
    if (revision >= 2) {
        store_le32(out, static_cast<std::uint32_t>(p >> 32));
        store_le32(out, static_cast<std::uint32_t>(i >> 32));
    }
    if (revision == 3) store_le32(out, caps.rootid.value_or(0));
    return out;
}

namespace detail {

Result<std::optional<FileCaps>> decode_read(std::optional<std::string> raw, int err) {
    if (raw) {
        auto caps = decode_vfs_cap(*raw);
        if (!caps) return fail(caps.error());
        return std::optional<FileCaps>(*caps);
    }
    if (err == ENODATA) return std::optional<FileCaps>();
    // security/commoncap.c refuses to return a stored value that is neither a valid
    // revision 2 nor revision 3 value (revision 1 included) with EINVAL.
    if (err == EINVAL)
        return fail_data(std::string("malformed ") + file_caps_xattr +
                         " value (the kernel refuses to return it)");
    return fail(err, "");
}

Result<std::optional<FileCaps>> read_file_caps_at(int dirfd, const char* name, const char* path) {
    int err = 0;
    auto raw = read_raw(
        [&](char* buf, size_t size) {
            return get_xattr_at(dirfd, name, file_caps_xattr, buf, size, path);
        },
        err);
    return decode_read(std::move(raw), err);
}

Error with_path(Error e, const std::string& path) {
    e.context = e.data ? path + ": " + e.context : path;
    return e;
}

}  // namespace detail

Result<std::optional<FileCaps>> read_file_caps(int dirfd, const char* name, const std::string& path) {
    auto caps = detail::read_file_caps_at(dirfd, name, path.c_str());
    if (!caps) return fail(detail::with_path(caps.error(), path));
    return caps;
}

Result<std::optional<FileCaps>> read_file_caps(const std::string& path) {
    return read_file_caps(AT_FDCWD, path.c_str(), path);
}

}  // namespace capinspect
