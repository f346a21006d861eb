// seccomp_exec: runs a program under a seccomp filter, for the captest tests.
//
// Usage: seccomp_exec [--deny SYSCALL_NUMBER] [--filters N] PROGRAM [ARG...]
//
// Sets no_new_privs (which an unprivileged filter needs), installs N filters (default 1)
// that allow every system call, the first of which makes SYSCALL_NUMBER fail with EPERM
// when --deny is given, and execs PROGRAM. Any failure: message on stderr, exit 126.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int install(long deny) {
    struct sock_filter allow_all[] = {
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_filter deny_one[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)deny, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog;
    if (deny >= 0) {
        prog.len = sizeof deny_one / sizeof deny_one[0];
        prog.filter = deny_one;
    } else {
        prog.len = sizeof allow_all / sizeof allow_all[0];
        prog.filter = allow_all;
    }
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int main(int argc, char** argv) {
    long deny = -1, filters = 1;
    int i = 1;
    while (i + 1 < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--deny") == 0) deny = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--filters") == 0) filters = strtol(argv[i + 1], NULL, 10);
        else break;
        i += 2;
    }
    if (i >= argc || filters < 1) {
        fputs("usage: seccomp_exec [--deny NR] [--filters N] PROGRAM [ARG...]\n", stderr);
        return 126;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("seccomp_exec: PR_SET_NO_NEW_PRIVS");
        return 126;
    }
    for (long k = 0; k < filters; ++k) {
        if (install(k == 0 ? deny : -1) != 0) {
            perror("seccomp_exec: PR_SET_SECCOMP");
            return 126;
        }
    }
    execv(argv[i], argv + i);
    fprintf(stderr, "seccomp_exec: %s: %s\n", argv[i], strerror(errno));
    return 126;
}
