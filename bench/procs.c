/* procs: a process generator for the pscap benchmark.
 *
 *   procs N PCT [--ambient-share X] [--userns-share Y] [--lifetime SECONDS] [--ignore-stdin]
 *
 * Forks N long-lived children that block on a pipe read (no CPU). PCT% of them keep a
 * small effective set (cap_net_bind_service,cap_net_raw); of those, the share X switch
 * to a non-root uid and hold the same caps as ambient caps, and the share Y move into a
 * child user namespace (best effort: where unshare(CLONE_NEWUSER) is refused they stay
 * ordinary holders and are counted as such). The others drop every capability (capset to
 * empty). Must run as root with CAP_SETPCAP/CAP_SETUID/CAP_SETGID for the full mix.
 *
 * Prints "ready N" (the number actually started) once every child is set up, plus a
 * summary line on stderr. Ends all children (by pid) and exits when stdin closes, on
 * SIGTERM/SIGINT/SIGHUP, or after the lifetime cap (default 900 s). Should this process
 * itself be killed, the children still exit: they block on a pipe whose only writer is
 * this process, and each has PR_SET_PDEATHSIG set.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum kind { K_NONE = 'n', K_HOLD = 'h', K_AMBIENT = 'a', K_USERNS = 'u', K_FAIL = 'e' };

static int capset_sets(unsigned long long eff, unsigned long long prm, unsigned long long inh) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {
        {(unsigned)eff, (unsigned)prm, (unsigned)inh},
        {(unsigned)(eff >> 32), (unsigned)(prm >> 32), (unsigned)(inh >> 32)},
    };
    return (int)syscall(SYS_capset, &h, d);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = write(fd, text, strlen(text));
    (void)n;
    close(fd);
}

/* Sets the child up as `want`; returns what it really became. */
static char setup_child(char want, unsigned idx) {
    const unsigned long long small = (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_NET_RAW);
    switch (want) {
    case K_NONE:
        prctl(PR_SET_NAME, "procs-none");
        return capset_sets(0, 0, 0) == 0 ? K_NONE : K_FAIL;
    case K_AMBIENT: {
        static const uid_t uids[] = {65534, 1000, 1001, 1002};
        uid_t uid = uids[idx % 4];
        prctl(PR_SET_NAME, "procs-ambient");
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) break;
        if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) break;
        if (capset_sets(small, small, small) != 0) break;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) != 0) break;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) != 0) break;
        return K_AMBIENT;
    }
    case K_USERNS:
        prctl(PR_SET_NAME, "procs-userns");
        if (unshare(CLONE_NEWUSER) == 0) {
            /* Map root inside to our own uid outside; harmless if refused. */
            write_file("/proc/self/setgroups", "deny");
            write_file("/proc/self/uid_map", "0 0 1");
            write_file("/proc/self/gid_map", "0 0 1");
            return K_USERNS;
        }
        /* fall back to an ordinary holder */
        /* fall through */
    case K_HOLD:
        prctl(PR_SET_NAME, "procs-hold");
        return capset_sets(small, small, 0) == 0 ? K_HOLD : K_FAIL;
    }
    return K_FAIL;
}

static long read_long(const char *path) {
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    char buf[64];
    long v = -1;
    if (fgets(buf, sizeof buf, f)) v = strncmp(buf, "max", 3) == 0 ? -1 : strtol(buf, NULL, 10);
    fclose(f);
    return v;
}

static long count_procs(void) {
    long n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d) return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9') ++n;
    closedir(d);
    return n;
}

/* The pids cgroup limit of this process, if any (cgroup v1 or v2). */
static long cgroup_pids_headroom(void) {
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f) return -1;
    char line[512], path[700];
    long best = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *p = NULL;
        if (strncmp(line, "0::", 3) == 0) {
            p = line + 3;
            snprintf(path, sizeof path, "/sys/fs/cgroup%s%s", p, "/pids.max");
        } else if ((p = strstr(line, ":pids:"))) {
            p += 6;
            snprintf(path, sizeof path, "/sys/fs/cgroup/pids%s/pids.max", p);
        } else {
            continue;
        }
        long max = read_long(path);
        if (max < 0) continue;
        char *slash = strrchr(path, '/');
        strcpy(slash, "/pids.current");
        long cur = read_long(path);
        long room = max - (cur < 0 ? 0 : cur);
        if (best < 0 || room < best) best = room;
    }
    fclose(f);
    return best;
}

