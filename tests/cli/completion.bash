# Shared by the *_completion.bats files: drive a tool's bash completion as bash would.
# `use_completion TOOL` in setup() puts the built tools first on PATH (the completions
# run `TOOL -H`, `filecap -d`, ...) and sources completions/bash/TOOL.
TOP="$BATS_TEST_DIRNAME/../.."

use_completion() {
    COMPLETED=$1
    PATH="$BIN:$PATH"
    source "$TOP/completions/bash/$COMPLETED"
}

# complete_words WORD... : completes the last word of `WORD...` as bash would (cursor at
# the end of the line), leaving the candidates in COMPREPLY.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "_$COMPLETED" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
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

# The options of `TOOL --help` (short and long), one per line.
help_options() {
    "$COMPLETED" --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u
}
