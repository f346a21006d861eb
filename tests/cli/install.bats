#!/usr/bin/env bats
# make install / uninstall into a temporary DESTDIR, and programs built against the
# installed library with nothing but pkg-config.
load common

# The build's settings as make check had them: with any other, make would rebuild the whole
# tree (its flags changed) and the tools under test would be another build.
BUILD_VARS=(SANITIZE="${SANITIZE:-}" WERROR="${WERROR:-}")

setup() {
    TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    STAGE=$(mktemp -d)
}

teardown() {
    rm -rf "$STAGE"
}

install_into() {
    make -s -C "$TOP" "${BUILD_VARS[@]}" "$@" >/dev/null
}

# Every file (and link) under a directory, relative, sorted.
files_under() {
    (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
}

@test "deps.sh: nothing to do once installed; a missing package, its own or one it is given, is named" {
    # make check ran it already, so everything it installs is there.
    run sh "$TOP/scripts/deps.sh"
    assert_success
    assert_output ""
    # As another user it installs nothing: it prints the command (read from stdin, since
    # the user may not read the tree).
    require_root
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups -- \
        sh -s capinspect-no-such-package <"$TOP/scripts/deps.sh"
    assert_equal "$status" 1
    assert_equal "$stderr" "deps: missing packages; as root run: apt-get update && apt-get install -y --no-install-recommends capinspect-no-such-package"
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
        for m in man/*.5; do [ -e "$m" ] && echo "usr/share/man/man5/${m##*/}"; done
        for m in man/*.8; do echo "usr/share/man/man8/${m##*/}"; done
        for c in completions/bash/*; do echo "usr/share/bash-completion/completions/${c##*/}"; done
        for c in completions/zsh/_*; do [ -e "$c" ] && echo "usr/share/zsh/vendor-completions/${c##*/}"; done
        for c in completions/fish/*.fish; do [ -e "$c" ] && echo "usr/share/fish/vendor_completions.d/${c##*/}"; done
        echo usr/share/capinspect/install-manifest
        true
    )
    diff <(sort <<<"$expected") <(files_under "$STAGE")
    # every tool is there and runs; the library has its SONAME
    for t in pscap netcap; do
        [ -x "$STAGE/usr/bin/$t" ]
        "$STAGE/usr/bin/$t" --version | grep -q "^$t from capinspect "
    done
    [ "$(readlink "$STAGE/usr/lib/libcapinspect.so.0")" = libcapinspect.so.0.1.0 ]
    objdump -p "$STAGE/usr/lib/libcapinspect.so.0.1.0" | grep -q 'SONAME *libcapinspect.so.0$'
    grep -q '^prefix=/usr$' "$STAGE/usr/lib/pkgconfig/capinspect.pc"

    install_into uninstall DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib BASHCOMPDIR=/usr/share/bash-completion/completions
    # nothing left, not even the directories install created
    run find "$STAGE" -mindepth 1
    assert_output ''
    # a second uninstall finds nothing to do
    run make -s -C "$TOP" "${BUILD_VARS[@]}" uninstall DESTDIR="$STAGE" PREFIX=/usr
    assert_success
    assert_output --partial 'nothing was installed there'
}

@test "make uninstall removes exactly what make install put there, also after a reinstall" {
    # Another soname of the library, another program, a directory that was there (empty).
    mkdir -p "$STAGE/usr/lib" "$STAGE/usr/bin" "$STAGE/usr/share/zsh/vendor-completions"
    echo other >"$STAGE/usr/lib/libcapinspect.so.1.0.0"
    ln -s libcapinspect.so.1.0.0 "$STAGE/usr/lib/libcapinspect.so.1"
    echo other >"$STAGE/usr/bin/other-tool"
    before=$(cd "$STAGE" && find . | sort)

    install_into install DESTDIR="$STAGE" PREFIX=/usr
    install_into install DESTDIR="$STAGE" PREFIX=/usr
    install_into uninstall DESTDIR="$STAGE" PREFIX=/usr
    after=$(cd "$STAGE" && find . | sort)
    diff <(echo "$before") <(echo "$after")
}

