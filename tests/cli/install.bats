#!/usr/bin/env bats
# make install / uninstall into a temporary DESTDIR, and a program built against the
# installed library with nothing but pkg-config.
load common

setup() {
    TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    STAGE=$(mktemp -d)
}

teardown() {
    rm -rf "$STAGE"
}

install_into() {
    make -s -C "$TOP" SANITIZE="${SANITIZE:-}" "$@" >/dev/null
}

@test "make install puts every file in place under DESTDIR, make uninstall removes them" {
    install_into install DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib BASHCOMPDIR=/usr/share/bash-completion/completions
    expected=$(
        cd "$TOP"
        for t in tools/*.cc tools/*/; do
            t=${t#tools/}; t=${t%/}; [ "$t" = common ] || echo "usr/bin/${t%.cc}"
        done
        echo usr/lib/libcapinspect.so
        echo usr/lib/libcapinspect.so.0
        echo usr/lib/libcapinspect.so.0.1.0
        echo usr/lib/pkgconfig/capinspect.pc
        for h in lib/include/capinspect/*.h; do echo "usr/include/capinspect/${h##*/}"; done
        for m in man/*.3; do [ -e "$m" ] && echo "usr/share/man/man3/${m##*/}"; done
        for m in man/*.8; do echo "usr/share/man/man8/${m##*/}"; done
        for c in completions/bash/*; do echo "usr/share/bash-completion/completions/${c##*/}"; done
        for c in completions/zsh/_*; do [ -e "$c" ] && echo "usr/share/zsh/vendor-completions/${c##*/}"; done
        for c in completions/fish/*.fish; do [ -e "$c" ] && echo "usr/share/fish/vendor_completions.d/${c##*/}"; done
        true
    )
    actual=$(cd "$STAGE" && find . \( -type f -o -type l \) | sed 's|^\./||')
    diff <(sort <<<"$expected") <(sort <<<"$actual")
    # every tool is there and runs; the library has its SONAME
    for t in pscap netcap; do
        [ -x "$STAGE/usr/bin/$t" ]
        "$STAGE/usr/bin/$t" --version | grep -q "^$t from capinspect "
    done
    [ "$(readlink "$STAGE/usr/lib/libcapinspect.so.0")" = libcapinspect.so.0.1.0 ]
    objdump -p "$STAGE/usr/lib/libcapinspect.so.0.1.0" | grep -q 'SONAME *libcapinspect.so.0$'
    grep -q '^prefix=/usr$' "$STAGE/usr/lib/pkgconfig/capinspect.pc"

    install_into uninstall DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib BASHCOMPDIR=/usr/share/bash-completion/completions
    [ -z "$(cd "$STAGE" && find . \( -type f -o -type l \))" ]
}

@test "only the public API is exported from libcapinspect.so" {
    install_into install DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib
    run sh -c "nm -D --defined-only '$STAGE/usr/lib/libcapinspect.so.0.1.0' | awk '{print \$3}' | c++filt"
    assert_success
    assert_output --partial 'capinspect::parse_status('
    # internal helpers stay hidden
    refute_output --partial 'name_table'
    refute_output --partial 'unescape_mountinfo'
    refute_output --regexp '^fmt::'
}

@test "a consumer builds and runs with pkg-config --cflags --libs capinspect only" {
    install_into install PREFIX="$STAGE/prefix"
    cat > "$STAGE/consumer.cc" <<'CC'
#include <capinspect/caps.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>
#include <cstdio>
int main() {
    auto root = capinspect::ProcRoot::open();
    if (!root) return 1;
    auto last = capinspect::read_cap_last_cap(*root);
    auto self = root->open_pid(1);
    auto set = capinspect::parse_cap_list("net_raw,chown", *last);
    std::printf("%s|%d\n", capinspect::format_cap_list(*set).c_str(), self.has_value() ? 1 : 0);
    return 0;
}
CC
    export PKG_CONFIG_PATH="$STAGE/prefix/lib/pkgconfig"
    run pkg-config --cflags --libs capinspect
    assert_success
    assert_output --partial "-I$STAGE/prefix/include"
    # A sanitizer build of the library needs its runtime in the consumer too.
    c++ ${SANITIZE:+-fsanitize=$SANITIZE} -o "$STAGE/consumer" "$STAGE/consumer.cc" \
        $(pkg-config --cflags --libs capinspect)
    run env LD_LIBRARY_PATH="$STAGE/prefix/lib" "$STAGE/consumer"
    assert_success
    assert_output 'chown, net_raw|1'
}
