# Sourced by the benchmark scripts once they have set `bench` (this directory) and
# `bench_tool` (pscap, netcap, filecap or captest): the paths and the settings they share,
# their log lines, and the wait for a quiet machine (the machine may be shared, so each
# measurement first waits for the other users to leave the CPUs mostly idle).

root=$(dirname "$bench")
build=$bench/build
raw=$bench/results/raw
out=$bench/results

QUIET_WAIT=${QUIET_WAIT:-120}
BUSY_MAX=${BUSY_MAX:-15}
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-0}

log() { printf '%s\n' "$bench_tool-bench: $*" >&2; }
die() { log "$*"; exit 1; }

# Waits up to 30 s for each generator in $gen_pids to end (once its stdin is closed), then
# ends it; empties the list.
end_generators() {
    for pid in $gen_pids; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
        if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
        wait "$pid" 2>/dev/null || true
    done
    gen_pids=
}

# Percent of all CPU time spent busy (not idle or iowait) over one second.
cpu_busy() {
    set -- $(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
    b=$1 i=$2
    sleep 1
    set -- $(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
    echo $(( 100 * ($1 - b) / ($1 - b + $2 - i + 1) ))
}

# Waits (up to QUIET_WAIT s) until the CPUs are at most BUSY_MAX% busy; prints the last
# reading, which the reports show beside each figure.
wait_quiet() {
    waited=0
    busy=$(cpu_busy)
    while [ "$busy" -gt "$BUSY_MAX" ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
        [ "$waited" = 0 ] && log "CPUs ${busy}% busy with other work: waiting up to ${QUIET_WAIT} s"
        sleep 4
        waited=$((waited + 5))
        busy=$(cpu_busy)
    done
    [ "$busy" -le "$BUSY_MAX" ] || log "still ${busy}% busy: measuring anyway (see the report)"
    echo "$busy"
}
