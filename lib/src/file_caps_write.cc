// CapsFile, the safe write path of file capabilities. The only part of the library that
// needs libcap, in an object of its own so that programs that only read file capabilities
// (captest, pscap, netcap) link without it.
#include <capinspect/file_caps.h>

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <capinspect/proc_root.h>

#include "file_caps_internal.h"

namespace capinspect {

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
    auto raw = detail::read_raw(
        [&](char* buf, size_t size) { return ::fgetxattr(fd_.get(), file_caps_xattr, buf, size); },
        err);
    auto caps = detail::decode_read(std::move(raw), err);
    if (!caps) return fail(detail::with_path(caps.error(), path_));
    return caps;
}

Result<std::optional<FileCaps>> CapsFile::write(const std::optional<FileCaps>& caps) {
    auto get = [&](char* buf, size_t size) {
        return ::fgetxattr(fd_.get(), file_caps_xattr, buf, size);
    };
    // The value before, to put it back if the kernel stores something else. A value the
    // kernel will not return is no reason to keep it: EINVAL (malformed on disk) or
    // EOVERFLOW (a namespaced value whose root uid this user namespace cannot name, or
    // the invalid uid 0xffffffff) can still be removed or replaced, as setcap -r does;
    // the write itself then says whether the kernel allows it.
    int err = 0;
    std::optional<std::string> before = detail::read_raw(get, err);
    bool unknown_before = !before && err != ENODATA;
    if (unknown_before && err != EINVAL && err != EOVERFLOW) return fail(err, path_);

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
    std::optional<std::string> after = detail::read_raw(get, err);
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
        // Put the previous value back as it was, byte for byte. One that could not be
        // read cannot be: then the file keeps no capabilities at all rather than a value
        // nobody asked for.
        if (before)
            ::fsetxattr(fd_.get(), file_caps_xattr, before->data(), before->size(), 0);
        else
            ::fremovexattr(fd_.get(), file_caps_xattr);
        return Failure(Error{EIO,
                             path_ + ": the capabilities read back differ from those written; " +
                                 (unknown_before ? "the previous value could not be read, so "
                                                   "the capabilities were removed"
                                                 : "the previous value was put back"),
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
