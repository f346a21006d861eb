#!/bin/sh
# Before and after: pscap and netcap of an earlier build (BEFORE, a directory holding its
# pscap and netcap) against this checkout's, side by side in one run, on the workloads of
# bench/pscap.sh and bench/netcap.sh: the quiet system, 10 000 generated processes (20%
# holding capabilities), and 10 000 and 100 000 sockets in a private network namespace.
#
#   git worktree add /tmp/before REV && make -C /tmp/before all
#   BEFORE=/tmp/before/build/bin sh bench/compare.sh      (as root; about 5 minutes)
#
# For each workload, ROUNDS rounds of hyperfine over both programs, the order swapped every
# round; a program's time is the median of its per-round medians, and the report gives
# after ÷ before with the spread of the per-round ratios, so that a difference can be told
# from the noise of a shared machine. Both programs' outputs are compared first (the same
# rows, but for processes that came and went). The report goes to bench/results/compare.md.
#
# Environment: BEFORE (required), ROUNDS (5), RUNS (10), WARMUP (2), SIZES (default
# "quiet procs10000 sockets10000 sockets100000"), QUIET_WAIT, BUSY_MAX (see common.sh).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=compare
. "$bench/common.sh"

[ "$(id -u)" = 0 ] || die "run as root: the generators need to set capabilities and uids"
[ -n "${BEFORE:-}" ] || die "BEFORE=DIR (the bin directory of the earlier build) is required"
[ -x "$BEFORE/pscap" ] && [ -x "$BEFORE/netcap" ] || die "$BEFORE has no pscap and netcap"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
SIZES=${SIZES:-"quiet procs10000 sockets10000 sockets100000"}

if [ -z "${COMPARE_IN_NETNS:-}" ]; then
    # The sockets stay out of the shared machine's network namespace.
    COMPARE_IN_NETNS=1 exec unshare -n sh "$0" "$@"
fi
ip link set lo up

log "building capinspect (make -C $root all) and the generators"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
$CC -O2 -Wall -o "$build/procs" "$bench/procs.c"
$CC -O2 -Wall -o "$build/sockets" "$bench/sockets.c"
after=$root/build/bin

gen_pids=
stop_generators() {
    exec 3>&-
    end_generators
    rm -f "$raw/compare-gen.fifo"
}
trap 'stop_generators' EXIT
trap 'stop_generators; exit 130' INT TERM HUP

start_generator() { # PROGRAM ARGS...
    rm -f "$raw/compare-gen.fifo"
    mkfifo "$raw/compare-gen.fifo"
    "$@" <"$raw/compare-gen.fifo" >"$raw/compare-gen.out" 2>"$raw/compare-gen.log" &
    gen_pids=$!
    exec 3>"$raw/compare-gen.fifo"
    i=0
    until grep -q '^ready' "$raw/compare-gen.out" 2>/dev/null; do
        kill -0 "$gen_pids" 2>/dev/null || die "the generator exited: $(cat "$raw/compare-gen.log")"
        [ $i -lt 1800 ] || die "the generator was not ready after 180 s"
        sleep 0.1
        i=$((i + 1))
    done
    sleep 1
}

report=$out/compare.md
{
    echo "# Before and after: pscap and netcap"
    echo
    echo "Measured by \`BEFORE=$BEFORE sh bench/compare.sh\` on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//'), Linux $(uname -r), $(date -u +%Y-%m-%d)."
    echo "Before: \`$("$BEFORE/pscap" --version)\` from $BEFORE; after: this checkout ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'))."
    echo "$ROUNDS rounds of hyperfine ($RUNS runs after $WARMUP warm-up), the order swapped each round."
    echo
    echo "| workload | command | before | after | after ÷ before | per-round ratios | other load (%) |"
    echo "|---|---|---|---|---|---|---|"
} >"$report"

# measure NAME ARGS...: pscap or netcap with ARGS, before against after.
measure() {
    name=$1
    shift
    tool=$1
    shift
    "$BEFORE/$tool" "$@" 2>/dev/null | sort >"$raw/compare-$name.before.txt" || true
    "$after/$tool" "$@" 2>/dev/null | sort >"$raw/compare-$name.after.txt" || true
    differ=$(diff "$raw/compare-$name.before.txt" "$raw/compare-$name.after.txt" | grep -c '^[<>]' || true)
    log "$name: $(wc -l <"$raw/compare-$name.after.txt") rows, $differ differing lines (processes that came and went)"
    busy=$(wait_quiet)
    r=1
    while [ $r -le "$ROUNDS" ]; do
        if [ $((r % 2)) = 1 ]; then order="before after"; else order="after before"; fi
        args=
        for which in $order; do
            dir=$BEFORE
            [ "$which" = after ] && dir=$after
            args="$args -n $which '$dir/$tool $*'"
        done
        eval hyperfine -N --style basic --output=null --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$raw/compare-$name.round$r.json" $args >/dev/null 2>&1
        r=$((r + 1))
    done
    "$PYTHON" - "$raw" "$name" "$ROUNDS" "$tool $*" "$busy" >>"$report" <<'PY'
import json, statistics, sys
raw, name, rounds, command, busy = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
med = {"before": [], "after": []}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{raw}/compare-{name}.round{r}.json"))["results"]:
        med[res["command"]].append(res["median"])
ratios = [a / b for a, b in zip(med["after"], med["before"])]
fmt = lambda s: f"{s * 1000:.2f} ms" if s < 1 else f"{s:.3f} s"
b, a = statistics.median(med["before"]), statistics.median(med["after"])
print(f"| {name} | `{command}` | {fmt(b)} | {fmt(a)} | {a / b:.2f} | {min(ratios):.2f}–{max(ratios):.2f} | {busy} |")
PY
}

for size in $SIZES; do
    case $size in
    quiet)
        measure quiet-pscap pscap
        measure quiet-netcap netcap ;;
    procs*)
        n=${size#procs}
        log "starting $n processes, 20% holding capabilities"
        start_generator "$build/procs" "$n" 20 --ambient-share 0.1 --userns-share 0.005 --lifetime 1800
        measure "pscap-$n" pscap
        measure "pscap-$n-columns" pscap -o PID,USER,COMMAND,EFFECTIVE,CHILD_USERNS
        measure "netcap-procs$n" netcap
        stop_generators ;;
    sockets*)
        n=${size#sockets}
        log "starting $n sockets"
        start_generator "$build/sockets" "$n" --holders 20 --lifetime 1800
        measure "netcap-$n" netcap
        measure "netcap-$n-listening" netcap -l
        stop_generators ;;
    *) die "unknown size $size" ;;
    esac
done
log "done: $report"
