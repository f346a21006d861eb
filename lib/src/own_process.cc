#include <capinspect/own_process.h>

#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#endif

namespace capinspect {

namespace {

// Everything but the bounding and ambient sets, no_new_privs and the seccomp mode.
Result<OwnProcess> read_credentials() {
    OwnProcess own;
    own.pid = getpid();
    uid_t ruid = 0, euid = 0, suid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0;
    getresuid(&ruid, &euid, &suid);
    getresgid(&rgid, &egid, &sgid);
    // setfsuid(-1) is refused and changes nothing, but answers the current fsuid.
    own.uid = {ruid, euid, suid, static_cast<std::uint32_t>(setfsuid(static_cast<uid_t>(-1)))};
    own.gid = {rgid, egid, sgid, static_cast<std::uint32_t>(setfsgid(static_cast<gid_t>(-1)))};

    int count = getgroups(0, nullptr);
    if (count > 0) {
        std::vector<gid_t> groups(static_cast<size_t>(count));
        count = getgroups(count, groups.data());
        if (count < 0) return fail(errno, "getgroups");
        own.groups.assign(groups.begin(), groups.begin() + count);
    }

    auto caps = read_thread_caps(0);
    if (!caps) return fail(caps.error());
    own.effective = caps->effective;
    own.permitted = caps->permitted;
    own.inheritable = caps->inheritable;

    auto bits = read_securebits();
    if (!bits) return fail(bits.error());
    own.securebits = *bits;
    return own;
}

void probe_sets(OwnProcess& own, Cap last_cap, bool bounding, bool ambient_too) {
    CapSet ambient;
    bool ambient_known = ambient_too;
    for (Cap c = 0; c <= last_cap && c <= max_cap && (bounding || ambient_known); ++c) {
        if (bounding && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1) own.bounding.add(c);
        if (ambient_known) {
            int set = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
            if (set < 0)
                ambient_known = false;  // EINVAL: a kernel without ambient capabilities
            else if (set == 1)
                ambient.add(c);
        }
    }
    if (ambient_known) own.ambient = ambient;
}

void probe_no_new_privs(OwnProcess& own) {
    int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (nnp >= 0) own.no_new_privs = nnp == 1;
}

void probe_seccomp(OwnProcess& own) {
    // In strict mode this call would kill us, but a strict-mode process cannot get here.
    int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    if (mode >= 0 && mode <= 2) own.seccomp = static_cast<SeccompMode>(mode);
}

}  // namespace

Result<OwnProcess> read_own_process(Cap last_cap) {
    auto own = read_credentials();
    if (!own) return own;
    probe_sets(*own, last_cap, true, true);
    probe_no_new_privs(*own);
    probe_seccomp(*own);
    return own;
}

Result<OwnProcess> read_own_process(Cap last_cap, const ProcStatus& status) {
    auto own = read_credentials();
    if (!own) return own;
    own->bounding = status.bounding;
    own->ambient = status.ambient;
    probe_sets(*own, last_cap, false, !status.ambient);
    own->no_new_privs = status.no_new_privs;
    if (!status.no_new_privs) probe_no_new_privs(*own);
    own->seccomp = status.seccomp;
    if (!status.seccomp) probe_seccomp(*own);
    return own;
}

}  // namespace capinspect
