#!/usr/bin/env bats
# capinspect, the auditor: the dispatch, usage errors, and `unit` where systemd cannot be
# asked (no bus, a bus without systemd). The systemd scenarios are in capinspect_unit.bats,
# explain's in capinspect_explain.bats.
load common

# A D-Bus daemon of our own, without systemd and without service activation, on a socket
# in the test's directory; BUS_PID is ended in teardown.
start_bus() {
    cat >"$BATS_TEST_TMPDIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=$BATS_TEST_TMPDIR/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    dbus-daemon --config-file="$BATS_TEST_TMPDIR/bus.conf" --nofork --nopidfile </dev/null >/dev/null 2>&1 3>&- &
    BUS_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$BATS_TEST_TMPDIR/bus" ] && return 0
        sleep 0.05
    done
    fail "dbus-daemon did not start"
}

teardown() {
    if [ -n "${BUS_PID:-}" ]; then
        kill -TERM "$BUS_PID" 2>/dev/null || true
        wait "$BUS_PID" 2>/dev/null || true
    fi
}

@test "capinspect: no command, an unknown one, an option it does not know" {
    run --separate-stderr "$BIN/capinspect"
    assert_equal "$status" 2
    assert_equal "$stderr" "capinspect: no command given
Try 'capinspect --help' for more information."
    run --separate-stderr "$BIN/capinspect" frobnicate
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect: unknown command 'frobnicate'"
    run --separate-stderr "$BIN/capinspect" --frob
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect: unrecognized option '--frob'"
    run --separate-stderr "$BIN/capinspect" $'\033]0;x\007'
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect: unknown command '\\x1B]0;x\\x07'"
}

@test "capinspect --help lists unit and explain; each answers --help" {
    run --separate-stderr "$BIN/capinspect" --help
    assert_success
    assert_line --regexp '^ unit +check services against the sandbox their units configure$'
    assert_line --regexp '^ explain +explain why a process holds each capability$'
    for c in unit explain; do
        run --separate-stderr "$BIN/capinspect" "$c" --help
        assert_success
        assert_line --index 0 "Usage:"
        assert_line "For more details see capinspect(8)."
        [ -z "$stderr" ]
    done
    run --separate-stderr "$BIN/capinspect" --version
    assert_success
    assert_output --regexp '^capinspect from capinspect [0-9.]+$'
}

@test "capinspect unit: usage errors are exit status 2" {
    run --separate-stderr "$BIN/capinspect" unit
    assert_equal "$status" 2
    assert_equal "$stderr" "capinspect unit: no unit given (name one, or --all)
Try 'capinspect unit --help' for more information."
    run --separate-stderr "$BIN/capinspect" unit --all ssh
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: --all takes no unit names"
    run --separate-stderr "$BIN/capinspect" unit --bogus
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: unrecognized option '--bogus'"
    run --separate-stderr "$BIN/capinspect" unit -x
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: invalid option -- 'x'"
    assert_equal "${stderr_lines[1]}" "Try 'capinspect unit --help' for more information."
    run --separate-stderr "$BIN/capinspect" unit --al=1
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: option '--al' doesn't allow an argument"
    run --separate-stderr "$BIN/capinspect" unit $'--\e[2J'
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: unrecognized option '--\x1B[2J'"
}

@test "capinspect unit: no systemd to reach is one line and exit status 2" {
    for args in "ssh" "--all" "-J ssh"; do
        # shellcheck disable=SC2086
        run --separate-stderr env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/none" "$BIN/capinspect" unit $args
        assert_equal "$status" 2
        assert_equal "$stderr" "capinspect unit: cannot reach systemd on the system bus: No such file or directory"
        assert_output ""
    done
}

@test "capinspect unit: a bus without systemd is one line and exit status 2" {
    command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed"
    start_bus
    for args in "ssh" "--all"; do
        # shellcheck disable=SC2086
        run --separate-stderr env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/bus" "$BIN/capinspect" unit $args
        assert_equal "$status" 2
        assert_equal "${#stderr_lines[@]}" 1
        assert_equal "${stderr_lines[0]}" "capinspect unit: systemd is not on the system bus: The name org.freedesktop.systemd1 was not provided by any .service files"
        assert_output ""
    done
}

@test "capinspect unit: a unit that is not a service is refused, its name escaped" {
    run --separate-stderr env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/none" \
        "$BIN/capinspect" unit $'x\033[31m.socket'
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect unit: unit x\\x1B[31m.socket: only services are checked"
}
