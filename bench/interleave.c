/* interleave: run commands round-robin and report each one's median wall time.
 *
 *   interleave [-n ITERATIONS] [-w WARMUP] NAME=COMMAND ... 
 *
 * COMMAND is split on blanks (no shell). Each iteration runs every command once, in a
 * rotating order, with stdout and stderr on /dev/null, timing fork+exec+wait with
 * CLOCK_MONOTONIC. On a shared machine this keeps slow drifts in background load from
 * favouring whichever command hyperfine happened to run first. Prints one line per command:
 *   NAME median_ms p25_ms p75_ms min_ms runs
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
    char *name;
    char *argv[16];
    double *ms;
};

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double run(struct cmd *c, posix_spawn_file_actions_t *fa) {
    pid_t pid;
    double t0 = now_ms();
    if (posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ) != 0) {
        perror(c->argv[0]);
        exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    return now_ms() - t0;
}

int main(int argc, char **argv) {
    int iterations = 200, warmup = 10, first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-n") == 0 && first + 1 < argc) iterations = atoi(argv[first + 1]);
        else if (strcmp(argv[first], "-w") == 0 && first + 1 < argc) warmup = atoi(argv[first + 1]);
        else { fprintf(stderr, "usage: interleave [-n N] [-w W] NAME=COMMAND...\n"); return 2; }
        first += 2;
    }
    int n = argc - first;
    if (n <= 0 || iterations <= 0) { fprintf(stderr, "usage: interleave [-n N] [-w W] NAME=COMMAND...\n"); return 2; }
    struct cmd *cmds = calloc((size_t)n, sizeof *cmds);
    for (int i = 0; i < n; ++i) {
        char *spec = strdup(argv[first + i]);
        char *eq = strchr(spec, '=');
        if (!eq) { fprintf(stderr, "interleave: %s: want NAME=COMMAND\n", spec); return 2; }
        *eq = 0;
        cmds[i].name = spec;
        int k = 0;
        for (char *tok = strtok(eq + 1, " "); tok && k < 15; tok = strtok(NULL, " ")) cmds[i].argv[k++] = tok;
        cmds[i].argv[k] = NULL;
        cmds[i].ms = calloc((size_t)iterations, sizeof(double));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    for (int w = 0; w < warmup; ++w)
        for (int i = 0; i < n; ++i) run(&cmds[i], &fa);
    for (int it = 0; it < iterations; ++it)
        for (int j = 0; j < n; ++j) {
            int i = (j + it) % n;
            cmds[i].ms[it] = run(&cmds[i], &fa);
        }
    for (int i = 0; i < n; ++i) {
        double *v = cmds[i].ms;
        qsort(v, (size_t)iterations, sizeof *v, cmp);
        printf("%s %.4f %.4f %.4f %.4f %d\n", cmds[i].name, v[iterations / 2], v[iterations / 4],
               v[iterations * 3 / 4], v[0], iterations);
    }
    return 0;
}
