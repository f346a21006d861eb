load common
load completion

# The bash completion of netcap (completions/bash/netcap) and the lint of its man page.

setup() {
    use_completion netcap
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
    reply_is +INODE,NETNS +INODE,NO_NEW_PRIVS
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
