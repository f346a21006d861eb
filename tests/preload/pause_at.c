/* pause_at: an LD_PRELOAD library that stops a tool at one chosen point, so that a test can
 * change the file system exactly there instead of hoping to win a race.
 *
 *   PAUSE_PATH=/some/file PAUSE_CALL=lstat|open PAUSE_FLAG=/tmp/flag LD_PRELOAD=pause_at.so tool
 *
 * Right after the tool's first lstat() (or open()) of PAUSE_PATH returns, the library
 * creates PAUSE_FLAG and waits until the test removes it (at most 20 s), then lets the
 * tool go on. Built without sanitizers: it is loaded into plain and sanitized tools alike. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int paused;

/* The next definition of a function (ISO C has no cast from void* to a function). */
static void next_symbol(void* fn, size_t size, const char* name) {
    void* sym = dlsym(RTLD_NEXT, name);
    memcpy(fn, &sym, size);
}

static void pause_if(const char* call, const char* path) {
    const char* want_path = getenv("PAUSE_PATH");
    const char* want_call = getenv("PAUSE_CALL");
    const char* flag = getenv("PAUSE_FLAG");
    if (paused || !want_path || !want_call || !flag || strcmp(call, want_call) != 0 ||
        strcmp(path, want_path) != 0)
        return;
    paused = 1;
    int saved = errno;
    int fd = creat(flag, 0600);
    if (fd >= 0) close(fd);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 2000 && access(flag, F_OK) == 0; ++i) nanosleep(&tick, NULL);
    errno = saved;
}

int lstat(const char* path, struct stat* st) {
    static int (*next)(const char*, struct stat*);
    if (!next) next_symbol(&next, sizeof next, "lstat");
    int rc = next(path, st);
    pause_if("lstat", path);
    return rc;
}

#define OPEN_WRAPPER(name)                                                   \
    int name(const char* path, int flags, ...) {                             \
        static int (*next)(const char*, int, ...);                           \
        if (!next) next_symbol(&next, sizeof next, #name);                   \
        mode_t mode = 0;                                                     \
        if (flags & (O_CREAT | __O_TMPFILE)) {                               \
            va_list ap;                                                      \
            va_start(ap, flags);                                             \
            mode = va_arg(ap, mode_t);                                       \
            va_end(ap);                                                      \
        }                                                                    \
        int fd = next(path, flags, mode);                                    \
        pause_if("open", path);                                              \
        return fd;                                                           \
    }

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)
