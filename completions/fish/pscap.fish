# fish completion for pscap (capinspect)
#
# The lists are computed when completing: column names from `pscap -H` (first field
# of each line), capability names from `capsh --decode` (cap_ stripped; nothing is
# offered when capsh is missing), pids from the proc tree (the one of --proc-root).

# The command being completed: the word as typed, else pscap.
function __pscap_command
    set -l cmd (commandline -opc)[1]
    if test -n "$cmd"; and test -x "$cmd"; and not test -d "$cmd"
        echo $cmd
    else
        echo pscap
    end
end

# Prints the names read from standard input as completions of a comma-separated list:
# the part of the token up to the last comma (and a leading "+" when $argv[1] is 1)
# is kept before each name.
function __pscap_list
    set -l tok (commandline -ct | string replace -r -- '^--[^=]*=' '' | string replace -r -- '^-[a-zA-Z]*[opu]' '')
    set -l lead ''
    if test "$argv[1]" = 1; and string match -q -- '+*' $tok
        set lead '+'
    end
    if string match -q -- '*,*' $tok
        set lead (string replace -r -- '^\+?(.*,)[^,]*$' '$1' $tok)
        if test "$argv[1]" = 1; and string match -q -- '+*' $tok
            set lead "+$lead"
        end
    end
    while read -l name
        test -n "$name"; and printf '%s%s\n' $lead $name
    end
end

function __pscap_columns
    set -l tool (__pscap_command)
    $tool -H 2>/dev/null | while read -l name rest
        test -n "$name"; and echo $name
    end | __pscap_list 1
end

function __pscap_capabilities
    set -l capsh (command -s capsh)
    if test -z "$capsh"
        for c in /usr/sbin/capsh /sbin/capsh
            if test -x $c
                set capsh $c
                break
            end
        end
    end
    test -n "$capsh"; or return 0
    set -l decoded ($capsh --decode=0xffffffffffffffff 2>/dev/null); or return 0
    set -l names (string split , -- (string replace -r -- '^[^=]*=' '' $decoded) | string match -- 'cap_*' | string replace -- cap_ '')
    test (count $names) -gt 0; or return 0
    printf '%s\n' $names all | __pscap_list 0
end

function __pscap_pids
    set -l root /proc
    set -l words (commandline -opc)
    for i in (seq (count $words))
        switch $words[$i]
            case '--proc-root=*'
                set root (string replace -- '--proc-root=' '' $words[$i])
            case --proc-root
                set -l j (math $i + 1)
                set -q words[$j]; and set root $words[$j]
        end
    end
    for d in $root/*
        set -l p (basename $d)
        string match -qr '^[0-9]+$' -- $p; and test -d $d; and echo $p
    end
end

complete -c pscap -f
complete -c pscap -s a -d 'with --tree or columns, include processes without capabilities'
complete -c pscap -s p -x -a '(__pscap_pids)' -d 'only this process'
complete -c pscap -l tree -d 'show processes as a tree'
complete -c pscap -s T -l threads -d 'also report threads whose sets differ'
complete -c pscap -l cap -x -a '(__pscap_capabilities)' -d 'only processes holding one of these capabilities'
complete -c pscap -s u -l user -x -a '(__fish_complete_users)' -d 'only processes of this effective user'
complete -c pscap -s o -l output -x -a '(__pscap_columns)' -d 'columns to print'
complete -c pscap -l output-all -d 'print all columns'
complete -c pscap -s J -l json -d 'JSON output'
complete -c pscap -s r -l raw -d 'raw output'
complete -c pscap -s n -l noheadings -d 'do not print headings'
complete -c pscap -s H -l list-columns -d 'list the available columns'
complete -c pscap -l proc-root -x -a '(__fish_complete_directories (commandline -ct | string replace -r -- "^--proc-root=" ""))' -d 'read processes from this proc tree'
complete -c pscap -s h -l help -d 'display this help'
complete -c pscap -s V -l version -d 'display version'
