#!/usr/bin/env bash
# host_example.sh - examples/host.c, the annotated minimal host, against the real plugin: it exits 0
# printing the expected filter reply, and refuses a bad plugin path with one line naming it.
. "$(dirname "$0")/lib.sh"

HOST=$B/examples/host
if [ ! -x "$HOST" ]; then
    fail "setup: $HOST is missing (make $HOST)"
    finish
fi

"$HOST" "$PLUGIN" >"$T/out" 2>"$T/err"
rc=$?
out=$(<"$T/out")
check "host exits 0" "0" "$rc"
check "host writes nothing on stderr" "" "$(<"$T/err")"
first=$(sed -n 1p <<<"$out")
check "host says which plugin it loaded" "loaded nodegate $VERSION (ABI 1, table of N bytes) from $PLUGIN" \
    "$(sed 's/table of [0-9][0-9]* bytes/table of N bytes/' <<<"$first")"
check "host fills the node cache" 'nodes_apply: 200 {"applied":2,"nodes":2}' "$(sed -n 2p <<<"$out")"
check "host streams the filter request and prints the reply" \
    'filter (444 bytes in chunks of 7): 200 {"Nodes":null,"NodeNames":["worker"],"FailedNodes":{},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"},"Error":""}' \
    "$(sed -n 3p <<<"$out")"
check "host ends with its verdict" 'ok: feasible ["worker"]' "$(tail -n 1 <<<"$out")"
check "host prints four lines" "4" "$(wc -l <"$T/out")"

# refused PATH NAME: exit 1, nothing on stdout, one line on stderr naming PATH (kept in err_text).
err_text=
refused() {
    "$HOST" "$1" >"$T/out" 2>"$T/err"
    local rc=$? verdict
    err_text=$(<"$T/err")
    verdict="exit $rc, $(wc -l <"$T/out") stdout lines, $(wc -l <"$T/err") stderr line"
    [[ $err_text == "plugin $1: "* ]] && verdict+=", names the path"
    check "host refuses $2" "exit 1, 0 stdout lines, 1 stderr line, names the path" "$verdict"
}
refused "$T/no-such-plugin.so" "a missing plugin"
refused "$(pwd)/examples/host.c" "a file that is not a library"

# fake NAME ABI STRUCT_SIZE: a plugin whose table holds only those two fields' values.
fake() {
    printf '#include "nodegate.h"\nstatic const struct nodegate_plugin t = {.abi_version = %s, .struct_size = %s};\n%s\n' \
        "$2" "$3" 'const struct nodegate_plugin *nodegate_plugin_v1(void) { return &t; }' >"$T/$1.c"
    ${CC:-cc} -shared -fPIC -Iinclude -o "$T/lib$1.so" "$T/$1.c" 2>"$T/cc.log"
    check "builds fake plugin $1" "0" "$?$(<"$T/cc.log")"
}
fake abi2 2 'sizeof t'
refused "$T/libabi2.so" "a plugin built for ABI 2"
check_has "host says which ABI it needs" "ABI 1 required, plugin built for 2" "$err_text"
fake short NODEGATE_ABI_VERSION 16
refused "$T/libshort.so" "a function table too short for the calls it makes"
check_has "host says the table is too small" "function table of 16 bytes" "$err_text"
finish
