#!/usr/bin/env bats
# capinspect unit against a real systemd 252 booted in a container (tests/cli/systemd.bash):
# services whose sandbox is in force, and the drift a person checking by hand would miss
# (a process moved into the cgroup, ExecStart=+, a drop-in that tightened a setting after
# the start, a unit whose processes are gone). capinspect runs inside the container, where
# the cgroup paths systemd reports are the ones /proc shows. Needs root; one container for
# the file.
load common
load holders
load systemd

setup_file() {
    systemd_start
    [ -n "$CT_SKIP" ] || echo "# systemd booted in ${CT_BOOT_SECONDS}s" >&3
}

setup() {
    systemd_require
    HOLDER_PIDS=() HOLDER_FDS=()
}

teardown() {
    stop_holders
}

teardown_file() {
    systemd_stop
}

unit() {
    in_container "$CT_BIN/capinspect" unit "$@"
}

# check_field JSON SETTING FIELD: a field of one check of the first unit of `unit -J`.
check_field() {
    jq -c --arg s "$2" ".units[0].checks[] | select(.setting == \$s) | .$3" <<<"$1"
}

# The settings of the first unit whose verdict is $2, comma-separated.
settings_with() {
    jq -r --arg v "$2" '[.units[0].checks[] | select(.verdict == $v) | .setting] | join(",")' <<<"$1"
}

# wait_listening PORT: until a socket listens on 127.0.0.1:PORT in the container (up to 5 s).
wait_listening() {
    local i
    for ((i = 0; i < 100; i++)); do
        in_container ss -Htln "sport = :$1" | grep -q . && return 0
        sleep 0.05
    done
    fail "nothing listens on port $1"
}

@test "an unprivileged listener on port 80 holding only cap_net_bind_service is confined as configured" {
    start_service listener User=nobody CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
        AmbientCapabilities=CAP_NET_BIND_SERVICE -- python3 -m http.server 80 --bind 127.0.0.1
    wait_listening 80
    pid=$(service_main_pid listener.service)
    run --separate-stderr unit listener
    assert_success
    [ -z "$stderr" ]
    assert_line --index 0 "listener.service: ok (1 process)"
    assert_line --regexp '^  ok +User +nobody +uid 65534 \(nobody\)$'
    assert_line --regexp '^  ok +CapabilityBoundingSet +cap_net_bind_service +cap_net_bind_service$'
    assert_line --regexp '^  ok +AmbientCapabilities +cap_net_bind_service +cap_net_bind_service$'
    assert_line --regexp '^  not set: DynamicUser, NoNewPrivileges, '

    run --separate-stderr unit -J listener.service
    assert_success
    json=$output
    assert_equal "$(jq -r '.units[0].unit + " " + .units[0].verdict' <<<"$json")" "listener.service ok"
    assert_equal "$(settings_with "$json" ok)" "User,CapabilityBoundingSet,AmbientCapabilities"
    assert_equal "$(settings_with "$json" drift)" ""
    # The configured values are what systemctl show prints.
    for s in User CapabilityBoundingSet AmbientCapabilities; do
        assert_equal "$(check_field "$json" "$s" configured)" "\"$(unit_property listener.service "$s")\""
        assert_equal "$(check_field "$json" "$s" pids)" "[$pid]"
    done
    assert_equal "$(check_field "$json" PrivateTmp configured)" null
    assert_equal "$(check_field "$json" PrivateTmp verdict)" '"not-set"'
    assert_equal "$(jq -c '.units[0].processes[0] | [.pid, .uid, .command, .ambient]' <<<"$json")" \
        "[$pid,65534,\"python3\",[\"net_bind_service\"]]"
}

