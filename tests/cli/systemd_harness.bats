#!/usr/bin/env bats
# The systemd container of tests/cli/systemd.bash: it boots a real systemd 252, a transient
# service and a unit with a drop-in get the credentials their settings give, our pscap sees
# them from inside, and the stop leaves nothing behind. Needs root.
load common
load systemd

setup_file() {
    systemd_start
    [ -n "$CT_SKIP" ] || echo "# systemd booted in ${CT_BOOT_SECONDS}s" >&3
}

setup() {
    systemd_require
}

# What the stale-directory test made, whatever its outcome.
teardown() {
    if [ -n "${STALE_TEST_SLEEP:-}" ]; then
        kill "$STALE_TEST_SLEEP" 2>/dev/null || true
        wait "$STALE_TEST_SLEEP" 2>/dev/null || true
    fi
    # The container's own removal, waiting for the sleep to leave its cgroup.
    CT_CGROUPS="${STALE_TEST_DIRS[*]}" _ct_remove_cgroups
}

teardown_file() {
    systemd_stop
}

# status_field PID FIELD: a field of /proc/PID/status inside the container.
status_field() {
    in_container cat "/proc/$1/status" | sed -n "s/^$2:[[:space:]]*//p"
}

@test "PID 1 of the container is systemd 252, up, with the build tree read-only" {
    run in_container cat /proc/1/comm
    assert_output systemd
    run in_container systemctl --version
    assert_line --index 0 --regexp '^systemd 252 '
    run in_container systemctl is-system-running
    assert_output --regexp '^(running|degraded)$'
    run in_container findmnt -n -o OPTIONS "$CT_BUILD"
    assert_output --regexp '^ro,'
    [ -x "$CT_BIN/pscap" ]
    run in_container "$CT_BIN/pscap" -p 1
    assert_success
}

@test "a transient service runs as nobody with only cap_net_bind_service, ambient and bounding" {
    start_service capholder User=nobody AmbientCapabilities=CAP_NET_BIND_SERVICE \
        CapabilityBoundingSet=CAP_NET_BIND_SERVICE -- sleep 600
    pid=$(service_main_pid capholder.service)
    [ "$(status_field "$pid" Uid)" = "65534	65534	65534	65534" ]
    [ "$(status_field "$pid" Gid)" = "65534	65534	65534	65534" ]
    local field
    for field in CapAmb CapBnd CapPrm CapEff; do
        [ "$(status_field "$pid" "$field")" = 0000000000000400 ] || {
            echo "$field: $(status_field "$pid" "$field")" >&2
            return 1
        }
    done
    [ "$(status_field "$pid" NoNewPrivs)" = 0 ]
    # No seccomp setting: only nspawn's filters, the ones PID 1 has too.
    [ "$(status_field "$pid" Seccomp_filters)" = "$(status_field 1 Seccomp_filters)" ]

    # The same process seen from the host, under its host pid.
    hpid=$(host_pid "$pid")
    [ "$hpid" != "$pid" ]
    run diff <(grep -E '^(Uid|Cap(Inh|Prm|Eff|Bnd|Amb)):' "/proc/$hpid/status") \
        <(in_container grep -E '^(Uid|Cap(Inh|Prm|Eff|Bnd|Amb)):' "/proc/$pid/status")
    assert_success

    # What systemd says of the unit.
    [ "$(unit_property capholder.service CapabilityBoundingSet)" = cap_net_bind_service ]
    [ "$(unit_property capholder.service AmbientCapabilities)" = cap_net_bind_service ]
    [ "$(unit_property capholder.service User)" = nobody ]
}

@test "our pscap inside the container shows the service as libcap-ng 0.9.5 would" {
    start_service pscapped User=nobody AmbientCapabilities=CAP_NET_BIND_SERVICE \
        CapabilityBoundingSet=CAP_NET_BIND_SERVICE -- sleep 600
    pid=$(service_main_pid pscapped.service)
    run --separate-stderr in_container "$CT_BIN/pscap" -p "$pid"
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 "ppid    pid     uid              command         capabilities"
    assert_line --index 1 "$(printf '%-7s %-7s %-16s %-15s %s' 1 "$pid" nobody sleep 'net_bind_service @ +')"
}

