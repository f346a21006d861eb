#!/usr/bin/env bats
# captest's command line: every option, the help and version texts, the usage errors,
# the order of the blocks, --no-child, the JSON document's shape and the write errors.
# The reports of prepared states, line by line, are in captest_kernel.bats.
load common
load captest_helpers
bats_require_minimum_version 1.5.0


setup() {
    [ -x "$CAPTEST" ] || fail "$CAPTEST is not built (make all)"
    T=$BATS_TEST_TMPDIR
}

@test "--help: the options, exit 0, nothing on stderr" {
    run --separate-stderr "$CAPTEST" --help
    assert_success
    assert_equal "$stderr" ''
    assert_line 'Usage:'
    assert_line ' captest [options]'
    local opt
    for opt in --text --drop-all --drop-caps --id --init-grp --ambient --lock --no-child \
        -v --verbose -J --json --fail-if-escalation -h --help -V --version; do
        assert_output --regexp "(^|[ ,])$opt([ ,]|\$)"
    done
    assert_line 'For more details see captest(8).'
    local help=$output
    run --separate-stderr "$CAPTEST" -h
    assert_success
    assert_equal "$output" "$help"
    # --help wins over the options before it, and nothing is done
    run --separate-stderr "$CAPTEST" --drop-all --help
    assert_success
    assert_equal "$output" "$help"
}

@test "--version and -V" {
    run --separate-stderr "$CAPTEST" --version
    assert_success
    assert_output --regexp '^captest from capinspect [0-9]+\.[0-9]+\.[0-9]+$'
    assert_equal "$stderr" ''
    run --separate-stderr "$CAPTEST" -V
    assert_success
    assert_output --regexp '^captest from capinspect '
}

@test "usage errors: what was wrong and how to get help on stderr, exit 1, nothing else" {
    local spec
    for spec in "-x|invalid option -- 'x'" "--bogus|unrecognized option '--bogus'" \
        "--help=x|option '--help' doesn't allow an argument" "stray|unexpected argument 'stray'" \
        "--text stray|unexpected argument 'stray'" "--id extra|unexpected argument 'extra'" \
        "-vx|invalid option -- 'x'" "--i|option '--i' is ambiguous; possibilities: '--id' '--init-grp'" \
        "--d|option '--d' is ambiguous; possibilities: '--drop-all' '--drop-caps'" "-|unexpected argument '-'"; do
        run --separate-stderr "$CAPTEST" ${spec%%|*}
        assert_failure 1
        assert_equal "$stderr" "captest: ${spec#*|}"$'\n'"Try 'captest --help' for more information."
        assert_equal "$output" ''
    done
    # "--" ends the options: a plain report follows, no error
    run --separate-stderr "$CAPTEST" --
    assert_success
}

@test "the parent's block comes first, to a pipe, a file and a terminal" {
    "$CAPTEST" | cat >"$T/pipe"
    "$CAPTEST" >"$T/file"
    local out
    for out in "$T/pipe" "$T/file"; do
        assert_equal "$(head -n 1 "$out" | cut -c1-18)" 'User  credentials '
        split_ours "$out"
        [ -s "$out.child" ] || fail "no child block in $out"
        run grep -c '^Child User  credentials ' "$out.child"
        assert_output 1
        run grep -c '^Child ' "$out.parent"
        assert_output 0
    done
    diff -u "$T/pipe" "$T/file"
    if command -v script >/dev/null; then
        script -qec "$CAPTEST" /dev/null | tr -d '\r' >"$T/tty"
        diff -u "$T/file" "$T/tty"
    fi
}

@test "--ambient alone changes nothing" {
    "$CAPTEST" >"$T/plain"
    "$CAPTEST" --ambient >"$T/ambient"
    diff -u "$T/plain" "$T/ambient"
}

@test "--text: names instead of words, the same lines otherwise" {
    "$CAPTEST" >"$T/num"
    "$CAPTEST" --text >"$T/text"
    diff <(grep -v -e '^Effective:' -e '^Permitted:' -e '^Inheritable:' -e '^Bounding Set:' \
        -e '^Ambient:' -e '^Child capabilities:$' "$T/num") \
        <(grep -v -e '^\(Child \)\{0,1\}\(Effective\|Permitted\|Inheritable\|Bounding Set\|Ambient\): ' "$T/text")
    run grep -c -E '^(Effective|Permitted|Inheritable|Bounding Set|Ambient): +[0-9A-F]{8}, [0-9A-F]{8}$' "$T/text"
    assert_output 0
    # abbreviated long options work
    "$CAPTEST" --tex >"$T/tex"
    diff -u "$T/text" "$T/tex"
}

@test "of --drop-all, --drop-caps, --id, --init-grp the last one counts" {
    require_root
    "$CAPTEST" --drop-all >"$T/all"
    "$CAPTEST" --drop-caps >"$T/caps"
    "$CAPTEST" --id >"$T/id"
    run "$CAPTEST" --drop-caps --id --drop-all
    assert_success
    assert_equal "$output" "$(cat "$T/all")"
    run "$CAPTEST" --drop-all --id --drop-caps
    assert_equal "$output" "$(cat "$T/caps")"
    run "$CAPTEST" --drop-all --drop-caps --id
    assert_equal "$output" "$(cat "$T/id")"
    if ! getent passwd 99 >/dev/null; then
        run "$CAPTEST" --id --init-grp
        assert_failure 1
        assert_line 'Error changing uid: -10'
        run "$CAPTEST" --init-grp --id
        assert_success
        assert_equal "$output" "$(cat "$T/id")"
    fi
}

