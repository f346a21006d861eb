/* nosys NR COMMAND [ARG...]: runs COMMAND with system call NR failing with ENOSYS, as on a
 * kernel that lacks it (a seccomp filter; no privilege needed). The filecap tests use it to
 * run the walk without getxattrat(2) (464), so that the lgetxattr fallbacks are exercised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: nosys NR COMMAND [ARG...]\n");
        return 2;
    }
    unsigned nr = (unsigned)strtoul(argv[1], NULL, 10);
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof code / sizeof code[0], code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("nosys: seccomp");
        return 1;
    }
    execvp(argv[2], argv + 2);
    perror("nosys: exec");
    return 127;
}
