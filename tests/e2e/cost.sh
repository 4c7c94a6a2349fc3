#!/usr/bin/env bash
# cost.sh - each hostile request shape costs in proportion to its size (issue 11). tests/cost runs
# one shape through the ABI; callgrind counts the instructions of the call alone (run_call), which
# are deterministic, at sizes N and 4N: they must grow 3 to 5.5 times (a quadratic path would
# grow 16 times). Also: replies stay within a constant times the body, and the caps answer 400
# and 413. Valgrind cannot run a sanitizer build, so under make asan only the caps are checked.
. "$(dirname "$0")/lib.sh"
COST=$B/tests/cost

run() { "$COST" "$PLUGIN" "$@"; }   # prints: bytes_in reply_bytes status maxrss_kb cpu_ms

instructions() {   # instructions SHAPE N
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=run_call "$COST" "$PLUGIN" "$@" \
        2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

linear() {   # linear SHAPE N: instructions at 4N within 3 to 5.5 times those at N
    local one four
    one=$(instructions "$1" "$2")
    four=$(instructions "$1" $((4 * $2)))
    if [ -n "$one" ] && [ -n "$four" ] && [ $((10 * four)) -ge $((30 * one)) ] && [ $((10 * four)) -le $((55 * one)) ]; then
        pass "$1: $one instructions at N=$2, $four at 4N"
    else
        fail "$1: instructions grow about 4 times from N=$2 to 4N" "N: ${one:-?}, 4N: ${four:-?}"
    fi
}

read -r in out status _ < <(run names-empty 1000000)
check "3 MB of empty NodeNames: 400" 400 "$status"
check "3 MB of empty NodeNames: a short error, not a reply per name" 1 $((out < 200))
read -r in out status _ < <(run names-unknown 131072)
check "131,072 unknown names (the cap): 200" 200 "$status"
check "a names-mode reply is within 16 times its body ($in bytes in, $out out)" 1 $((out <= 16 * in))
read -r _ out status _ < <(run names-unknown 131073)
check "131,073 names: 413" 413 "$status"

if nm -D "$PLUGIN" | grep -q __asan_init; then
    echo "skip instruction counts: valgrind cannot run a sanitizer build"
elif ! command -v valgrind >/dev/null; then
    fail "valgrind is installed (make deps installs it)"
else
    linear names-unknown 4000
    linear selector 4000
    linear preferred 8000
    linear taints 1500
    linear gt 2000
    linear tolerations 1500
    linear labels 4000
fi
finish
