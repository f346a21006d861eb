/* treechurn: changes a directory tree as fast as it can for SECONDS (at most 30), so that
 * a file-system walker meets entries that vanish, move or change type between the
 * directory read and the look at each entry. In DIR it creates small subtrees holding
 * files with capabilities, a symlink and a FIFO; renames them; swaps a directory with a
 * file or a symlink (renameat2 RENAME_EXCHANGE); and deletes them. Everything it makes
 * stays under DIR and is removed at the end. Needs CAP_SETFCAP for the capabilities.
 * Prints "ready" once started, "done N" (operations made) at the end.
 * Usage: treechurn DIR SECONDS */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

enum { slots = 8 };

static const char* top;

/* A capability file: revision 2, effective, cap_net_raw (13) permitted. */
static void cap_file(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0) return;
    const uint32_t blob[5] = {0x02000001u, 1u << 13, 0, 0, 0};
    fsetxattr(fd, "security.capability", blob, sizeof blob, 0);
    close(fd);
}

static int remove_entry(const char* path, const struct stat* st, int type, struct FTW* ftw) {
    (void)st, (void)ftw;
    if (type == FTW_DP) rmdir(path);
    else unlink(path);
    return 0;
}

static void remove_tree(const char* path) {
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* DIR/<prefix><k><suffix> */
static void at(char* buf, size_t size, const char* prefix, unsigned k, const char* suffix) {
    snprintf(buf, size, "%s/%s%u%s", top, prefix, k, suffix);
}

static void make_subtree(unsigned k) {
    char p[4096];
    at(p, sizeof p, "s", k, "");
    if (mkdir(p, 0755) != 0) return;
    at(p, sizeof p, "s", k, "/deeper");
    mkdir(p, 0755);
    at(p, sizeof p, "s", k, "/f");
    cap_file(p);
    at(p, sizeof p, "s", k, "/deeper/g");
    cap_file(p);
    at(p, sizeof p, "s", k, "/loop");
    symlink("..", p);
    at(p, sizeof p, "s", k, "/fifo");
    mkfifo(p, 0600);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: treechurn DIR SECONDS\n");
        return 2;
    }
    top = argv[1];
    int seconds = atoi(argv[2]);
    if (seconds < 1 || seconds > 30) seconds = 30;
    time_t end = time(NULL) + seconds;
    unsigned long ops = 0;
    char a[4096], b[4096];
    printf("ready\n");
    fflush(stdout);
    for (unsigned i = 0; time(NULL) < end; ++i) {
        unsigned k = i % slots;
        switch ((i / slots) % 6) {
        case 0:
            make_subtree(k);
            break;
        case 1:  // move the subtree into its neighbour and back, then to another name
            at(a, sizeof a, "s", k, "");
            at(b, sizeof b, "s", (k + 1) % slots, "/moved");
            if (rename(a, b) == 0) rename(b, a);
            at(b, sizeof b, "m", k, "");
            rename(a, b);
            rename(b, a);
            break;
        case 2:  // a directory becomes a file, then a directory again
            at(a, sizeof a, "s", k, "");
            at(b, sizeof b, "file", k, "");
            cap_file(b);
            renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
            renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
            unlink(b);
            break;
        case 3:  // a directory becomes a symlink to the top
            at(a, sizeof a, "s", k, "");
            at(b, sizeof b, "link", k, "");
            symlink(top, b);
            renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
            renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
            unlink(b);
            break;
        case 4:  // files come and go beside the subtrees
            at(a, sizeof a, "loose", k, "");
            cap_file(a);
            at(b, sizeof b, "renamed", k, "");
            rename(a, b);
            unlink(b);
            break;
        case 5:
            at(a, sizeof a, "s", k, "");
            remove_tree(a);
            break;
        }
        ++ops;
    }
    for (unsigned k = 0; k < slots; ++k) {
        const char* names[] = {"s", "m", "file", "link", "loose", "renamed"};
        for (size_t n = 0; n < sizeof names / sizeof *names; ++n) {
            at(a, sizeof a, names[n], k, "");
            remove_tree(a);
        }
    }
    printf("done %lu\n", ops);
    return 0;
}
