#!/bin/sh
# capinspect snapshot against the three tools whose facts it gathers, side by side in one
# run: `capinspect snapshot --files TREE` and `pscap; netcap --all-netns; filecap TREE`
# one after the other (capinspect's own tools, default output), on the workloads of
# bench/pscap.sh, bench/netcap.sh and bench/filecap.sh at once: PROCS generated processes
# (20% holding capabilities, bench/procs.c), SOCKETS sockets (PCT% of their processes
# holding capabilities, bench/sockets.c) and a tree of FILES files (1% with capabilities,
# bench/filetree.c). Targets (issue 17): the snapshot takes at most 1.5 times the three
# tools' time, and its peak memory stays under 64 MB.
#
#   sh bench/snapshot.sh          (as root; about 5 minutes, most of it making the tree)
#
# Everything runs in a private network namespace (the script re-executes itself under
# `unshare -n`): the generated sockets stay out of the shared machine's namespace. The
# tree is made under TREE_DIR and removed at the end, the generators ended by their pids,
# also on failure. Warm cache: each program runs once before it is measured. Then ROUNDS
# rounds of hyperfine (RUNS runs each) over both commands, the order swapped every round;
# a command's time is the median of its per-round medians. Peak memory (maximum resident
# set, /usr/bin/time -v) of the snapshot and of each tool. Raw files go to
# bench/results/raw/snapshot-* (git-ignored), the report, written by
# bench/snapshot_report.py from them, to bench/results/snapshot.md.
#
# Environment: PROCS (10000), SOCKETS (100000), FILES (1000000), PCT (50), ROUNDS (3),
# RUNS (3), TREE_DIR (/var/tmp), QUIET_WAIT (120), BUSY_MAX (15), CC, PYTHON.
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=snapshot
. "$bench/common.sh"

[ "$(id -u)" = 0 ] || die "run as root: the generators set capabilities and uids"
if [ -z "${SNAPSHOT_BENCH_IN_NETNS:-}" ]; then
    command -v unshare >/dev/null || die "unshare (util-linux) is not installed"
    SNAPSHOT_BENCH_IN_NETNS=1 exec unshare -n sh "$0" "$@"
fi
ip link set lo up

PROCS=${PROCS:-10000}
SOCKETS=${SOCKETS:-100000}
FILES=${FILES:-1000000}
PCT=${PCT:-50}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-3}
TREE_DIR=${TREE_DIR:-/var/tmp}
bin=$root/build/bin
TIME=/usr/bin/time

command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
case $root$TREE_DIR in *[[:space:]]*) die "the checkout's or TREE_DIR's path has blanks" ;; esac

log "building capinspect (make -C $root all) and the generators"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
rm -f "$raw"/snapshot-*
$CC -O2 -Wall -o "$build/procs" "$bench/procs.c"
$CC -O2 -Wall -o "$build/sockets" "$bench/sockets.c"
$CC -O2 -Wall -o "$build/filetree" "$bench/filetree.c"

work=$(mktemp -d "$TREE_DIR/capinspect-snapshot-bench.XXXXXX")
gen_pids=
cleanup() {
    exec 3>&- 4>&-    # EOF on their stdin: the generators end their children
    end_generators
    rm -rf "$work"    # the generator leaves a mode-000 directory: rm copes as root
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

# start FD NAME PROGRAM ARGS...: runs a generator, its stdin on a FIFO held open on FD,
# and waits for its "ready".
start() {
    fd=$1 name=$2
    shift 2
    mkfifo "$work/$name.fifo"
    "$@" <"$work/$name.fifo" >"$raw/snapshot-gen-$name.out" 2>"$raw/snapshot-gen-$name.log" &
    pid=$!
    gen_pids="$gen_pids $pid"
    eval "exec $fd>\"\$work/\$name.fifo\""
    i=0
    until grep -q '^ready' "$raw/snapshot-gen-$name.out" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die "the $name generator exited: $(cat "$raw/snapshot-gen-$name.log")"
        [ $i -lt 1800 ] || die "the $name generator was not ready after 180 s"
        sleep 0.1
        i=$((i + 1))
    done
}

tree=$work/tree
log "making $FILES files under $tree"
"$build/filetree" "$tree" "$FILES" 1 >"$raw/snapshot-gen-tree.out" || die "the tree generator failed"
log "starting $PROCS processes and $SOCKETS sockets"
start 3 procs "$build/procs" "$PROCS" 20 --ambient-share 0.1 --userns-share 0.005 --lifetime 1800
start 4 sockets "$build/sockets" "$SOCKETS" --holders "$PCT" --lifetime 1800
sleep 1

snapshot="$bin/capinspect snapshot --files $tree"
printf '%s/pscap\n%s/netcap --all-netns\n%s/filecap %s\n' "$bin" "$bin" "$bin" "$tree" >"$work/tools.sh"
tools="sh $work/tools.sh"

# Peak memory and what each wrote, one run each (which also warms the cache).
peak() { # NAME COMMAND...
    name=$1
    shift
    $TIME -v -o "$raw/snapshot-$name.time" "$@" >"$raw/snapshot-$name.out" 2>"$raw/snapshot-$name.err" || true
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$raw/snapshot-$name.time"
}
mem_snapshot=$(peak snapshot $snapshot)
mem_pscap=$(peak pscap "$bin/pscap")
mem_netcap=$(peak netcap "$bin/netcap" --all-netns)
mem_filecap=$(peak filecap "$bin/filecap" "$tree")
counts=$(jq -r '"\(.processes | length) processes, \(.sockets | length) sockets, \(.files | length) files"' \
    "$raw/snapshot-snapshot.out")
log "the snapshot holds $counts; peak memory: snapshot $mem_snapshot KiB, pscap $mem_pscap, netcap $mem_netcap, filecap $mem_filecap"
procs=$(ls /proc | grep -c '^[1-9][0-9]*$')
sockets=$(awk '/^ready/ {print $2}' "$raw/snapshot-gen-sockets.out")

r=1
while [ $r -le "$ROUNDS" ]; do
    busy=$(wait_quiet)
    echo "$busy" >"$raw/snapshot-round$r.busy"
    if [ $((r % 2)) = 1 ]; then
        set -- -n snapshot "$snapshot" -n tools "$tools"
    else
        set -- -n tools "$tools" -n snapshot "$snapshot"
    fi
    hyperfine -N --style basic --output=null --warmup 1 --runs "$RUNS" \
        --export-json "$raw/snapshot-round$r.json" "$@" >"$raw/snapshot-round$r.log" 2>&1
    log "round $r done (CPUs ${busy}% busy before)"
    r=$((r + 1))
done

report=$out/snapshot.md
{
    echo "command=PROCS=$PROCS SOCKETS=$SOCKETS FILES=$FILES PCT=$PCT ROUNDS=$ROUNDS RUNS=$RUNS sh bench/snapshot.sh"
    echo "machine=$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//'), Linux $(uname -r), $(date -u +%Y-%m-%d)"
    echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "workload=$procs processes in /proc, $sockets generated sockets, a tree of $FILES files on $(stat -f -c %T "$work")"
    echo "counts=$counts"
    echo "rounds=$ROUNDS"
    echo "peak_kib=snapshot $mem_snapshot pscap $mem_pscap netcap $mem_netcap filecap $mem_filecap"
} >"$raw/snapshot-info.txt"
"$PYTHON" "$bench/snapshot_report.py" "$raw" >"$report"
cat "$report" >&2
log "done: $report"
