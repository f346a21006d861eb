# fish completion for captest (capinspect): it takes no operands and none of its
# options takes an argument.

complete -c captest -f
complete -c captest -l text -d 'capability names instead of hexadecimal words'
complete -c captest -l drop-all -d 'first drop every capability'
complete -c captest -l drop-caps -d 'first drop the effective, permitted and inheritable sets'
complete -c captest -l id -d 'first change to uid and gid 99, keeping only CAP_CHOWN'
complete -c captest -l init-grp -d 'like --id, with the supplementary groups of uid 99'
complete -c captest -l ambient -d 'keep or ask for CAP_CHOWN as an ambient capability'
complete -c captest -l lock -d 'first set the NOROOT and NO_SETUID_FIXUP securebits, locked'
complete -c captest -l no-child -d 'report as the child does'
complete -c captest -s v -l verbose -d 'also report no_new_privs, seccomp, securebits and more'
complete -c captest -s J -l json -d 'print the whole report as JSON'
complete -c captest -l fail-if-escalation -d 'exit with 2 when the child regained root or capabilities'
complete -c captest -s h -l help -d 'display this help'
complete -c captest -s V -l version -d 'display version'
