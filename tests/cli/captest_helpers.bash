# Helpers of the captest tests: expected report lines computed from the test shell's own
# capability state, the split of a report into its parent and child blocks, copies of
# the binary that other users can run (plain, set-user-ID root, with file capabilities),
# and the check of --json against the --text report of the same state.

CAPTEST="$BIN/captest"
UPSTREAM=/usr/bin/captest
NOBODY=65534

# The hex mask of a capability field (CapEff, CapBnd, ...) of this shell.
shell_mask() {
    awk -v f="$1:" '$1 == f { print $2 }' "/proc/$BASHPID/status"
}

# or_mask A B: the bitwise or of two 16-digit hex masks, as 16 hex digits.
or_mask() {
    printf '%016x\n' $((16#$1 | 16#$2))
}

# cap_words MASK: libcap-ng's numeric form, "HHHHHHHH, LLLLLLLL" in upper case.
cap_words() {
    local m
    m=$(printf '%016X' $((16#$1)))
    printf '%s, %s\n' "${m:0:8}" "${m:8:8}"
}

have_capsh() {
    CAPSH=$(command -v capsh || true)
    [ -n "$CAPSH" ] || { [ -x /usr/sbin/capsh ] && CAPSH=/usr/sbin/capsh; } || { [ -x /sbin/capsh ] && CAPSH=/sbin/capsh; }
    [ -n "$CAPSH" ]
}

# cap_names MASK: the names capsh --decode gives, without cap_, joined by ", ", or none.
cap_names() {
    local decoded
    have_capsh || { echo "capsh is needed" >&2; return 1; }
    decoded=$("$CAPSH" --decode="0x$1")
    decoded=${decoded#*=}
    if [ -z "$decoded" ] || [ "$((16#$1))" -eq 0 ]; then
        echo none
        return
    fi
    decoded=${decoded//cap_/}
    printf '%s\n' "${decoded//,/, }"
}

# numeric_block E P I B A: the five numeric lines.
numeric_block() {
    printf 'Effective:    %s\nPermitted:    %s\nInheritable:  %s\nBounding Set: %s\nAmbient:      %s\n' \
        "$(cap_words "$1")" "$(cap_words "$2")" "$(cap_words "$3")" "$(cap_words "$4")" "$(cap_words "$5")"
}

# text_block PREFIX E P I B A: the five --text lines.
text_block() {
    local p=$1
    printf '%sEffective: %s\n%sPermitted: %s\n%sInheritable: %s\n%sBounding Set: %s\n%sAmbient: %s\n' \
        "$p" "$(cap_names "$2")" "$p" "$(cap_names "$3")" "$p" "$(cap_names "$4")" \
        "$p" "$(cap_names "$5")" "$p" "$(cap_names "$6")"
}

# run_captest OUT COMMAND...: runs COMMAND with stdout in OUT, stderr in OUT.err; the
# exit status in CAPTEST_STATUS.
run_captest() {
    local out=$1
    shift
    CAPTEST_STATUS=0
    "$@" >"$out" 2>"$out.err" || CAPTEST_STATUS=$?
}

# assert_file_is FILE EXPECTED: FILE holds exactly EXPECTED (plus the final newline).
assert_file_is() {
    local expected=$2
    if ! diff -u <(printf '%s\n' "$expected") "$1" >&2; then
        echo "unexpected content of $1 (diff above: - expected, + actual)" >&2
        return 1
    fi
}

# split_ours FILE: our report's parent block (up to the line of the child shadow check)
# into FILE.parent, the child's block into FILE.child.
split_ours() {
    awk -v p="$1.parent" -v c="$1.child" '
        !done { print > p; if ($0 ~ /^Attempting to access shadow by child process\.\.\./) done = 1; next }
        { print > c }' "$1"
    touch "$1.parent" "$1.child"
}

# split_upstream FILE: libcap-ng's report captured through a pipe has the child's block
# first; the parent's starts with the --id notice or its credentials line. The numeric
# ambient label of libcap-ng 0.8.3's library ("Ambient :") is written as ours.
split_upstream() {
    sed 's/^Ambient :     /Ambient:      /' "$1" | awk -v p="$1.parent" -v c="$1.child" '
        !parent && (/^Keeping CAP_CHOWN/ || /^User  credentials/) { parent = 1 }
        parent { print > p; next }
        { print > c }'
    touch "$1.parent" "$1.child"
}

# A directory other users can enter, on a file system where set-user-ID bits and file
# capabilities work, with bin/ and lib/ so that copies of captest find libcapinspect
# through their RUNPATH ($ORIGIN/../lib; the loader ignores LD_LIBRARY_PATH for them).
# Sets COPY_DIR; teardown must call remove_copy_dir.
make_copy_dir() {
    local base opts
    COPY_DIR=
    for base in "${TMPDIR:-/tmp}" /tmp /var/tmp; do
        [ -d "$base" ] || continue
        opts=$(findmnt -n -o OPTIONS -T "$base" 2>/dev/null) || continue
        [[ ,$opts, == *,nosuid,* || ,$opts, == *,noexec,* ]] && continue
        COPY_DIR=$(mktemp -d "$base/captest-test.XXXXXX") || continue
        break
    done
    [ -n "$COPY_DIR" ] || skip "no directory without nosuid/noexec for the copies"
    chmod 755 "$COPY_DIR"
    mkdir "$COPY_DIR/bin" "$COPY_DIR/lib"
    chmod 755 "$COPY_DIR/bin" "$COPY_DIR/lib"
    cp -a "$CAPINSPECT_BUILD"/lib/libcapinspect.so* "$COPY_DIR/lib/"
    # Every directory above must be searchable by the other user.
    local dir=$COPY_DIR
    while [ "$dir" != / ]; do
        dir=$(dirname "$dir")
        [[ $(stat -c %A "$dir") == ?????????[xt] ]] || skip "$dir is not searchable by other users"
    done
}

# copy_captest NAME [MODE]: a copy of captest in COPY_DIR/bin, printed.
copy_captest() {
    cp "$CAPTEST" "$COPY_DIR/bin/$1"
    chmod "${2:-755}" "$COPY_DIR/bin/$1"
    printf '%s\n' "$COPY_DIR/bin/$1"
}

remove_copy_dir() {
    if [ -n "${COPY_DIR:-}" ] && [ -d "$COPY_DIR" ]; then
        rm -rf -- "$COPY_DIR"
    fi
    COPY_DIR=
}

# as_nobody COMMAND...: COMMAND as uid and gid 65534 without supplementary groups and
# without capabilities (setpriv clears them with the uid change).
as_nobody() {
    setpriv --reuid "$NOBODY" --regid "$NOBODY" --clear-groups "$@"
}

require_setpriv() {
    command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
}

require_upstream() {
    [ -x "$UPSTREAM" ] || skip "Debian's libcap-ng-utils captest is not installed"
}

# json_matches_text JSON TEXT: the --json report and the --text report of the same
# state say the same: credentials, the mismatch note, the five sets, the securebits
# line, the shadow checks, the child's attempt to regain root and its block.
json_matches_text() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys

doc = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().split("\n")
if lines and lines[-1] == "":
    lines.pop()

def fail(msg):
    sys.exit("json and text disagree: " + msg)

def names(values):
    return ", ".join(values) if values else "none"

LABELS = [("effective", "Effective"), ("permitted", "Permitted"), ("inheritable", "Inheritable"),
          ("bounding", "Bounding Set"), ("ambient", "Ambient")]

class Cursor:
    def __init__(self, lines):
        self.lines, self.i = lines, 0
    def take(self, expected):
        i, lines = self.i, self.lines
        if i >= len(lines) or lines[i] != expected:
            fail(f"line {i + 1}: expected {expected!r}, got {lines[i] if i < len(lines) else None!r}")
        self.i += 1

def expect_block(cur, rep, prefix):
    """Checks the lines of one block at the cursor."""
    take = cur.take
    c = rep["credentials"]
    take(f"{prefix}User  credentials uid:{c['real_uid']} euid:{c['uid']} suid:{c['saved_uid']}")
    take(f"{prefix}Group credentials gid:{c['real_gid']} egid:{c['gid']} sgid:{c['saved_gid']}")
    if rep["mismatching_credentials"] != (c["real_uid"] != c["uid"] or c["real_gid"] != c["gid"]):
        fail("mismatching_credentials")
    if rep["mismatching_credentials"]:
        take("Note: app has mismatching credentials!!")
    caps = rep["capabilities"]
    if not caps["effective"]:
        take("Current capabilities: none" if prefix == "" else "Child capabilities: none")
    else:
        for key, label in LABELS:
            take(f"{prefix}{label}: {names(caps[key])}")
    flags = [f for f in rep["securebits"]["flags"]
             if f in ("NOROOT", "NOROOT_LOCKED", "NO_SETUID_FIXUP", "NO_SETUID_FIXUP_LOCKED")]
    take(f"{prefix}securebits flags: {names(flags)}")

cur = Cursor(lines)
take = cur.take
if doc["options"]["uid_change"] is not None:
    take("Keeping CAP_CHOWN to show capabilities across uid change.")
parent = doc["parent"]
if parent is None:
    fail("no parent")
expect_block(cur, parent, "")
d = parent["shadow"]["direct"]
take("Attempting direct access to shadow..." + ("SUCCESS" if d["success"] else f"FAILED ({d['error']})"))
take("Attempting to access shadow by child process..." +
     ("SUCCESS" if parent["shadow"]["child_process"] else "FAILED"))
child = doc["child"]
if child is None:
    fail("no child")
if child["regain_root"]["attempted"]:
    take("Attempting to regain root..." +
         ("SUCCESS - PRIVILEGE ESCALATION POSSIBLE" if child["regain_root"]["success"] else "FAILED"))
elif child["regain_root"]["success"]:
    fail("success without an attempt")
expect_block(cur, child, "Child ")
d = child["shadow"]["direct"]
if child["regain_root"]["success"]:
    take("Attempting direct access to shadow..." + ("SUCCESS" if d["success"] else f"FAILED ({d['error']})"))
elif d is not None:
    fail("a child shadow check without regaining root")
if cur.i != len(lines):
    fail(f"{len(lines) - cur.i} text lines left over")
if child["as_predicted"] is not True or child["differences"] != []:
    fail(f"the child is not as predicted: {child['differences']}")
esc = doc["escalation"]
new = set(child["capabilities"]["effective"]) | set(child["capabilities"]["permitted"])
new -= set(parent["capabilities"]["permitted"])
if esc["regained_root"] != child["regain_root"]["success"] or sorted(esc["new_capabilities"]) != sorted(new):
    fail(f"escalation {esc}")
if esc["detected"] != (esc["regained_root"] or bool(esc["new_capabilities"])):
    fail("escalation.detected")
PY
}
