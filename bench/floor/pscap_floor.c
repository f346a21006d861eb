/* pscap_floor: the least work that can produce pscap's default report, as a yardstick.
 *
 * One getdents64 walk of /proc, one capget() per process, and for the processes whose
 * effective set is not empty one open+read+close of /proc/PID/status and one readlink of
 * /proc/PID/ns/user (pscap's " *" marks a process in a child user namespace). Rows are
 * formatted as pscap prints them (ppid, pid, user, command " *", permitted list with
 * " @" / " +") into one buffer written at the end: the same text as pscap's. About
 * 1 + 4 * (share of holders) system calls per process. No name escaping, no error
 * reporting beyond skipping what vanished.
 *
 *   pscap_floor [--no-userns]   (--no-userns: no readlink and no " *", so not pscap's
 *                                answer when a holder lives in a child user namespace)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Kernel capability names (include/uapi/linux/capability.h), without "cap_". */
static const char *const cap_names[] = {
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
    "setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
    "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
    "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
    "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
    "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
    "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define N_NAMES (sizeof cap_names / sizeof cap_names[0])

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Output buffer, grown as needed. */
static char *out;
static size_t out_len, out_cap;

static void put(const char *s, size_t n) {
    if (out_len + n > out_cap) {
        out_cap = (out_len + n) * 2 + 65536;
        out = realloc(out, out_cap);
        if (!out) exit(1);
    }
    memcpy(out + out_len, s, n);
    out_len += n;
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void pad(const char *s, size_t width) {
    size_t n = strlen(s);
    put(s, n);
    while (n++ < width) put(" ", 1);
}

/* uid -> name, cached (a handful of distinct uids on any system). */
static struct { unsigned uid; char name[33]; } cache[64];
static unsigned cached;
static const char *user_name(unsigned uid) {
    for (unsigned i = 0; i < cached; ++i)
        if (cache[i].uid == uid) return cache[i].name;
    static char tmp[33];
    char *dst = cached < 64 ? cache[cached].name : tmp;
    if (uid == 0) {
        strcpy(dst, "root");
    } else {
        struct passwd *pw = getpwuid(uid);
        if (pw) snprintf(dst, 33, "%s", pw->pw_name);
        else snprintf(dst, 33, "%u", uid);
    }
    if (cached < 64) cache[cached++].uid = uid;
    return dst;
}

static unsigned long long field_hex(const char *text, const char *key) {
    const char *p = strstr(text, key);
    return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

static long field_dec(const char *text, const char *key) {
    const char *p = strstr(text, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int main(int argc, char **argv) {
    int want_userns = !(argc > 1 && strcmp(argv[1], "--no-userns") == 0);
    int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc < 0) { perror("/proc"); return 1; }

    unsigned last_cap = 40;
    char buf[8192];
    int fd = openat(proc, "sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n > 0) { buf[n] = 0; last_cap = (unsigned)atoi(buf); }
        close(fd);
    }
    unsigned long long full = last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1;
    pid_t self = getpid();

    static char dents[1 << 18];
    int header = 0;
    for (;;) {
        long nread = syscall(SYS_getdents64, proc, dents, sizeof dents);
        if (nread <= 0) break;
        for (long off = 0; off < nread;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
            off += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] < '1' || name[0] > '9') continue;
            pid_t pid = (pid_t)atoi(name);
            if (pid == self) continue;

            struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
            struct __user_cap_data_struct c[2];
            if (syscall(SYS_capget, &h, c) != 0) continue;
            if (!c[0].effective && !c[1].effective) continue;

            char path[32];
            snprintf(path, sizeof path, "%s/status", name);
            int sfd = openat(proc, path, O_RDONLY | O_CLOEXEC);
            if (sfd < 0) continue;
            ssize_t n = read(sfd, buf, sizeof buf - 1);
            close(sfd);
            if (n <= 0) continue;
            buf[n] = 0;

            long ppid = field_dec(buf, "\nPPid:\t");
            if (pid == 2 || ppid == 2 || field_dec(buf, "\nKthread:\t") == 1) continue;
            char *nm = strstr(buf, "Name:\t");
            char comm[64] = "";
            if (nm) {
                nm += 6;
                size_t len = strcspn(nm, "\n");
                if (len >= sizeof comm) len = sizeof comm - 1;
                memcpy(comm, nm, len);
                comm[len] = 0;
            }
            long uid_real = field_dec(buf, "\nUid:\t");
            const char *u = strstr(buf, "\nUid:\t");
            unsigned euid = (unsigned)uid_real;
            if (u) {
                const char *tab = strchr(u + 6, '\t');
                if (tab) euid = (unsigned)strtoul(tab + 1, NULL, 10);
            }
            unsigned long long eff = field_hex(buf, "\nCapEff:\t");
            unsigned long long prm = field_hex(buf, "\nCapPrm:\t");
            unsigned long long amb = field_hex(buf, "\nCapAmb:\t");
            unsigned long long bnd = field_hex(buf, "\nCapBnd:\t");

            int child_ns = 0;
            if (want_userns) {
                static char own[64];
                static int have_own;
                char link[64];
                snprintf(path, sizeof path, "%s/ns/user", name);
                ssize_t l = readlinkat(proc, path, link, sizeof link - 1);
                if (l > 0) {
                    link[l] = 0;
                    if (!have_own) {
                        ssize_t k = readlinkat(proc, "self/ns/user", own, sizeof own - 1);
                        if (k > 0) own[k] = 0;
                        have_own = 1;
                    }
                    child_ns = strcmp(link, own) != 0;
                }
            }

            if (!header) {
                puts_("ppid    pid     uid              command         capabilities\n");
                header = 1;
            }
            char num[24];
            snprintf(num, sizeof num, "%ld", ppid);
            pad(num, 7);
            put(" ", 1);
            snprintf(num, sizeof num, "%d", pid);
            pad(num, 7);
            put(" ", 1);
            pad(user_name(euid), 16);
            put(" ", 1);
            if (child_ns) strcat(comm, " *");
            pad(comm, 15);
            put(" ", 1);
            if ((eff & full) == full) {
                puts_("full");
            } else if (!prm) {
                puts_("none");
            } else {
                int first = 1;
                for (unsigned i = 0; i < 64; ++i) {
                    if (!(prm >> i & 1)) continue;
                    if (!first) put(", ", 2);
                    first = 0;
                    if (i < N_NAMES) puts_(cap_names[i]);
                    else { snprintf(num, sizeof num, "%u", i); puts_(num); }
                }
            }
            if (amb) puts_(" @");
            if (bnd) puts_(" +");
            put("\n", 1);
        }
    }
    for (size_t done = 0; done < out_len;) {
        ssize_t w = write(STDOUT_FILENO, out + done, out_len - done);
        if (w <= 0) return 1;
        done += (size_t)w;
    }
    return 0;
}
