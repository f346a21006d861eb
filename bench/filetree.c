/* filetree: makes a directory tree for the filecap benchmark.
 *
 *   filetree DIR FILES [PCT [SEED]]
 *
 * DIR must not exist. FILES empty regular files are spread over directories the way a
 * system tree is: 2 to 30 files per directory, 1 to 5 subdirectories, at most 9 levels.
 * PCT percent of them (default 1) get a security.capability attribute, cycling through
 * every kind filecap tells apart: +ep, +p, inheritable only, +ie, the empty "=", =ep
 * (full), =p, revision 3 with a rootid, and bits above the kernel's last capability.
 * There are also symlinks (to files, to directories, dangling), one FIFO and one
 * directory with mode 000 holding a file with capabilities. Needs CAP_SETFCAP (root) for
 * the attributes. Prints a summary line: files, directories, files with capabilities.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static unsigned long long rng_state = 88172645463325252ULL;
static unsigned rnd(unsigned n) { /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static long files_left, dirs_made, files_made, caps_made, pct_caps = 1;
static unsigned cap_kind;

static void die(const char *what) {
    fprintf(stderr, "filetree: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A security.capability value: revision 2 (20 bytes) or 3 (24 bytes), little-endian. */
static size_t cap_value(unsigned kind, unsigned char *v) {
    uint32_t w[6] = {0};
    size_t words = 5;
    switch (kind % 9) {
    case 0: w[0] = 0x02000001; w[1] = 1u << 13; break;            /* cap_net_raw+ep */
    case 1: w[0] = 0x02000000; w[1] = 1u << 0 | 1u << 13; break;  /* cap_chown,cap_net_raw+p */
    case 2: w[0] = 0x02000000; w[2] = 1u << 13; break;            /* cap_net_raw+i */
    case 3: w[0] = 0x02000001; w[2] = 1u << 13; break;            /* cap_net_raw+ie */
    case 4: w[0] = 0x02000000; break;                             /* = */
    case 5: w[0] = 0x02000001; w[1] = 0xffffffff; w[3] = 0x1ff; break;  /* =ep */
    case 6: w[0] = 0x02000000; w[1] = 0xffffffff; w[3] = 0x1ff; break;  /* =p */
    case 7: w[0] = 0x03000001; w[1] = 1u << 10; w[5] = 1000; words = 6; break;  /* -n 1000 */
    case 8: w[0] = 0x02000001; w[1] = 1u << 12; w[3] = 1u << 13; break;  /* net_admin + bit 45 */
    }
    for (size_t i = 0; i < words; i++)
        for (int b = 0; b < 4; b++) v[4 * i + b] = (unsigned char)(w[i] >> (8 * b));
    return 4 * words;
}

static void make_file(int dirfd, const char *name, int with_caps) {
    int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
    if (fd < 0) die(name);
    if (with_caps) {
        unsigned char v[24];
        size_t n = cap_value(cap_kind++, v);
        if (fsetxattr(fd, "security.capability", v, n, 0) != 0) die("fsetxattr security.capability");
        caps_made++;
    }
    close(fd);
    files_made++;
    files_left--;
}

static int want_caps(void) { return (long)rnd(10000) < pct_caps * 100; }

static void make_dir(int dirfd, int depth) {
    unsigned nfiles = 2 + rnd(29);
    char name[64];
    for (unsigned i = 0; i < nfiles && files_left > 0; i++) {
        snprintf(name, sizeof name, "f%03u_%x", i, rnd(0x10000));
        make_file(dirfd, name, want_caps());
    }
    if (rnd(50) == 0) {
        snprintf(name, sizeof name, "link%u", rnd(1000));
        symlinkat("f000_0", dirfd, name);           /* often dangling, never followed */
        symlinkat("..", dirfd, "up");                /* a link to a directory */
    }
    if (files_left <= 0) return;
    unsigned nsub = depth >= 8 ? 0 : 1 + rnd(5);
    if (depth < 2 && nsub < 3) nsub = 3;
    for (unsigned i = 0; i < nsub && files_left > 0; i++) {
        snprintf(name, sizeof name, "d%02u_%x", i, rnd(0x10000));
        if (mkdirat(dirfd, name, 0755) != 0) die(name);
        dirs_made++;
        int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub < 0) die(name);
        make_dir(sub, depth + 1);
        close(sub);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: filetree DIR FILES [PCT [SEED]]\n");
        return 2;
    }
    files_left = atol(argv[2]);
    if (argc > 3) pct_caps = atol(argv[3]);
    if (argc > 4) rng_state ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
    if (mkdir(argv[1], 0755) != 0) die(argv[1]);
    int root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) die(argv[1]);
    dirs_made = 1;
    /* The odd ones first, so that they exist at any size. */
    if (mkfifoat(root, "fifo", 0600) != 0) die("fifo");
    if (mkdirat(root, "closed", 0755) != 0) die("closed");
    int closed = openat(root, "closed", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (closed < 0) die("closed");
    make_file(closed, "hidden", 1);
    fchmod(closed, 0);
    close(closed);
    dirs_made++;
    symlinkat("/", root, "to_root");
    /* Top-level trees of up to a few hundred thousand files each, like /usr/lib, /usr/share. */
    for (unsigned t = 0; files_left > 0; t++) {
        char name[32];
        snprintf(name, sizeof name, "t%02u", t);
        if (mkdirat(root, name, 0755) != 0) die(name);
        dirs_made++;
        int sub = openat(root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub < 0) die(name);
        make_dir(sub, 0);
        close(sub);
    }
    close(root);
    printf("%ld files, %ld directories, %ld with capabilities\n", files_made, dirs_made, caps_made);
    return 0;
}
