#include <capinspect/file_caps.h>

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <capinspect/proc_root.h>

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

// The raw value of the attribute, read through `get` (which has getxattr's contract):
// nullopt for ENODATA, else the bytes or -errno.
template <typename Get>
std::optional<std::string> read_raw(Get get, int& err) {
    char small[32];
    err = 0;
    ssize_t n = get(small, sizeof small);
    if (n >= 0) return std::string(small, static_cast<size_t>(n));
    if (errno != ERANGE) {
        err = errno;
        return std::nullopt;
    }
    // A value longer than any valid one: fetch it whole, so that it can be described.
    for (int attempt = 0; attempt < 4; ++attempt) {
        ssize_t size = get(nullptr, 0);
        if (size < 0) {
            err = errno;
            return std::nullopt;
        }
        std::string big(static_cast<size_t>(size), '\0');
        n = get(big.data(), big.size());
        if (n >= 0) {
            big.resize(static_cast<size_t>(n));
            return big;
        }
        if (errno != ERANGE) break;
    }
    err = errno;
    return std::nullopt;
}

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

Result<CapsFile> CapsFile::open(const std::string& path, const std::optional<FileId>& expected) {
    // O_PATH opens nothing for I/O: no device driver, no FIFO, no lease break. With
    // O_NOFOLLOW it gives the symlink itself, which is refused below.
    Fd handle(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!handle) return fail(errno, path);
    struct stat st {};
    if (::fstat(handle.get(), &st) != 0) return fail(errno, path);
    // Something else than what the caller checked (a symlink or another file swapped in
    // since) is refused as such, whatever it is.
    if (expected && (st.st_dev != expected->dev || st.st_ino != expected->ino))
        return fail(ESTALE, path);
    if (S_ISLNK(st.st_mode)) return fail(ELOOP, path);
    if (S_ISDIR(st.st_mode)) return fail(EISDIR, path);
    if (!S_ISREG(st.st_mode)) return fail_data(path + ": not a regular file");

    // Reopen that very inode through the descriptor's magic link. Without a proc file
    // system, open the path again (O_NOFOLLOW, and O_NONBLOCK in case it became a FIFO)
    // and compare.
    std::string self = std::string(default_proc_path) + "/self/fd/" + std::to_string(handle.get());
    Fd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd && errno == ENOENT)
        fd = Fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) return fail(errno, path);
    struct stat again {};
    if (::fstat(fd.get(), &again) != 0) return fail(errno, path);
    if (again.st_dev != st.st_dev || again.st_ino != st.st_ino || !S_ISREG(again.st_mode))
        return fail(ESTALE, path);
    return CapsFile(path, std::move(fd), FileId{st.st_dev, st.st_ino});
}

Result<std::optional<FileCaps>> CapsFile::read() const {
    int err = 0;
    auto raw = read_raw(
        [&](char* buf, size_t size) { return ::fgetxattr(fd_.get(), file_caps_xattr, buf, size); },
        err);
    auto caps = decode_read(std::move(raw), err);
    if (!caps) return fail(detail::with_path(caps.error(), path_));
    return caps;
}

Result<std::optional<FileCaps>> CapsFile::write(const std::optional<FileCaps>& caps) {
    auto get = [&](char* buf, size_t size) {
        return ::fgetxattr(fd_.get(), file_caps_xattr, buf, size);
    };
    int err = 0;
    std::optional<std::string> before = read_raw(get, err);
    if (!before && err != ENODATA && err != EINVAL) return fail(err, path_);

    if (!caps) {
        if (::cap_set_fd(fd_.get(), nullptr) != 0) return fail(errno, path_);
    } else {
        std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> text(::cap_init(), ::cap_free);
        if (!text) return fail(errno, path_);
        auto raise = [&](cap_flag_t flag, CapSet set) {
            for (Cap c : set) {
                cap_value_t v = static_cast<cap_value_t>(c);
                if (::cap_set_flag(text.get(), flag, 1, &v, CAP_SET) != 0) return false;
            }
            return true;
        };
        // A file has no effective set, only a flag: libcap writes the flag when the
        // effective set equals permitted | inheritable.
        if (!raise(CAP_PERMITTED, caps->permitted) || !raise(CAP_INHERITABLE, caps->inheritable) ||
            (caps->effective && !raise(CAP_EFFECTIVE, caps->effective_set())))
            return fail(errno, path_);
        if (caps->rootid && ::cap_set_nsowner(text.get(), static_cast<uid_t>(*caps->rootid)) != 0)
            return fail(errno, path_);
        if (::cap_set_fd(fd_.get(), text.get()) != 0) return fail(errno, path_);
    }

    // Read back what the kernel stored, as this namespace sees it.
    std::optional<std::string> after = read_raw(get, err);
    std::optional<FileCaps> now;
    bool same = false;
    if (after) {
        if (auto decoded = decode_vfs_cap(*after)) {
            now = *decoded;
            if (caps) {
                bool flag = caps->effective && !caps->effective_set().empty();
                // libcap writes a rootid of 0 as revision 2.
                std::uint32_t want_root = caps->rootid.value_or(0);
                bool root_ok = want_root == 0 ? !now->rootid.has_value()
                                              : now->rootid.value_or(0) == want_root;
                same = now->permitted == caps->permitted && now->inheritable == caps->inheritable &&
                       now->effective == flag && root_ok;
            }
        }
    } else {
        same = !caps && err == ENODATA;
    }
    if (!same) {
        // Put the previous value back as it was, byte for byte.
        if (before)
            ::fsetxattr(fd_.get(), file_caps_xattr, before->data(), before->size(), 0);
        else
            ::fremovexattr(fd_.get(), file_caps_xattr);
        return Failure(Error{EIO,
                             path_ + ": the capabilities read back differ from those written; "
                                     "the previous value was put back",
                             true});
    }
    return now;
}

Result<std::optional<FileCaps>> write_file_caps(const std::string& path,
                                                const std::optional<FileCaps>& caps,
                                                const std::optional<FileId>& expected) {
    auto file = CapsFile::open(path, expected);
    if (!file) return fail(file.error());
    return file->write(caps);
}

}  // namespace capinspect
