/* sockets: a socket generator for the netcap benchmark.
 *
 *   sockets N [--per-proc K] [--holders PCT] [--lifetime SECONDS] [--ignore-stdin]
 *
 * Holds N sockets in total across ceil(N / K) forked children (K sockets each, default
 * 5000, lowered to fit RLIMIT_NOFILE's hard limit, which each child raises its soft limit
 * to). The mix, in every child: TCP listeners on IPv4 (20%) and IPv6 (10%), established
 * TCP connections with both ends in the child on IPv4 (30%) and IPv6 (10%) (plus the one
 * listener they were accepted from), bound UDP sockets on IPv4 (15%) and IPv6 (10%), raw
 * sockets on IPv4 (2%) and IPv6 (1%) and packet sockets (2%). Loopback only: IPv4 sockets
 * bind 127.(10+child).x.y, IPv6 ones ::1 on ports 10000-29999 split between the children.
 * Raw sockets use IPPROTO_RAW and packet sockets protocol 0, so neither receives any
 * traffic; connections have SO_LINGER 0, so ending them leaves no TIME-WAIT behind.
 *
 * PCT% of the children (spread evenly, default 50) keep cap_net_bind_service and
 * cap_net_raw effective, the others drop every capability (capset to empty), so that
 * PCT% of the sockets belong to processes netcap reports. Must run as root.
 *
 * Prints "ready SOCKETS CHILDREN" once every child is set up (the sockets actually made;
 * a bind that fails is counted on stderr, not retried), plus a summary line on stderr.
 * Ends all its children (by pid) and exits when stdin closes, on SIGTERM/SIGINT/SIGHUP,
 * or after the lifetime cap (default 900 s). Should it be killed itself, the children
 * still exit: they block on a pipe whose only writer is this process, and each has
 * PR_SET_PDEATHSIG set.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum kind { TL4, TL6, TP4, TP6, U4, U6, R4, R6, PKT, N_KINDS };
static const char *const kind_names[N_KINDS] = {"tcp-listen", "tcp6-listen", "tcp-estab", "tcp6-estab",
                                                "udp", "udp6", "raw", "raw6", "packet"};
/* Shares in percent of each child's sockets. */
static const int share[N_KINDS] = {20, 10, 30, 10, 15, 10, 2, 1, 2};

#define V6_PORT_BASE 10000
#define V6_PORT_SPAN 20000
#define V4_PORT_BASE 10000
#define V4_PORT_SPAN 50000

struct plan {
    int child;
    long count[N_KINDS];
    int v6_tcp_port, v6_udp_port; /* first port of this child's IPv6 ranges */
};

struct result {
    long made[N_KINDS];
    long failed[N_KINDS];
    int first_errno;
};

static int capset_sets(unsigned long long eff, unsigned long long prm, unsigned long long inh) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {
        {(unsigned)eff, (unsigned)prm, (unsigned)inh},
        {(unsigned)(eff >> 32), (unsigned)(prm >> 32), (unsigned)(inh >> 32)},
    };
    return (int)syscall(SYS_capset, &h, d);
}

/* The n-th IPv4 endpoint of a child: 127.(10+child).a.b, port from V4_PORT_BASE. */
static struct sockaddr_in v4_endpoint(int child, long n) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    long addr = n / V4_PORT_SPAN + 1;
    a.sin_addr.s_addr = htonl((127u << 24) | ((unsigned)(10 + child) << 16) | (unsigned)addr);
    a.sin_port = htons((unsigned short)(V4_PORT_BASE + n % V4_PORT_SPAN));
    return a;
}

static struct sockaddr_in6 v6_endpoint(int port) {
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    a.sin6_port = htons((unsigned short)port);
    return a;
}

static void failed(struct result *r, enum kind k) {
    r->failed[k]++;
    if (!r->first_errno) r->first_errno = errno;
}

