#!/bin/sh
# Side-by-side benchmark of pscap: capinspect's against Debian's (libcap-ng 0.8.3),
# upstream libcap-ng 0.9.5 (when installed at /opt/libcap-ng-0.9.5) and a minimal C floor.
#
#   sh bench/pscap.sh            (as root; about 2 minutes of measuring, up to 8 more
#                                 waiting for a shared machine to go idle)
#
# For each size (the quiet system, then 1000, 5000 and 10000 generated processes of which
# PCT% hold capabilities) it starts bench/build/procs, waits for "ready", and runs
# hyperfine over the four programs ROUNDS times; a program's time is the median of its
# per-round medians. A cross-check then runs the four round-robin (bench/interleave.c),
# which a drifting background load cannot bias towards one program. At the quiet and 1000
# sizes it also counts system calls with strace -c -f. Raw files go to bench/results/raw/
# (git-ignored), named pscap-*; the report to bench/results/pscap.md, pscap.json and the plot
# pscap.svg (bench/plot.py). The hyperfine rounds rotate the programs' order by one per round.
#
# The machine may be shared: before each size it waits (up to QUIET_WAIT seconds) for the
# CPUs to be less than BUSY_MAX% busy with other work, and records how busy they were.
#
# Environment: SIZES (default "quiet 1000 5000 10000"), PCT (20), ROUNDS (3), RUNS (15),
# WARMUP (3), CROSS_ROUNDS (the cross-check's rounds: 300 on the quiet system, else
# 40000 / size and at least 10), QUIET_WAIT (120), BUSY_MAX (15), CC (cc), PYTHON
# (python3) and KEEP (0; 1 keeps the raw files of the sizes not measured again, so that a
# subset can be re-run and the report still covers everything).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=pscap
. "$bench/common.sh"

SIZES=${SIZES:-"quiet 1000 5000 10000"}
PCT=${PCT:-20}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-15}
WARMUP=${WARMUP:-3}

ours=$root/build/bin/pscap
debian=/usr/bin/pscap
up095=/opt/libcap-ng-0.9.5/bin/pscap
floor=$build/pscap_floor

[ "$(id -u)" = 0 ] || die "run as root: the generator needs to set capabilities and uids"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v "$PYTHON" >/dev/null || die "$PYTHON is not installed"
[ -x "$debian" ] || die "$debian is missing (apt-get install libcap-ng-utils)"
case $root in *[[:space:]]*) die "the checkout's path has blanks: $root" ;; esac

# --- build -----------------------------------------------------------------------------
log "building capinspect (make -C $root all)"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
if [ "$KEEP" = 1 ]; then
    for size in $SIZES; do rm -f "$raw/pscap-$size".* "$raw/pscap-strace-$size"-* "$raw/pscap-gen-$size".*; done
else
    # Ours only: the other scripts' raw files (netcap-*, filecap-*) stay. The unprefixed
    # names are those of earlier versions of this script.
    rm -f "$raw"/pscap-* "$raw"/quiet.* "$raw"/[0-9]*.* "$raw"/strace-* "$raw"/gen-* "$raw"/machine.txt
fi
log "building the generator and the floor into $build"
$CC -O2 -Wall -o "$build/procs" "$bench/procs.c"
$CC -O2 -Wall -o "$floor" "$bench/floor/pscap_floor.c"
$CC -O2 -Wall -o "$build/interleave" "$bench/interleave.c"

have095=1
if [ ! -x "$up095" ]; then
    have095=0
    log "libcap-ng 0.9.5 is not installed at $up095: its column is left out"
fi
have_strace=1
command -v strace >/dev/null || { have_strace=0; log "strace is not installed: no system call counts"; }

# --- the generator: started per size, always ended by its pid ----------------------------
gen_pid=
fifo=$raw/pscap-gen.fifo
stop_generator() {
    if [ -n "$gen_pid" ]; then
        exec 3>&-    # EOF on its stdin: it ends its children
        i=0
        while kill -0 "$gen_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        if kill -0 "$gen_pid" 2>/dev/null; then kill "$gen_pid" 2>/dev/null || true; fi
        wait "$gen_pid" 2>/dev/null || true
        gen_pid=
    fi
    rm -f "$fifo"
}
trap 'stop_generator' EXIT
trap 'stop_generator; exit 130' INT TERM HUP

count_procs() { ls /proc | grep -c '^[1-9][0-9]*$'; }

