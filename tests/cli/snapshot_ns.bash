# Sourced by the first process of a private pid, mount and network namespace
# (capinspect_snapshot.bats, in_ns): snapshots there see only the processes a test starts,
# whatever else runs on the machine, and no socket of the machine's. When that process
# ends, the kernel ends every process left in the namespace, so nothing a test started
# outlives it.
#
# Environment: BIN, HELPERS (as common.bash sets them) and W, a directory of the test.
set -u
ip link set lo up 2>/dev/null || { echo "in_ns: cannot bring lo up" >&2; exit 3; }
mkdir -p "$W/holders"
declare -A HOLD_FD=() HOLD_PID=()

# hold NAME COMMAND...: runs COMMAND (capholder, sockholder, possibly behind unshare) in
# the background, its stdin on a FIFO this shell keeps open, and waits for its "ready".
hold() {
    local name=$1 i fd
    shift
    mkfifo "$W/holders/$name.in"
    # Without the other holders' FIFOs: each must see its own EOF alone.
    (
        for fd in "${HOLD_FD[@]}"; do eval "exec $fd>&-"; done
        exec "$@"
    ) <"$W/holders/$name.in" >"$W/holders/$name.out" 2>"$W/holders/$name.err" &
    HOLD_PID[$name]=$!
    exec {fd}>"$W/holders/$name.in"
    HOLD_FD[$name]=$fd
    for ((i = 0; i < 200; i++)); do
        grep -qs '^ready' "$W/holders/$name.out" && return 0
        kill -0 "${HOLD_PID[$name]}" 2>/dev/null || break
        sleep 0.05
    done
    echo "holder $name did not get ready: $(cat "$W/holders/$name.err")" >&2
    exit 3
}

# release NAME: closes the holder's stdin (it exits by itself) and waits for it.
release() {
    local fd=${HOLD_FD[$1]}
    exec {fd}>&-
    wait "${HOLD_PID[$1]}" 2>/dev/null || true
    unset "HOLD_FD[$1]" "HOLD_PID[$1]"
    rm -f "$W/holders/$1.in" "$W/holders/$1.out" "$W/holders/$1.err"
}

# snap FILE [OPTION...]: capinspect snapshot -o FILE; its stderr in FILE.err.
snap() {
    local out=$1
    shift
    "$BIN/capinspect" snapshot "$@" -o "$out" 2>"$out.err" || { echo "snapshot failed: $(cat "$out.err")" >&2; exit 3; }
}
