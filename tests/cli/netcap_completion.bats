load common

# The bash completion of netcap (completions/bash/netcap) and the lint of its man page.

TOP="$BATS_TEST_DIRNAME/../.."

setup() {
    # `netcap -H`, which the completion runs for the column names, is the built one.
    PATH="$BIN:$PATH"
    source "$TOP/completions/bash/netcap"
}

# complete_words WORD... : completes the last word of `WORD...` as bash would (cursor at
# the end of the line), leaving the candidates in COMPREPLY.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _netcap "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# reply_has CANDIDATE... : every CANDIDATE is in COMPREPLY.
reply_has() {
    local want have found
    for want in "$@"; do
        found=0
        for have in "${COMPREPLY[@]}"; do
            [[ $have == "$want" ]] && found=1 && break
        done
        if ((!found)); then
            echo "'$want' is not among the candidates: ${COMPREPLY[*]}" >&2
            return 1
        fi
    done
}

# reply_is CANDIDATE... : COMPREPLY holds exactly these candidates (in any order).
reply_is() {
    reply_has "$@" || return 1
    if [ "${#COMPREPLY[@]}" -ne "$#" ]; then
        echo "expected $# candidates ($*), got ${#COMPREPLY[@]}: ${COMPREPLY[*]}" >&2
        return 1
    fi
}

# The options of `netcap --help`, one per line.
help_options() {
    netcap --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u
}

@test "completion: the built netcap is the one on PATH" {
    [ "$(command -v netcap)" = "$BIN/netcap" ]
}

@test "completion: --li completes to --listening and --list-columns, --list-interfaces" {
    complete_words netcap --li
    reply_is --listening --list-columns --list-interfaces
    complete_words netcap --all
    reply_is --all-netns
}

@test "completion: - offers every option of --help and libcap-ng's --advanced options" {
    complete_words netcap -
    local -a opts
    mapfile -t opts < <(help_options)
    [ "${#opts[@]}" -gt 10 ]
    reply_has "${opts[@]}"
    reply_has --advanced --interface --list-interfaces --json --no-color
}

@test "completion: -o offers every column of netcap -H" {
    complete_words netcap -o ''
    local -a cols
    mapfile -t cols < <(netcap -H | awk '{ print $1 }')
    [ "${#cols[@]}" -eq 22 ]
    reply_is "${cols[@]}"
}

@test "completion: -o L gives LADDR and LPORT; after a comma, the rest of the list" {
    complete_words netcap -o L
    reply_is LADDR LPORT
    complete_words netcap -o PID,PRO
    reply_is PID,PROTO
    complete_words netcap --output PID,P
    reply_is PID,PPID PID,PROTO PID,PERMITTED
}

@test "completion: -o +COL keeps the +, follows the case, skips listed columns" {
    complete_words netcap -o +INODE,N
    reply_is +INODE,NETNS +INODE,NNP
    complete_words netcap -o pid,i
    reply_is pid,iface pid,inode pid,inheritable
}

@test "completion: --output=LIST, split at = or not, -oLIST and -loLIST" {
    complete_words netcap --output = PID,RA
    reply_is PID,RADDR
    complete_words netcap --output=PID,RP
    reply_is --output=PID,RPORT
    complete_words netcap -oPID,STA
    reply_is -oPID,STATE
    complete_words netcap -lo PID,IF
    reply_is PID,IFACE
    complete_words netcap -lrnoPID,IF
    reply_is -lrnoPID,IFACE
}

@test "completion: --interface offers the interfaces of /sys/class/net" {
    [ -d /sys/class/net/lo ] || skip "no /sys/class/net/lo"
    complete_words netcap --advanced --interface l
    reply_has lo
    local c
    for c in "${COMPREPLY[@]}"; do [[ $c == l* && -e /sys/class/net/$c ]]; done
    complete_words netcap --advanced --interface ''
    local -a all=(/sys/class/net/*)
    [ "${#COMPREPLY[@]}" -eq "${#all[@]}" ]
    complete_words netcap --advanced --interface=l
    reply_has --interface=lo
}

@test "completion: --proc-root offers directories" {
    complete_words netcap --proc-root "$FIXTURES/proc-n"
    reply_is "$FIXTURES/proc-net"
    complete_words netcap --proc-root "$FIXTURES/make-proc-n"
    reply_is
}

@test "completion: an option without argument is followed by options" {
    complete_words netcap -l --j
    reply_is --json
    complete_words netcap --no-color --a
    reply_is --advanced --all-netns
}

@test "man: netcap.8 is clean under man --warnings" {
    command -v man >/dev/null || skip "man is not installed"
    local warnings
    warnings=$(man --warnings -E UTF-8 -l "$TOP/man/netcap.8" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "$warnings" >&2
        return 1
    fi
}

@test "man: netcap.8 is clean under mandoc -T lint" {
    command -v mandoc >/dev/null || skip "mandoc is not installed"
    run mandoc -T lint "$TOP/man/netcap.8"
    assert_success
    assert_output ''
}

@test "man: the COLUMNS section names every column of netcap -H, and no other" {
    local col
    for col in $(netcap -H | awk '{ print $1 }'); do
        grep -qx "\.B $col" "$TOP/man/netcap.8" || { echo "$col is not documented" >&2; return 1; }
    done
    local documented
    documented=$(sed -n '/^\.SH COLUMNS/,/^\.SH/p' "$TOP/man/netcap.8" |
        awk 'prev == ".TP" && /^\.B [A-Z_]+$/ { print $2 } { prev = $0 }' | sort)
    assert_equal "$documented" "$(netcap -H | awk '{ print $1 }' | sort)"
}

@test "man: every option of --help is in OPTIONS" {
    local o options
    options=$(sed -n '/^\.SH OPTIONS/,/^\.SH/p' "$TOP/man/netcap.8" | sed 's/\\-/-/g')
    for o in $(help_options); do
        grep -qE "^\.B[IR]* (.*[ \"])?$o([ \",]|\$)" <<<"$options" ||
            { echo "$o is not in OPTIONS" >&2; return 1; }
    done
}

@test "man: the default columns of the man page are netcap's" {
    run netcap --proc-root "$FIXTURES/proc-net" -r
    local header=${lines[0]}
    local man_default
    man_default=$(sed -n '/^The default list is/,/^and, with/p' "$TOP/man/netcap.8" |
        grep -oE '^\.BR? [A-Z_]+' | awk '{ print $2 }' | tr '\n' ' ')
    assert_equal "$man_default" "${header} "
}
