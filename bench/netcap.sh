#!/bin/sh
# Side-by-side benchmark of netcap: capinspect's against Debian's (libcap-ng 0.8.3),
# upstream libcap-ng 0.9.5 (when installed at /opt/libcap-ng-0.9.5), `ss -tuw0anp` (the
# same kernel work: a sock_diag dump of TCP, UDP, raw and packet sockets plus every
# process's fds for -p; ss has no UDP-Lite) and a minimal C floor
# (bench/floor/netcap_floor.c).
#
#   sh bench/netcap.sh          (as root; about 25 minutes, most of it Debian's and
#                                0.9.5's netcap at 100 000 sockets)
#
# Everything runs in a private network namespace (the script re-executes itself under
# `unshare -n` and brings its loopback up): the generated sockets stay out of the shared
# machine's namespace, and the tools see only them. Processes are not isolated: every
# tool still walks the machine's whole /proc.
#
# Sizes (SIZES, default "10000 100000 procs10000"): N sockets held by bench/build/sockets
# (PCT% of its processes hold capabilities), or "procsN": N generated processes
# (bench/build/procs, 20% of them holding capabilities) plus N sockets. For each size:
# one probe run of every program under /usr/bin/time -v (output kept for the sanity
# checks, peak memory), then ROUNDS rounds; in each round every program runs once under
# hyperfine (RUNS runs after WARMUP) in a rotating order, or, for a program whose probe
# took more than SLOW seconds, once under /usr/bin/time -v. A program's time is the
# median of its per-round medians; its CPU time (user + system, which a busy machine
# disturbs less than the wall clock) the median of its per-round means. Where every program is fast, bench/interleave adds a
# round-robin cross-check. Raw files go to bench/results/raw/netcap-* (git-ignored); the
# report to bench/results/netcap.md, netcap.json and the plot netcap.svg (bench/plot.py).
#
# The machine may be shared: before each size it waits (up to QUIET_WAIT seconds) for the
# CPUs to be less than BUSY_MAX% busy with other work, and records how busy they were.
#
# Environment: SIZES, PCT (50), ROUNDS (3), RUNS (10), WARMUP (2), SLOW (5), QUIET_WAIT
# (180), BUSY_MAX (15), CC (cc), PYTHON (python3) and KEEP (0; 1 keeps the raw files of
# the sizes not measured again, so that a subset can be re-run and the report still
# covers everything).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=netcap
QUIET_WAIT=${QUIET_WAIT:-180}
. "$bench/common.sh"

[ "$(id -u)" = 0 ] || die "run as root: the generators open raw and packet sockets and set capabilities"

if [ -z "${NETCAP_BENCH_IN_NETNS:-}" ]; then
    command -v unshare >/dev/null || die "unshare (util-linux) is not installed"
    NETCAP_BENCH_IN_NETNS=1 exec unshare -n sh "$0" "$@"
fi
command -v ip >/dev/null || die "ip (iproute2) is not installed"
ip link set lo up

SIZES=${SIZES:-"10000 100000 procs10000"}
PCT=${PCT:-50}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
SLOW=${SLOW:-5}

ours=$root/build/bin/netcap
debian=/usr/bin/netcap
up095=/opt/libcap-ng-0.9.5/bin/netcap
floor=$build/netcap_floor
ss=$(command -v ss || true)
TIME=/usr/bin/time

command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v "$PYTHON" >/dev/null || die "$PYTHON is not installed"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
[ -x "$debian" ] || die "$debian is missing (apt-get install libcap-ng-utils)"

# --- build -------------------------------------------------------------------------------
log "building capinspect (make -C $root all)"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
if [ "$KEEP" = 1 ]; then
    for size in $SIZES; do rm -f "$raw/netcap-$size".* "$raw/netcap-gen-$size".*; done
else
    rm -f "$raw"/netcap-*
fi
log "building the generators and the floor into $build"
$CC -O2 -Wall -o "$build/sockets" "$bench/sockets.c"
$CC -O2 -Wall -o "$build/procs" "$bench/procs.c"
$CC -O2 -Wall -o "$floor" "$bench/floor/netcap_floor.c"
$CC -O2 -Wall -o "$build/interleave" "$bench/interleave.c"

