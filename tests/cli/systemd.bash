# A real systemd 252 for the tests of `capinspect unit`: the host's own systemd booted in a
# container (systemd-nspawn, package systemd-container), with the host's /usr read-only, a
# throwaway root (--volatile=yes), its own network namespace holding only lo
# (--private-network), and the build tree bind-mounted read-only at the same path.
#
#   setup_file()    { systemd_start; }        # where it cannot run, notes why in CT_SKIP
#   setup()         { systemd_require; }      # skips each test with that reason
#   teardown_file() { systemd_stop; }         # also after a failed test; fails on leftovers
#
# (bats 1.8, Debian 12's, cannot skip from setup_file: `skip` there fails the file.)
#
#   in_container CMD...            CMD inside (all namespaces of the container's PID 1), with
#                                  a clean environment (PATH, LC_ALL, HOME only)
#   start_service NAME PROP... -- CMD...
#                                  a transient NAME.service (systemd-run -p PROP ...); Type=exec
#                                  unless a Type= is given, so that on return the main process
#                                  has executed CMD and shows the service's credentials
#   install_unit NAME TEXT         /run/systemd/system/NAME inside, then daemon-reload
#   install_dropin UNIT NAME TEXT  /run/systemd/system/UNIT.d/NAME.conf, then daemon-reload
#   unit_property UNIT PROP        `systemctl show -P PROP UNIT` inside
#   service_main_pid UNIT          the unit's MainPID, as the container numbers it
#   host_pid PID                   the host's number of the container's process PID
#
# Exported by systemd_start: CT_NAME (machine and host name), CT_NSPAWN_PID (systemd-nspawn,
# on the host), CT_LEADER (the container's PID 1, host numbering), CT_BUILD (the absolute
# build tree, the same path inside), CT_BIN (its bin/), CT_BOOT_SECONDS (measured boot time).
#
# Measured on the Debian 12 test machines (2 CPUs, kernel 6.18, systemd 252.39, load average
# 5 to 7 from other work): the container answers `running` 2.5 to 3.8 s after systemd-nspawn
# starts (systemd-analyze inside: about 1 s of user space); a polite stop takes 1.3 to 2 s;
# a daemon-reload about 1 s; systemd_harness.bats takes 13 to 20 s in all.
#
# Host settings: none needed. These machines run no systemd as PID 1 and have the hybrid
# cgroup layout (v1 controllers, name=systemd at /sys/fs/cgroup/systemd, cgroup2 at
# /sys/fs/cgroup/unified). With --keep-unit and no scope to be had, systemd-nspawn makes
# supervisor/ and payload/ cgroups under its own cgroup, and the container's systemd builds
# its tree under payload/; run from the root cgroup, two containers would share them and
# the directories would stay. So systemd_start first puts systemd-nspawn in a cgroup of its
# own, named after the machine (capinspect-PID), in every hierarchy nspawn uses, and
# systemd_stop removes that subtree (systemd_start removes the empty ones of runs killed
# whole, whose PID is gone, and their directories in /run/systemd/nspawn/propagate). Seen
# from the host, a service's cgroup is then /capinspect-PID/payload/system.slice/NAME.service
# (ControlGroup= says /system.slice/...).
# On a host that runs systemd (/run/systemd/system exists) --keep-unit is left out and nspawn
# asks the host's systemd for a delegated scope (not tried on these machines). systemd-nspawn
# also leaves the empty directories /run/systemd/nspawn/propagate and /run/systemd/nspawn-root
# on the host (/run is no tmpfs here); systemd_stop removes those it found missing.
# While the container is up, a watchdog process stops it if the bats process that started it
# goes away without systemd_stop (an interrupted run).
#
# Quirks:
# - --volatile=yes gives an empty tmpfs root, not a copy of the host's /etc: the boot fills
#   /etc (systemd-tmpfiles, machine-id, and systemd-sysusers' passwd/group from
#   /usr/lib/sysusers.d). The host's other users (postgres, _apt, ...) do not exist inside;
#   use root, nobody (65534), DynamicUser= or numbers. /var is part of the tmpfs; the journal
#   is in /run/log/journal.
# - No /etc/alternatives either: awk, editor, pager and the like are missing inside (mawk,
#   sensible-editor ... are there under their own names); pipe to the host's awk instead.
# - The boot is a first boot, so the presets enable every installed unit: whatever services
#   the host has installed start inside too (postgresql.service, ...).
# - The container's processes are in a pid namespace: MainPID and the pids of /proc inside
#   are the container's numbers; host_pid translates. A process entered with nsenter stays in
#   the host's cgroup (its /proc/self/cgroup inside reads "/..").
# - systemd-nspawn installs its own seccomp filter on the container, so every process in it,
#   PID 1 included, shows "Seccomp: 2" and a non-zero Seccomp_filters (5 here) before any
#   unit setting: compare a service's count with PID 1's. Every bounding set is within
#   nspawn's default set (0xfcecafff, plus cap_net_admin with --private-network) and the
#   bounding set of the test run (on these machines it lacks cap_sys_resource; nspawn then
#   warns "Some capabilities will not be set because they are not in the current bounding set").
# - No /etc/nsswitch.conf: glibc falls back to files, so dynamic users (DynamicUser=) have
#   no name inside (getent passwd UID fails) and tools print their numbers.
# - /usr is read-only for every process already (nspawn mounts it so): ProtectSystem=yes
#   changes no mount here; =full adds a read-only /etc, =strict a read-only /. Inaccessible
#   paths are bind mounts of /run/host/inaccessible/{dir,reg,...} (nspawn provides them;
#   on a host it is /run/systemd/inaccessible/).
# - The build tree is visible inside at its real (canonical) path only: use CT_BIN inside,
#   not BIN (which may go through tests/cli/../..).

