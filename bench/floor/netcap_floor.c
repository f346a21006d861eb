/* netcap_floor: the least work that can produce netcap's default report, as a yardstick.
 *
 * 1. One getdents64 walk of /proc, one capget() per process; for the processes whose
 *    effective set is not empty, one read of /proc/PID/status and a getdents64 walk of
 *    /proc/PID/fd with one readlinkat per fd: "socket:[N]" goes into an open-addressing
 *    hash table inode -> (holder, next owner).
 * 2. One NETLINK_SOCK_DIAG dump per table netcap reports (TCP, UDP, UDP-Lite and raw over
 *    IPv4 and IPv6, packet), in libcap-ng's order; each answer is looked up in the hash
 *    table (the join) and every owner gives one row, formatted as netcap's default layout
 *    into one buffer written at the end.
 * A table the kernel has no sock_diag module for (raw_diag is often not built) is read
 * from /proc/net instead, as netcap does. No name escaping, no error reporting beyond
 * skipping what vanished; packet interfaces through if_indextoname, cached.
 *
 *   netcap_floor
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

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

/* Output buffer. */
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

/* A process that holds capabilities: the start of its rows, ready to copy. */
struct holder {
    char *prefix; /* "ppid    pid     acct             command         " */
    char *tail;   /* "caps @+\n" */
};
static struct holder *holders;
static size_t n_holders, cap_holders;

/* inode -> owners: open addressing on the inode, owners chained through `next`. */
struct slot {
    uint64_t inode;
    uint32_t holder;
    uint32_t next; /* index+1 of the next owner entry in `extra`, 0 = none */
};
static struct slot *table;
static size_t table_mask, table_used;
static struct slot *extra;
static size_t n_extra, cap_extra;