@test "capinspect.pc names libdir and includedir relative to \${prefix} when they are under it" {
    install_into install DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu
    pc="$STAGE/usr/lib/x86_64-linux-gnu/pkgconfig/capinspect.pc"
    run grep -E '^(prefix|libdir|includedir)=' "$pc"
    assert_output "prefix=/usr
libdir=\${prefix}/lib/x86_64-linux-gnu
includedir=\${prefix}/include"
    # so the tree can move: pkg-config answers for the new prefix
    run sh -c "pkg-config --define-variable=prefix='$STAGE/usr' --cflags --libs '$pc' | sed 's/ *\$//'"
    assert_success
    assert_output "-I$STAGE/usr/include -L$STAGE/usr/lib/x86_64-linux-gnu -lcapinspect"

    # a LIBDIR outside the prefix stays absolute
    install_into install DESTDIR="$STAGE/opt" PREFIX=/usr LIBDIR=/opt/capinspect/lib
    run grep -E '^(libdir|includedir)=' "$STAGE/opt/opt/capinspect/lib/pkgconfig/capinspect.pc"
    assert_output "libdir=/opt/capinspect/lib
includedir=\${prefix}/include"
}

# A dpkg database (DPKG_ADMINDIR) in which libcap-ng-utils owns the given paths.
fake_dpkg() {
    local adm="$STAGE/dpkg"
    mkdir -p "$adm/info" "$adm/updates" "$adm/triggers"
    cat >"$adm/status" <<'EOF'
Package: libcap-ng-utils
Status: install ok installed
Priority: optional
Section: utils
Maintainer: Nobody <nobody@example.org>
Architecture: all
Version: 0.8.3-1
Description: a package of this test's own dpkg database

EOF
    printf '%s\n' /. "$@" >"$adm/info/libcap-ng-utils.list"
    : >"$adm/diversions"
    export DPKG_ADMINDIR="$adm"
}

@test "make install refuses to replace a file of a Debian package, unless staged, diverted or FORCE=1" {
    command -v dpkg-query >/dev/null || skip "dpkg-query is not installed"
    prefix="$STAGE/prefix"
    fake_dpkg "$prefix/bin/pscap" "$prefix/share/man/man8/pscap.8.gz" "$STAGE/real/bin/netcap"

    run make -s -C "$TOP" "${BUILD_VARS[@]}" install PREFIX="$prefix"
    assert_failure
    assert_output --partial "$prefix/bin/pscap (libcap-ng-utils)"
    assert_output --partial "$prefix/share/man/man8/pscap.8.gz (libcap-ng-utils)"
    assert_output --partial 'dpkg-divert --local --rename --add'
    refute_output --partial "$prefix/bin/filecap"
    [ ! -e "$prefix" ]  # refused before writing anything

    # the same path reached through a symlinked directory (merged /usr)
    mkdir -p "$STAGE/real/bin"
    ln -s real "$STAGE/alias"
    run make -s -C "$TOP" "${BUILD_VARS[@]}" install PREFIX="$STAGE/other" BINDIR="$STAGE/alias/bin"
    assert_failure
    assert_output --partial "$STAGE/alias/bin/netcap (libcap-ng-utils)"
    [ ! -e "$STAGE/alias/bin/netcap" ]

    # a staged install for a package is never refused
    install_into install PREFIX="$prefix" DESTDIR="$STAGE/destdir"
    [ -x "$STAGE/destdir$prefix/bin/pscap" ]

    # FORCE=1 replaces them, and says so
    run make -s -C "$TOP" "${BUILD_VARS[@]}" install PREFIX="$prefix" FORCE=1
    assert_success
    assert_output --partial "FORCE=1: replacing files that belong to installed packages"
    "$prefix/bin/pscap" --version | grep -q '^pscap from capinspect '
    # uninstall leaves them to the package, unless FORCE=1 again
    run make -s -C "$TOP" "${BUILD_VARS[@]}" uninstall PREFIX="$prefix"
    assert_success
    assert_output --partial "leaving files that belong to installed packages"
    [ -e "$prefix/bin/pscap" ] && [ ! -e "$prefix/bin/netcap" ]
    run make -s -C "$TOP" "${BUILD_VARS[@]}" uninstall PREFIX="$prefix" FORCE=1
    assert_success
    assert_output --partial 'apt-get install --reinstall'
    [ ! -e "$prefix" ]

    # files diverted away by the administrator are free to replace
    printf '%s\n%s\n:\n' "$prefix/bin/pscap" "$prefix/bin/pscap.distrib" \
        "$prefix/share/man/man8/pscap.8.gz" "$prefix/share/man/man8/pscap.distrib.8.gz" \
        >"$DPKG_ADMINDIR/diversions"
    install_into install PREFIX="$prefix"
    [ -x "$prefix/bin/pscap" ]
    install_into uninstall PREFIX="$prefix"
}

