load common

# The bash completion of filecap (completions/bash/filecap) and the lint of its man page.

TOP="$BATS_TEST_DIRNAME/../.."

setup() {
    # `filecap -H` and `filecap -d`, which the completion runs, are the built ones.
    PATH="$BIN:$PATH"
    source "$TOP/completions/bash/filecap"
    D=$(mktemp -d /tmp/capinspect-fccomp.XXXXXX)
    mkdir "$D/subdir"
    : >"$D/prog"
}

teardown() {
    rm -rf "$D"
}

# complete_words WORD... : completes the last word as bash would, into COMPREPLY.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _filecap "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

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

reply_is() {
    reply_has "$@" || return 1
    if [ "${#COMPREPLY[@]}" -ne "$#" ]; then
        echo "expected $# candidates ($*), got ${#COMPREPLY[@]}: ${COMPREPLY[*]}" >&2
        return 1
    fi
}

@test "completion: the built filecap is the one on PATH" {
    [ "$(command -v filecap)" = "$BIN/filecap" ]
}

@test "completion: - offers every option of --help" {
    complete_words filecap -
    local -a opts
    mapfile -t opts < <(filecap --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
    [ "${#opts[@]}" -gt 10 ]
    reply_has "${opts[@]}"
    complete_words filecap --one
    reply_is --one-file-system
}

@test "completion: paths complete to files and directories" {
    complete_words filecap "$D/"
    reply_is "$D/subdir" "$D/prog"
    complete_words filecap "$D/pr"
    reply_is "$D/prog"
    complete_words filecap --exclude "$D/su"
    reply_is "$D/subdir"
}

@test "completion: capability names (and none) after a regular file, none after a directory" {
    complete_words filecap "$D/prog" net_r
    reply_is net_raw
    complete_words filecap "$D/prog" chown no
    reply_is none
    complete_words filecap "$D/prog" ''
    local n
    n=$(filecap -d | wc -l)
    [ "${#COMPREPLY[@]}" -eq $((n + 1)) ]
    complete_words filecap "$D/subdir" net_r
    reply_is
}

@test "completion: nothing after -a or -d" {
    complete_words filecap -a ''
    reply_is
    complete_words filecap -d /
    reply_is
}

@test "completion: -o offers every column of filecap -H, after the last comma" {
    complete_words filecap -o ''
    local -a cols
    mapfile -t cols < <(filecap -H | awk '{ print $1 }')
    [ "${#cols[@]}" -eq 8 ]
    reply_is "${cols[@]}"
    complete_words filecap -o PATH,RO
    reply_is PATH,ROOTID
    complete_words filecap --output=+v
    reply_is --output=+version
    complete_words filecap -oPATH,P
    reply_is -oPATH,PERMITTED
}

@test "man: filecap.8 is clean under man --warnings" {
    command -v man >/dev/null || skip "man is not installed"
    local warnings
    warnings=$(man --warnings -E UTF-8 -l "$TOP/man/filecap.8" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "$warnings" >&2
        return 1
    fi
}

@test "man: filecap.8 is clean under mandoc -T lint" {
    command -v mandoc >/dev/null || skip "mandoc is not installed"
    run mandoc -T lint "$TOP/man/filecap.8"
    assert_success
    assert_output ''
}

@test "man: the COLUMNS section names every column of filecap -H, the OPTIONS every option" {
    local col opt
    for col in $(filecap -H | awk '{ print $1 }'); do
        grep -qx "\.B $col" "$TOP/man/filecap.8" || { echo "$col is not documented" >&2; return 1; }
    done
    for opt in $(filecap --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
        grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$TOP/man/filecap.8" ||
            { echo "$opt is not documented" >&2; return 1; }
    done
}
