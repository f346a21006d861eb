// sockholder: opens known sockets, then becomes a capholder (exec, same pid) so that the
// sockets are held under a known capability state, for netcap's command-line tests.
//
// Usage: sockholder [SOCKET-OPTION]... [--fork] [--] [CAPHOLDER-OPTION]...
//
//   --tcp ADDR:PORT       TCP listener            --udp ADDR:PORT      bound UDP socket
//   --tcp-pair ADDR       a listener on ADDR:0, a client connected to it and the accepted
//                         socket: three sockets, both ends of one connection
//   --udp-conn ADDR       UDP socket bound to ADDR:0 and connected to ADDR:9
//   --udplite ADDR:PORT   bound UDP-Lite socket
//   --raw4                raw ICMP socket       --raw6    raw ICMPv6 socket
//   --packet [IFACE]      packet socket for ETH_P_ALL, unbound, or bound to IFACE when the
//                         argument is given as --packet=IFACE
//   --reuseport           set SO_REUSEPORT on every later TCP/UDP socket
//   --dup                 duplicate the last socket onto a second fd (fd 100, 101, ...)
//   --fork                after the sockets, fork: the child shares every socket and
//                         execs capholder with the same options (its own "ready" line)
//
// ADDR is an IPv4 address or an IPv6 address in brackets ([::1]); PORT 0 picks a free
// port. Every socket is reported on stdout, before the exec, as one line
//   sock KIND FD PORT         (KIND tcp tcp6 udp udp6 udplite udplite6 raw raw6 pkt;
//                              PORT the local port, the protocol for raw, the ifindex
//                              for pkt, 0 when unbound)
// then "child PID" for --fork. capholder (next to this program) prints "ready PID" and
// holds everything until stdin reaches EOF; it never lives longer than 300 seconds. The
// options after the socket options (or after "--") are capholder's. Any failure: a
// message on stderr, exit 1.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("sockholder: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

struct endpoint {
    struct sockaddr_storage addr;
    socklen_t len;
    int family;
    bool v6;
};

// "127.0.0.1:80", "[::1]:0"; with_port false: "127.0.0.1", "[::1]" or "::1".
static struct endpoint parse_endpoint(const char* text, bool with_port) {
    struct endpoint ep;
    memset(&ep, 0, sizeof ep);
    char host[INET6_ADDRSTRLEN + 2];
    const char* port_text = "0";
    if (text[0] == '[') {
        const char* close = strchr(text, ']');
        if (!close || (size_t)(close - text - 1) >= sizeof host) die("bad address: %s", text);
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        if (with_port) {
            if (close[1] != ':') die("missing port: %s", text);
            port_text = close + 2;
        } else if (close[1] != '\0') {
            die("unexpected port: %s", text);
        }
    } else if (!with_port) {
        if (strlen(text) >= sizeof host) die("bad address: %s", text);
        strcpy(host, text);
    } else {
        const char* colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host) die("missing port: %s", text);
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    char* end = NULL;
    unsigned long port = strtoul(port_text, &end, 10);
    if (*port_text == '\0' || *end != '\0' || port > 65535) die("bad port: %s", text);
    struct sockaddr_in* in4 = (struct sockaddr_in*)&ep.addr;
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)&ep.addr;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        ep.len = sizeof *in4;
        ep.family = AF_INET;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        memset(in6, 0, sizeof *in6);
        inet_pton(AF_INET6, host, &in6->sin6_addr);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        ep.len = sizeof *in6;
        ep.family = AF_INET6;
        ep.v6 = true;
    } else {
        die("bad address: %s", text);
    }
    return ep;
}

static unsigned local_port(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr*)&ss, &len) != 0) die("getsockname: %s", strerror(errno));
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in*)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6*)&ss)->sin6_port);
    die("getsockname: unexpected family %d", ss.ss_family);
}

static void report(const char* kind, int fd, unsigned port) {
    printf("sock %s %d %u\n", kind, fd, port);
}

static bool reuseport;
static int last_fd = -1;
static int next_dup = 100;