# Every file under build tree $1 with its modification time (build/ without build/san).
build_snapshot() {
    local prune=()
    [ "$1" = "$TOP/build/san" ] || prune=(-path "$TOP/build/san" -prune -o)
    find "$1" "${prune[@]}" \( -type f -o -type l \) -printf '%p %T@\n' | sort
}

@test "make install after make compiles and links nothing, nor do make, make tests and make all again" {
    local b="$TOP/build${SANITIZE:+/san}" goal
    run make -C "$TOP" "${BUILD_VARS[@]}" all tests
    assert_success
    # As in a first build, make knows these objects from no dependency file (.d) yet: a
    # rule that leaves them intermediate deletes them after linking, and the next make,
    # which reads the .d files, compiles and links them again (as root under sudo).
    rm -f "$b/bin/filecap" "$b"/tools/filecap.[od] "$b"/tests/helpers/* "$b/tests/unit-tests" \
        "$b"/lib/libcapinspect.so*
    run make -C "$TOP" "${BUILD_VARS[@]}" all tests
    assert_success
    for f in "$b/tools/filecap.o" "$b/tests/helpers/nosys.o"; do
        [ -e "$f" ] || fail "make deleted $f"
    done
    before=$(build_snapshot "$b")
    [ -n "$before" ]
    for goal in install tests all install; do
        run make -C "$TOP" "${BUILD_VARS[@]}" DESTDIR="$STAGE" "$goal"
        assert_success
        ! grep -E '^  (CXX|CC|LINK|AR) ' <<<"$output" || fail "make $goal built something: $output"
        diff <(echo "$before") <(build_snapshot "$b")
    done
}

@test "libcapinspect.so exports the API in namespace capinspect and nothing else" {
    install_into install DESTDIR="$STAGE" PREFIX=/usr LIBDIR=/usr/lib
    so="$STAGE/usr/lib/libcapinspect.so.0.1.0"
    # Defined dynamic symbols, without their version and the version's own symbol.
    defined="nm -D --defined-only '$so' | awk '\$2 != \"A\" {sub(/@.*/, \"\", \$3); print \$3}' | c++filt"
    run sh -c "$defined"
    assert_success
    assert_output --partial 'capinspect::parse_status('
    assert_output --partial 'capinspect::parse_cap('
    # internal helpers stay hidden
    refute_output --partial 'name_table'
    refute_output --partial 'unescape_mountinfo'
    refute_output --partial 'fmt::'
    # nothing outside the namespace: no weak instantiation of std:: templates
    # (std::from_chars, std::map's internals, typeinfo of std::shared_ptr's blocks)
    run sh -c "$defined | grep -Ev '^((typeinfo( name)?|vtable) for )?capinspect::'"
    assert_output ''
    # every symbol carries the library's version
    run sh -c "nm -D --defined-only '$so' | awk '\$2 != \"A\" && \$3 !~ /@@LIBCAPINSPECT_0\$/'"
    assert_output ''
}

