// File capabilities: the security.capability extended attribute of a regular file.
// Reference: capabilities(7) "File capabilities", linux/capability.h (struct vfs_cap_data,
// struct vfs_ns_cap_data), security/commoncap.c (what the kernel accepts and how it
// rewrites V3 values for the reader's user namespace), getxattrat(2) (Linux 6.13).
//
// The value is little-endian: a 32-bit magic_etc word (revision in the top byte, the
// effective flag in bit 0), then one {permitted, inheritable} pair of 32-bit words per
// 32 capabilities (one pair for revision 1, two for revisions 2 and 3), then, for
// revision 3 only, the 32-bit root uid of the user namespace the capabilities belong to.
// Reading never opens the file (a FIFO, a device or a file being replaced cannot block or
// trick the reader); writing goes through a descriptor checked to be the file that was
// asked for.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <capinspect/caps.h>
#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/proc_root.h>

namespace capinspect {

// The name of the extended attribute.
inline constexpr const char* file_caps_xattr = "security.capability";

struct FileCaps {
    unsigned revision = 2;  // 1, 2 or 3 (VFS_CAP_REVISION_N)
    CapSet permitted;
    CapSet inheritable;
    // The effective flag: on exec, the new permitted set is raised to effective. There is
    // no effective *set* in a file; a set flag means "permitted and inheritable".
    bool effective = false;
    // Revision 3: the root uid of the user namespace the capabilities apply to, as the
    // caller's user namespace sees it (the kernel translates it, and turns a value whose
    // rootid is the caller's own root into revision 2).
    std::optional<std::uint32_t> rootid;

    // The effective set as the kernel applies it on exec: permitted | inheritable when the
    // flag is set, else nothing.
    CapSet effective_set() const { return effective ? permitted | inheritable : CapSet(); }
    friend bool operator==(const FileCaps& a, const FileCaps& b) {
        return a.revision == b.revision && a.permitted == b.permitted && a.inheritable == b.inheritable &&
               a.effective == b.effective && a.rootid == b.rootid;
    }
    friend bool operator!=(const FileCaps& a, const FileCaps& b) { return !(a == b); }
};

// Decodes the raw bytes of a security.capability value. A value whose size does not match
// its revision (12 bytes for 1, 20 for 2, 24 for 3) or an unknown revision is a data
// error (EINVAL) saying what is wrong. Flag bits other than the effective flag are
// ignored, as the kernel ignores them.
CAPINSPECT_API Result<FileCaps> decode_vfs_cap(std::string_view bytes);

// The raw bytes of `caps` in its revision's layout (the inverse of decode_vfs_cap; a
// revision-1 value keeps only capabilities 0..31, a revision-3 value without a rootid
// stores 0). Used by tests and to restore a value exactly.
CAPINSPECT_API std::string encode_vfs_cap(const FileCaps& caps);

// Reads the capabilities of `name` relative to the directory `dirfd` (AT_FDCWD for a
// path) without opening it and without following a final symlink: getxattrat(2) where the
// kernel has it, else lgetxattr(2) on /proc/self/fd/DIRFD/NAME, else (no /proc either)
// lgetxattr(2) on `path`. `path` is the file's path, absolute or relative to the current
// directory; it is also the context of errors.
// No capabilities (ENODATA) is nullopt, not an error. A value the kernel refuses to return
// (EINVAL: malformed on disk) or that does not decode is a data error with code EINVAL.
// Other failures keep their errno (ENOENT: it vanished, ENOTSUP: a file system without
// extended attributes, EOVERFLOW: a V3 value for a user namespace whose root this
// namespace cannot name, EACCES, ...).
CAPINSPECT_API Result<std::optional<FileCaps>> read_file_caps(int dirfd, const char* name,
                                                              const std::string& path);

// The same for a path.
CAPINSPECT_API Result<std::optional<FileCaps>> read_file_caps(const std::string& path);

// The identity of a file: st_dev and st_ino.
struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    friend bool operator==(const FileId& a, const FileId& b) { return a.dev == b.dev && a.ino == b.ino; }
    friend bool operator!=(const FileId& a, const FileId& b) { return !(a == b); }
};

// A regular file opened to write its capabilities, safely: open() uses O_PATH|O_NOFOLLOW
// (a symlink, a directory or anything but a regular file is refused, and no device or
// FIFO is ever opened for I/O), checks the file is `expected` when given (ESTALE
// otherwise: it was replaced since the caller looked at it), then reopens that very inode
// read-only through the descriptor (extended attributes need no write access, and a
// write-only open of a running program would fail with ETXTBSY).
// Errors: the errno of the failing step with the path as context (ELOOP for a symlink,
// EISDIR for a directory, a data error for another kind of file).
class CAPINSPECT_API CapsFile {
public:
    static Result<CapsFile> open(const std::string& path,
                                 const std::optional<FileId>& expected = std::nullopt);

    const std::string& path() const { return path_; }
    FileId id() const { return id_; }

    // The capabilities of the open file (nullopt: none).
    Result<std::optional<FileCaps>> read() const;

    // Writes `caps` through the descriptor with libcap (cap_set_fd; a rootid is set with
    // cap_set_nsowner, which makes a revision-3 value), or removes the capabilities when
    // `caps` is nullopt (ENODATA when there were none, as removexattr(2) says). The
    // revision asked for is ignored: libcap writes revision 2, or 3 with a rootid other
    // than 0. Then the value is read back and compared; on a mismatch the previous value
    // is put back byte for byte and the result is a data error with code EIO. A previous
    // value the kernel does not return (malformed: EINVAL; namespaced for a root uid this
    // user namespace cannot name, or 0xffffffff: EOVERFLOW) does not prevent the write,
    // but cannot be put back: on a mismatch the capabilities are removed instead.
    // Returns the capabilities the file has afterwards. Errors: the errno of libcap or the
    // kernel (EPERM without CAP_SETFCAP over the file in this user namespace, ENOTSUP on
    // a file system without extended attributes, EINVAL for an impossible value).
    Result<std::optional<FileCaps>> write(const std::optional<FileCaps>& caps);

private:
    CapsFile(std::string path, Fd fd, FileId id)
        : path_(std::move(path)), fd_(std::move(fd)), id_(id) {}
    std::string path_;
    Fd fd_;
    FileId id_;
};

// CapsFile::open() then write().
CAPINSPECT_API Result<std::optional<FileCaps>> write_file_caps(
    const std::string& path, const std::optional<FileCaps>& caps,
    const std::optional<FileId>& expected = std::nullopt);

}  // namespace capinspect