@test "the same listener with the filesystem and namespace hardening: every setting in force" {
    in_container mkdir -p /srv /opt
    start_service hardened User=nobody CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
        AmbientCapabilities=CAP_NET_BIND_SERVICE PrivateTmp=yes PrivateDevices=yes ProtectSystem=strict \
        ProtectHome=yes InaccessiblePaths=/srv ReadOnlyPaths=/opt PrivateNetwork=yes ProtectControlGroups=yes \
        -- python3 -m http.server 80 --bind 127.0.0.1
    run --separate-stderr unit hardened
    assert_success
    assert_line --regexp '^  ok +PrivateTmp +yes +/tmp private \(systemd-private-\*\), /var/tmp private \(systemd-private-\*\)$'
    assert_line --regexp '^  ok +PrivateDevices +yes +/dev a private tmpfs$'
    assert_line --regexp '^  ok +ProtectSystem +strict +/ read-only, /usr read-only for the manager too, /etc read-only$'
    assert_line --regexp '^  ok +ProtectHome +yes +/home inaccessible, /root inaccessible, /run/user inaccessible$'
    assert_line --regexp '^  ok +InaccessiblePaths +/srv +/srv inaccessible$'
    assert_line --regexp '^  ok +ReadOnlyPaths +/opt +/opt read-only$'
    assert_line --regexp '^  ok +PrivateNetwork +yes +a network namespace of its own, interfaces: lo$'
    assert_line --regexp '^  ok +ProtectControlGroups +yes +/sys/fs/cgroup read-only$'
    # PrivateDevices= implies no_new_privs for a User= other than root.
    assert_line --regexp '^  ok +NoNewPrivileges +implied by PrivateDevices= +set$'
    run --separate-stderr unit -J hardened
    assert_success
    assert_equal "$(settings_with "$output" drift),$(settings_with "$output" unobservable)" ","
}

@test "PrivateUsers= is checked against the process's user namespace, and explain gives the scope" {
    start_service userns User=nobody PrivateUsers=yes AmbientCapabilities=CAP_NET_BIND_SERVICE \
        CapabilityBoundingSet=CAP_NET_BIND_SERVICE -- sleep 600
    pid=$(service_main_pid userns.service)
    run --separate-stderr unit userns
    assert_success
    assert_line --regexp '^  ok +PrivateUsers +yes +a user namespace of its own \(uid map 0 0 1, 65534 65534 1\)$'
    run --separate-stderr in_container "$CT_BIN/capinspect" explain "$pid" net_bind_service
    assert_success
    assert_line --regexp '^  observed +scope +it acts only inside a user namespace owned by uid 0, 1 level below the reader.s, on what that namespace owns, not on the host$'
    assert_line --regexp "^  observed +source its unit userns.service sets AmbientCapabilities= with it$"
}

@test "a root daemon that keeps cap_setuid and cap_setgid with NoNewPrivileges= and a SystemCallFilter=" {
    start_service rootd CapabilityBoundingSet='CAP_SETUID CAP_SETGID' NoNewPrivileges=yes \
        SystemCallFilter=@system-service SystemCallArchitectures=native -- sleep 600
    pid=$(service_main_pid rootd.service)
    run --separate-stderr unit rootd
    assert_success
    assert_line --regexp '^  ok +CapabilityBoundingSet +cap_setgid cap_setuid +cap_setgid cap_setuid$'
    assert_line --regexp '^  ok +NoNewPrivileges +yes +set$'
    filters=$(in_container cat /proc/1/status | awk '$1 == "Seccomp_filters:" { print $2 }')
    assert_line --regexp "^  ok +SystemCallFilter +allow-list of [0-9]+ system calls +seccomp filter, [0-9]+ filters \\(the manager has $filters\\)$"
    assert_line --regexp '^  ok +SystemCallArchitectures +native +seccomp filter'
    assert_line --regexp '^  not set: User, '
    # Why it holds cap_setuid, and why not cap_sys_admin.
    run --separate-stderr in_container "$CT_BIN/capinspect" explain "$pid" setuid sys_admin
    assert_success
    assert_line --regexp '^  observed +source it runs as root \(uid 0\)$'
    assert_line --regexp '^  observed +limit +its unit rootd.service sets CapabilityBoundingSet= without it$'
    assert_line --regexp '^  observed +limit +no_new_privs is set'
}

