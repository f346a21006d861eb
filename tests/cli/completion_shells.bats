#!/usr/bin/env bats
# The zsh and fish completions (completions/zsh/_TOOL, completions/fish/TOOL.fish):
# every option --help lists is completed, and the files parse when the shell is there.
load common

TOOLS=(pscap netcap filecap captest capinspect)

setup() {
    TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

# Long options named in a tool's --help, without the leading "--".
help_long_options() {
    "$BIN/$1" --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]+' | sed 's/^--//' | sort -u
}

# Short options defined in a tool's --help (the "-x" opening an option line), without "-".
help_short_options() {
    "$BIN/$1" --help | sed -n '/^Options:/,/^$/p' | grep -oE '^ +-[a-zA-Z]' | tr -d ' -' | sort -u
}

@test "the zsh and fish completion files exist" {
    for t in "${TOOLS[@]}"; do
        [ -f "$TOP/completions/zsh/_$t" ] || fail "completions/zsh/_$t is missing"
        [ -f "$TOP/completions/fish/$t.fish" ] || fail "completions/fish/$t.fish is missing"
        head -n 1 "$TOP/completions/zsh/_$t" | grep -qx "#compdef $t" ||
            fail "completions/zsh/_$t does not start with #compdef $t"
    done
}

@test "every long option in --help is in the zsh completion" {
    for t in "${TOOLS[@]}"; do
        options=$(help_long_options "$t")
        [ -n "$options" ] || fail "$t --help lists no option"
        for o in $options; do
            # "--output" must not be satisfied by "--output-all".
            grep -qE -- "--$o([^a-z-]|\$)" "$TOP/completions/zsh/_$t" ||
                fail "$t: --$o is not in completions/zsh/_$t"
        done
    done
}

@test "every long option in --help is in the fish completion" {
    for t in "${TOOLS[@]}"; do
        options=$(help_long_options "$t")
        [ -n "$options" ] || fail "$t --help lists no option"
        for o in $options; do
            grep -qE -- "^complete -c $t .*-l $o( |\$)" "$TOP/completions/fish/$t.fish" ||
                fail "$t: --$o is not in completions/fish/$t.fish"
        done
    done
}

@test "every short option in --help is in the zsh and fish completions" {
    for t in "${TOOLS[@]}"; do
        for o in $(help_short_options "$t"); do
            grep -qE -- "(^|[{,'()*])-$o[[+,}]" "$TOP/completions/zsh/_$t" ||
                fail "$t: -$o is not in completions/zsh/_$t"
            grep -qE -- "^complete -c $t .*-s $o( |\$)" "$TOP/completions/fish/$t.fish" ||
                fail "$t: -$o is not in completions/fish/$t.fish"
        done
    done
}

@test "the zsh completions parse (zsh -n)" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    for t in "${TOOLS[@]}"; do
        run zsh -n "$TOP/completions/zsh/_$t"
        assert_success
    done
}

@test "the fish completions parse (fish -n)" {
    command -v fish >/dev/null || skip "fish is not installed"
    for t in "${TOOLS[@]}"; do
        run fish -n "$TOP/completions/fish/$t.fish"
        assert_success
    done
}
