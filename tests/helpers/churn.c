/* churn: creates and ends short-lived processes, threads and loopback sockets as fast as
 * it can for SECONDS (at most 30), so that tools reading /proc meet processes that vanish
 * between two reads. Prints "ready" once started, "done N" at the end.
 * Usage: churn SECONDS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void* short_thread(void* arg) {
    (void)arg;
    usleep(200);
    return NULL;
}

/* A child: a name, a listening socket on loopback, a thread, then gone. */
static void child(unsigned n) {
    char name[16];
    snprintf(name, sizeof name, "churn%u", n % 1000);
    prctl(PR_SET_NAME, name);
    int s = socket(n % 2 ? AF_INET : AF_INET6, n % 3 ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (s >= 0) {
        if (n % 2) {
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            bind(s, (struct sockaddr*)&a, sizeof a);
        } else {
            struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
            bind(s, (struct sockaddr*)&a, sizeof a);
        }
        if (n % 3) listen(s, 1);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, short_thread, NULL) == 0) pthread_join(t, NULL);
    _exit(0);
}

int main(int argc, char** argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 5;
    if (seconds < 1 || seconds > 30) seconds = 5;
    alarm((unsigned)seconds + 10);
    signal(SIGCHLD, SIG_DFL);
    printf("ready\n");
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    unsigned n = 0, running = 0;
    while (time(NULL) < end) {
        pid_t pid = fork();
        if (pid == 0) child(n);
        if (pid > 0) {
            ++n;
            ++running;
        }
        /* At most 64 alive at once: churn, not a fork bomb. */
        while (running >= 64 || (pid < 0 && running > 0)) {
            if (waitpid(-1, NULL, 0) > 0) --running;
            else break;
        }
        while (running > 0 && waitpid(-1, NULL, WNOHANG) > 0) --running;
    }
    while (running > 0 && waitpid(-1, NULL, 0) > 0) --running;
    printf("done %u\n", n);
    return 0;
}
