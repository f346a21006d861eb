#!/bin/sh
# Side-by-side benchmark of filecap: capinspect's against Debian's (libcap-ng 0.8.3),
# upstream libcap-ng 0.9.5 (when installed at /opt/libcap-ng-0.9.5), `getcap -r` (libcap2,
# when installed; timed only, its output differs) and a minimal C floor
# (bench/floor/filecap_floor.c: getdents64 + one getxattrat per file).
#
#   sh bench/filecap.sh            (as root; about 40 minutes at the default sizes, most
#                                   of it at 1 000 000 files)
#
# For each size it generates a tree with bench/filetree.c (SIZE files, PCT% with
# capabilities of every kind, symlinks, a FIFO, an unreadable directory) under TREE_DIR,
# checks that the programs find the same files, then measures with hyperfine, ROUNDS
# rounds in a rotating order (a program's time is the median of its per-round medians):
#   warm2  warm cache, 2 threads: ours -j2, debian, 095, getcap, floor 2
#   warm1  warm cache, 1 thread:  ours -j1, debian, 095, getcap, floor 1
#   cold   caches dropped before every run (echo 3 > /proc/sys/vm/drop_caches): ours
#          (default jobs), ours -j16, debian, 095, getcap, floor 2
# (095 and getcap are the OTHERS: left out when absent or not named there)
# plus the peak memory (/usr/bin/time, maximum resident set: ours with its default jobs,
# -j1, -j2, on one CPU, and behind a reader that stalls; with the cold scenario also cold)
# and, at the first size, system call counts (strace -c -f). Then `filecap -a` on this machine: time and error
# lines of each. Raw files go to bench/results/raw/filecap-* (git-ignored), the report to
# bench/results/filecap.md, filecap.json and the plots filecap.svg (warm, 2 threads) and
# filecap-cold.svg (bench/plot.py). The tree is removed at the end, also on failure.
#
# The machine may be shared: before each measurement it waits (up to QUIET_WAIT s) for
# the CPUs to be less than BUSY_MAX% busy with other work, and records how busy they were.
#
# Environment: SIZES (default "10000 100000 1000000"), PCT (1), ROUNDS (3), RUNS (5),
# COLD_RUNS (3), TREE_DIR (/var/tmp), QUIET_WAIT (120), BUSY_MAX (15), CC, PYTHON;
# SCENARIOS (default "warm2 warm1 cold"), OTHERS (default "095 getcap": the programs
# measured beside ours, Debian's and the floor; "" for none), WHOLE (1: also time
# `filecap -a`) and KEEP (0; 1 keeps the raw files of earlier runs, so that a subset can
# be measured again and the report still covers everything).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=filecap
. "$bench/common.sh"

SIZES=${SIZES:-"10000 100000 1000000"}
PCT=${PCT:-1}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3}
TREE_DIR=${TREE_DIR:-/var/tmp}
SCENARIOS=${SCENARIOS:-"warm2 warm1 cold"}
OTHERS=${OTHERS-"095 getcap"}
WHOLE=${WHOLE:-1}

ours=$root/build/bin/filecap
debian=/usr/bin/filecap
up095=/opt/libcap-ng-0.9.5/bin/filecap
floor=$build/filecap_floor
getcap=$(command -v getcap || true)
gen=$build/filetree

[ "$(id -u)" = 0 ] || die "run as root: the generator sets capabilities, cold runs drop caches"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v "$PYTHON" >/dev/null || die "$PYTHON is not installed"
[ -x "$debian" ] || die "$debian is missing (apt-get install libcap-ng-utils)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

log "building capinspect (make -C $root all)"
make -s -C "$root" all >&2
mkdir -p "$build" "$raw"
[ "$KEEP" = 1 ] || rm -f "$raw"/filecap-*
$CC -O2 -Wall -o "$gen" "$bench/filetree.c"
$CC -O2 -Wall -pthread -o "$floor" "$bench/floor/filecap_floor.c"

use095=0 usegetcap=0
for o in $OTHERS; do
    case $o in
    095) if [ -x "$up095" ]; then use095=1; else log "libcap-ng 0.9.5 is not installed at $up095: left out"; fi ;;
    getcap) if [ -n "$getcap" ]; then usegetcap=1; else log "getcap is not installed (libcap2-bin): left out"; fi ;;
    *) die "unknown program in OTHERS: $o" ;;
    esac
