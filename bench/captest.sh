#!/bin/sh
# Side-by-side benchmark of captest: capinspect's against Debian's (libcap-ng 0.8.3) and
# upstream libcap-ng 0.9.5 (when installed at /opt/libcap-ng-0.9.5). captest does a fixed
# amount of work, so this measures start-up and the report itself:
#
#   sh bench/captest.sh          (about a minute; as root the report is the full one)
#
# Scenarios (SCENARIOS, default "default text nochild"):
#   default  `captest`: the report, a `sh -c 'cat /etc/shadow'` child, and a child
#            captest --no-child (Debian's runs it through sh -c; ours execs
#            /proc/self/exe; 0.9.5 runs Debian's /usr/bin/captest, a path built in)
#   text     `captest --text`: the same with capability names
#   nochild  `captest --no-child`: one process, no children (start-up + report only)
# For each scenario, ROUNDS rounds of hyperfine -N over the programs, RUNS runs each after
# WARMUP, the order rotated by one per round; a program's time is the median of its
# per-round medians. Then bench/interleave runs them round-robin ITER times, a cross-check
# that a drifting background load cannot bias. Raw files go to bench/results/raw/captest-*
# (git-ignored), the report to bench/results/captest.md and captest.json.
#
# The machine may be shared: before each scenario it waits (up to QUIET_WAIT seconds) for
# the CPUs to be less than BUSY_MAX% busy with other work, and records how busy they were.
#
# Environment: SCENARIOS, ROUNDS (5), RUNS (100), WARMUP (10), ITER (300), QUIET_WAIT
# (120), BUSY_MAX (15), CC (cc), PYTHON (python3), KEEP (0; 1 keeps the raw files of the
# scenarios not measured again).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=captest
. "$bench/common.sh"

SCENARIOS=${SCENARIOS:-"default text nochild"}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-100}
WARMUP=${WARMUP:-10}
ITER=${ITER:-300}

ours=$root/build/bin/captest
debian=/usr/bin/captest
up095=/opt/libcap-ng-0.9.5/bin/captest

command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v "$PYTHON" >/dev/null || die "$PYTHON is not installed"
[ -x "$debian" ] || die "$debian is missing (apt-get install libcap-ng-utils)"
case $root in *[[:space:]]*) die "the checkout's path has blanks: $root" ;; esac
[ "$(id -u)" = 0 ] || log "not root: every program reports an unprivileged process"

log "building capinspect (make -C $root all)"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
$CC -O2 -Wall -o "$build/interleave" "$bench/interleave.c"
if [ "$KEEP" = 1 ]; then
    for scen in $SCENARIOS; do rm -f "$raw/captest-$scen".*; done
else
    rm -f "$raw"/captest-*
fi

programs="ours debian"
if [ -x "$up095" ]; then
    programs="$programs 095"
else
    log "libcap-ng 0.9.5 is not installed at $up095: left out"
fi

binary_of() {
    case $1 in ours) echo "$ours" ;; debian) echo "$debian" ;; 095) echo "$up095" ;; esac
}

options_of() {
    case $1 in default) echo "" ;; text) echo "--text" ;; nochild) echo "--no-child" ;;
    *) die "unknown scenario $1" ;; esac
}

{
    echo "nproc=$(nproc)"
    echo "model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -r)"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "uid=$(id -u)"
    echo "programs=$programs"
    echo "rounds=$ROUNDS"
    echo "runs=$RUNS"
    echo "warmup=$WARMUP"
    echo "iter=$ITER"
} >"$raw/captest-machine.txt"

for scen in $SCENARIOS; do
    opts=$(options_of "$scen")
    # The same report from each (sanity; Debian's has no --no-child in its usage, but takes it).
    for p in $programs; do
        # shellcheck disable=SC2086 # opts is one word or none
        "$(binary_of "$p")" $opts >"$raw/captest-$scen.$p.txt" 2>&1 || echo "exit $?" >>"$raw/captest-$scen.$p.txt"
    done
    busy=$(wait_quiet)
    echo "$busy" >"$raw/captest-$scen.busy"

    set --
    for p in $programs; do set -- "$@" "$p=$(binary_of "$p")${opts:+ $opts}"; done
    r=1
    while [ $r -le "$ROUNDS" ]; do
        args=
        for pc in "$@"; do args="$args -n ${pc%%=*} '${pc#*=}'"; done
        eval hyperfine -N --style basic --output=null --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "'$raw/captest-$scen.round$r.json'" $args \
            >"$raw/captest-$scen.round$r.log" 2>&1
        log "$scen: round $r done"
        first=$1
        shift
        set -- "$@" "$first"
        r=$((r + 1))
    done
    "$build/interleave" -n "$ITER" -w 10 "$@" >"$raw/captest-$scen.interleave.txt"
    log "$scen: interleaved cross-check done ($ITER rounds)"
done

log "writing the report"
"$PYTHON" "$bench/captest_report.py" "$raw" "$out"
log "done: $out/captest.md"
