#!/bin/sh
# make install and make uninstall (see the Makefile).
#
#   install.sh install MANIFEST ENTRY...    ENTRY: MODE:SOURCE:DEST or link:TARGET:DEST
#   install.sh uninstall MANIFEST
#
# DEST and MANIFEST are final paths; $DESTDIR is put in front of each. install copies the
# files and writes MANIFEST: every file and link it put in place and every directory it
# had to create. uninstall removes exactly those, then the directories if they are empty,
# so that it never touches a file it did not install (another soname of the library, a
# file another install put there) nor a directory that was there before.
set -eu
# No pathname expansion: lists of paths are split on white space, never globbed.
set -f

me="make $1"
action=$1
manifest=$2
shift 2
DESTDIR=${DESTDIR:-}
# DESTDIR=/ is no staging.
case $DESTDIR in *[!/]*) ;; *) DESTDIR= ;; esac

say() { printf '  %-7s %s\n' "$1" "$2"; }

# Creates directory $1 (a final path) and its missing parents under DESTDIR, and lists
# those it created in $created, parents first.
make_dir() {
    if [ "$1" = / ]; then
        [ -z "$DESTDIR" ] || mkdir -p "$DESTDIR"
        return 0
    fi
    [ -d "$DESTDIR$1" ] && return 0
    make_dir "$(dirname "$1")"
    mkdir -m 755 "$DESTDIR$1"
    echo "d $1" >>"$created"
}

do_install() {
    for e in "$@"; do
        case ${e#*:*:} in
        /*) ;;
        *) echo "$me: ${e#*:*:}: not an absolute path (PREFIX, BINDIR, ... must be absolute)" >&2; exit 2 ;;
        esac
    done

    created=$(mktemp)
    done_list=$(mktemp)
    # The manifest is written also when a copy fails half way, so that uninstall can
    # still remove what was put in place.
    trap on_exit EXIT
    for e in "$@"; do
        mode=${e%%:*}
        rest=${e#*:}
        src=${rest%%:*}
        dest=${rest#*:}
        make_dir "$(dirname "$dest")"
        say INSTALL "$DESTDIR$dest"
        if [ "$mode" = link ]; then
            echo "l $dest" >>"$done_list"
            ln -sfn "$src" "$DESTDIR$dest"
        else
            echo "f $dest" >>"$done_list"
            install -m "$mode" "$src" "$DESTDIR$dest"
        fi
    done
}

on_exit() {
    rc=$?
    write_manifest || rc=1
    rm -f "$created" "$done_list"
    exit "$rc"
}

# Reinstalling over an earlier install keeps what that one recorded: the directories it
# created are still ours, and a file it installed that this one does not is still to be
# removed by uninstall.
write_manifest() {
    [ -s "$done_list" ] || [ -s "$created" ] || return 0
    make_dir "$(dirname "$manifest")" || return 1
    new=$DESTDIR$manifest.new
    {
        echo "# Written by make install of capinspect; make uninstall removes what it lists."
        if [ -f "$DESTDIR$manifest" ]; then
            grep '^[fl] ' "$DESTDIR$manifest" | grep -vxF -f "$done_list" || true
        fi
        cat "$done_list"
        if [ -f "$DESTDIR$manifest" ]; then grep '^d ' "$DESTDIR$manifest" || true; fi
        cat "$created"
    } >"$new" && chmod 644 "$new" && mv -f "$new" "$DESTDIR$manifest"
}

do_uninstall() {
    if [ ! -f "$DESTDIR$manifest" ]; then
        echo "$me: no $DESTDIR$manifest: nothing was installed there" >&2
        return 0
    fi
    sed -n 's/^[fl] //p' "$DESTDIR$manifest" | while IFS= read -r f; do
        if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then
            say RM "$DESTDIR$f"
            rm -f "$DESTDIR$f"
        fi
    done
    dirs=$(sed -n 's/^d //p' "$DESTDIR$manifest" | sort -ru)
    say RM "$DESTDIR$manifest"
    rm -f "$DESTDIR$manifest"
    # Children before parents; a directory that holds anything else stays.
    printf '%s\n' "$dirs" | while IFS= read -r d; do
        [ -n "$d" ] || continue
        if rmdir "$DESTDIR$d" 2>/dev/null; then say RMDIR "$DESTDIR$d"; fi
    done
}

case $action in
install) do_install "$@" ;;
uninstall) do_uninstall ;;
*) echo "usage: install.sh install|uninstall MANIFEST [ENTRY...]" >&2; exit 2 ;;
esac
