// capholder: becomes a process with a known capability state for the command-line tests.
//
// Usage: capholder [--comm NAME] [--uid N] [--caps LIST | --permitted-only LIST]
//                  [--inheritable LIST] [--ambient LIST] [--drop-bounding] [--nnp]
//                  [--thread-caps LIST]
//
// LIST is a comma separated list of capability names ("net_raw" or "cap_net_raw") or
// numbers; an empty LIST is the empty set. Sets that are not mentioned keep what the
// process had when it started (after the uid switch, which keeps the permitted set and
// makes it effective again).
//
// Once set up it prints one line "ready PID [TID]" (TID: the extra thread of
// --thread-caps), flushes, and blocks until stdin reaches EOF, then exits 0. It never
// lives longer than 300 seconds (SIGALRM). Any failure: message on stderr, exit 1.
//
// All capability changes use the raw capget/capset system calls, which act on the
// calling thread only; libcap is used for the capability names alone.
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

typedef uint64_t capmask;

struct capsets {
    capmask effective, permitted, inheritable;
};

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("capholder: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static int raw_capget(struct capsets* out) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &hdr, data) != 0) return -1;
    out->effective = (capmask)data[0].effective | (capmask)data[1].effective << 32;
    out->permitted = (capmask)data[0].permitted | (capmask)data[1].permitted << 32;
    out->inheritable = (capmask)data[0].inheritable | (capmask)data[1].inheritable << 32;
    return 0;
}

// Sets the sets of the calling thread (pid 0 = this thread only).
static int raw_capset(const struct capsets* in) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    data[0].effective = (uint32_t)in->effective;
    data[1].effective = (uint32_t)(in->effective >> 32);
    data[0].permitted = (uint32_t)in->permitted;
    data[1].permitted = (uint32_t)(in->permitted >> 32);
    data[0].inheritable = (uint32_t)in->inheritable;
    data[1].inheritable = (uint32_t)(in->inheritable >> 32);
    return (int)syscall(SYS_capset, &hdr, data);
}

static void set_or_die(const struct capsets* in, const char* what) {
    if (raw_capset(in) != 0)
        die("capset (%s): %s", what, strerror(errno));
}

static capmask parse_list(const char* option, const char* list) {
    capmask mask = 0;
    char* copy = strdup(list);
    if (!copy) die("out of memory");
    char* save = NULL;
    for (char* tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char name[64];
        if (strncmp(tok, "cap_", 4) == 0 || (tok[0] >= '0' && tok[0] <= '9'))
            snprintf(name, sizeof name, "%s", tok);
        else
            snprintf(name, sizeof name, "cap_%s", tok);
        cap_value_t value;
        if (cap_from_name(name, &value) != 0 || value < 0 || value > 63)
            die("%s: unknown capability: %s", option, tok);
        mask |= (capmask)1 << value;
    }
    free(copy);
    return mask;
}

static unsigned long parse_uid(const char* arg) {
    char* end = NULL;
    errno = 0;
    unsigned long value = strtoul(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || arg[0] == '-' || value >= (unsigned long)(uid_t)-1)
        die("--uid: invalid uid: %s", arg);
    return value;
}

// The extra thread of --thread-caps: takes its own sets, reports its tid, then waits.
struct thread_ctl {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    capmask caps;
    pid_t tid;
    int error;  // errno of a failed capset, 0 if fine
    bool ready;
};

static void* thread_main(void* arg) {
    struct thread_ctl* ctl = arg;
    struct capsets cur;
    int err = 0;
    if (raw_capget(&cur) != 0) {
        err = errno;
    } else {
        struct capsets want = {ctl->caps, ctl->caps, cur.inheritable & ctl->caps};
        if (raw_capset(&want) != 0) err = errno;
    }
    pthread_mutex_lock(&ctl->lock);
    ctl->tid = gettid();
    ctl->error = err;
    ctl->ready = true;
    pthread_cond_broadcast(&ctl->cond);
    pthread_mutex_unlock(&ctl->lock);
    for (;;) pause();
    return NULL;
}