static int bound(int family, int type, int proto, const void *addr, socklen_t len) {
    int fd = socket(family, type, proto);
    if (fd < 0) return -1;
    int one = 1;
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, addr, len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void no_linger(int fd) {
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/* Established pairs: one listener, then connect + accept, both ends kept. */
static void pairs(struct result *r, enum kind k, long n, const void *addr, socklen_t len, int family) {
    if (n <= 0) return;
    int lfd = bound(family, SOCK_STREAM, 0, addr, len);
    if (lfd < 0 || listen(lfd, 64) != 0) {
        failed(r, k);
        return;
    }
    r->made[k]++;
    for (long i = 0; i < n; ++i) {
        int c = socket(family, SOCK_STREAM, 0);
        if (c < 0) { failed(r, k); break; }
        no_linger(c);
        if (connect(c, addr, len) != 0) { failed(r, k); close(c); break; }
        int a = accept(lfd, NULL, NULL);
        if (a < 0) { failed(r, k); close(c); break; }
        no_linger(a);
        r->made[k] += 2;
    }
}

static void make_sockets(const struct plan *p, struct result *r) {
    long v4 = 0; /* next IPv4 endpoint of this child */
    int v6_tcp = p->v6_tcp_port, v6_udp = p->v6_udp_port;
    for (long i = 0; i < p->count[TL4]; ++i) {
        struct sockaddr_in a = v4_endpoint(p->child, v4++);
        int fd = bound(AF_INET, SOCK_STREAM, 0, &a, sizeof a);
        if (fd < 0 || listen(fd, 1) != 0) failed(r, TL4); else r->made[TL4]++;
    }
    for (long i = 0; i < p->count[TL6]; ++i) {
        struct sockaddr_in6 a = v6_endpoint(v6_tcp++);
        int fd = bound(AF_INET6, SOCK_STREAM, 0, &a, sizeof a);
        if (fd < 0 || listen(fd, 1) != 0) failed(r, TL6); else r->made[TL6]++;
    }
    {
        struct sockaddr_in a = v4_endpoint(p->child, v4++);
        pairs(r, TP4, p->count[TP4] / 2, &a, sizeof a, AF_INET);
        struct sockaddr_in6 b = v6_endpoint(v6_tcp++);
        pairs(r, TP6, p->count[TP6] / 2, &b, sizeof b, AF_INET6);
    }
    for (long i = 0; i < p->count[U4]; ++i) {
        struct sockaddr_in a = v4_endpoint(p->child, v4++);
        if (bound(AF_INET, SOCK_DGRAM, 0, &a, sizeof a) < 0) failed(r, U4); else r->made[U4]++;
    }
    for (long i = 0; i < p->count[U6]; ++i) {
        struct sockaddr_in6 a = v6_endpoint(v6_udp++);
        if (bound(AF_INET6, SOCK_DGRAM, 0, &a, sizeof a) < 0) failed(r, U6); else r->made[U6]++;
    }
    for (long i = 0; i < p->count[R4]; ++i)
        if (socket(AF_INET, SOCK_RAW, IPPROTO_RAW) < 0) failed(r, R4); else r->made[R4]++;
    for (long i = 0; i < p->count[R6]; ++i)
        if (socket(AF_INET6, SOCK_RAW, IPPROTO_RAW) < 0) failed(r, R6); else r->made[R6]++;
    for (long i = 0; i < p->count[PKT]; ++i)
        if (socket(AF_PACKET, SOCK_RAW, 0) < 0) failed(r, PKT); else r->made[PKT]++;
}

static void usage(void) {
    fprintf(stderr, "usage: sockets N [--per-proc K] [--holders PCT] [--lifetime SECONDS] [--ignore-stdin]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    long n = strtol(argv[1], NULL, 10);
    long per = 5000;
    double pct = 50;
    long lifetime = 900;
    int ignore_stdin = 0;
    for (int i = 2; i < argc; ++i) {
        if (strcmp(argv[i], "--per-proc") == 0 && i + 1 < argc)
            per = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--holders") == 0 && i + 1 < argc)
            pct = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--lifetime") == 0 && i + 1 < argc)
            lifetime = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ignore-stdin") == 0)
            ignore_stdin = 1;
        else
            usage();
    }
    if (n < 0 || n > 10000000 || per < 100 || pct < 0 || pct > 100 || lifetime <= 0 || lifetime > 3600) usage();
    if (geteuid() != 0) fprintf(stderr, "sockets: not root: raw and packet sockets will fail\n");

    /* Stay inside ulimit -n: the hard limit is what a child can raise itself to. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max - 64 < per) {
        long fit = (long)rl.rlim_max - 64;
        fprintf(stderr, "sockets: %ld sockets per process do not fit ulimit -Hn %ld: using %ld\n", per,
                (long)rl.rlim_max, fit);
        per = fit;
    }
    long children = n ? (n + per - 1) / per : 0;
    if (children > 200) {
        fprintf(stderr, "sockets: %ld processes are too many (the IPv4 address plan allows 200)\n", children);
        return 1;
    }
    long holders = (long)(children * pct / 100.0 + 0.5);

    /* Per child: its sockets, by kind; its IPv6 port ranges. */
    struct plan *plans = calloc((size_t)(children ? children : 1), sizeof *plans);
    if (!plans) { perror("sockets: calloc"); return 1; }
    long v6_tcp_total = 0, v6_udp_total = 0;
    for (long c = 0; c < children; ++c) {
        long k = c == children - 1 ? n - per * (children - 1) : per;
        struct plan *p = &plans[c];
        p->child = (int)c;
        long assigned = 0;
        for (int j = 0; j < N_KINDS; ++j) {
            p->count[j] = k * share[j] / 100;
            assigned += p->count[j];
        }
        p->count[TL4] += k - assigned; /* rounding leftovers */
        /* A pair block is its listener plus two ends per connection. */
        for (int j = TP4; j <= TP6; ++j) {
            if (p->count[j] == 0) continue;
            long odd = (p->count[j] - 1) % 2; /* keep 1 + 2m */
            p->count[j] -= odd;
            p->count[j == TP4 ? TL4 : TL6] += odd;
        }
        p->v6_tcp_port = (int)(V6_PORT_BASE + v6_tcp_total);
        p->v6_udp_port = (int)(V6_PORT_BASE + v6_udp_total);
        v6_tcp_total += p->count[TL6] + 1;
        v6_udp_total += p->count[U6];
    }
    if (v6_tcp_total > V6_PORT_SPAN || v6_udp_total > V6_PORT_SPAN) {
        fprintf(stderr, "sockets: %ld IPv6 sockets do not fit the port plan (%d per protocol)\n",
                v6_tcp_total > v6_udp_total ? v6_tcp_total : v6_udp_total, V6_PORT_SPAN);
        return 1;
    }

    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGALRM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) { perror("sockets: signalfd"); return 1; }
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)lifetime);

    int hold[2], ready[2];
    if (pipe2(hold, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) { perror("sockets: pipe"); return 1; }
    pid_t *pids = calloc((size_t)(children ? children : 1), sizeof *pids);
    if (!pids) { perror("sockets: calloc"); return 1; }
    pid_t parent = getpid();
    long started = 0;
    for (long c = 0; c < children; ++c) {
        /* Spread the holders evenly over the children. */
        int holder = (long)((double)(c + 1) * pct / 100.0 + 0.5) > (long)((double)c * pct / 100.0 + 0.5);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "sockets: fork after %ld children: %s\n", started, strerror(errno));
            break;
        }
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            signal(SIGPIPE, SIG_DFL);
            close(hold[1]);
            close(ready[0]);
            close(sfd);
            close(STDIN_FILENO);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(0);
            struct rlimit lim;
            if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
                lim.rlim_cur = lim.rlim_max;
                setrlimit(RLIMIT_NOFILE, &lim);
            }
            struct result r;
            memset(&r, 0, sizeof r);
            make_sockets(&plans[c], &r);
            const unsigned long long small = (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_NET_RAW);
            prctl(PR_SET_NAME, holder ? "sockets-hold" : "sockets-none");
            if (holder ? capset_sets(small, small, 0) : capset_sets(0, 0, 0)) r.first_errno = errno;
            if (write(ready[1], &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
            close(ready[1]);
            char ch;
            while (read(hold[0], &ch, 1) < 0 && errno == EINTR) {}
            _exit(0);
        }
        pids[started++] = pid;
    }
    close(ready[1]);
    close(hold[0]);

    long made[N_KINDS] = {0}, fails[N_KINDS] = {0}, total = 0;
    int first_errno = 0;
    for (long got = 0; got < started; ++got) {
        struct result r;
        size_t have = 0;
        while (have < sizeof r) {
            ssize_t k = read(ready[0], (char *)&r + have, sizeof r - have);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            have += (size_t)k;
        }
        if (have < sizeof r) break;
        for (int j = 0; j < N_KINDS; ++j) {
            made[j] += r.made[j];
            fails[j] += r.failed[j];
            total += r.made[j];
        }
        if (!first_errno) first_errno = r.first_errno;
    }
    close(ready[0]);
    free(plans);
    printf("ready %ld %ld\n", total, started);
    fflush(stdout);
    fprintf(stderr, "sockets: %ld sockets in %ld children (%ld holding capabilities):", total, started, holders);
    for (int j = 0; j < N_KINDS; ++j) fprintf(stderr, " %s %ld", kind_names[j], made[j]);
    long nfail = 0;
    for (int j = 0; j < N_KINDS; ++j) nfail += fails[j];
    if (nfail) fprintf(stderr, "; %ld failed (first: %s)", nfail, strerror(first_errno));
    fputc('\n', stderr);

    struct pollfd pfd[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const char *reason = NULL;
    while (!reason) {
        int k = poll(pfd, ignore_stdin ? 1 : 2, -1);
        if (k < 0) {
            if (errno == EINTR) continue;
            reason = "poll error";
            break;
        }
        if (pfd[0].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == sizeof si)
                reason = si.ssi_signo == SIGALRM ? "lifetime cap reached" : strsignal((int)si.ssi_signo);
        }
        if (!ignore_stdin && pfd[1].revents) {
            char buf[256];
            ssize_t k2 = read(STDIN_FILENO, buf, sizeof buf);
            if (k2 == 0 || (k2 < 0 && errno != EINTR && errno != EAGAIN)) reason = "stdin closed";
        }
    }

    /* End the children: EOF on their pipe, then SIGKILL by pid, then reap them all. */
    close(hold[1]);
    for (long i = 0; i < started; ++i) kill(pids[i], SIGKILL);
    long reaped = 0;
    for (long i = 0; i < started; ++i)
        if (waitpid(pids[i], NULL, 0) == pids[i]) ++reaped;
    fprintf(stderr, "sockets: %s: ended %ld of %ld children\n", reason, reaped, started);
    free(pids);
    return 0;
}
