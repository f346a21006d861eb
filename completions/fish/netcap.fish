# fish completion for netcap (capinspect)
#
# The lists are computed when completing: column names from `netcap -H` (first field
# of each line), interface names from /sys/class/net.

function __netcap_command
    set -l cmd (commandline -opc)[1]
    if test -n "$cmd"; and test -x "$cmd"; and not test -d "$cmd"
        echo $cmd
    else
        echo netcap
    end
end

# Column names as completions of a comma-separated list (a leading "+" kept).
function __netcap_columns
    set -l tok (commandline -ct | string replace -r -- '^--[^=]*=' '' | string replace -r -- '^-[a-zA-Z]*o' '')
    set -l lead ''
    string match -q -- '+*' $tok; and set lead '+'
    if string match -q -- '*,*' $tok
        set lead (string replace -r -- '^(.*,)[^,]*$' '$1' $tok)
    end
    set -l tool (__netcap_command)
    $tool -H 2>/dev/null | while read -l name rest
        test -n "$name"; and printf '%s%s\n' $lead $name
    end
end

function __netcap_interfaces
    for d in /sys/class/net/*
        test -e $d; and basename $d
    end
end

complete -c netcap -f
complete -c netcap -s l -l listening -d 'only listening and unconnected sockets'
complete -c netcap -l all-netns -d 'every network namespace a capability holder lives in'
complete -c netcap -s o -l output -x -a '(__netcap_columns)' -d 'columns to print'
complete -c netcap -l output-all -d 'print all columns'
complete -c netcap -s J -l json -d 'JSON output'
complete -c netcap -l advanced -d 'the exposure inventory'
complete -c netcap -l interface -x -a '(__netcap_interfaces)' -d 'with --advanced: only this interface'
complete -c netcap -l list-interfaces -d 'with --advanced: the interfaces that have an address'
complete -c netcap -l no-color -d 'with --advanced: never colour the tree'
complete -c netcap -s r -l raw -d 'raw output'
complete -c netcap -s n -l noheadings -d 'do not print headings'
complete -c netcap -s H -l list-columns -d 'list the available columns'
complete -c netcap -l proc-root -x -a '(__fish_complete_directories (commandline -ct | string replace -r -- "^--proc-root=" ""))' -d 'read processes and /proc/net tables from this proc tree'
complete -c netcap -s h -l help -d 'display this help'
complete -c netcap -s V -l version -d 'display version'