start_generator() { # N
    rm -f "$fifo"
    mkfifo "$fifo"
    "$build/procs" "$1" "$PCT" --ambient-share 0.1 --userns-share 0.005 --lifetime 900 \
        <"$fifo" >"$raw/pscap-gen-$1.out" 2>"$raw/pscap-gen-$1.log" &
    gen_pid=$!
    exec 3>"$fifo"
    i=0
    until grep -q '^ready' "$raw/pscap-gen-$1.out" 2>/dev/null; do
        kill -0 "$gen_pid" 2>/dev/null || die "the generator exited: $(cat "$raw/pscap-gen-$1.log")"
        [ $i -lt 1800 ] || die "the generator was not ready after 180 s"
        sleep 0.1
        i=$((i + 1))
    done
    log "$(cat "$raw/pscap-gen-$1.log")"
    sleep 1  # let the forks settle
}

# --- machine ------------------------------------------------------------------------------
{
    echo "nproc=$(nproc)"
    echo "model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -r)"
    echo "procs_idle=$(count_procs)"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "have095=$have095"
    echo "pct=$PCT"
    echo "rounds=$ROUNDS"
    echo "runs=$RUNS"
    echo "warmup=$WARMUP"
} >"$raw/pscap-machine.txt"

# --- measure ------------------------------------------------------------------------------
for size in $SIZES; do
    if [ "$size" = quiet ]; then
        log "size quiet: no generated processes"
        requested=0
    else
        log "size $size: starting $size processes, $PCT% holding capabilities"
        start_generator "$size"
        requested=$(awk '/^ready/ {print $2}' "$raw/pscap-gen-$size.out")
    fi
    n=$(count_procs)
    busy=$(wait_quiet)
    printf 'requested=%s\nprocs=%s\nbusy=%s\n' "$requested" "$n" "$busy" >"$raw/pscap-$size.procs"
    log "size $size: $n processes in /proc"

    # The floor gives pscap's text (the libcap-ng ones differ in layout); a difference
    # means the processes changed between the two runs, or a floor that does less.
    "$ours" >"$raw/pscap-$size.ours.txt" 2>"$raw/pscap-$size.ours.err" || true
    "$floor" >"$raw/pscap-$size.floor.txt" || true
    same=different
    cmp -s "$raw/pscap-$size.ours.txt" "$raw/pscap-$size.floor.txt" && same=identical
    log "size $size: rows ours=$(wc -l <"$raw/pscap-$size.ours.txt") floor=$(wc -l <"$raw/pscap-$size.floor.txt"), text $same"

    # ROUNDS hyperfine runs over every program, the order rotated by one per round.
    set -- ours="$ours" debian="$debian"
    [ "$have095" = 1 ] && set -- "$@" 095="$up095"
    set -- "$@" floor="$floor"
    r=1
    while [ $r -le "$ROUNDS" ]; do
        args=
        for pc in "$@"; do args="$args -n ${pc%%=*} ${pc#*=}"; done
        # shellcheck disable=SC2086 # the paths have no blanks (checked at the start)
        hyperfine -N --style basic --output=null --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$raw/pscap-$size.round$r.json" $args \
            >"$raw/pscap-$size.round$r.log" 2>&1
        log "size $size: round $r done"
        first=$1
        shift
        set -- "$@" "$first"
        r=$((r + 1))
    done

    # Cross-check on a shared machine: the same programs run round-robin.
    case $size in quiet) iters=300 ;; *) iters=$((40000 / size)); [ $iters -ge 10 ] || iters=10 ;; esac
    iters=${CROSS_ROUNDS:-$iters}
    if [ "$have095" = 1 ]; then
        "$build/interleave" -n "$iters" -w 3 ours="$ours" debian="$debian" 095="$up095" floor="$floor" \
            >"$raw/pscap-$size.interleave.txt"
    else
        "$build/interleave" -n "$iters" -w 3 ours="$ours" debian="$debian" floor="$floor" \
            >"$raw/pscap-$size.interleave.txt"
    fi
    log "size $size: interleaved cross-check done ($iters rounds)"

    if [ "$have_strace" = 1 ] && { [ "$size" = quiet ] || [ "$size" = 1000 ]; }; then
        for tool in ours debian 095 floor; do
            case $tool in
            ours) cmd=$ours ;; debian) cmd=$debian ;; 095) cmd=$up095 ;; floor) cmd=$floor ;;
            esac
            [ -x "$cmd" ] || continue
            strace -c -f -o "$raw/pscap-strace-$size-$tool.txt" "$cmd" >/dev/null 2>&1 || true
        done
        log "size $size: system calls counted"
    fi

    [ "$size" = quiet ] || stop_generator
done

log "writing the report"
"$PYTHON" "$bench/pscap_report.py" "$raw" "$out"
log "done: $out/pscap.md"