# A program that includes every public header and asks the library real questions: a
# Result<T> of every kind (a number, a string-holding struct, a move-only object, an
# error) must cross the library's boundary intact.
write_consumer() {
    {
        for h in "$1"/capinspect/*.h; do echo "#include <capinspect/${h##*/}>"; done
        cat <<'CC'
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <string>
using namespace capinspect;
int main() {
    auto raw = parse_cap("cap_net_raw");
    if (!raw) { std::printf("parse_cap: %s\n", raw.error().message().c_str()); return 1; }
    std::printf("parse_cap: %u %s\n", *raw, cap_name(*raw).c_str());
    auto bad = parse_cap("cap_no_such_thing");
    std::printf("bad: %s %s %d\n", bad ? "value" : "error", bad ? "" : bad.error().message().c_str(),
                bad ? 0 : bad.error().code == EINVAL && bad.error().data);
    auto set = parse_cap_list("net_raw, CHOWN", 40);
    std::printf("list: %s\n", set ? format_cap_list(*set).c_str() : "error");
    auto st = parse_status(
        "Name:\tsrv\\nd\nState:\tS (sleeping)\nTgid:\t42\nPid:\t42\nPPid:\t1\n"
        "Uid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nCapInh:\t0000000000000000\n"
        "CapPrm:\t0000000000002400\nCapEff:\t0000000000000400\nCapBnd:\t000001ffffffffff\n"
        "CapAmb:\t0000000000002000\nNoNewPrivs:\t1\nSeccomp:\t2\n");
    if (!st) { std::printf("parse_status: %s\n", st.error().message().c_str()); return 1; }
    std::printf("status: %s pid=%d ppid=%d euid=%u egid=%u eff=%s prm=%s amb=%s nnp=%d seccomp=%d\n",
                escape_name(st->name).c_str(), static_cast<int>(st->pid), static_cast<int>(st->ppid),
                st->uid.effective, st->gid.effective, format_cap_list(st->effective).c_str(),
                format_cap_list(st->permitted).c_str(), format_cap_list(st->ambient.value()).c_str(),
                st->no_new_privs.value() ? 1 : 0, static_cast<int>(st->seccomp.value()));
    auto missing = parse_status("Name:\tx\n");
    std::printf("missing: %s\n", missing ? "value" : "error");
    FileCaps fc;
    fc.permitted = CapSet(1u << 13);
    fc.effective = true;
    auto decoded = decode_vfs_cap(encode_vfs_cap(fc));
    std::printf("file caps: %s\n", decoded && *decoded == fc ? format_cap_list(decoded->effective_set()).c_str() : "differ");
    auto root = ProcRoot::open();
    if (!root) { std::printf("ProcRoot: %s\n", root.error().message().c_str()); return 1; }
    auto self = root->open_pid(getpid());
    auto mine = self ? read_status(*self) : Result<ProcStatus>(fail(ESRCH, "self"));
    std::printf("self: %s\n", mine ? mine->name.c_str() : mine.error().message().c_str());
    auto last = read_cap_last_cap(*root);
    std::printf("cap_last_cap: %s\n", last && *last >= 40 && *last <= 63 ? "ok" : "wrong");
    return 0;
}
CC
    } >"$2"
}

consumer_expected='parse_cap: 13 net_raw
bad: error unknown capability: cap_no_such_thing 1
list: chown, net_raw
status: srv\x0Ad pid=42 ppid=1 euid=1000 egid=100 eff=net_bind_service prm=net_bind_service, net_raw amb=net_raw nnp=1 seccomp=2
missing: error
file caps: net_raw
self: consumer
cap_last_cap: ok'

@test "a consumer built with g++ or clang++, C++17 to C++2b, pkg-config alone, gets real answers" {
    install_into install PREFIX="$STAGE/prefix"
    export PKG_CONFIG_PATH="$STAGE/prefix/lib/pkgconfig"
    run sh -c "pkg-config --cflags capinspect | sed 's/ *\$//'"
    assert_success
    # no -std=: the headers are C++17 and mean the same in every later standard
    assert_output "-I$STAGE/prefix/include"
    write_consumer "$STAGE/prefix/include" "$STAGE/consumer.cc"

    # g++ 12 defaults to gnu++17; clang++ 14 defaults to C++14, below what the headers need.
    local compilers=("g++" "g++ -std=c++17" "g++ -std=c++2b" "clang++ -std=c++17" "clang++ -std=c++2b")
    if [ -n "${SANITIZE:-}" ]; then
        # The sanitizer runtimes of g++ and clang++ do not mix in one process: only the
        # compiler that built the library, which the program must match.
        compilers=("${CXX:-g++} -std=c++17" "${CXX:-g++} -std=c++2b")
    fi
    local have_clang=1 cxx
    command -v clang++ >/dev/null || have_clang=0
    for cxx in "${compilers[@]}"; do
        [[ $cxx == clang++* && $have_clang == 0 ]] && continue
        # shellcheck disable=SC2086,SC2046
        run $cxx ${SANITIZE:+-fsanitize=$SANITIZE} -Wall -Wextra -Werror -o "$STAGE/consumer" \
            "$STAGE/consumer.cc" $(pkg-config --cflags --libs capinspect)
        [ "$status" -eq 0 ] || fail "$cxx: $output"
        run env LD_LIBRARY_PATH="$STAGE/prefix/lib" "$STAGE/consumer"
        [ "$status" -eq 0 ] && [ "$output" = "$consumer_expected" ] ||
            fail "$cxx: the consumer's answers differ (status $status):
$output"
    done

    if [ $have_clang = 1 ] && [ -z "${SANITIZE:-}" ]; then
        # Below C++17 the headers say what they need instead of failing somewhere inside.
        # shellcheck disable=SC2046
        run clang++ -std=c++14 -fsyntax-only "$STAGE/consumer.cc" $(pkg-config --cflags capinspect)
        assert_failure
        assert_output --partial 'the capinspect headers need C++17 or later'
    fi
    [ $have_clang = 1 ] || skip "clang++ is not installed: only the g++ consumers were built"
}
