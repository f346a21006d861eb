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
# package's file) nor a directory that was there before.
#
# A real install (no DESTDIR) refuses to overwrite a file that belongs to a Debian package
# (libcap-ng-utils ships /usr/bin/pscap and its man page, for instance) unless FORCE=1. A
# staged install (DESTDIR set, for packaging) is never refused: its files belong to no
# package yet.
set -eu
# No pathname expansion: lists of paths are split on white space, never globbed.
set -f

me="make $1"
action=$1
manifest=$2
shift 2
DESTDIR=${DESTDIR:-}
FORCE=${FORCE:-}
# DESTDIR=/ is no staging.
case $DESTDIR in *[!/]*) ;; *) DESTDIR= ;; esac

say() { printf '  %-7s %s\n' "$1" "$2"; }

# The paths by which dpkg may know the file that a path names: the path itself, the path
# with its directory resolved (merged /usr: /bin/x is /usr/bin/x), and the /usr-less
# alias of a merged directory.
aliases() {
    printf '%s\n' "$1"
    dir=$(dirname "$1")
    [ -d "$dir" ] || return 0
    real=$(cd "$dir" && pwd -P)/$(basename "$1")
    [ "$real" = "$1" ] || printf '%s\n' "$real"
    case $real in
    /usr/*/*)
        rest=${real#/usr}
        top=${rest#/}
        top=/${top%%/*}
        if [ -L "$top" ] && [ "$(cd "$top" && pwd -P)" = "/usr$top" ]; then printf '%s\n' "$rest"; fi
        ;;
    esac
}

# "PATH (PACKAGE)" for each final path that belongs to an installed package, honouring
# diversions: a file diverted away (dpkg-divert --local --rename) is free to replace.
packaged() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    tab=$(printf '\t')
    # ALIAS<tab>PATH for every path; one dpkg-query for all (each call reads the database).
    pairs=$(for p in "$@"; do aliases "$p" | awk -v p="$p" '{ print $0 "\t" p }'; done)
    # dpkg-query -S takes globs: escape their special characters.
    # shellcheck disable=SC2046
    set -- $(printf '%s\n' "$pairs" | cut -f1 | sed 's/[][*?\\]/\\&/g')
    dpkg-query -S "$@" 2>/dev/null |
        awk '{ i = index($0, ": ") }
             i > 0 {
                 who = substr($0, 1, i - 1); gsub(/, /, " ", who)
                 # not "diversion by PKG from: PATH" nor "local diversion to: PATH"
                 if (who !~ /diversion/) print substr($0, i + 2) "\t" who
             }' |
        while IFS=$tab read -r alias owners; do
            diverter=$(dpkg-divert --listpackage "$alias" 2>/dev/null) || diverter=
            if [ -n "$diverter" ]; then
                # The diverted package's copy lives elsewhere; only the diverter's is here.
                case " $owners " in *" $diverter "*) owners=$diverter ;; *) owners= ;; esac
            fi
            [ -n "$owners" ] || continue
            printf '%s\n' "$pairs" | awk -F "$tab" -v a="$alias" -v o="$owners" '
                $1 == a { gsub(/ /, ", ", o); print $2 " (" o ")" }'
        done | sort -u
}

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
    man_mark=/share/man/
    dests=
    for e in "$@"; do
        dest=${e#*:*:}
        case $dest in
        /*) ;;
        *) echo "$me: $dest: not an absolute path (PREFIX, BINDIR, ... must be absolute)" >&2; exit 2 ;;
        esac
        dests="$dests $dest"
        # Debian's man pages are compressed: pscap.8 would shadow pscap.8.gz.
        case $dest in *"$man_mark"*) dests="$dests $dest.gz" ;; esac
    done
    if [ -z "$DESTDIR" ]; then
        # shellcheck disable=SC2086
        owned=$(packaged $dests)
        if [ -n "$owned" ]; then
            if [ "$FORCE" != 1 ]; then
                {
                    echo "$me: these files belong to installed packages and would be replaced:"
                    printf '%s\n' "$owned" | sed 's/^/  /'
                    echo "Install elsewhere (the default PREFIX=/usr/local comes first in PATH), divert the"
                    echo "package's files first (dpkg-divert --local --rename --add FILE), or set FORCE=1 to"
                    echo "replace them anyway."
                } >&2
                exit 1
            fi
            {
                echo "$me: FORCE=1: replacing files that belong to installed packages:"
                printf '%s\n' "$owned" | sed 's/^/  /'
            } >&2
        fi
    fi

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
    files=$(sed -n 's/^[fl] //p' "$DESTDIR$manifest")
    # Files that belong to a package now: installed with FORCE=1 over a package's, or
    # put there by a package installed since. They stay, and in the manifest, unless
    # FORCE=1.
    keep=
    if [ -z "$DESTDIR" ]; then
        # shellcheck disable=SC2086
        owned=$(packaged $files)
        if [ -n "$owned" ] && [ "$FORCE" = 1 ]; then
            {
                echo "$me: FORCE=1: removing files that belong to installed packages:"
                printf '%s\n' "$owned" | sed 's/^/  /'
                echo "Reinstall those packages (apt-get install --reinstall PACKAGE) to restore them."
            } >&2
        elif [ -n "$owned" ]; then
            {
                echo "$me: leaving files that belong to installed packages (FORCE=1 removes them too):"
                printf '%s\n' "$owned" | sed 's/^/  /'
            } >&2
            keep=$(printf '%s\n' "$owned" | sed 's/ ([^()]*)$//')
        fi
    fi
    printf '%s\n' "$files" | while IFS= read -r f; do
        [ -n "$f" ] || continue
        if [ -n "$keep" ] && printf '%s\n' "$keep" | grep -qxF -- "$f"; then continue; fi
        if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then
            say RM "$DESTDIR$f"
            rm -f "$DESTDIR$f"
        fi
    done
    dirs=$(sed -n 's/^d //p' "$DESTDIR$manifest" | sort -ru)
    if [ -n "$keep" ]; then
        {
            echo "# Written by make uninstall of capinspect: what it left, and the directories."
            printf '%s\n' "$keep" | sed 's/^/f /'
            grep '^d ' "$DESTDIR$manifest" || true
        } >"$DESTDIR$manifest.new"
        mv -f "$DESTDIR$manifest.new" "$DESTDIR$manifest"
        return 0
    fi
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