static size_t hash(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static void grow_table(void) {
    size_t old_size = table ? table_mask + 1 : 0;
    struct slot *old = table;
    size_t size = old_size ? old_size * 2 : 4096;
    table = calloc(size, sizeof *table);
    if (!table) exit(1);
    table_mask = size - 1;
    for (size_t i = 0; i < old_size; ++i) {
        if (!old[i].inode) continue;
        size_t h = hash(old[i].inode) & table_mask;
        while (table[h].inode) h = (h + 1) & table_mask;
        table[h] = old[i];
    }
    free(old);
}

static void add_owner(uint64_t inode, uint32_t holder) {
    if ((table_used + 1) * 2 > table_mask + 1 || !table) grow_table();
    size_t h = hash(inode) & table_mask;
    while (table[h].inode && table[h].inode != inode) h = (h + 1) & table_mask;
    if (!table[h].inode) {
        table[h] = (struct slot){inode, holder, 0};
        ++table_used;
        return;
    }
    /* One row per process and socket: skip the same holder again (same process, other fd). */
    if (table[h].holder == holder) return;
    for (uint32_t e = table[h].next; e; e = extra[e - 1].next)
        if (extra[e - 1].holder == holder) return;
    if (n_extra == cap_extra) {
        cap_extra = cap_extra ? cap_extra * 2 : 256;
        extra = realloc(extra, cap_extra * sizeof *extra);
        if (!extra) exit(1);
    }
    extra[n_extra] = (struct slot){inode, holder, table[h].next};
    table[h].next = (uint32_t)++n_extra;
}

static const struct slot *find(uint64_t inode) {
    if (!table) return NULL;
    size_t h = hash(inode) & table_mask;
    while (table[h].inode) {
        if (table[h].inode == inode) return &table[h];
        h = (h + 1) & table_mask;
    }
    return NULL;
}

static struct { unsigned uid; char name[33]; } ucache[64];
static unsigned ucached;
static const char *user_name(unsigned uid) {
    for (unsigned i = 0; i < ucached; ++i)
        if (ucache[i].uid == uid) return ucache[i].name;
    static char tmp[33];
    char *dst = ucached < 64 ? ucache[ucached].name : tmp;
    if (uid == 0) {
        strcpy(dst, "root");
    } else {
        struct passwd *pw = getpwuid(uid);
        if (pw) snprintf(dst, 33, "%s", pw->pw_name);
        else snprintf(dst, 33, "%u", uid);
    }
    if (ucached < 64) ucache[ucached++].uid = uid;
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

/* Builds a holder's row prefix and tail from its status text. 0 if not reportable. */
static int make_holder(pid_t pid, const char *st, unsigned long long full, struct holder *h) {
    long ppid = field_dec(st, "\nPPid:\t");
    if (pid == 2 || ppid == 2 || field_dec(st, "\nKthread:\t") == 1) return 0;
    char comm[64] = "";
    if (strncmp(st, "Name:\t", 6) == 0) {
        size_t len = strcspn(st + 6, "\n");
        if (len >= sizeof comm) len = sizeof comm - 1;
        memcpy(comm, st + 6, len);
    }
    unsigned euid = 0;
    const char *u = strstr(st, "\nUid:\t");
    if (u) {
        const char *tab = strchr(u + 6, '\t');
        if (tab) euid = (unsigned)strtoul(tab + 1, NULL, 10);
    }
    unsigned long long eff = field_hex(st, "\nCapEff:\t");
    unsigned long long prm = field_hex(st, "\nCapPrm:\t");
    unsigned long long amb = field_hex(st, "\nCapAmb:\t");
    unsigned long long bnd = field_hex(st, "\nCapBnd:\t");
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%-7ld %-7d %-16s %-15s ", ppid, pid, user_name(euid), comm);
    h->prefix = strndup(buf, (size_t)n);
    size_t len = 0;
    if ((eff & full) == full) {
        len = (size_t)snprintf(buf, sizeof buf, "full");
    } else {
        for (unsigned i = 0; i < 64; ++i) {
            if (!(prm >> i & 1)) continue;
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "",
                                    i < N_NAMES ? cap_names[i] : "cap_?");
        }
        if (!len) len = (size_t)snprintf(buf, sizeof buf, "none");
    }
    len += (size_t)snprintf(buf + len, sizeof buf - len, " %s%s\n", amb ? "@" : "", bnd ? "+" : "");
    h->tail = strndup(buf, len);
    return h->prefix && h->tail;
}

static void scan_fds(int proc, const char *pid_name, uint32_t holder) {
    char path[32];
    snprintf(path, sizeof path, "%s/fd", pid_name);
    int dfd = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;
    static char dents[1 << 16];
    char link[64];
    for (;;) {
        long nread = syscall(SYS_getdents64, dfd, dents, sizeof dents);
        if (nread <= 0) break;
        for (long off = 0; off < nread;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.') continue;
            ssize_t n = readlinkat(dfd, d->d_name, link, sizeof link - 1);
            if (n < 9 || memcmp(link, "socket:[", 8) != 0) continue;
            link[n] = 0;
            add_owner(strtoull(link + 8, NULL, 10), holder);
        }
    }
    close(dfd);
}

struct kind {
    const char *name;
    int family, protocol;
};
static const struct kind kinds[] = {
    {"tcp", AF_INET, IPPROTO_TCP},          {"tcp6", AF_INET6, IPPROTO_TCP},
    {"udp", AF_INET, IPPROTO_UDP},          {"udp6", AF_INET6, IPPROTO_UDP},
    {"udplite", AF_INET, IPPROTO_UDPLITE},  {"udplite6", AF_INET6, IPPROTO_UDPLITE},
    {"raw", AF_INET, IPPROTO_RAW},          {"raw6", AF_INET6, IPPROTO_RAW},
    {"pkt", AF_PACKET, 0},
};

static void emit(const struct slot *s, const char *type, const char *port) {
    char mid[64];
    int n = snprintf(mid, sizeof mid, "%-8s %-15s ", type, port);
    static int header;
    for (const struct slot *o = s; o; o = o->next ? &extra[o->next - 1] : NULL) {
        if (!header) {
            puts_("ppid    pid     acct             command         type     port            capabilities\n");
            header = 1;
        }
        puts_(holders[o->holder].prefix);
        put(mid, (size_t)n);
        puts_(holders[o->holder].tail);
    }
}

static char ifnames[256][IF_NAMESIZE + 1];
static const char *iface(unsigned index) {
    if (index == 0) return "*";
    static char num[16];
    if (index >= 256) {
        char name[IF_NAMESIZE];
        if (if_indextoname(index, name)) { snprintf(num, sizeof num, "%s", name); return num; }
        snprintf(num, sizeof num, "%u", index);
        return num;
    }
    if (!ifnames[index][0]) {
        char name[IF_NAMESIZE];
        if (if_indextoname(index, name)) snprintf(ifnames[index], sizeof ifnames[index], "%s", name);
        else snprintf(ifnames[index], sizeof ifnames[index], "%u", index);
    }
    return ifnames[index];
}

/* The fallback: /proc/net/raw and friends, inode in the 10th field, port in the 2nd. */
static void read_table(int proc, const struct kind *k) {
    if (k->family == AF_PACKET) return; /* packet_diag is always there where it matters */
    char path[32];
    snprintf(path, sizeof path, "net/%s", k->name);
    int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    size_t len = 0, cap = 1 << 20;
    char *text = malloc(cap);
    for (;;) {
        if (len + 65536 > cap) text = realloc(text, cap *= 2);
        if (!text) exit(1);
        ssize_t n = read(fd, text + len, cap - len - 1);
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    text[len] = 0;
    char *line = strchr(text, '\n');
    while (line && *++line) {
        char *p = line, *port = NULL;
        for (int field = 0; field < 9 && p; ++field) {
            while (*p == ' ') ++p;
            if (field == 1) port = strchr(p, ':');
            p = strchr(p, ' ');
        }
        if (p) {
            const struct slot *s = find(strtoull(p, NULL, 10));
            if (s) {
                char num[8];
                if (k->protocol == IPPROTO_RAW) strcpy(num, "0");
                else snprintf(num, sizeof num, "%lu", port ? strtoul(port + 1, NULL, 16) : 0);
                emit(s, k->name, num);
            }
        }
        line = strchr(line, '\n');
    }
    free(text);
}

/* One sock_diag dump; 0 when the kernel answered it, -1 when it refused it. */
static int dump(int nl, const struct kind *k) {
    struct {
        struct nlmsghdr h;
        union {
            struct inet_diag_req_v2 inet;
            struct packet_diag_req pkt;
        } r;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    if (k->family == AF_PACKET) {
        req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.pkt);
        req.r.pkt.sdiag_family = AF_PACKET;
        req.r.pkt.pdiag_show = PACKET_SHOW_INFO;
    } else {
        req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.inet);
        req.r.inet.sdiag_family = (unsigned char)k->family;
        req.r.inet.sdiag_protocol = (unsigned char)k->protocol;
        req.r.inet.idiag_states = 0xfff;
        if (k->protocol == IPPROTO_RAW) req.r.inet.pad = IPPROTO_RAW;
    }
    if (send(nl, &req, req.h.nlmsg_len, 0) < 0) return -1;
    static char buf[1 << 16] __attribute__((aligned(8)));
    for (;;) {
        ssize_t n = recv(nl, buf, sizeof buf, 0);
        if (n <= 0) return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                return *(int *)NLMSG_DATA(h) ? -1 : 0;
            if (k->family == AF_PACKET) {
                struct packet_diag_msg *m = NLMSG_DATA(h);
                const struct slot *s = find(m->pdiag_ino);
                if (!s) continue;
                unsigned index = 0;
                struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(sizeof *m));
                int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
                while (left >= (int)sizeof *a && a->nla_len >= sizeof *a && a->nla_len <= left) {
                    if (a->nla_type == PACKET_DIAG_INFO)
                        index = ((struct packet_diag_info *)((char *)a + NLA_HDRLEN))->pdi_index;
                    left -= NLA_ALIGN(a->nla_len);
                    a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
                }
                emit(s, k->name, iface(index));
            } else {
                struct inet_diag_msg *m = NLMSG_DATA(h);
                const struct slot *s = find(m->idiag_inode);
                if (!s) continue;
                char port[8];
                if (k->protocol == IPPROTO_RAW) strcpy(port, "0");
                else snprintf(port, sizeof port, "%u", ntohs(m->id.idiag_sport));
                emit(s, k->name, port);
            }
        }
    }
}