static int inet_socket(const struct endpoint* ep, int type, int protocol) {
    int fd = socket(ep->family, type, protocol);
    if (fd < 0) die("socket: %s", strerror(errno));
    int one = 1;
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        die("SO_REUSEPORT: %s", strerror(errno));
    if (ep->v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
        die("IPV6_V6ONLY: %s", strerror(errno));
    if (bind(fd, (const struct sockaddr*)&ep->addr, ep->len) != 0) die("bind: %s", strerror(errno));
    last_fd = fd;
    return fd;
}

static void tcp_listener(const char* arg) {
    struct endpoint ep = parse_endpoint(arg, true);
    int fd = inet_socket(&ep, SOCK_STREAM, 0);
    if (listen(fd, 16) != 0) die("listen: %s", strerror(errno));
    report(ep.v6 ? "tcp6" : "tcp", fd, local_port(fd));
}

static void tcp_pair(const char* arg) {
    struct endpoint ep = parse_endpoint(arg, false);
    int listener = inet_socket(&ep, SOCK_STREAM, 0);
    if (listen(listener, 16) != 0) die("listen: %s", strerror(errno));
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    if (getsockname(listener, (struct sockaddr*)&bound, &len) != 0) die("getsockname: %s", strerror(errno));
    int client = socket(ep.family, SOCK_STREAM, 0);
    if (client < 0) die("socket: %s", strerror(errno));
    if (connect(client, (struct sockaddr*)&bound, len) != 0) die("connect: %s", strerror(errno));
    int accepted = accept(listener, NULL, NULL);
    if (accepted < 0) die("accept: %s", strerror(errno));
    const char* kind = ep.v6 ? "tcp6" : "tcp";
    report(kind, listener, local_port(listener));
    report(kind, accepted, local_port(accepted));
    report(kind, client, local_port(client));
    last_fd = client;
}

static void datagram(const char* arg, int protocol, const char* v4, const char* v6, bool connected) {
    struct endpoint ep = parse_endpoint(arg, !connected);
    int fd = inet_socket(&ep, SOCK_DGRAM, protocol);
    if (connected) {
        struct endpoint peer = ep;
        if (peer.v6)
            ((struct sockaddr_in6*)&peer.addr)->sin6_port = htons(9);
        else
            ((struct sockaddr_in*)&peer.addr)->sin_port = htons(9);
        if (connect(fd, (struct sockaddr*)&peer.addr, peer.len) != 0) die("connect: %s", strerror(errno));
    }
    report(ep.v6 ? v6 : v4, fd, local_port(fd));
}

static void raw_socket(int family, int protocol) {
    int fd = socket(family, SOCK_RAW, protocol);
    if (fd < 0) die("raw socket: %s", strerror(errno));
    last_fd = fd;
    report(family == AF_INET6 ? "raw6" : "raw", fd, (unsigned)protocol);
}

static void packet_socket(const char* iface) {
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) die("packet socket: %s", strerror(errno));
    unsigned index = 0;
    if (iface) {
        index = if_nametoindex(iface);
        if (index == 0) die("no interface %s", iface);
        struct sockaddr_ll sll;
        memset(&sll, 0, sizeof sll);
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_ALL);
        sll.sll_ifindex = (int)index;
        if (bind(fd, (struct sockaddr*)&sll, sizeof sll) != 0) die("bind %s: %s", iface, strerror(errno));
    }
    last_fd = fd;
    report("pkt", fd, index);
}

static bool takes_argument(const char* option) {
    static const char* const with_arg[] = {"--tcp", "--tcp-pair", "--udp", "--udp-conn", "--udplite"};
    for (size_t k = 0; k < sizeof with_arg / sizeof with_arg[0]; ++k)
        if (strcmp(option, with_arg[k]) == 0) return true;
    return false;
}

// The capholder next to this program.
static void exec_capholder(char** args, int nargs) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die("readlink /proc/self/exe: %s", strerror(errno));
    self[n] = '\0';
    char* slash = strrchr(self, '/');
    if (!slash || (size_t)(slash - self) + sizeof "/capholder" > sizeof self) die("odd path: %s", self);
    strcpy(slash, "/capholder");
    char** argv = calloc((size_t)nargs + 2, sizeof *argv);
    if (!argv) die("out of memory");
    argv[0] = self;
    for (int i = 0; i < nargs; ++i) argv[i + 1] = args[i];
    execv(self, argv);
    die("exec %s: %s", self, strerror(errno));
}

int main(int argc, char** argv) {
    bool do_fork = false;
    int i = 1;
    for (; i < argc; ++i) {
        const char* a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            ++i;
            break;
        } else if (strcmp(a, "--tcp") == 0 && next) {
            tcp_listener(next), ++i;
        } else if (strcmp(a, "--tcp-pair") == 0 && next) {
            tcp_pair(next), ++i;
        } else if (strcmp(a, "--udp") == 0 && next) {
            datagram(next, 0, "udp", "udp6", false), ++i;
        } else if (strcmp(a, "--udp-conn") == 0 && next) {
            datagram(next, 0, "udp", "udp6", true), ++i;
        } else if (strcmp(a, "--udplite") == 0 && next) {
            datagram(next, IPPROTO_UDPLITE, "udplite", "udplite6", false), ++i;
        } else if (strcmp(a, "--raw4") == 0) {
            raw_socket(AF_INET, IPPROTO_ICMP);
        } else if (strcmp(a, "--raw6") == 0) {
            raw_socket(AF_INET6, IPPROTO_ICMPV6);
        } else if (strcmp(a, "--packet") == 0) {
            packet_socket(NULL);
        } else if (strncmp(a, "--packet=", 9) == 0) {
            packet_socket(a + 9);
        } else if (strcmp(a, "--reuseport") == 0) {
            reuseport = true;
        } else if (strcmp(a, "--dup") == 0) {
            if (last_fd < 0) die("--dup: no socket yet");
            int fd = dup2(last_fd, next_dup++);
            if (fd < 0) die("dup2: %s", strerror(errno));
        } else if (strcmp(a, "--fork") == 0) {
            do_fork = true;
        } else if (!next && takes_argument(a)) {
            die("option %s needs an argument", a);
        } else {
            break;  // the first capholder option
        }
    }
    if (do_fork) {
        if (fflush(stdout) != 0) die("stdout: %s", strerror(errno));
        pid_t child = fork();
        if (child < 0) die("fork: %s", strerror(errno));
        if (child == 0) exec_capholder(argv + i, argc - i);
        printf("child %d\n", (int)child);
    }
    if (fflush(stdout) != 0) die("stdout: %s", strerror(errno));
    exec_capholder(argv + i, argc - i);
}