static long mem_available_kb(void) {
    FILE *f = fopen("/proc/meminfo", "re");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

static void usage(void) {
    fprintf(stderr, "usage: procs N PCT [--ambient-share X] [--userns-share Y] "
                    "[--lifetime SECONDS] [--ignore-stdin]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3) usage();
    long n = strtol(argv[1], NULL, 10);
    double pct = strtod(argv[2], NULL);
    double ambient_share = 0.1, userns_share = 0.0;
    long lifetime = 900;
    int ignore_stdin = 0;
    for (int i = 3; i < argc; ++i) {
        if (strcmp(argv[i], "--ambient-share") == 0 && i + 1 < argc)
            ambient_share = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--userns-share") == 0 && i + 1 < argc)
            userns_share = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--lifetime") == 0 && i + 1 < argc)
            lifetime = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ignore-stdin") == 0)
            ignore_stdin = 1;
        else
            usage();
    }
    if (n < 0 || pct < 0 || pct > 100 || ambient_share < 0 || userns_share < 0 ||
        ambient_share + userns_share > 1 || lifetime <= 0 || lifetime > 3600)
        usage();
    if (geteuid() != 0) fprintf(stderr, "procs: not root: capability changes will fail\n");

    /* Machine limits: leave a margin of 2000 pids for everyone else. */
    const long margin = 2000;
    long procs = count_procs();
    long limit = n;
    const char *why = NULL;
    long pid_max = read_long("/proc/sys/kernel/pid_max");
    if (pid_max > 0 && pid_max - procs - margin < limit) limit = pid_max - procs - margin, why = "kernel.pid_max";
    long threads_max = read_long("/proc/sys/kernel/threads-max");
    if (threads_max > 0 && threads_max - procs - margin < limit)
        limit = threads_max - procs - margin, why = "kernel.threads-max";
    struct rlimit rl;
    if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (long)rl.rlim_cur - procs - margin < limit)
        limit = (long)rl.rlim_cur - procs - margin, why = "ulimit -u";
    long cg = cgroup_pids_headroom();
    if (cg >= 0 && cg - margin < limit) limit = cg - margin, why = "the pids cgroup";
    long avail = mem_available_kb();
    /* ~200 KiB per child (kernel stack, page tables, task structs) is generous; use at
     * most a quarter of the available memory. */
    if (avail > 0 && avail / 4 / 200 < limit) limit = avail / 4 / 200, why = "available memory";
    if (limit < 0) limit = 0;
    if (limit < n) {
        fprintf(stderr, "procs: lowering N from %ld to %ld (limited by %s)\n", n, limit, why);
        n = limit;
    }

    long holders = (long)(n * pct / 100.0 + 0.5);
    long n_ambient = (long)(holders * ambient_share + 0.5);
    long n_userns = (long)(holders * userns_share + 0.5);

    /* Signals arrive through a signalfd; children restore the default mask. */
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGALRM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) { perror("procs: signalfd"); return 1; }
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)lifetime);

    int hold[2], ready[2];
    if (pipe2(hold, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) { perror("procs: pipe"); return 1; }

    pid_t *pids = calloc((size_t)(n ? n : 1), sizeof *pids);
    if (!pids) { perror("procs: calloc"); return 1; }
    pid_t parent = getpid();
    long started = 0;
    for (long i = 0; i < n; ++i) {
        /* Spread the kinds evenly over the pid range. */
        char want = K_NONE;
        long slot = (long)((double)i * pct / 100.0);
        long next = (long)((double)(i + 1) * pct / 100.0);
        if (next > slot && slot < holders) {
            if (slot < n_userns) want = K_USERNS;
            else if (slot < n_userns + n_ambient) want = K_AMBIENT;
            else want = K_HOLD;
        }
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "procs: fork after %ld children: %s\n", started, strerror(errno));
            break;
        }
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            signal(SIGPIPE, SIG_DFL);
            close(hold[1]);
            close(ready[0]);
            close(sfd);
            close(STDIN_FILENO);
            char got = setup_child(want, (unsigned)i);
            /* Set after the credential changes, which clear it. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(0);
            if (write(ready[1], &got, 1) != 1) _exit(1);
            close(ready[1]);
            char c;
            while (read(hold[0], &c, 1) < 0 && errno == EINTR) {}
            _exit(0);
        }
        pids[started++] = pid;
    }
    close(ready[1]);
    close(hold[0]);

    long count[256] = {0};
    for (long got = 0; got < started;) {
        char buf[4096];
        ssize_t r = read(ready[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t k = 0; k < r; ++k) count[(unsigned char)buf[k]]++;
        got += r;
    }
    close(ready[0]);
    printf("ready %ld\n", started);
    fflush(stdout);
    fprintf(stderr, "procs: %ld children: %ld without caps, %ld holders, %ld ambient (non-root), "
                    "%ld in a child user namespace, %ld failed setup\n",
            started, count[K_NONE], count[K_HOLD], count[K_AMBIENT], count[K_USERNS], count[K_FAIL]);

    struct pollfd pfd[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const char *reason = NULL;
    while (!reason) {
        int r = poll(pfd, ignore_stdin ? 1 : 2, -1);
        if (r < 0) {
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
            ssize_t k = read(STDIN_FILENO, buf, sizeof buf);
            if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) reason = "stdin closed";
        }
    }

    /* End the children: EOF on their pipe, then SIGKILL by pid, then reap them all. */
    close(hold[1]);
    for (long i = 0; i < started; ++i) kill(pids[i], SIGKILL);
    long reaped = 0;
    for (long i = 0; i < started; ++i)
        if (waitpid(pids[i], NULL, 0) == pids[i]) ++reaped;
    fprintf(stderr, "procs: %s: ended %ld of %ld children\n", reason, reaped, started);
    free(pids);
    return 0;
}
