#!/usr/bin/env bash
# run.sh - runs every fuzz target in $B (make fuzz builds them) for FUZZ_SECONDS each, one after
# the other, on the seeds seeds.sh makes plus the corpus earlier runs grew in $B/corpus/<target>;
# a target passes when it ran its time without a crash, a leak, a timeout or a failed check.
# Ends with one line "N passed, M failed".
set -u
B=${B:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/../.."
tests/fuzz/seeds.sh "$B/seeds" || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
for bin in "$B"/fuzz_*; do
    [ -x "$bin" ] || continue
    t=${bin##*/fuzz_}
    mkdir -p "$B/corpus/$t" "$B/crashes/$t"
    case $t in
    kubeconfig | yaml) dict=tests/fuzz/yaml.dict ;;
    flags) dict=tests/fuzz/flags.dict ;;
    *) dict=tests/fuzz/kube-objects.dict ;;   # verbs, nodes, watch: the same objects
    esac
    log="$B/crashes/$t/last.log"
    # -timeout: an input that takes 30 s is a finding too (issue 11 asks for linear cost)
    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$B/crashes/$t/" -dict="$dict" "$B/corpus/$t" "$B/seeds/$t" >"$log" 2>&1
    rc=$?
    # the last status line: "#RUNS ... cov: C ft: F corp: ..."
    status=$(grep -E '^#[0-9]+' "$log" | tail -1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        verdict=passed
    else
        failed=$((failed + 1))
        verdict="FAILED (exit $rc; the input is in $B/crashes/$t/, the log in $log)"
        grep -E 'fuzz finding|ERROR: |SUMMARY|^artifact_prefix|Test unit written' "$log" | head -20
    fi
    echo "  fuzz_$t: ${runs:-?} runs in ${FUZZ_SECONDS} s, cov ${cov:-?}, ft ${ft:-?}, corpus $(ls "$B/corpus/$t" | wc -l): $verdict"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
