#include <capinspect/exec_caps.h>

#include <sys/stat.h>

#include <algorithm>

namespace capinspect {

ExecOutcome predict_execve(const ExecTask& before, const ExecFile& file) {
    constexpr std::uint32_t root = 0;  // uid 0 of the task's own user namespace
    ExecOutcome out;
    ExecTask& next = out.task;
    next = before;

    // Set-id bits: never on a nosuid mount, never under no_new_privs.
    bool setid_bits = !file.nosuid && !before.no_new_privs && (file.setuid_owner || file.setgid_group);
    if (setid_bits) {
        if (file.setuid_owner) next.uid.effective = *file.setuid_owner;
        if (file.setgid_group) next.gid.effective = *file.setgid_group;
    }

    // File capabilities (none on a nosuid mount).
    bool has_fcap = file.caps && !file.nosuid;
    bool effective_flag = false;
    CapSet permitted;
    if (has_fcap) {
        permitted = (file.caps->permitted & before.bounding) | (file.caps->inheritable & before.inheritable);
        effective_flag = file.caps->effective;
        // A capability-dumb binary must get all of its file-permitted set.
        if (effective_flag && !(file.caps->permitted - permitted).empty()) out.refused = true;
    }

    // Root gets the file sets as if they were full, unless SECBIT_NOROOT. A set-user-ID
    // root file with capabilities run by another user gets only its capabilities.
    if (!before.securebits.has(Securebit::noroot)) {
        bool setuid_root_by_user = next.uid.effective == root && next.uid.real != root;
        if (!(has_fcap && setuid_root_by_user)) {
            if (next.uid.effective == root || next.uid.real == root)
                permitted = before.bounding | before.inheritable;
            if (next.uid.effective == root) effective_flag = true;
        }
    }

    // A new effective gid counts only when the task is not in that group already
    // (the kernel's in_group_p(): the fs gid or a supplementary group).
    auto in_group = [&](std::uint32_t gid) {
        return gid == before.gid.fs || std::find(before.groups.begin(), before.groups.end(), gid) != before.groups.end();
    };
    bool id_changed = next.uid.effective != before.uid.effective || !in_group(next.gid.effective);
    bool gained = !(permitted - before.permitted).empty();
    if ((id_changed || gained) && before.no_new_privs) {
        next.uid.effective = next.uid.real;
        next.gid.effective = next.gid.real;
        permitted = permitted & before.permitted;
    }
    next.uid.saved = next.uid.fs = next.uid.effective;
    next.gid.saved = next.gid.fs = next.gid.effective;

    next.ambient = (has_fcap || id_changed) ? CapSet() : before.ambient;
    next.permitted = permitted | next.ambient;
    next.effective = effective_flag ? next.permitted : next.ambient;
    next.inheritable = before.inheritable;
    next.bounding = before.bounding;
    next.securebits.remove(Securebit::keep_caps);
    next.no_new_privs = before.no_new_privs;
    out.privileged_file = has_fcap || setid_bits;
    return out;
}

std::vector<std::string> exec_task_differences(const ExecTask& a, const ExecTask& b) {
    std::vector<std::string> out;
    if (a.uid != b.uid) out.emplace_back("uid");
    if (a.gid != b.gid) out.emplace_back("gid");
    if (a.groups != b.groups) out.emplace_back("groups");
    if (a.effective != b.effective) out.emplace_back("effective");
    if (a.permitted != b.permitted) out.emplace_back("permitted");
    if (a.inheritable != b.inheritable) out.emplace_back("inheritable");
    if (a.bounding != b.bounding) out.emplace_back("bounding");
    if (a.ambient != b.ambient) out.emplace_back("ambient");
    if (a.securebits != b.securebits) out.emplace_back("securebits");
    if (a.no_new_privs != b.no_new_privs) out.emplace_back("no_new_privs");
    return out;
}

ExecFile exec_file_of(const ExecutableFile& file, std::uint32_t ns_root) {
    ExecFile out;
    if (file.mode & S_ISUID) out.setuid_owner = file.uid;
    if ((file.mode & S_ISGID) && (file.mode & S_IXGRP)) out.setgid_group = file.gid;
    out.nosuid = file.nosuid;
    const auto& caps = file.caps;
    if (caps && (!caps->rootid || *caps->rootid == 0 || *caps->rootid == ns_root))
        out.caps = ExecFileCaps{caps->permitted, caps->inheritable, caps->effective};
    return out;
}

}  // namespace capinspect