done
case $root$TREE_DIR in *[[:space:]]*) die "the checkout's or TREE_DIR's path has blanks" ;; esac

work=$(mktemp -d "$TREE_DIR/capinspect-filecap-bench.XXXXXX")
cleanup() {
    # The generator leaves a mode-000 directory: rm copes as root.
    rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

# hyperfine -N runs its --prepare command without a shell too.
printf 'sync\necho 3 > /proc/sys/vm/drop_caches\n' >"$work/drop-caches.sh"
drop_caches="sh $work/drop-caches.sh"

{
    echo "nproc=$(nproc)"
    echo "model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -r)"
    echo "fs=$(stat -f -c %T "$work")"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "others=$( [ $use095 = 1 ] && printf '095 ')$( [ $usegetcap = 1 ] && printf 'getcap')"
    echo "pct=$PCT rounds=$ROUNDS runs=$RUNS cold_runs=$COLD_RUNS"
} >"$raw/filecap-machine.txt"

# hyperfine_rounds NAME RUNS PREPARE name=cmd... : ROUNDS rounds, the order rotated by one
# program per round.
hyperfine_rounds() {
    hname=$1 hruns=$2 hprep=$3
    shift 3
    r=1
    while [ $r -le "$ROUNDS" ]; do
        args=""
        for pc in "$@"; do
            args="$args -n '${pc%%=*}' '${pc#*=}'"
        done
        busy=$(wait_quiet)
        echo "$busy" >"$raw/filecap-$hname.round$r.busy"
        if [ -n "$hprep" ]; then
            eval hyperfine -N --style basic --output=null --runs "$hruns" --prepare "'$hprep'" \
                --export-json "'$raw/filecap-$hname.round$r.json'" $args \
                >"$raw/filecap-$hname.round$r.log" 2>&1
        else
            eval hyperfine -N --style basic --output=null --warmup 1 --runs "$hruns" \
                --export-json "'$raw/filecap-$hname.round$r.json'" $args \
                >"$raw/filecap-$hname.round$r.log" 2>&1
        fi
        log "$hname: round $r done (CPUs ${busy}% busy before)"
        first=$1
        shift
        set -- "$@" "$first"
        r=$((r + 1))
    done
}

first_size=
for size in $SIZES; do
    [ -n "$first_size" ] || first_size=$size
    tree=$work/tree-$size
    log "size $size: generating $tree"
    start=$(date +%s)
    "$gen" "$tree" "$size" "$PCT" >"$raw/filecap-$size.gen" || die "the generator failed"
    log "size $size: $(cat "$raw/filecap-$size.gen") in $(( $(date +%s) - start )) s"

    # The same rows as libcap-ng 0.9.5 (when installed; sorted, as libcap-ng prints in
    # readdir order), the same files and sets as Debian's (whose rootids go stale); the
    # floor counts every file with the attribute.
    "$ours" "$tree" >"$raw/filecap-$size.ours.txt" 2>"$raw/filecap-$size.ours.err"
    "$debian" "$tree" >"$raw/filecap-$size.debian.txt" 2>"$raw/filecap-$size.debian.err"
    "$floor" "$tree" 2 >"$raw/filecap-$size.floor.txt"
    sed 1d "$raw/filecap-$size.ours.txt" | sort >"$raw/filecap-$size.ours.rows"
    awk 'NR > 1 {print $1, $2}' "$raw/filecap-$size.ours.txt" | sort >"$raw/filecap-$size.ours.files"
    awk 'NR > 1 {print $1, $2}' "$raw/filecap-$size.debian.txt" | sort >"$raw/filecap-$size.debian.files"
    check=same
    cmp -s "$raw/filecap-$size.ours.files" "$raw/filecap-$size.debian.files" || check=different
    if [ -x "$up095" ]; then
        "$up095" "$tree" 2>/dev/null | sed 1d | sort >"$raw/filecap-$size.095.rows"
        cmp -s "$raw/filecap-$size.ours.rows" "$raw/filecap-$size.095.rows" || check=different
    fi
    echo "$check" >"$raw/filecap-$size.check"
    if [ "$usegetcap" = 1 ]; then
        "$getcap" -r "$tree" >"$raw/filecap-$size.getcap.txt" 2>"$raw/filecap-$size.getcap.err" \
            || die "getcap -r $tree failed: $(head -n 3 "$raw/filecap-$size.getcap.err")"
        wc -l <"$raw/filecap-$size.getcap.txt" >"$raw/filecap-$size.getcap.count"
    fi
    [ "$check" = same ] || log "size $size: ours differs (see $raw/filecap-$size.*.rows, *.files)"
    log "size $size: rows ours=$(wc -l <"$raw/filecap-$size.ours.rows") debian=$(wc -l <"$raw/filecap-$size.debian.files") floor attributes=$(cat "$raw/filecap-$size.floor.txt")"

    for scen in $SCENARIOS; do
        # The OTHERS go between Debian's and the floor; the rounds rotate the order anyway.
        set --
        [ "$use095" = 1 ] && set -- "$@" "095=$up095 $tree"
        [ "$usegetcap" = 1 ] && set -- "$@" "getcap=$getcap -r $tree"
        case $scen in
        warm2) hyperfine_rounds "$size.warm2" "$RUNS" "" \
            "ours=$ours -j2 $tree" "debian=$debian $tree" "$@" "floor=$floor $tree 2" ;;
        warm1) hyperfine_rounds "$size.warm1" "$RUNS" "" \
            "ours=$ours -j1 $tree" "debian=$debian $tree" "$@" "floor=$floor $tree 1" ;;
        cold) hyperfine_rounds "$size.cold" "$COLD_RUNS" "$drop_caches" \
            "ours=$ours $tree" "ours-j16=$ours -j16 $tree" "debian=$debian $tree" "$@" "floor=$floor $tree 2" ;;
        *) die "unknown scenario $scen" ;;
        esac
    done

    # Peak memory: ours with its default jobs, -j1, -j2 and on one CPU (default jobs);
    # -j2 behind a reader that stalls for 2 s, so that the threads read ahead as far as
    # their bound lets them; Debian's. With the cold scenario, ours again with cold caches
    # (where the default jobs add walkers, see -j).
    cpu=$(awk '/^Cpus_allowed_list/ { split($2, c, "[,-]"); print c[1] }' /proc/self/status)
    maxrss() { # NAME COMMAND...
        mname=$1
        shift
        /usr/bin/time -f '%M' -o "$raw/filecap-$size.$mname.maxrss" "$@" >/dev/null 2>&1 || true
    }
    "$ours" "$tree" >/dev/null 2>&1 || true
    maxrss ours "$ours" "$tree"
    maxrss ours-j1 "$ours" -j1 "$tree"
    maxrss ours-j2 "$ours" -j2 "$tree"
    maxrss ours-1cpu taskset -c "$cpu" "$ours" "$tree"
    maxrss debian "$debian" "$tree"
    /usr/bin/time -f '%M' -o "$raw/filecap-$size.ours-stalled.maxrss" "$ours" -j2 "$tree" 2>/dev/null |
        { sleep 2; cat >/dev/null; } || true
    case " $SCENARIOS " in
    *" cold "*)
        for mprog in ours ours-j1 ours-j2 ours-1cpu; do
            $drop_caches
            case $mprog in
            ours) maxrss ours-cold "$ours" "$tree" ;;
            ours-j1) maxrss ours-cold-j1 "$ours" -j1 "$tree" ;;
            ours-j2) maxrss ours-cold-j2 "$ours" -j2 "$tree" ;;
            ours-1cpu) maxrss ours-cold-1cpu taskset -c "$cpu" "$ours" "$tree" ;;
            esac
        done
        ;;
    esac
    if [ "$size" = "$first_size" ] && command -v strace >/dev/null; then
        strace -c -f -o "$raw/filecap-$size.strace-ours" "$ours" -j1 "$tree" >/dev/null 2>&1 || true
        strace -c -f -o "$raw/filecap-$size.strace-debian" "$debian" "$tree" >/dev/null 2>&1 || true
    fi
    rm -rf "$tree"
done

# The whole machine: time and error lines (stderr) of `filecap -a`.
[ "$WHOLE" = 1 ] && log "filecap -a: ours and Debian's"
[ "$WHOLE" = 1 ] && for prog in ours debian; do
    cmd=$ours
    [ "$prog" = debian ] && cmd=$debian
    s=$(date +%s.%N)
    "$cmd" -a >"$raw/filecap-all.$prog.out" 2>"$raw/filecap-all.$prog.err" || true
    e=$(date +%s.%N)
    echo "$s $e" >"$raw/filecap-all.$prog.time"
done

"$PYTHON" "$bench/filecap_report.py" "$raw" "$SIZES" "$out"
log "report: $out/filecap.md (with filecap.json, filecap.svg)"
