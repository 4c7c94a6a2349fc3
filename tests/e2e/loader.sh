#!/usr/bin/env bash
# loader.sh - plugin loading: every kind of wrong plugin is refused with one line naming the path
# (built here from small sources against the repo's header), the real one loads by --plugin,
# and by default the server loads libnodegate.so from beside its own binary.
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
P=$T/plugins
mkdir -p "$P"
cp include/nodegate.h "$P/"

# fake NAME C-SOURCE: builds $P/libNAME.so, with one check that it built (a broken fake must not
# look like a refused one).
fake() {
    printf '%s\n' "$2" >"$P/$1.c"
    local rc log
    "$CC" -shared -fPIC -I"$P" -o "$P/lib$1.so" "$P/$1.c" 2>"$P/$1.cc.log"
    rc=$?
    log=$(<"$P/$1.cc.log")
    check "builds fake plugin $1" "0" "$rc${log:+ $log}"
}

fake noentry 'int not_the_entry(void) { return 0; }'
fake nulltable '#include "nodegate.h"
const struct nodegate_plugin *nodegate_plugin_v1(void) { return 0; }'
fake abi2 '#include "nodegate.h"
static const struct nodegate_plugin t = {.abi_version = 2, .struct_size = sizeof t, .name = "fake", .version = "9"};
const struct nodegate_plugin *nodegate_plugin_v1(void) { return &t; }'
fake small '#include "nodegate.h"
static const struct nodegate_plugin t = {.abi_version = NODEGATE_ABI_VERSION, .struct_size = 16, .name = "fake", .version = "9"};
const struct nodegate_plugin *nodegate_plugin_v1(void) { return &t; }'

# refused NAME PATH NEEDLE: the server exits non-zero (not by the timeout) printing exactly one
# line on stderr, which names PATH and contains NEEDLE. The stderr text is shown on failure only.
refused() {
    local name=$1 path=$2 needle=$3 rc lines err verdict
    timeout 5 "$SERVER" --listen 127.0.0.1:0 --plugin "$path" >/dev/null 2>"$T/err"
    rc=$?
    err=$(<"$T/err")
    lines=$(wc -l <"$T/err")
    verdict="$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo fails || echo "rc=$rc") $lines-line"
    verdict+=" $([[ $err == *"$path"* ]] && echo names-path) $([[ $err == *"$needle"* ]] && echo says)"
    [ "$verdict" = "fails 1-line names-path says" ] || verdict+=" [stderr: $err]"
    check "refuses $name: one line naming the path${needle:+, saying '$needle'}" "fails 1-line names-path says" "$verdict"
}

refused "a library without the entry symbol" "$P/libnoentry.so" "nodegate_plugin_v1"
refused "an entry that returns NULL" "$P/libnulltable.so" ""
refused "a plugin built for ABI 2" "$P/libabi2.so" "ABI 1 required, plugin built for 2"
refused "a function table too small" "$P/libsmall.so" "16 bytes"
refused "a missing path" "$P/no-such-plugin.so" ""
refused "a file that is not a library" "$P/abi2.c" ""

# The real plugin, explicitly: serves, and the start line names it.
if start_server --nodes examples/demo-cluster.json --plugin "$PLUGIN"; then
    check_has "--plugin $PLUGIN: the start line names it" "(plugin $PLUGIN," "$(<"$SERVER_LOG")"
    req POST /filter examples/requests/filter-names.json
    check_has "--plugin $PLUGIN: filter works" '"NodeNames":["worker","spot-1"]' "$STATUS $BODY"
    stop_server
fi