int main(void) {
    int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc < 0) { perror("/proc"); return 1; }
    unsigned last_cap = 40;
    static char st[8192];
    int fd = openat(proc, "sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, st, sizeof st - 1);
        if (n > 0) { st[n] = 0; last_cap = (unsigned)atoi(st); }
        close(fd);
    }
    unsigned long long full = last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1;

    static char dents[1 << 18];
    for (;;) {
        long nread = syscall(SYS_getdents64, proc, dents, sizeof dents);
        if (nread <= 0) break;
        for (long off = 0; off < nread;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
            off += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] < '1' || name[0] > '9') continue;
            pid_t pid = (pid_t)atoi(name);
            struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
            struct __user_cap_data_struct c[2];
            if (syscall(SYS_capget, &h, c) != 0) continue;
            if (!c[0].effective && !c[1].effective) continue;
            char path[32];
            snprintf(path, sizeof path, "%s/status", name);
            int sfd = openat(proc, path, O_RDONLY | O_CLOEXEC);
            if (sfd < 0) continue;
            ssize_t n = read(sfd, st, sizeof st - 1);
            close(sfd);
            if (n <= 0) continue;
            st[n] = 0;
            if (n_holders == cap_holders) {
                cap_holders = cap_holders ? cap_holders * 2 : 256;
                holders = realloc(holders, cap_holders * sizeof *holders);
                if (!holders) return 1;
            }
            if (!make_holder(pid, st, full, &holders[n_holders])) continue;
            scan_fds(proc, name, (uint32_t)n_holders);
            ++n_holders;
        }
    }

    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) { perror("netlink"); return 1; }
    if (table_used)
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; ++i)
            if (dump(nl, &kinds[i]) != 0) read_table(proc, &kinds[i]);
    close(nl);

    for (size_t done = 0; done < out_len;) {
        ssize_t w = write(STDOUT_FILENO, out + done, out_len - done);
        if (w <= 0) return 1;
        done += (size_t)w;
    }
    return 0;
}
