#!/bin/bash
# Benchmark of `capinspect unit --all` against pscap, on a real systemd 252 booted in a
# container (tests/cli/systemd.bash) that runs SERVICES sandboxed services:
#
#   bash bench/unit.sh           (as root; about a minute of measuring)
#
# The services are instances of one template unit (User=nobody, a bounding and an ambient
# set, NoNewPrivileges=, PrivateTmp=, PrivateDevices=, ProtectSystem=strict,
# ProtectHome=yes), each a sleep. Two sizes: the services alone, then with OTHERS more
# processes in the container that belong to no service (bench/procs.c, PCT% of them
# holding capabilities). `capinspect unit --all` should read only the services' processes,
# whatever else runs; pscap reads every process. For each size, hyperfine runs, inside the
# container, `capinspect unit --all` (text and -J) and `pscap` (its default report:
# the holders) ROUNDS times, the order rotated by one per round; a program's time is the
# median of its round medians. strace counts the /proc/PID/status files each opens.
# Raw files go to bench/results/raw/unit-* (git-ignored), the report to
# bench/results/unit.md and unit.json.
#
# The machine may be shared: before each size it waits (up to QUIET_WAIT seconds) for the
# CPUs to be less than BUSY_MAX% busy with other work, and records how busy they were.
#
# Environment: SERVICES (100), OTHERS (2000), PCT (20), ROUNDS (3), RUNS (20), WARMUP (3),
# QUIET_WAIT (120), BUSY_MAX (15), CC (cc), PYTHON (python3).
set -eu

bench=$(cd "$(dirname "$0")" && pwd)
bench_tool=unit
. "$bench/common.sh"

SERVICES=${SERVICES:-100}
OTHERS=${OTHERS:-2000}
PCT=${PCT:-20}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}

[ "$(id -u)" = 0 ] || die "run as root: the services run in a container"
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v strace >/dev/null || die "strace is not installed"
command -v "$PYTHON" >/dev/null || die "$PYTHON is not installed"

log "building capinspect (make -C $root all)"
make -s -C "$root" all >&2
mkdir -p "$raw" "$root/build/bench"
rm -f "$raw"/unit-*
# The generator goes into the build tree, which the container sees.
$CC -O2 -Wall -o "$root/build/bench/procs" "$bench/procs.c"

# The container: tests/cli/systemd.bash, outside bats.
export BATS_FILE_TMPDIR
BATS_FILE_TMPDIR=$(mktemp -d /tmp/capinspect-bench-unit.XXXXXX)
export CAPINSPECT_BUILD=$root/build
exec 3>/dev/null
# shellcheck source=../tests/cli/systemd.bash
. "$root/tests/cli/systemd.bash"
GEN_PID=
finish() {
    if [ -n "$GEN_PID" ]; then
        exec 4>&-
        wait "$GEN_PID" 2>/dev/null || true
    fi
    systemd_stop || true
    rm -rf "$BATS_FILE_TMPDIR"
}
trap finish EXIT
systemd_start
[ -z "$CT_SKIP" ] || die "the container cannot start: $CT_SKIP"
log "systemd booted in ${CT_BOOT_SECONDS}s"

install_unit bench@.service "[Service]
User=nobody
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ExecStart=/bin/sleep infinity"
units=$(seq -f 'bench@%g.service' 1 "$SERVICES")
# shellcheck disable=SC2086
in_container systemctl start $units
running=$(in_container systemctl list-units --type=service --state=running --no-legend --plain | wc -l)
log "$SERVICES services started; $running services run in the container"

{
    echo "nproc=$(nproc)"
    echo "model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -r)"
    echo "systemd=$(in_container systemctl --version | head -1)"
    echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "services=$SERVICES"
    echo "running=$running"
    echo "others=$OTHERS"
    echo "rounds=$ROUNDS"
    echo "runs=$RUNS"
} >"$raw/unit-machine.txt"

# measure SIZE: the hyperfine rounds and the strace counts, inside the container.
measure() {
    local size=$1 r busy
    local processes
    processes=$(in_container sh -c 'ls -d /proc/[0-9]* | wc -l')
    echo "$processes" >"$raw/unit-$size.processes"
    # What each reads: /proc/PID/status files opened.
    for p in "unit=$CT_BIN/capinspect unit --all" "pscap=$CT_BIN/pscap"; do
        # shellcheck disable=SC2086
        in_container strace -f -qq -e trace=openat -o /run/strace.out ${p#*=} >/dev/null 2>&1 || true
        in_container cat /run/strace.out | grep -cE 'openat\(.*"(/proc/)?[0-9]+/status"|"status"' \
            >"$raw/unit-$size.status-${p%%=*}" || true
    done
    busy=$(wait_quiet)
    echo "$busy" >"$raw/unit-$size.busy"
    set -- "unit=$CT_BIN/capinspect unit --all" "unit-json=$CT_BIN/capinspect unit --all -J" "pscap=$CT_BIN/pscap"
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        local args=() pc
        for pc in "$@"; do args+=(-n "${pc%%=*}" "${pc#*=}"); done
        in_container hyperfine -N --style basic --output=null -i --warmup "$WARMUP" --runs "$RUNS" \
            --export-json /run/round.json "${args[@]}" >"$raw/unit-$size.round$r.log" 2>&1
        in_container cat /run/round.json >"$raw/unit-$size.round$r.json"
        log "$size: round $r done"
        local first=$1
        shift
        set -- "$@" "$first"
        r=$((r + 1))
    done
}

measure services
# Other processes, in no service: started through nsenter, they stay in the host's cgroup.
mkfifo "$BATS_FILE_TMPDIR/gen.in"
in_container "$CT_BUILD/bench/procs" "$OTHERS" "$PCT" <"$BATS_FILE_TMPDIR/gen.in" \
    >"$BATS_FILE_TMPDIR/gen.out" 2>"$BATS_FILE_TMPDIR/gen.err" &
GEN_PID=$!
exec 4>"$BATS_FILE_TMPDIR/gen.in"
for _ in $(seq 600); do
    grep -q '^ready' "$BATS_FILE_TMPDIR/gen.out" 2>/dev/null && break
    sleep 0.1
done
grep -q '^ready' "$BATS_FILE_TMPDIR/gen.out" || die "the generator did not start: $(cat "$BATS_FILE_TMPDIR/gen.err")"
log "generator: $(cat "$BATS_FILE_TMPDIR/gen.out")"
measure others

log "writing the report"
"$PYTHON" "$bench/unit_report.py" "$raw" "$out"
log "done: $out/unit.md"