@test "a unit file with a drop-in: the drop-in's settings win" {
    install_unit dropped.service "[Service]
User=nobody
AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_RAW CAP_NET_BIND_SERVICE
ExecStart=/bin/sleep 600"
    install_dropin dropped.service narrow "[Service]
AmbientCapabilities=
AmbientCapabilities=CAP_NET_RAW
CapabilityBoundingSet=
CapabilityBoundingSet=CAP_NET_RAW
NoNewPrivileges=yes"
    [ "$(unit_property dropped.service DropInPaths)" = /run/systemd/system/dropped.service.d/narrow.conf ]
    in_container systemctl start dropped.service
    pid=$(service_main_pid dropped.service)
    [ "$(status_field "$pid" CapAmb)" = 0000000000002000 ]
    [ "$(status_field "$pid" CapBnd)" = 0000000000002000 ]
    [ "$(status_field "$pid" NoNewPrivs)" = 1 ]
    [ "$(unit_property dropped.service CapabilityBoundingSet)" = cap_net_raw ]
}

@test "the cgroups and nspawn directories of a run killed whole are removed at the next start; others are kept" {
    [ -n "$CT_CGROUPS" ] || skip "the container's cgroups are the host systemd's here"
    true & dead=$!
    wait "$dead"
    local parent=${CT_CGROUPS##* }
    parent=${parent%/*}
    # Killed runs (pids that are gone): their empty trees go. Kept: this run's container, a
    # name that is not capinspect-PID, and a tree that still holds a process.
    STALE_TEST_DIRS=("$parent/capinspect-$dead" "$parent/capinspect-99999999"
        "$parent/capinspect-$$-mine" "$parent/capinspect-88888888")
    mkdir -p "$parent/capinspect-$dead/payload/system.slice" "$parent/capinspect-99999999/supervisor" \
        "$parent/capinspect-$$-mine" "$parent/capinspect-88888888/payload"
    sleep 600 &
    STALE_TEST_SLEEP=$!
    echo "$STALE_TEST_SLEEP" >"$parent/capinspect-88888888/payload/cgroup.procs"

    run --separate-stderr _ct_sweep_stale "$parent"
    assert_success
    assert_equal "$stderr" "removing $parent/capinspect-$dead, left by a run that was killed
removing $parent/capinspect-99999999, left by a run that was killed"
    [ ! -e "$parent/capinspect-$dead" ] && [ ! -e "$parent/capinspect-99999999" ]
    [ -d "$parent/$CT_NAME" ] && [ -d "$parent/capinspect-$$-mine" ] && [ -d "$parent/capinspect-88888888/payload" ]

    # nspawn's directory for the machine, which it removes when it ends.
    local propagate=/run/systemd/nspawn/propagate
    [ -d "$propagate/$CT_NAME" ]
    STALE_TEST_DIRS+=("$propagate/capinspect-$dead")
    mkdir "$propagate/capinspect-$dead"
    run --separate-stderr _ct_sweep_stale "$propagate"
    assert_success
    assert_equal "$stderr" "removing $propagate/capinspect-$dead, left by a run that was killed"
    [ ! -e "$propagate/capinspect-$dead" ] && [ -d "$propagate/$CT_NAME" ]
}

# Last: the stop of teardown_file, checked here (teardown_file then has nothing to do).
@test "systemd_stop ends the container and leaves nothing behind" {
    nspawn=$CT_NSPAWN_PID leader=$CT_LEADER cgroups=$CT_CGROUPS name=$CT_NAME
    systemd_stop
    # (a pid may have been reused since, by another program)
    run cat "/proc/$nspawn/cmdline"
    refute_output --partial systemd-nspawn
    run cat "/proc/$leader/cmdline"
    refute_output --partial systemd
    for cg in $cgroups; do
        [ ! -e "$cg" ]
    done
    run grep -c "$name" /proc/self/mountinfo
    assert_output 0
    [ ! -e "/run/systemd/nspawn/propagate/$name" ]
}