# make bench's transport floor (bench/floor_plugin.c): a plugin any host loads like the real one,
# which reads each body and answers a canned reply of the size NGFLOOR_REPLY gives its verb.
fake ngfloor "$(<bench/floor_plugin.c)"
export NGFLOOR_REPLY="filter=1000,prioritize=50"
if start_server --plugin "$P/libngfloor.so"; then
    req POST /filter examples/requests/filter-names.json
    check "floor plugin: filter answers 200 with the 1000 bytes asked" "200 1000" "$STATUS ${#BODY}"
    req POST /prioritize examples/requests/filter-names.json
    check "floor plugin: prioritize answers 200 with the 50 bytes asked" "200 50" "$STATUS ${#BODY}"
    req POST /preempt examples/requests/filter-names.json
    check "floor plugin: a verb not named answers {}" "200 {}" "$STATUS $BODY"
    stop_server
fi
unset NGFLOOR_REPLY

# Its answers (make bench-scheduler's (f)): a --nodes file of recorded replies, by verb and pod.
ANSWER='{"NodeNames":["a"],"FailedNodes":{},"Error":""}'
printf '{"verb":"filter","pod":"web-1","reply":%s}\n{"verb":"prioritize","pod":"db-0","reply":[{"Host":"a","Score":3}]}\n' \
    "$ANSWER" >"$T/answers.jsonl"
pod_body() { printf '{"Pod":{"metadata":{"name":"%s","namespace":"x"}},"NodeNames":["a"]}' "$1" >"$T/pod.json"; }
if start_server --plugin "$P/libngfloor.so" --nodes "$T/answers.jsonl"; then
    pod_body web-1
    req POST /filter "$T/pod.json"
    check "floor plugin answers: web-1's recorded filter reply, byte for byte" "200 $ANSWER" "$STATUS $BODY"
    pod_body db-0
    req POST /prioritize "$T/pod.json"
    check "floor plugin answers: db-0's recorded prioritize reply" '200 [{"Host":"a","Score":3}]' "$STATUS $BODY"
    req POST /filter "$T/pod.json"
    check "floor plugin answers: a pod with no answer for the verb gets a 500" \
        '500 {"Error":"the floor plugin has no recorded answer for this pod"}' "$STATUS $BODY"
    stop_server
fi
printf '{"verb":"filter","reply":{}}\n' >"$T/bad-answers.jsonl"
timeout 10 "$SERVER" --plugin "$P/libngfloor.so" --nodes "$T/bad-answers.jsonl" --listen 127.0.0.1:0 >/dev/null 2>"$T/err"
rc=$?
check "floor plugin answers: a line without its pod is refused at load" "fails answers: a line is not {verb, pod, reply}" \
    "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo fails) $(grep -o 'answers: a line is not {verb, pod, reply}' "$T/err" | head -1)"

# By default: libnodegate.so beside the binary. A copy of the binary alone in a directory must
# look there (and fail naming that path); with the plugin copied beside it, it serves.
if start_server --nodes examples/demo-cluster.json; then
    check_has "default plugin: libnodegate.so beside the binary" "(plugin $(cd "$B" && pwd -P)/libnodegate.so," "$(<"$SERVER_LOG")"
    stop_server
fi
mkdir -p "$T/bin"
cp "$SERVER" "$T/bin/"
bin_dir=$(cd "$T/bin" && pwd -P)
timeout 5 "$T/bin/nodegate-server" --listen 127.0.0.1:0 >/dev/null 2>"$T/err"
rc=$?
check "default plugin missing beside a copied binary: fails naming $bin_dir/libnodegate.so" "fails names-it" \
    "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo fails || echo "rc=$rc") $(grep -q "$bin_dir/libnodegate.so" "$T/err" && echo names-it || cat "$T/err")"
cp "$PLUGIN" "$T/bin/"
SERVER=$T/bin/nodegate-server
if start_server --nodes examples/demo-cluster.json; then
    check_has "default plugin beside a copied binary: loaded from there" "(plugin $bin_dir/libnodegate.so," "$(<"$SERVER_LOG")"
    req POST /filter examples/requests/filter-names.json
    check_has "default plugin beside a copied binary: filter works" '"NodeNames":["worker","spot-1"]' "$STATUS $BODY"
    stop_server
fi
finish
