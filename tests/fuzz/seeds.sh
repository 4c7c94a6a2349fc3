#!/usr/bin/env bash
# seeds.sh DIR - writes each fuzz target's seed corpus into DIR/<target>/, in the input form its
# source describes (tests/fuzz/fuzz_*.c), from the cases of tests/cases and the files of examples/;
# tests/fuzz/seeds/<target>/ adds the hand-made ones: kubeconfigs (the tree has none as files), a
# YAML node list as kubectl prints one, and the inputs of findings, so that every run tries them
# first.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1
rm -rf "$out"
mkdir -p "$out"/{verbs,nodes,watch,kubeconfig,flags,yaml}
for d in tests/fuzz/seeds/*/; do
    cp "$d"* "$out/$(basename "$d")/"
done
demo=examples/demo-cluster.json
n=0

# seed TARGET HEADER-BYTES [FILE|-]...: the header (printf escapes), then each file, '-' a NUL.
seed() {
    local target=$1 header=$2 f
    shift 2
    n=$((n + 1))
    {
        printf "$header"
        for f in "$@"; do
            if [ "$f" = - ]; then printf '\0'; else cat "$f"; fi
        done
    } >"$out/$target/$n"
}

# The verbs: bits 0-1 the verb, bit 4 explain instead, bit 2 the comparison-operators gate, bit 3
# completeCache, bit 5 compactReplies; no splits.
verb=0
for v in filter prioritize preempt daemonset explain; do
    [ $v = explain ] && verb=16
    for c in tests/cases/$v/*/; do
        bits=$verb
        if [ -f "$c/options.json" ]; then
            jq -e '.featureGates.TaintTolerationComparisonOperators == true' "$c/options.json" >/dev/null &&
                bits=$((bits | 4))
            jq -e '.completeCache == true' "$c/options.json" >/dev/null && bits=$((bits | 8))
            jq -e '.compactReplies == true' "$c/options.json" >/dev/null && bits=$((bits | 32))
        fi
        if [ -f "$c/nodes.json" ]; then
            seed verbs "\\x$(printf %02x $bits)\\x00" "$c/nodes.json" - "$c/request.json"
        else
            seed verbs "\\x$(printf %02x $bits)\\x00" "$c/request.json"
        fi
    done
    verb=$((verb + 1))
done
seed verbs '\x00\x00' examples/requests/filter-full.json
seed verbs '\x00\x00' "$demo" - examples/requests/filter-names.json
seed verbs '\x01\x00' "$demo" - examples/requests/prioritize-names.json
for f in examples/daemonset-walkthrough/redis-ds*.json; do
    seed verbs '\x03\x00' "$demo" - "$f"
done

# Node updates (op 0) on each case's cache, relists (op 1) of every cache file over the demo
# cluster, a delete (op 2).
for c in tests/cases/nodes/*/; do
    if [ -f "$c/nodes.json" ]; then seed nodes '\x00\x00' "$c/nodes.json" - "$c/request.json"
    else seed nodes '\x00\x00' "$c/request.json"; fi
done
for f in tests/cases/*/*/nodes.json "$demo"; do
    seed nodes '\x01\x00' "$demo" - "$f"
done
seed nodes '\x02\x00' "$demo" - <(printf worker)

# Watch streams: the nodes cases' requests one a line (jq -c), each alone and all in one stream.
all=$(mktemp)
trap 'rm -f "$all"' EXIT
for c in tests/cases/nodes/*/; do
    jq -c . "$c/request.json" >>"$all" || continue
    seed watch '\x00' <(jq -c . "$c/request.json")
done
seed watch '\x00' "$all"

# YAML: every manifest of examples/, and a NodeList in JSON, which YAML's flow style reads too.
for f in $(find examples -name '*.yaml' -o -name '*.yml') "$demo"; do
    seed yaml '' "$f"
done

# Flags: --feature-gates values (even first byte) and durations (odd).
for g in TaintTolerationComparisonOperators=true TaintTolerationComparisonOperators=false,Foo=1 \
         TaintTolerationComparisonOperators=maybe Foo; do
    seed flags '\x00' <(printf %s "$g")
done
for d in 5m 90s 1h30m 1.5h 300ms 2562047h47m16.854775807s 0s -5m 5 1h30 10us 3µs; do
    seed flags '\x01' <(printf %s "$d")
done
