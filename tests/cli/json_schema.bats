#!/usr/bin/env bats
# One JSON vocabulary: every key of every document that every program prints is in
# capinspect-json(5), with the type the page gives it, and every document starts with
# schema_version 2. The page is the schema: this test reads its KEYS section.

load common

setup_file() {
    # The checker reads the page (tests/cli/json_vocabulary.py); capinspect_unit.bats uses
    # it too, for the documents only a running systemd gives.
    export CHECK_JSON="$BATS_TEST_DIRNAME/json_vocabulary.py"
    export PAGE="$BATS_TEST_DIRNAME/../../man/capinspect-json.5"
}

# doc NAME COMMAND...: runs COMMAND, its stdout becomes a document to check.
doc() {
    local name=$1
    shift
    "$@" > "$BATS_TEST_TMPDIR/$name.json" 2>/dev/null || [ -s "$BATS_TEST_TMPDIR/$name.json" ] ||
        fail "$*: no output"
    DOCS+=("$BATS_TEST_TMPDIR/$name.json")
}

@test "capinspect-json(5): every key of every document is documented, with its type" {
    DOCS=()
    local p=$FIXTURES/proc-basic n=$FIXTURES/proc-net
    doc pscap "$BIN/pscap" --proc-root "$p" -a -J --output-all
    doc pscap-tree "$BIN/pscap" --proc-root "$p" -a -T --tree -J --output-all
    doc pscap-live "$BIN/pscap" -J --output-all
    doc netcap "$BIN/netcap" --proc-root "$n" -J --output-all
    doc netcap-live "$BIN/netcap" -J --output-all --all-netns
    local files=$BATS_TEST_TMPDIR/files
    mkdir "$files"
    if [ "$(id -u)" -eq 0 ] && command -v setcap >/dev/null; then
        cp /bin/true "$files/plain"; cp /bin/true "$files/ns"
        setcap cap_net_raw+ep "$files/plain"
        setcap -n 1000 cap_net_raw+ep "$files/ns"  # revision 3, with a root id
    fi
    doc filecap "$BIN/filecap" -J --output-all "$files"
    for t in pscap netcap filecap; do doc "$t-columns" "$BIN/$t" -H -J; done
    doc captest "$BIN/captest" --json
    doc captest-verbose "$BIN/captest" --json --text -v
    doc advanced "$BIN/netcap" --advanced --json
    doc interfaces "$BIN/netcap" --advanced --list-interfaces --json
    doc explain "$BIN/capinspect" explain -J "$$"
    doc explain-named "$BIN/capinspect" explain -J 1 net_raw sys_admin
    # capinspect snapshot (this machine, the files above), diff -J of fixtures with every
    # kind of change, verify -J against the snapshot just taken
    doc snapshot "$BIN/capinspect" snapshot --files "$files"
    local s=$FIXTURES/snapshots
    for v in gain-process gain-capability gain-scope gain-file-changed loss-listener loss-file; do
        doc "diff-$v" "$BIN/capinspect" diff -J "$s/base.json" "$s/$v.json"
    done
    doc verify "$BIN/capinspect" verify -J --baseline "$BATS_TEST_TMPDIR/snapshot.json"
    run python3 "$CHECK_JSON" "$PAGE" "${DOCS[@]}"
    assert_success
}

@test "capinspect-json(5): the checker finds an undocumented key and a wrong type" {
    printf '{"schema_version": 2, "processes": [{"pid": "1", "nnp": true}]}\n' > "$BATS_TEST_TMPDIR/bad.json"
    printf '{"processes": []}\n' > "$BATS_TEST_TMPDIR/old.json"
    run python3 "$CHECK_JSON" "$PAGE" "$BATS_TEST_TMPDIR/bad.json" "$BATS_TEST_TMPDIR/old.json"
    assert_failure
    assert_line --partial '.processes[].pid: "1" is not of type number'
    assert_line --partial '.processes[].nnp: not in capinspect-json(5)'
    assert_line --partial 'old.json: schema_version 2 is not its first key'
}

@test "capinspect-json(5) is lint-clean in the C and a UTF-8 locale" {
    local page=$BATS_TEST_DIRNAME/../../man/capinspect-json.5
    for loc in C C.UTF-8; do
        run env LC_ALL=$loc man --warnings -l "$page"
        assert_success
        run bash -c "LC_ALL=$loc man --warnings -l '$page' 2>&1 >/dev/null"
        assert_output ''
    done
    run mandoc -T lint "$page"
    assert_output ''
}