programs="ours debian"
[ -x "$up095" ] && programs="$programs 095" || log "libcap-ng 0.9.5 is not installed at $up095: left out"
[ -n "$ss" ] && programs="$programs ss" || log "ss is not installed: left out"
programs="$programs floor"

command_of() {
    case $1 in
    ours) echo "$ours" ;;
    debian) echo "$debian" ;;
    095) echo "$up095" ;;
    ss) echo "$ss -tuw0anp" ;;
    floor) echo "$floor" ;;
    esac
}

# --- generators: started per size, always ended by their pids ------------------------------
sock_pid= proc_pid=
stop_generators() {
    exec 3>&- 4>&-    # EOF on their stdin: they end their children
    for pid in $sock_pid $proc_pid; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
        if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
        wait "$pid" 2>/dev/null || true
    done
    sock_pid= proc_pid=
    rm -f "$raw/netcap-sock.fifo" "$raw/netcap-proc.fifo"
}
trap 'stop_generators' EXIT
trap 'stop_generators; exit 130' INT TERM HUP

wait_ready() { # FILE PID WHAT
    i=0
    until grep -q '^ready' "$1" 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || die "$3 exited: $(cat "${1%.out}.log")"
        [ $i -lt 1800 ] || die "$3 was not ready after 180 s"
        sleep 0.1
        i=$((i + 1))
    done
}

start_sockets() { # N
    rm -f "$raw/netcap-sock.fifo"
    mkfifo "$raw/netcap-sock.fifo"
    "$build/sockets" "$1" --holders "$PCT" --lifetime 3000 <"$raw/netcap-sock.fifo" \
        >"$raw/netcap-gen-$size.sockets.out" 2>"$raw/netcap-gen-$size.sockets.log" &
    sock_pid=$!
    exec 3>"$raw/netcap-sock.fifo"
    wait_ready "$raw/netcap-gen-$size.sockets.out" "$sock_pid" "the socket generator"
    log "$(head -n 1 "$raw/netcap-gen-$size.sockets.log")"
}

start_procs() { # N
    rm -f "$raw/netcap-proc.fifo"
    mkfifo "$raw/netcap-proc.fifo"
    "$build/procs" "$1" 20 --ambient-share 0.1 --lifetime 3000 <"$raw/netcap-proc.fifo" \
        >"$raw/netcap-gen-$size.procs.out" 2>"$raw/netcap-gen-$size.procs.log" &
    proc_pid=$!
    exec 4>"$raw/netcap-proc.fifo"
    wait_ready "$raw/netcap-gen-$size.procs.out" "$proc_pid" "the process generator"
    log "$(head -n 1 "$raw/netcap-gen-$size.procs.log")"
}

count_procs() { ls /proc | grep -c '^[1-9][0-9]*$'; }

# Wall seconds, peak KiB and CPU seconds (user + system) of one run under /usr/bin/time -v:
# "SECONDS KIB CPU" on stdout.
timed_run() { # PROGRAM STDOUT-FILE STDERR-FILE
    cmd=$(command_of "$1")
    $TIME -v -o "$3.time" $cmd >"$2" 2>"$3" || true
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
                /Maximum resident set size/ { kb = $2 }
                /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
                END { printf "%.3f %d %.3f\n", s, kb, cpu }' "$3.time"
}

# --- machine -------------------------------------------------------------------------------
{
    echo "nproc=$(nproc)"
    echo "model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -r)"
    echo "procs_idle=$(count_procs)"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "programs=$programs"
    [ -z "$ss" ] || echo "ss_command=$(command_of ss | sed 's|^.*/||')"
    echo "pct=$PCT"
    echo "rounds=$ROUNDS"
    echo "runs=$RUNS"
    echo "warmup=$WARMUP"
    echo "slow=$SLOW"
    echo "nofile_hard=$(ulimit -Hn)"
} >"$raw/netcap-machine.txt"

