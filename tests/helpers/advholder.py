#!/usr/bin/python3
"""advholder: holds known sockets for the netcap --advanced tests.

Usage: advholder.py [--comm NAME] [--nnp] [--seccomp] [--fork] SOCKET...

SOCKET is KIND:ADDR:PORT[:reuseport] for KIND tcp, tcp6, udp, udp6 (IPv6 addresses in
brackets, "[::1]"; PORT 0 lets the kernel choose; TCP sockets listen), raw:PROTO or
raw6:PROTO (an IP protocol number), or packet:IFACE (an interface name, or "any" for an
unbound ETH_P_ALL socket).

Run it under setpriv/capsh to give it a capability state. Once the sockets are open it
prints one line "ready PID [CHILD] -- PORT..." (CHILD: the pid of the --fork child, which
shares every socket; PORT: the local port of each SOCKET in order, the protocol for raw
and packet ones), then blocks until stdin reaches EOF and exits 0. It never lives longer
than 300 seconds. Any failure: a message on stderr, exit 1.
"""
import ctypes
import os
import signal
import socket
import struct
import sys

PR_SET_NAME = 15
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
BPF_RET_K = 0x06
ETH_P_ALL = 3

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


def die(message):
    sys.stderr.write(f"advholder: {message}\n")
    sys.exit(1)


def prctl(option, arg2, arg3=0, arg4=0, arg5=0):
    if libc.prctl(option, arg2, arg3, arg4, arg5) != 0:
        die(f"prctl({option}): {os.strerror(ctypes.get_errno())}")


def install_allow_all_filter():
    # struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } x1, struct sock_fprog.
    insn = ctypes.create_string_buffer(struct.pack("=HBBI", BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(1, ctypes.cast(insn, ctypes.c_void_p))
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog))


def split_addr(rest):
    """"[::1]:80" or "127.0.0.1:80" → (addr, port, options)."""
    if rest.startswith("["):
        end = rest.index("]")
        addr, tail = rest[1:end], rest[end + 2:]
    else:
        addr, _, tail = rest.partition(":")
    port, _, opts = tail.partition(":")
    return addr, int(port), opts


def open_socket(spec):
    kind, _, rest = spec.partition(":")
    if kind in ("tcp", "tcp6", "udp", "udp6"):
        addr, port, opts = split_addr(rest)
        family = socket.AF_INET6 if kind.endswith("6") else socket.AF_INET
        stype = socket.SOCK_STREAM if kind.startswith("tcp") else socket.SOCK_DGRAM
        s = socket.socket(family, stype)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if opts == "reuseport":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        elif opts:
            die(f"unknown socket option: {opts}")
        s.bind((addr, port))
        if stype == socket.SOCK_STREAM:
            s.listen(8)
        return s, s.getsockname()[1]
    if kind in ("raw", "raw6"):
        proto = int(rest)
        family = socket.AF_INET6 if kind == "raw6" else socket.AF_INET
        return socket.socket(family, socket.SOCK_RAW, proto), proto
    if kind == "packet":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        if rest != "any":
            s.bind((rest, ETH_P_ALL))
        return s, ETH_P_ALL
    die(f"unknown socket kind: {spec}")


def main(argv):
    signal.alarm(300)
    comm, nnp, seccomp, fork, specs = None, False, False, False, []
    args = iter(argv)
    for arg in args:
        if arg == "--comm":
            comm = next(args, None)
            if comm is None:
                die("--comm needs an argument")
        elif arg == "--nnp":
            nnp = True
        elif arg == "--seccomp":
            seccomp = True
        elif arg == "--fork":
            fork = True
        elif arg.startswith("--"):
            die(f"unknown option: {arg}")
        else:
            specs.append(arg)
    try:
        held = [open_socket(spec) for spec in specs]
    except (OSError, ValueError) as e:
        die(f"cannot open sockets: {e}")
    if comm is not None:
        name = ctypes.create_string_buffer(os.fsencode(comm))
        prctl(PR_SET_NAME, ctypes.addressof(name))
    if nnp:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    if seccomp:
        install_allow_all_filter()
    child = None
    if fork:
        sys.stdout.flush()
        child = os.fork()
        if child == 0:
            signal.alarm(300)  # alarms are not inherited
            sys.stdin.buffer.read()
            os._exit(0)
    pids = [str(os.getpid())] + ([str(child)] if child else [])
    ports = [str(port) for _, port in held]
    sys.stdout.write(f"ready {' '.join(pids)} -- {' '.join(ports)}\n")
    sys.stdout.flush()
    sys.stdin.buffer.read()
    if child:
        os.waitpid(child, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
