load common
load completion

# The bash completion of filecap (completions/bash/filecap) and the lint of its man page.

setup() {
    use_completion filecap
    D=$(mktemp -d /tmp/capinspect-fccomp.XXXXXX)
    mkdir "$D/subdir"
    : >"$D/prog"
}

teardown() {
    rm -rf "$D"
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

@test "completion: -o after -d offers the columns of its list" {
    complete_words filecap -d -o ''
    reply_is NAME NUMBER
    complete_words filecap -d -J --output=NAME,n
    reply_is --output=NAME,number
}

@test "man: the COLUMNS section names every column of filecap -H, the OPTIONS every option" {
    local col opt
    for col in $(filecap -H | awk '{ print $1 }') $(filecap -d -H | awk '{ print $1 }'); do
        grep -qx "\.B $col" "$TOP/man/filecap.8" || { echo "$col is not documented" >&2; return 1; }
    done
    for opt in $(filecap --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
        grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$TOP/man/filecap.8" ||
            { echo "$opt is not documented" >&2; return 1; }
    done
}
