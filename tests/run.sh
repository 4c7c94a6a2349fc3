#!/usr/bin/env bash
# Runs every test binary and suite; ends with one line "N passed, M failed".
set -u
B=${B:-build}
cd "$(dirname "$0")/.."
passed=0 failed=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
run_cmocka() {
    local bin=$1 out rc p f
    out=$("$@" 2>&1); rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or sanitizer report
    if [ "$f" -ne 0 ]; then echo "$out"; fi
    echo "  $(basename "$bin"): $p passed, $f failed"
    passed=$((passed + p)); failed=$((failed + f))
}

# Suites that print their own "N passed, M failed" last line.
run_counted() {
    local out rc p f
    out=$("$@" 2>&1); rc=$?
    read -r p f < <(tail -1 <<<"$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ]; then echo "$out"; fi
    echo "  $*: $p passed, $f failed"
    passed=$((passed + p)); failed=$((failed + f))
}

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in
        *.d) ;;
        */test_abi) run_cmocka "$t" "$B/libnodegate.so" ;;   # loads the plugin by path
        *) run_cmocka "$t" ;;
    esac
done
if [ -x "$B/tests/case_runner" ]; then
    run_counted "$B/tests/case_runner" "$B/libnodegate.so" tests/cases
fi
for s in tests/e2e/*.sh; do
    [ -x "$s" ] || continue
    run_counted env B="$B" "$s"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