CT_BOOT_TIMEOUT=${CT_BOOT_TIMEOUT:-60}
CT_STOP_TIMEOUT=${CT_STOP_TIMEOUT:-20}

# Prints why the container cannot start here (nothing if it can).
why_no_container() {
    [ "$(id -u)" -eq 0 ] || { echo "needs root to boot systemd in a container"; return; }
    command -v systemd-nspawn >/dev/null ||
        { echo "systemd-nspawn is missing (package systemd-container)"; return; }
    command -v nsenter >/dev/null || { echo "nsenter (util-linux) is missing"; return; }
    [ -x /usr/lib/systemd/systemd ] || { echo "systemd is not installed"; return; }
}

# _ct_starttime PID: the start time of PID (field 22 of /proc/PID/stat); fails when PID is
# gone or a zombie.
_ct_starttime() {
    local text fields
    text=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    read -r -a fields <<<"${text##*) }"
    [ "${fields[0]}" != Z ] || return 1
    echo "${fields[19]}"
}

# _ct_same PID STARTTIME: PID is still the live process that started at STARTTIME.
_ct_same() {
    [ -n "$1" ] && [ -n "$2" ] && [ "$(_ct_starttime "$1")" = "$2" ]
}

# The container's PID 1 among systemd-nspawn's children: the one that is pid 1 of a pid
# namespace of its own.
_ct_find_leader() {
    local child
    for child in $(cat "/proc/$CT_NSPAWN_PID"/task/*/children 2>/dev/null); do
        if awk '$1 == "NSpid:" && NF >= 3 && $NF == 1 { found = 1 } END { exit !found }' \
            "/proc/$child/status" 2>/dev/null; then
            echo "$child"
            return 0
        fi
    done
    return 1
}

# Makes the cgroup CT_NAME (capinspect-PID) under this shell's own cgroup in each hierarchy that
# systemd-nspawn uses (cgroup2, and name=systemd on a legacy or hybrid host) into
# CT_CGROUPS (blank-separated).
_ct_make_cgroups() {
    local roots=() root own dir
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        roots=(/sys/fs/cgroup)
    else
        [ "$(stat -f -c %T /sys/fs/cgroup/systemd 2>/dev/null)" = cgroupfs ] && roots+=(/sys/fs/cgroup/systemd)
        [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && roots+=(/sys/fs/cgroup/unified)
    fi
    [ "${#roots[@]}" -gt 0 ] || { echo "no cgroup hierarchy for systemd-nspawn under /sys/fs/cgroup" >&2; return 1; }
    CT_CGROUPS=
    for root in "${roots[@]}"; do
        if [ "$root" = /sys/fs/cgroup/systemd ]; then
            own=$(sed -n 's/^[0-9]*:name=systemd:\(.*\)$/\1/p' /proc/self/cgroup)
        else
            own=$(sed -n 's/^0::\(.*\)$/\1/p' /proc/self/cgroup)
        fi
        _ct_sweep_stale "$root${own%/}"
        dir="$root${own%/}/$CT_NAME"
        mkdir "$dir" || return 1
        CT_CGROUPS="$CT_CGROUPS $dir"
    done
}

# Removes the empty capinspect-PID trees under DIR (cgroups, nspawn's propagate/ directory)
# whose PID is gone: a run killed whole (its watchdog with it) could not remove its own.
_ct_sweep_stale() {
    local stale
    for stale in "$1"/capinspect-[0-9]*; do
        [[ -d $stale && ${stale##*/capinspect-} =~ ^[0-9]+$ && ! -e /proc/${stale##*-} ]] || continue
        [ -z "$(find "$stale" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] || continue
        echo "removing $stale, left by a run that was killed" >&2
        find "$stale" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}

# Removes the cgroup subtrees of CT_CGROUPS, deepest first, waiting up to 5 s for the last
# processes to leave them.
_ct_remove_cgroups() {
    local cg i
    for cg in $CT_CGROUPS; do
        for ((i = 0; i < 50; i++)); do
            [ -d "$cg" ] || break
            find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [ -d "$cg" ] || break
            sleep 0.1
        done
    done
}

# Ends the container: systemd-nspawn gets SIGTERM (it asks the container's systemd to shut
# down) and SIGKILL after CT_STOP_TIMEOUT; a PID 1 that outlived it is killed, which ends its
# pid namespace. Then the cgroups and the directories nspawn left on the host go.
_ct_teardown() {
    local i dir
    if _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START"; then
        kill -TERM "$CT_NSPAWN_PID" 2>/dev/null || true
        for ((i = 0; i < CT_STOP_TIMEOUT * 10; i++)); do
            _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START" || break
            sleep 0.1
        done
        if _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START"; then
            echo "systemd-nspawn ($CT_NSPAWN_PID) did not stop in ${CT_STOP_TIMEOUT}s: SIGKILL" >&2
            kill -KILL "$CT_NSPAWN_PID" 2>/dev/null || true
        fi
    fi
    wait "$CT_NSPAWN_PID" 2>/dev/null || true
    if _ct_same "$CT_LEADER" "$CT_LEADER_START"; then
        kill -KILL "$CT_LEADER" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            _ct_same "$CT_LEADER" "$CT_LEADER_START" || break
            sleep 0.1
        done
    fi
    _ct_remove_cgroups
    for dir in $CT_NEW_DIRS; do
        rmdir "$dir" 2>/dev/null || true
    done
    return 0
}

# Runs in the background while the container is up: if the bats process that started it
# ($1) goes away without systemd_stop (interrupted), the container is stopped all the same.
_ct_watchdog() {
    while kill -0 "$1" 2>/dev/null && _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START"; do
        sleep 1
    done
    kill -0 "$1" 2>/dev/null || _ct_teardown
}

_ct_strip_escapes() {
    sed 's/\x1b\[[0-9;]*[a-zA-Z]//g; s/\r$//'
}

systemd_start() {
    CT_SKIP=$(why_no_container)
    export CT_SKIP
    [ -z "$CT_SKIP" ] || return 0

    CT_NAME=capinspect-$$
    CT_BUILD=$(realpath -e "$CAPINSPECT_BUILD") || { echo "no build tree at $CAPINSPECT_BUILD" >&2; return 1; }
    CT_BIN=$CT_BUILD/bin
    CT_LOG=$BATS_FILE_TMPDIR/nspawn.log
    CT_NSPAWN_PID='' CT_NSPAWN_START='' CT_LEADER='' CT_LEADER_START='' CT_CGROUPS='' CT_WATCHDOG=''
    # The directories systemd-nspawn makes on the host and does not remove.
    CT_NEW_DIRS=
    _ct_sweep_stale /run/systemd/nspawn/propagate
    local dir
    for dir in /run/systemd/nspawn/propagate /run/systemd/nspawn /run/systemd/nspawn-root; do
        [ -e "$dir" ] || CT_NEW_DIRS="$CT_NEW_DIRS $dir"
    done

    local keep_unit=--keep-unit
    if [ -d /run/systemd/system ]; then
        keep_unit=
    else
        _ct_make_cgroups || { _ct_remove_cgroups; return 1; }
    fi

    local t0
    t0=$(date +%s.%N)
    (
        for dir in $CT_CGROUPS; do
            echo "$BASHPID" >"$dir/cgroup.procs" || exit 1
        done
        exec systemd-nspawn -D / --volatile=yes --register=no $keep_unit -M "$CT_NAME" \
            --private-network --console=read-only --bind-ro="$CT_BUILD" \
            -b systemd.firstboot=off
    ) </dev/null >"$CT_LOG" 2>&1 3>&- &
    CT_NSPAWN_PID=$!
    CT_NSPAWN_START=$(_ct_starttime "$CT_NSPAWN_PID")
    export CT_NAME CT_BUILD CT_BIN CT_LOG CT_NSPAWN_PID CT_NSPAWN_START CT_CGROUPS CT_NEW_DIRS

    local deadline=$((SECONDS + CT_BOOT_TIMEOUT)) state=
    while :; do
        if ! _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START"; then
            echo "systemd-nspawn exited during the boot; its output ends:" >&2
            _ct_strip_escapes <"$CT_LOG" | tail -n 30 >&2
            _ct_teardown
            return 1
        fi
        if [ -z "$CT_LEADER" ] && CT_LEADER=$(_ct_find_leader); then
            CT_LEADER_START=$(_ct_starttime "$CT_LEADER")
            export CT_LEADER CT_LEADER_START
        fi
        # Until it has executed systemd, the leader is still nspawn's child.
        if [ -n "$CT_LEADER" ] && [ "$(cat "/proc/$CT_LEADER/comm" 2>/dev/null)" = systemd ]; then
            state=$(in_container systemctl is-system-running 2>/dev/null) || true
            case $state in running | degraded) break ;; esac
        fi
        if ((SECONDS >= deadline)); then
            echo "systemd in the container is not up after ${CT_BOOT_TIMEOUT}s (state: ${state:-none})" >&2
            if [ -n "$CT_LEADER" ]; then
                echo "its journal ends:" >&2
                in_container journalctl --no-pager -q -n 30 >&2 || true
                in_container systemctl list-jobs --no-pager >&2 || true
            fi
            echo "the output of systemd-nspawn ends:" >&2
            _ct_strip_escapes <"$CT_LOG" | tail -n 15 >&2
            _ct_teardown
            return 1
        fi
        sleep 0.2
    done
    CT_BOOT_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    export CT_BOOT_SECONDS
    if [ "$state" = degraded ]; then
        echo "# the container is degraded:" >&3
        in_container systemctl --failed --no-legend --no-pager | sed 's/^/#   /' >&3 || true
    fi
    _ct_watchdog "$$" </dev/null >/dev/null 2>&1 3>&- &
    CT_WATCHDOG=$!
    export CT_WATCHDOG
}

systemd_require() {
    [ -z "${CT_SKIP:-}" ] || skip "$CT_SKIP"
}

# Stops the container and checks that nothing is left: no process, cgroup or directory of
# it, no mount naming it. Safe to call twice, and when systemd_start skipped or failed.
systemd_stop() {
    [ -n "${CT_NSPAWN_PID:-}" ] || return 0
    if [ -n "${CT_WATCHDOG:-}" ]; then
        kill -TERM "$CT_WATCHDOG" 2>/dev/null || true
        wait "$CT_WATCHDOG" 2>/dev/null || true
    fi
    _ct_teardown
    local left=() dir
    _ct_same "$CT_NSPAWN_PID" "$CT_NSPAWN_START" && left+=("systemd-nspawn $CT_NSPAWN_PID")
    _ct_same "$CT_LEADER" "$CT_LEADER_START" && left+=("the container's PID 1 $CT_LEADER")
    for dir in $CT_CGROUPS "/run/systemd/nspawn/propagate/$CT_NAME"; do
        [ -e "$dir" ] && left+=("$dir")
    done
    grep -q -e "$CT_NAME" /proc/self/mountinfo && left+=("a mount naming $CT_NAME")
    CT_NSPAWN_PID='' CT_LEADER='' CT_WATCHDOG=''
    if [ "${#left[@]}" -gt 0 ]; then
        printf 'left behind by the container: %s\n' "${left[@]}" >&2
        return 1
    fi
}

in_container() {
    nsenter -t "$CT_LEADER" -a -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LC_ALL=C.UTF-8 HOME=/root "$@"
}

start_service() {
    local name=$1 type=-pType=exec props=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        [[ $1 == Type=* ]] && type=
        props+=("-p$1")
        shift
    done
    [ "${1:-}" = -- ] && [ $# -gt 1 ] || { echo "usage: start_service NAME PROP... -- COMMAND..." >&2; return 2; }
    shift
    in_container systemd-run --quiet --unit="$name" $type "${props[@]}" -- "$@"
}

install_unit() {
    printf '%s\n' "$2" |
        in_container sh -c 'mkdir -p /run/systemd/system && cat >"/run/systemd/system/$1"' sh "$1" &&
        in_container systemctl daemon-reload
}

install_dropin() {
    printf '%s\n' "$3" |
        in_container sh -c 'mkdir -p "/run/systemd/system/$1.d" && cat >"/run/systemd/system/$1.d/${2%.conf}.conf"' \
            sh "$1" "$2" &&
        in_container systemctl daemon-reload
}

unit_property() {
    in_container systemctl show -P "$2" "$1"
}

service_main_pid() {
    local pid
    pid=$(unit_property "$1" MainPID) || return 1
    if [ -z "$pid" ] || [ "$pid" = 0 ]; then
        echo "$1 has no main process" >&2
        return 1
    fi
    echo "$pid"
}

# The NSpid line of a process in the container lists its host pid first and its pid in the
# container's namespace at the position where the leader's line ends (deeper namespaces
# follow); the pid namespace then tells it apart from another container's.
host_pid() {
    local level ns pid
    level=$(awk '$1 == "NSpid:" { print NF }' "/proc/$CT_LEADER/status") || return 1
    ns=$(readlink "/proc/$CT_LEADER/ns/pid") || return 1
    # cat, not awk FILES: Debian's mawk stops at the first file that cannot be opened, and a
    # process that exits between the glob and the read would hide every later one.
    for pid in $(cat /proc/[0-9]*/status 2>/dev/null |
        awk -v n="$level" -v want="$1" '$1 == "NSpid:" && NF >= n && $n == want { print $2 }'); do
        [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$ns" ] && { echo "$pid"; return 0; }
    done
    echo "no process $1 in the container" >&2
    return 1
}
