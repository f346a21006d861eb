load common
load completion

# The bash completion of pscap (completions/bash/pscap) and the lint of its man page.

setup() {
    use_completion pscap
}

have_capsh() {
    command -v capsh >/dev/null || [ -x /usr/sbin/capsh ] || [ -x /sbin/capsh ]
}

@test "completion: the built pscap is the one on PATH" {
    [ "$(command -v pscap)" = "$BIN/pscap" ]
}

@test "completion: --th completes to --threads" {
    complete_words pscap --th
    reply_is --threads
}

@test "completion: - offers every option of --help" {
    complete_words pscap -
    local -a opts
    mapfile -t opts < <(pscap --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
    [ "${#opts[@]}" -gt 10 ]
    reply_has "${opts[@]}"
}

@test "completion: -o PI gives PID, -o P gives PID and PPID" {
    complete_words pscap -o PI
    reply_is PID
    complete_words pscap -o P
    reply_has PID PPID PERMITTED
}

@test "completion: -o offers every column of pscap -H" {
    complete_words pscap -o ''
    local -a cols
    mapfile -t cols < <(pscap -H | awk '{ print $1 }')
    [ "${#cols[@]}" -gt 0 ]
    reply_is "${cols[@]}"
}

@test "completion: -o PID,US completes the part after the last comma" {
    complete_words pscap -o PID,US
    reply_is PID,USER PID,USERNS PID,USERNS_OWNER PID,USERNS_DEPTH
}

@test "completion: -o +PID,US keeps the leading +" {
    complete_words pscap --output +PID,US
    reply_is +PID,USER +PID,USERNS +PID,USERNS_OWNER +PID,USERNS_DEPTH
    complete_words pscap -o +P
    reply_has +PID +PPID
}

@test "completion: -o follows the case typed and skips listed columns" {
    complete_words pscap -o pid,p
    reply_is pid,ppid pid,permitted
}

@test "completion: --output=LIST, split at = or not, and -oLIST" {
    complete_words pscap --output = PID,USE
    reply_is PID,USER PID,USERNS PID,USERNS_OWNER PID,USERNS_DEPTH
    complete_words pscap --output=PID,USER,E
    reply_is --output=PID,USER,EFFECTIVE --output=PID,USER,EXE
    complete_words pscap -oPID,USERN
    reply_is -oPID,USERNS -oPID,USERNS_OWNER -oPID,USERNS_DEPTH
}

@test "completion: --cap net_r completes to net_raw" {
    have_capsh || skip "capsh is not installed"
    complete_words pscap --cap net_r
    reply_is net_raw
}

@test "completion: --cap lists complete after the last comma, with or without cap_" {
    have_capsh || skip "capsh is not installed"
    complete_words pscap --cap chown,net_r
    reply_is chown,net_raw
    complete_words pscap --cap cap_net_r
    reply_is cap_net_raw
}

@test "completion: -p 1 offers pid 1" {
    complete_words pscap -p 1
    reply_has 1
    local c
    for c in "${COMPREPLY[@]}"; do [[ $c == 1* ]]; done
}

@test "completion: -p reads the pids of --proc-root" {
    complete_words pscap --proc-root "$FIXTURES/proc-basic" -p 20
    reply_has 200 201 202
    local c
    for c in "${COMPREPLY[@]}"; do [[ $c == 20* && -d $FIXTURES/proc-basic/$c ]]; done
}

@test "completion: -u offers users" {
    complete_words pscap -u roo
    reply_has root
}

@test "completion: --proc-root offers directories" {
    complete_words pscap --proc-root "$FIXTURES/proc-b"
    reply_has "$FIXTURES/proc-basic"
}

@test "man: the COLUMNS section names every column of pscap -H" {
    local col
    for col in $(pscap -H | awk '{ print $1 }'); do
        grep -qx "\.B $col" "$TOP/man/pscap.8" || { echo "$col is not documented" >&2; return 1; }
    done
}