int main(int argc, char** argv) {
    enum {
        opt_comm = 256, opt_uid, opt_caps, opt_permitted_only, opt_inheritable, opt_ambient,
        opt_drop_bounding, opt_nnp, opt_thread_caps,
    };
    static const struct option long_options[] = {
        {"comm", required_argument, NULL, opt_comm},
        {"uid", required_argument, NULL, opt_uid},
        {"caps", required_argument, NULL, opt_caps},
        {"permitted-only", required_argument, NULL, opt_permitted_only},
        {"inheritable", required_argument, NULL, opt_inheritable},
        {"ambient", required_argument, NULL, opt_ambient},
        {"drop-bounding", no_argument, NULL, opt_drop_bounding},
        {"nnp", no_argument, NULL, opt_nnp},
        {"thread-caps", required_argument, NULL, opt_thread_caps},
        {NULL, 0, NULL, 0},
    };
    const char* comm = NULL;
    bool have_uid = false, have_caps = false, permitted_only = false, have_thread = false;
    bool drop_bounding = false, nnp = false;
    unsigned long uid = 0;
    capmask caps = 0, inheritable = 0, ambient = 0, thread_caps = 0;

    alarm(300);  // hard lifetime cap, whatever the test does

    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        switch (c) {
        case opt_comm: comm = optarg; break;
        case opt_uid: uid = parse_uid(optarg); have_uid = true; break;
        case opt_caps:
            if (have_caps) die("--caps and --permitted-only exclude each other");
            caps = parse_list("--caps", optarg);
            have_caps = true;
            break;
        case opt_permitted_only:
            if (have_caps) die("--caps and --permitted-only exclude each other");
            caps = parse_list("--permitted-only", optarg);
            have_caps = permitted_only = true;
            break;
        case opt_inheritable: inheritable |= parse_list("--inheritable", optarg); break;
        case opt_ambient: ambient |= parse_list("--ambient", optarg); break;
        case opt_drop_bounding: drop_bounding = true; break;
        case opt_nnp: nnp = true; break;
        case opt_thread_caps:
            thread_caps = parse_list("--thread-caps", optarg);
            have_thread = true;
            break;
        case ':': die("option %s needs an argument", argv[optind - 1]);
        default: die("unknown option: %s", argv[optind - 1]);
        }
    }
    if (optind < argc) die("unexpected argument: %s", argv[optind]);

    // 1. The name: independent of everything else.
    if (comm && prctl(PR_SET_NAME, comm, 0, 0, 0) != 0)
        die("PR_SET_NAME: %s", strerror(errno));

    // 2. The uid, keeping the permitted set; the switch empties the effective set (and
    //    the ambient set), so make everything permitted effective again for what follows.
    if (have_uid) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) die("PR_SET_KEEPCAPS: %s", strerror(errno));
        if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
            die("setresuid(%lu): %s", uid, strerror(errno));
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) die("PR_SET_KEEPCAPS: %s", strerror(errno));
        struct capsets cur;
        if (raw_capget(&cur) != 0) die("capget: %s", strerror(errno));
        cur.effective = cur.permitted;
        set_or_die(&cur, "restore after setresuid");
    }

    struct capsets cur;
    if (raw_capget(&cur) != 0) die("capget: %s", strerror(errno));
    capmask final_p = have_caps ? caps : cur.permitted;
    capmask final_e = have_caps ? (permitted_only ? 0 : caps) : cur.effective;
    capmask want_i = inheritable | ambient;
    if (ambient & ~final_p) die("--ambient: every ambient capability must also be permitted");
    if (thread_caps & ~final_p) die("--thread-caps: must be a subset of the permitted set");

    // 3. Inheritable (ambient needs its caps in I and P), while the bounding set still
    //    allows raising them and the effective set still holds cap_setpcap.
    if (inheritable || ambient) {
        cur.inheritable = want_i;
        set_or_die(&cur, "inheritable");
    }

    // 4. Ambient.
    for (int cap = 0; cap < 64; ++cap)
        if (ambient & ((capmask)1 << cap))
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
                die("PR_CAP_AMBIENT_RAISE %d: %s", cap, strerror(errno));

    // 5. Bounding set: needs cap_setpcap in the effective set, so before the final sets.
    if (drop_bounding) {
        for (int cap = 0; cap < 64; ++cap) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
                if (errno == EINVAL) break;  // past cap_last_cap
                die("PR_CAPBSET_DROP %d: %s", cap, strerror(errno));
            }
        }
    }

    // 6. no_new_privs: no effect on the sets.
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));

    // 7. The final effective and permitted sets (lowering P also trims ambient).
    if (have_caps) {
        struct capsets want = {final_e, final_p, cur.inheritable};
        set_or_die(&want, "final sets");
    }

    // 8. The diverging thread: it takes E=P=LIST for itself, then this (main) thread
    //    drops everything. Both capset calls act on the calling thread only.
    pid_t thread_tid = 0;
    if (have_thread) {
        static struct thread_ctl ctl = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                                        0, 0, 0, false};
        ctl.caps = thread_caps;
        pthread_t thread;
        int err = pthread_create(&thread, NULL, thread_main, &ctl);
        if (err) die("pthread_create: %s", strerror(err));
        pthread_mutex_lock(&ctl.lock);
        while (!ctl.ready) pthread_cond_wait(&ctl.cond, &ctl.lock);
        pthread_mutex_unlock(&ctl.lock);
        if (ctl.error) die("capset (thread): %s", strerror(ctl.error));
        thread_tid = ctl.tid;
        struct capsets none = {0, 0, 0};
        set_or_die(&none, "drop all in the main thread");
    }

    if (thread_tid)
        printf("ready %d %d\n", (int)getpid(), (int)thread_tid);
    else
        printf("ready %d\n", (int)getpid());
    if (fflush(stdout) != 0) die("stdout: %s", strerror(errno));

    // Wait for EOF on stdin.
    char buf[256];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0 && errno != EINTR) die("stdin: %s", strerror(errno));
    }
    return 0;
}
