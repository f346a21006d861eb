# fish completion for filecap (capinspect)
#
# The lists are computed when completing: column names from `filecap -H` (first field
# of each line; `filecap -d -H` after -d), capability names from `capsh --decode` (cap_
# stripped; nothing is offered when capsh is missing) after a regular file, else files
# and directories.

function __filecap_command
    set -l cmd (commandline -opc)[1]
    if test -n "$cmd"; and test -x "$cmd"; and not test -d "$cmd"
        echo $cmd
    else
        echo filecap
    end
end

function __filecap_columns
    set -l tok (commandline -ct | string replace -r -- '^--[^=]*=' '' | string replace -r -- '^-[a-zA-Z]*o' '')
    set -l lead ''
    string match -q -- '+*' $tok; and set lead '+'
    if string match -q -- '*,*' $tok
        set lead (string replace -r -- '^(.*,)[^,]*$' '$1' $tok)
    end
    set -l tool (__filecap_command)
    set -l list
    # after -d, the columns of its list
    contains -- -d (commandline -opc); and set list -d
    $tool $list -H 2>/dev/null | while read -l name rest
        test -n "$name"; and printf '%s%s\n' $lead $name
    end
end

# True when a regular file (not a symbolic link) is already an operand.
function __filecap_after_file
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -j --jobs --exclude --rootid -o --output
                set skip 1
            case '/*'
                if test -f $w; and not test -L $w
                    return 0
                end
        end
    end
    return 1
end

function __filecap_capabilities
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
    printf '%s\n' $names none
end

complete -c filecap -f
complete -c filecap -n '__filecap_after_file' -a '(__filecap_capabilities)'
complete -c filecap -n 'not __filecap_after_file' -F
complete -c filecap -s a -d 'search from /'
complete -c filecap -s d -d 'list the capability names the kernel knows'
complete -c filecap -s j -l jobs -x -d 'read directories with n threads'
complete -c filecap -s x -l one-file-system -d 'do not enter other file systems'
complete -c filecap -l exclude -r -F -d 'neither search nor report this file or directory'
complete -c filecap -l rootid -x -d 'set a namespaced capability for this root uid'
complete -c filecap -s o -l output -x -a '(__filecap_columns)' -d 'columns to print'
complete -c filecap -l output-all -d 'print all columns'
complete -c filecap -s J -l json -d 'JSON output'
complete -c filecap -s r -l raw -d 'raw output'
complete -c filecap -s n -l noheadings -d 'do not print headings'
complete -c filecap -s H -l list-columns -d 'list the available columns'
complete -c filecap -s h -l help -d 'display this help'
complete -c filecap -s V -l version -d 'display version'
