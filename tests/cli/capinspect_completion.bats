#!/usr/bin/env bats
# The completions of capinspect (completions/{bash,zsh,fish}): the commands, each command's
# options as its --help lists them, services, pids and capability names; and the lint of
# capinspect(8) against the same help texts.
load common
load completion

COMMANDS=(unit explain)

setup() {
    use_completion capinspect
    TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

have_capsh() {
    command -v capsh >/dev/null || [ -x /usr/sbin/capsh ] || [ -x /sbin/capsh ]
}

# The options a command's --help lists (short and long), one per line.
command_options() {
    capinspect "$1" --help | sed -n '/^Options:/,/^$/p' | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u
}

@test "completion: the built capinspect is the one on PATH, and it is registered" {
    [ "$(command -v capinspect)" = "$BIN/capinspect" ]
    run complete -p capinspect
    assert_output "complete -F _capinspect capinspect"
}

@test "completion: the first word is a command (or a top-level option)" {
    complete_words capinspect ''
    reply_is unit explain snapshot diff verify -h --help -V --version
    complete_words capinspect u
    reply_is unit
    complete_words capinspect e
    reply_is explain
    complete_words capinspect s
    reply_is snapshot
}

@test "completion: - offers exactly the options of each command's --help" {
    local c
    for c in "${COMMANDS[@]}"; do
        local -a opts
        mapfile -t opts < <(command_options "$c")
        [ "${#opts[@]}" -ge 5 ]
        complete_words capinspect "$c" -
        reply_is "${opts[@]}"
    done
    complete_words capinspect unit --no
    reply_is --no-color
    complete_words capinspect unit -J --a
    reply_is --all
}

@test "completion: explain takes a pid, then capabilities" {
    # Every reply is a pid with the prefix typed (processes come and go meanwhile, so the
    # replies are not checked against /proc); this shell's own is among them.
    complete_words capinspect explain "${BASHPID:0:1}"
    reply_has "$BASHPID"
    local c
    for c in "${COMPREPLY[@]}"; do [[ $c =~ ^${BASHPID:0:1}[0-9]*$ ]]; done
    have_capsh || skip "capsh is not installed"
    complete_words capinspect explain -J 1 net_r
    reply_is net_raw
    complete_words capinspect explain 1 cap_net_r
    reply_is cap_net_raw
    complete_words capinspect explain 1 net_raw sys_ad
    reply_is sys_admin
}

@test "completion: unit offers services only where systemctl answers" {
    if systemctl list-units --type=service --no-legend >/dev/null 2>&1; then
        complete_words capinspect unit ''
        local c
        for c in "${COMPREPLY[@]}"; do [[ $c == *.service ]]; done
    else
        complete_words capinspect unit ''
        reply_is
    fi
}

@test "every option of each command's --help is in capinspect(8) and the zsh and fish completions" {
    local c o
    for c in "${COMMANDS[@]}"; do
        for o in $(command_options "$c"); do
            grep -qF -- "${o//-/\\-}" "$TOP/man/capinspect.8" || fail "capinspect $c: $o is not in man/capinspect.8"
            if [[ $o == --* ]]; then
                grep -qE -- "${o}([^a-z-]|\$)" "$TOP/completions/zsh/_capinspect" ||
                    fail "capinspect $c: $o is not in completions/zsh/_capinspect"
                grep -qE -- "^complete -c capinspect .*from $c.* -l ${o#--}( |\$)" "$TOP/completions/fish/capinspect.fish" ||
                    fail "capinspect $c: $o is not in completions/fish/capinspect.fish"
            else
                grep -qE -- "(^|[{,'()*])${o}[[+,}]" "$TOP/completions/zsh/_capinspect" ||
                    fail "capinspect $c: $o is not in completions/zsh/_capinspect"
                grep -qE -- "^complete -c capinspect .*from $c.* -s ${o#-}( |\$)" "$TOP/completions/fish/capinspect.fish" ||
                    fail "capinspect $c: $o is not in completions/fish/capinspect.fish"
            fi
        done
    done
}

@test "every command of capinspect --help has a section in capinspect(8) and is completed" {
    local c
    for c in $(capinspect --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
        grep -qx ".SS \"capinspect $c\"" "$TOP/man/capinspect.8" || fail "$c has no section in capinspect(8)"
        grep -qw -- "$c" "$TOP/completions/bash/capinspect" || fail "$c is not in completions/bash/capinspect"
        grep -q -- "$c\\\\:" "$TOP/completions/zsh/_capinspect" || fail "$c is not in completions/zsh/_capinspect"
        grep -q -- "-a $c " "$TOP/completions/fish/capinspect.fish" || fail "$c is not in completions/fish/capinspect.fish"
    done
}
