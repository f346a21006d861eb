# Holders: helper processes a test starts in the background (capholder, sockholder), each
# with its stdin on a FIFO that this shell keeps open (the descriptor in HOLDER_FDS, the
# pid in HOLDER_PIDS). stop_holders closes the FIFOs (the holders then exit by
# themselves), waits for them, and kills only a holder that is still there, by its pid.

# read_stat PID: the fields of /proc/PID/stat after the command name into the array STAT
# (STAT[0] is the state, STAT[1] the parent pid, STAT[19] the start time); fails when the
# process is gone.
read_stat() {
    local text
    text=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    read -r -a STAT <<<"${text##*) }"
}

# True while PID is a live (not zombie) child of this shell.
holder_alive() {
    read_stat "$1" && [ "${STAT[0]}" != Z ] && [ "${STAT[1]}" = "$BASHPID" ]
}

# end_by_pid PID ALIVE...: waits up to 5 s for the command ALIVE... (which checks that PID
# is still the process we started) to fail, then kills PID if it still succeeds.
end_by_pid() {
    local pid=$1 i
    shift
    for ((i = 0; i < 100; i++)); do
        "$@" || return 0
        sleep 0.05
    done
    if "$@"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

stop_holders() {
    local fd pid
    for fd in "${HOLDER_FDS[@]}"; do
        exec {fd}>&-
    done
    for pid in "${HOLDER_PIDS[@]}"; do
        end_by_pid "$pid" holder_alive "$pid"
        wait "$pid" 2>/dev/null || true
    done
    HOLDER_FDS=() HOLDER_PIDS=()
}
