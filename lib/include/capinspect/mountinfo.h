// /proc/PID/mountinfo: the mounts a process sees, in its own mount namespace and below its
// own root. Reference: proc(5) ("/proc/pid/mountinfo"), Documentation/filesystems/proc.rst
// §3.5, mount_namespaces(7); the kernel's show_mountinfo() (fs/proc_namespace.c).
//
// One line per mount:
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2) (3)   (4)   (5)    (6)       (7)   (8) (9)   (10)         (11)
// mount id, parent id, major:minor of the file system, the root of the mount within the
// file system, the mount point (relative to the process's root), per-mount options, zero or
// more optional fields ("shared:N", "master:N", ...) ended by "-", the file system type, the
// source, the super-block options. The kernel writes a blank, a tab, a newline and a
// backslash in the path fields as \040, \011, \012 and \134.
// Lines are in mount order: a mount comes after the mount it sits on, and a mount stacked on
// the same mount point (an over-mount) has the one below it as its parent.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcDir;

struct MountEntry {
    std::uint32_t id = 0, parent = 0;
    std::uint32_t major = 0, minor = 0;  // the file system's device
    std::string root;                    // the mount's root within its file system
    std::string mount_point;             // relative to the process's root directory
    std::string options;                 // per-mount options: "ro,nosuid,..."
    std::vector<std::string> optional_fields;  // "shared:1", "master:7", ...
    std::string fs_type;                 // "ext4", "tmpfs", "fuse.sshfs", ...
    std::string source;                  // "/dev/vda", "tmpfs", "none", ...
    std::string super_options;           // the super block's options

    // The per-mount "ro" option: nothing can be written below the mount point.
    bool read_only() const;
    friend bool operator==(const MountEntry& a, const MountEntry& b) {
        return a.id == b.id && a.parent == b.parent && a.major == b.major && a.minor == b.minor &&
               a.root == b.root && a.mount_point == b.mount_point && a.options == b.options &&
               a.optional_fields == b.optional_fields && a.fs_type == b.fs_type && a.source == b.source &&
               a.super_options == b.super_options;
    }
};

// Parses the text of a mountinfo file, octal escapes undone. An empty text is no mount. A
// line with fewer fields than the format has, without the "-" separator, or with an id or
// a device that is not a number is a data error (EINVAL) naming the line.
CAPINSPECT_API Result<std::vector<MountEntry>> parse_mountinfo(std::string_view text);

// Reads and parses <dir>/mountinfo.
CAPINSPECT_API Result<std::vector<MountEntry>> read_mountinfo(const ProcDir& dir);

// True when the comma-separated `options` list holds `option` exactly ("ro" is not in
// "errors=remount-ro").
CAPINSPECT_API bool has_mount_option(std::string_view options, std::string_view option);

// True when the absolute `path` is `ancestor` or lies below it ("/a/b" is below "/a",
// "/ab" is not; everything is below "/").
CAPINSPECT_API bool is_path_below(std::string_view path, std::string_view ancestor);

// The mount that decides what `path` (absolute, without "." or ".." components) is: the
// one on the longest mount point at or above it, and among mounts stacked on that same
// point the top one. nullptr when no mount covers it (no "/" in the list).
CAPINSPECT_API const MountEntry* find_covering_mount(const std::vector<MountEntry>& mounts,
                                                     std::string_view path);

// The top mount whose mount point is exactly `path`; nullptr when there is none.
CAPINSPECT_API const MountEntry* find_mount_at(const std::vector<MountEntry>& mounts, std::string_view path);

}  // namespace capinspect
