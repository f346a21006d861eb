# fish completion for capinspect (capinspect)
#
# The command comes first; each command has its options. Lists are computed when
# completing: services from systemctl, pids from /proc, capability names from
# `capsh --decode` (cap_ stripped; nothing is offered when capsh is missing); snapshot
# files as files, --files as directories.

function __capinspect_capabilities
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
    string split , -- (string replace -r -- '^[^=]*=' '' $decoded) | string match -- 'cap_*' | string replace -- cap_ ''
end

function __capinspect_services
    systemctl list-units --type=service --all --no-legend --plain 2>/dev/null | string match -r -- '^\S+\.service'
end

function __capinspect_pids
    for d in /proc/[0-9]*
        basename $d
    end
end

# True when the command line has the command and $argv[1] operands after it.
function __capinspect_operands
    set -l words (commandline -opc)
    set -l n 0
    for w in $words[3..-1]
        string match -q -- '-*' $w; or set n (math $n + 1)
    end
    test $n -eq $argv[1]
end

complete -c capinspect -f
complete -c capinspect -n __fish_use_subcommand -a unit -d 'check services against the sandbox their units configure'
complete -c capinspect -n __fish_use_subcommand -a explain -d 'explain why a process holds each capability'
complete -c capinspect -n __fish_use_subcommand -a snapshot -d "write this machine's privilege as one JSON document"
complete -c capinspect -n __fish_use_subcommand -a diff -d 'show what changed between two snapshots'
complete -c capinspect -n __fish_use_subcommand -a verify -d 'fail when privilege changed since a snapshot'
complete -c capinspect -n __fish_use_subcommand -s h -l help -d 'display help'
complete -c capinspect -n __fish_use_subcommand -s V -l version -d 'display version'

complete -c capinspect -n '__fish_seen_subcommand_from unit' -s a -l all -d 'every loaded service with running processes'
complete -c capinspect -n '__fish_seen_subcommand_from unit' -s J -l json -d 'JSON output'
complete -c capinspect -n '__fish_seen_subcommand_from unit' -l no-color -d 'no colour, even on a terminal'
complete -c capinspect -n '__fish_seen_subcommand_from unit' -s h -l help -d 'display help'
complete -c capinspect -n '__fish_seen_subcommand_from unit' -a '(__capinspect_services)' -d service

complete -c capinspect -n '__fish_seen_subcommand_from explain' -s J -l json -d 'JSON output'
complete -c capinspect -n '__fish_seen_subcommand_from explain' -l no-color -d 'no colour, even on a terminal'
complete -c capinspect -n '__fish_seen_subcommand_from explain' -s h -l help -d 'display help'
complete -c capinspect -n '__fish_seen_subcommand_from explain; and __capinspect_operands 0' -a '(__capinspect_pids)' -d 'process id'
complete -c capinspect -n '__fish_seen_subcommand_from explain; and not __capinspect_operands 0' -a '(__capinspect_capabilities)' -d capability

complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -l files -x -a '(__fish_complete_directories)' -d 'walk this directory tree for file capabilities'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -l no-files -d 'do not walk files'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot verify' -s j -l jobs -x -d 'read directories with n threads'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -s o -l output -r -F -d 'write to this file, atomically'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot diff verify' -s h -l help -d 'display help'

complete -c capinspect -n '__fish_seen_subcommand_from diff' -F
complete -c capinspect -n '__fish_seen_subcommand_from diff verify' -s J -l json -d 'JSON output'
complete -c capinspect -n '__fish_seen_subcommand_from diff verify' -l no-color -d 'no colour, even on a terminal'

complete -c capinspect -n '__fish_seen_subcommand_from verify' -l baseline -r -F -d 'the snapshot to compare with'
complete -c capinspect -n '__fish_seen_subcommand_from verify' -l allow-losses -d 'losses are reported but do not fail'