@test "drift: a process with more capabilities moved into a hardened unit's cgroup" {
    [ -n "$CT_CGROUPS" ] || skip "the container's cgroups are the host systemd's here"
    start_service jail User=nobody CapabilityBoundingSet=CAP_NET_BIND_SERVICE PrivateTmp=yes \
        NoNewPrivileges=yes -- sleep 600
    main=$(service_main_pid jail.service)
    mkfifo "$BATS_TEST_TMPDIR/in"
    in_container "$CT_BUILD/tests/helpers/capholder" --comm intruder <"$BATS_TEST_TMPDIR/in" \
        >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    HOLDER_PIDS+=("$!")
    exec {fd}>"$BATS_TEST_TMPDIR/in"
    HOLDER_FDS+=("$fd")
    for ((i = 0; i < 100; i++)); do
        grep -q '^ready ' "$BATS_TEST_TMPDIR/out" 2>/dev/null && break
        sleep 0.05
    done
    intruder=$(awk '/^ready / { print $2 }' "$BATS_TEST_TMPDIR/out")
    [ -n "$intruder" ] || fail "the intruder did not start: $(cat "$BATS_TEST_TMPDIR/out")"
    # Moved from the host, in every hierarchy (as a careless script or a debugger would).
    cgroup=$(unit_property jail.service ControlGroup)
    hpid=$(host_pid "$intruder")
    for dir in $CT_CGROUPS; do
        echo "$hpid" >"$dir/payload$cgroup/cgroup.procs"
    done

    run --separate-stderr unit jail
    assert_equal "$status" 1
    assert_equal "$stderr" "capinspect unit: drift in jail.service (User, CapabilityBoundingSet, NoNewPrivileges, PrivateTmp)"
    assert_line --index 0 "jail.service: DRIFT (2 processes)"
    assert_line --regexp "^  DRIFT +User +nobody +uid 65534 \\(nobody\\) \\(pid $main\\); uid 0 \\(root\\) \\(pid $intruder\\)$"
    run --separate-stderr unit -J jail
    assert_equal "$status" 1
    assert_equal "$(jq -r .units[0].verdict <<<"$output")" drift
    for s in User CapabilityBoundingSet NoNewPrivileges PrivateTmp; do
        assert_equal "$(check_field "$output" "$s" pids)" "[$intruder]"
    done
    in_container systemctl stop jail.service
}

@test "drift: ExecStart=+ runs as root with the whole bounding set, whatever the unit says" {
    install_unit plus.service "[Service]
User=nobody
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
SystemCallFilter=@system-service
ExecStart=+/bin/sleep 600"
    in_container systemctl start plus.service
    pid=$(service_main_pid plus.service)
    run --separate-stderr unit plus
    assert_equal "$status" 1
    assert_equal "$stderr" "capinspect unit: drift in plus.service (User, CapabilityBoundingSet, NoNewPrivileges, SystemCallFilter)"
    assert_line --regexp '^  DRIFT +User +nobody +uid 0 \(root\)$'
    assert_line --regexp '^  DRIFT +CapabilityBoundingSet +cap_net_bind_service +[0-9]+ capabilities, [0-9]+ beyond it: cap_chown '
    assert_line --regexp '^  DRIFT +NoNewPrivileges +yes +not set$'
    assert_line "  note: pid $pid runs ExecStart=+/bin/sleep: a privileged command, to which the sandbox settings do not apply"
    in_container systemctl stop plus.service
}

@test "drift: a drop-in that tightens a setting after the start; gone after a restart" {
    install_unit late.service "[Service]
User=nobody
AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_RAW CAP_NET_BIND_SERVICE
ExecStart=/bin/sleep 600"
    in_container systemctl start late.service
    run --separate-stderr unit late
    assert_success
    sleep 1.1  # a drop-in whose time is clearly after the start
    install_dropin late.service narrow "[Service]
AmbientCapabilities=
AmbientCapabilities=CAP_NET_RAW
CapabilityBoundingSet=
CapabilityBoundingSet=CAP_NET_RAW"
    run --separate-stderr unit late
    assert_equal "$status" 1
    assert_equal "$stderr" "capinspect unit: drift in late.service (CapabilityBoundingSet, AmbientCapabilities)"
    assert_line "  from /run/systemd/system/late.service, /run/systemd/system/late.service.d/narrow.conf"
    assert_line --regexp '^  DRIFT +CapabilityBoundingSet +cap_net_raw +cap_net_bind_service cap_net_raw \(beyond it: cap_net_bind_service\)$'
    assert_line "  note: /run/systemd/system/late.service.d/narrow.conf changed after the service started: its processes keep the settings they started with until it is restarted"
    in_container systemctl restart late.service
    run --separate-stderr unit late
    assert_success
    refute_line --partial "note:"
    in_container systemctl stop late.service
}

@test "a unit whose processes are gone is not running, exit status 2" {
    install_unit done.service "[Service]
Type=oneshot
RemainAfterExit=yes
User=nobody
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
ExecStart=/bin/true"
    in_container systemctl start done.service
    assert_equal "$(unit_property done.service ActiveState)" active
    run --separate-stderr unit done
    assert_equal "$status" 2
    assert_equal "$stderr" "capinspect unit: done.service: no process is running: nothing to check"
    assert_line --index 0 "done.service: not running"
    assert_line --regexp '^  unobservable +CapabilityBoundingSet +cap_net_bind_service +no process is running$'
    run --separate-stderr unit -J done
    assert_equal "$status" 2
    assert_equal "$(jq -c '[.units[0].verdict, .units[0].processes]' <<<"$output")" '["not-running",[]]'
}

