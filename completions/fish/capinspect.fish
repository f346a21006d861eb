# fish completion for capinspect (capinspect)
#
# A command first (snapshot, diff, verify), then its options; snapshot files are
# completed as files, --files as directories.

set -l commands snapshot diff verify
complete -c capinspect -f
complete -c capinspect -n "not __fish_seen_subcommand_from $commands" -a snapshot -d "write this machine's privilege as one JSON document"
complete -c capinspect -n "not __fish_seen_subcommand_from $commands" -a diff -d 'show what changed between two snapshots'
complete -c capinspect -n "not __fish_seen_subcommand_from $commands" -a verify -d 'fail when privilege changed since a snapshot'
complete -c capinspect -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'display version'
complete -c capinspect -s h -l help -d 'display this help'

complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -l files -x -a '(__fish_complete_directories)' -d 'walk this directory tree for file capabilities'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -l no-files -d 'do not walk files'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot verify' -s j -l jobs -x -d 'read directories with n threads'
complete -c capinspect -n '__fish_seen_subcommand_from snapshot' -s o -l output -r -F -d 'write to this file, atomically'

complete -c capinspect -n '__fish_seen_subcommand_from diff' -F
complete -c capinspect -n '__fish_seen_subcommand_from diff verify' -s J -l json -d 'JSON output'
complete -c capinspect -n '__fish_seen_subcommand_from diff verify' -l no-color -d 'never colour the text'

complete -c capinspect -n '__fish_seen_subcommand_from verify' -l baseline -r -F -d 'the snapshot to compare with'
complete -c capinspect -n '__fish_seen_subcommand_from verify' -l allow-losses -d 'losses are reported but do not fail'
