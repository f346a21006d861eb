# Holders: helper processes a test starts in the background (capholder, sockholder), each
# with its stdin on a FIFO that this shell keeps open (the descriptor in HOLDER_FDS, the
# pid in HOLDER_PIDS). stop_holders closes the FIFOs (the holders then exit by
# themselves), waits for them, and kills only a holder that is still there, by its pid.

# True while PID is a live (not zombie) child of this shell.
holder_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    local -a f
    read -r -a f <<<"$stat"
    [ "${f[0]}" != Z ] && [ "${f[1]}" = "$BASHPID" ]
}

stop_holders() {
    local fd pid i
    for fd in "${HOLDER_FDS[@]}"; do
        exec {fd}>&-
    done
    for pid in "${HOLDER_PIDS[@]}"; do
        for ((i = 0; i < 100; i++)); do
            holder_alive "$pid" || break
            sleep 0.05
        done
        if holder_alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    HOLDER_FDS=() HOLDER_PIDS=()
}
