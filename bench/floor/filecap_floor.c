/* filecap_floor: the least work that finds every file with capabilities in a tree.
 *
 *   filecap_floor DIR [THREADS]
 *
 * One getdents64 loop per directory and one getxattrat(2) per regular file (relative to
 * the directory descriptor, no path building, no open of the file), THREADS threads
 * (default 1) sharing a stack of open directory descriptors. No sorting, no formatting,
 * no symlink or mount checks: it prints only the number of files with a
 * security.capability attribute. What capinspect's filecap is measured against.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif

struct xattr_args {
    uint64_t value;
    uint32_t size;
    uint32_t flags;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int *stack;
static size_t depth, capacity;
static unsigned busy;
static long found;

static void push(int fd) {
    if (depth == capacity) {
        capacity = capacity ? 2 * capacity : 1024;
        stack = realloc(stack, capacity * sizeof *stack);
        if (!stack) abort();
    }
    stack[depth++] = fd;
}

static void *walker(void *arg) {
    (void)arg;
    char *buf = malloc(64 * 1024);
    long mine = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (depth == 0 && busy > 0) pthread_cond_wait(&cv, &mu);
        if (depth == 0) {
            pthread_cond_broadcast(&cv);
            pthread_mutex_unlock(&mu);
            break;
        }
        int fd = stack[--depth];
        busy++;
        pthread_mutex_unlock(&mu);

        int subdirs[256];
        size_t nsub = 0;
        long got;
        while ((got = getdents64(fd, buf, 64 * 1024)) > 0) {
            for (long pos = 0; pos < got;) {
                struct dirent64 *d = (struct dirent64 *)(buf + pos);
                pos += d->d_reclen;
                if (d->d_name[0] == '.' &&
                    (d->d_name[1] == 0 || (d->d_name[1] == '.' && d->d_name[2] == 0)))
                    continue;
                if (d->d_type == DT_REG) {
                    char value[32];
                    struct xattr_args args = {(uintptr_t)value, sizeof value, 0};
                    if (syscall(__NR_getxattrat, fd, d->d_name, AT_SYMLINK_NOFOLLOW,
                                "security.capability", &args, sizeof args) >= 0)
                        mine++;
                } else if (d->d_type == DT_DIR) {
                    int sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                    if (sub < 0) continue;
                    subdirs[nsub++] = sub;
                    if (nsub == 256) {
                        pthread_mutex_lock(&mu);
                        for (size_t i = 0; i < nsub; i++) push(subdirs[i]);
                        pthread_cond_broadcast(&cv);
                        pthread_mutex_unlock(&mu);
                        nsub = 0;
                    }
                }
            }
        }
        close(fd);
        pthread_mutex_lock(&mu);
        for (size_t i = 0; i < nsub; i++) push(subdirs[i]);
        busy--;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    free(buf);
    pthread_mutex_lock(&mu);
    found += mine;
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: filecap_floor DIR [THREADS]\n");
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    if (threads < 1) threads = 1;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    int root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        fprintf(stderr, "filecap_floor: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    push(root);
    pthread_t tid[64];
    if (threads > 64) threads = 64;
    for (int i = 1; i < threads; i++) pthread_create(&tid[i], NULL, walker, NULL);
    walker(NULL);
    for (int i = 1; i < threads; i++) pthread_join(tid[i], NULL);
    printf("%ld\n", found);
    return 0;
}