@test "--no-child: only the child's block, as the process is" {
    run --separate-stderr "$CAPTEST" --no-child
    assert_success
    assert_equal "$stderr" ''
    run grep -v -E '^(Child |Attempting |Note: |(Effective|Permitted|Inheritable|Bounding Set|Ambient): +[0-9A-F]{8}, [0-9A-F]{8}$)' <<<"$output"
    assert_output ''
    "$CAPTEST" --no-child >"$T/nochild"
    "$CAPTEST" >"$T/full"
    split_ours "$T/full"
    diff -u "$T/full.child" "$T/nochild"
}

@test "--no-child as root: the attempt to regain root, and the options before it" {
    require_root
    run --separate-stderr "$CAPTEST" --no-child --lock --text
    assert_success
    assert_line --index 0 'Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE'
    assert_line 'Child securebits flags: NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED'
    assert_line 'Child Inheritable: none'
    assert_line --index "$((${#lines[@]} - 1))" 'Attempting direct access to shadow...SUCCESS'
    run --separate-stderr "$CAPTEST" --no-child --id
    assert_success
    assert_line --index 0 'Keeping CAP_CHOWN to show capabilities across uid change.'
    assert_line --index 1 'Child User  credentials uid:99 euid:99 suid:99'
    assert_line 'Child capabilities:'
}

@test "--json: one document, parent and child; --text and --verbose change nothing" {
    run --separate-stderr "$CAPTEST" --json
    assert_success
    assert_equal "$stderr" ''
    printf '%s\n' "$output" >"$T/a.json"
    "$CAPTEST" -J --text -v >"$T/b.json"
    python3 - "$T/a.json" "$T/b.json" <<'PY'
import json, sys

a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
assert list(a) == ["schema_version", "options", "parent", "child", "escalation"], list(a)
assert a["schema_version"] == 2
assert a["options"] == {"text": False, "drop": None, "keep_ambient": False, "lock": False,
                        "no_child": False, "uid_change": None}, a["options"]
p, c = a["parent"], a["child"]
state_keys = ["pid", "credentials", "mismatching_credentials", "capabilities", "securebits",
              "no_new_privs", "seccomp", "seccomp_filters", "user_namespace"]
assert list(p) == state_keys + ["shadow", "predicted_child", "prediction_unknown"], list(p)
assert list(c) == state_keys + ["regain_root", "after_execve", "as_predicted", "differences", "shadow"], list(c)
assert list(p["credentials"]) == ["real_uid", "uid", "saved_uid", "fs_uid", "real_gid", "gid", "saved_gid",
                                  "fs_gid", "groups"]
assert list(p["capabilities"]) == ["effective", "permitted", "inheritable", "bounding", "ambient"]
for who in (p, c):
    for name, caps in who["capabilities"].items():
        assert isinstance(caps, list) and all(isinstance(n, str) and not n.startswith("cap_") for n in caps), (name, caps)
    assert isinstance(who["securebits"]["value"], int)
    assert who["seccomp"] in ("disabled", "strict", "filter")
    assert isinstance(who["no_new_privs"], bool)
assert p["pid"] != c["pid"]
assert set(p["shadow"]) == {"direct", "child_process"}
assert set(p["predicted_child"]) == {"execve_fails", "privileged_file", "credentials", "capabilities",
                                     "securebits", "no_new_privs"}
assert p["prediction_unknown"] is None
assert c["as_predicted"] is True and c["differences"] == []
assert set(a["escalation"]) == {"regained_root", "new_capabilities", "detected"}

# the same state apart from pids and the options
b["options"]["text"] = False
for doc in (a, b):
    doc["parent"].pop("pid")
    doc["child"].pop("pid")
assert a == b, (a, b)
PY
}

@test "--no-child --json: no parent, the child, the escalation" {
    run --separate-stderr "$CAPTEST" --no-child --json
    assert_success
    python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["parent"] is None
assert d["options"]["no_child"] is True
c = d["child"]
assert c["as_predicted"] is None and c["differences"] is None
assert d["escalation"]["regained_root"] == c["regain_root"]["success"]
assert d["escalation"]["new_capabilities"] == []
' <<<"$output"
}

@test "a failed write of the report is an error" {
    [ -w /dev/full ] || skip "no /dev/full"
    local args
    for args in "" --json "--no-child" "--no-child --json" --help; do
        run --separate-stderr bash -c '"$0" $1 >/dev/full' "$CAPTEST" "$args"
        assert_failure 1
        assert_equal "$stderr" 'captest: write error: No space left on device'
    done
}

@test "--verbose (-v) only adds lines" {
    "$CAPTEST" >"$T/plain"
    "$CAPTEST" -v >"$T/verbose"
    "$CAPTEST" --verbose >"$T/verbose2"
    diff -u "$T/verbose" "$T/verbose2"
    # every line of the plain report is in the verbose one, in the same order
    run python3 -c '
import sys
plain = open(sys.argv[1]).read().splitlines()
verbose = open(sys.argv[2]).read().splitlines()
it = iter(verbose)
missing = [line for line in plain if not any(line == v for v in it)]
assert not missing, missing
assert len(verbose) > len(plain)
' "$T/plain" "$T/verbose"
    assert_success
    run grep -c -E '^(All securebits|No new privileges|Seccomp|User namespace|Child all securebits|Child no new privileges|Child seccomp|Child user namespace): ' "$T/verbose"
    assert_output 8
    run grep -x 'Child after execve: as predicted' "$T/verbose"
    assert_success
}