# --- measure -------------------------------------------------------------------------------
for size in $SIZES; do
    case $size in
    procs*) n=${size#procs}; log "size $size: $n processes (20% holding capabilities) and $n sockets"
            start_procs "$n"; start_sockets "$n" ;;
    *) n=$size; log "size $size: $n sockets, $PCT% of their processes holding capabilities"
       start_sockets "$n" ;;
    esac
    sleep 1
    sockets=$(awk '/^ready/ {print $2}' "$raw/netcap-gen-$size.sockets.out")
    procs=$(count_procs)
    busy=$(wait_quiet)
    tables=$(cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/udplite \
             /proc/net/udplite6 /proc/net/raw /proc/net/raw6 /proc/net/packet 2>/dev/null | wc -l)
    printf 'requested=%s\nsockets=%s\nprocs=%s\nbusy=%s\ntable_lines=%s\n' "$n" "$sockets" "$procs" "$busy" \
        "$tables" >"$raw/netcap-$size.info"
    log "size $size: $sockets sockets, $procs processes, $tables /proc/net lines"

    # Probe: one run each (outputs for the checks below, peak memory, slow or not).
    slow_progs=
    for p in $programs; do
        set -- $(timed_run "$p" "$raw/netcap-$size.$p.txt" "$raw/netcap-$size.$p.err")
        echo "$p $1 $2 $3" >>"$raw/netcap-$size.probe"
        log "size $size: probe $p: $1 s, $2 KiB, $3 s CPU"
        if awk -v s="$1" -v lim="$SLOW" 'BEGIN { exit !(s > lim) }'; then slow_progs="$slow_progs $p"; fi
    done
    # Checks: the floor prints what we print; 0.9.5 the same rows but for its packet
    # interface lookup and duplicate fds (none here).
    if cmp -s "$raw/netcap-$size.ours.txt" "$raw/netcap-$size.floor.txt"; then
        echo "ours=floor yes" >>"$raw/netcap-$size.checks"
    else
        echo "ours=floor no" >>"$raw/netcap-$size.checks"
        log "size $size: ours and the floor print different reports"
    fi
    if [ -s "$raw/netcap-$size.095.txt" ]; then
        norm() { awk '$5 == "pkt" { $6 = "IFACE" } { print }' "$1" | sort; }
        if [ "$(norm "$raw/netcap-$size.ours.txt" | md5sum)" = "$(norm "$raw/netcap-$size.095.txt" | md5sum)" ]; then
            echo "ours=095 yes" >>"$raw/netcap-$size.checks"
        else
            echo "ours=095 no" >>"$raw/netcap-$size.checks"
            log "size $size: ours and 0.9.5 report different rows"
        fi
    fi
    echo "rows $(($(wc -l <"$raw/netcap-$size.ours.txt") - 1))" >>"$raw/netcap-$size.checks"

    r=1
    order=$programs
    while [ $r -le "$ROUNDS" ]; do
        for p in $order; do
            case " $slow_progs " in
            *" $p "*)
                set -- $(timed_run "$p" /dev/null "$raw/netcap-$size.$p.round$r.err")
                echo "$p $r $1 $2 $3" >>"$raw/netcap-$size.slow"
                ;;
            *)
                hyperfine -N --style basic --output=null --warmup "$WARMUP" --runs "$RUNS" \
                    --export-json "$raw/netcap-$size.$p.round$r.json" -n "$p" "$(command_of "$p")" \
                    >"$raw/netcap-$size.$p.round$r.log" 2>&1
                ;;
            esac
        done
        log "size $size: round $r done"
        # rotate: the first program goes last
        set -- $order
        first=$1
        shift
        order="$* $first"
        r=$((r + 1))
    done

    if [ -z "$slow_progs" ]; then
        set --
        for p in $programs; do set -- "$@" "$p=$(command_of "$p")"; done
        "$build/interleave" -n 20 -w 2 "$@" >"$raw/netcap-$size.interleave.txt"
        log "size $size: interleaved cross-check done"
    fi
    stop_generators
    sleep 2
done

log "writing the report"
"$PYTHON" "$bench/netcap_report.py" "$raw" "$out"
log "done: $out/netcap.md"