@test "unknown units and other unit types are one line each, exit status 2; the rest is still checked" {
    start_service known User=nobody -- sleep 600
    run --separate-stderr unit nosuch known 'x.socket'
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: unit x.socket: only services are checked"
    assert_equal "${stderr_lines[1]}" "capinspect unit: unit nosuch.service not found"
    assert_equal "${#stderr_lines[@]}" 2
    assert_line --index 0 "known.service: ok (1 process)"
}

@test "unit --all: every loaded service with running processes, and only those" {
    start_service allone User=nobody CapabilityBoundingSet=CAP_NET_BIND_SERVICE -- sleep 600
    run --separate-stderr unit --all -J
    json=$output
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    # Each listed unit runs processes; the exit status says whether any drifts.
    assert_equal "$(jq '[.units[] | select((.processes | length) == 0)] | length' <<<"$json")" 0
    drift=$(jq '[.units[] | select(.verdict == "drift")] | length' <<<"$json")
    if [ "$drift" -gt 0 ]; then assert_equal "$status" 1; else assert_equal "$status" 0; fi
    units=$(jq -r '.units[].unit' <<<"$json")
    grep -qx allone.service <<<"$units"
    grep -qx systemd-journald.service <<<"$units"
    # Sorted by name, no unit twice, none inactive.
    assert_equal "$units" "$(sort -u <<<"$units")"
    run grep -qx done.service <<<"$units"
    assert_failure
    # The units systemd lists as running services, exactly.
    expected=$(in_container systemctl list-units --type=service --state=running --no-legend --plain |
        awk '{ print $1 }' | sort)
    for u in $expected; do grep -qx "$u" <<<"$units" || fail "$u is running but not listed"; done
    run --separate-stderr unit --all
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    assert_line "allone.service: ok (1 process)"
}

@test "hostile process names and paths are escaped in text and round-trip in JSON" {
    in_container mkdir -p '/opt/with space'
    # PR_SET_NAME (15) gives the process a name with an escape sequence in it.
    start_service odd 'ReadOnlyPaths="/opt/with space"' -- python3 -c \
        'import ctypes, time; ctypes.CDLL(None).prctl(15, b"x\x1b[2Jy\n", 0, 0, 0); time.sleep(600)'
    run --separate-stderr unit -J odd
    assert_success
    assert_equal "$(jq -r '.units[0].processes[0].command' <<<"$output")" 'x\x1B[2Jy\x0A'
    assert_equal "$(check_field "$output" ReadOnlyPaths live)" '"/opt/with space read-only"'
    assert_equal "$(check_field "$output" ReadOnlyPaths configured)" '"/opt/with space"'
    run --separate-stderr unit odd
    assert_success
    assert_line --regexp '^  ok +ReadOnlyPaths +/opt/with space +/opt/with space read-only$'
    [[ $output != *$'\033'* ]]
    # explain shows the name escaped too.
    run --separate-stderr in_container "$CT_BIN/capinspect" explain "$(service_main_pid odd.service)"
    assert_line --index 0 --partial '(x\x1B[2Jy\x0A)'
    [[ $output != *$'\033'* ]]
}

@test "capinspect-json(5) documents every key of unit -J and explain -J" {
    start_service jsonned User=nobody AmbientCapabilities=CAP_NET_BIND_SERVICE \
        CapabilityBoundingSet=CAP_NET_BIND_SERVICE PrivateTmp=yes -- sleep 600
    pid=$(service_main_pid jsonned.service)
    unit -J jsonned >"$BATS_TEST_TMPDIR/unit.json" || true
    unit -J --all >"$BATS_TEST_TMPDIR/all.json" || true
    unit -J nosuch jsonned >"$BATS_TEST_TMPDIR/unknown.json" 2>/dev/null || true
    in_container "$CT_BIN/capinspect" explain -J "$pid" >"$BATS_TEST_TMPDIR/explain.json"
    run python3 "$BATS_TEST_DIRNAME/json_vocabulary.py" "$BATS_TEST_DIRNAME/../../man/capinspect-json.5" \
        "$BATS_TEST_TMPDIR"/{unit,all,unknown,explain}.json
    assert_success
}
