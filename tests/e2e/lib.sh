# lib.sh - shared helpers for the end-to-end suites. Sourced, never run (so not executable):
#   . "$(dirname "$0")/lib.sh"
# A suite calls check/req/start_server, then `finish`, which stops its servers (checking that
# each exits 0 with a log free of sanitizer reports) and prints "N passed, M failed" last.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2   # the repo root: paths below are relative to it
B=${B:-build}
SERVER=$B/nodegate-server
PLUGIN=$B/libnodegate.so
# run.sh exports these too; set them here so a suite run by hand checks leaks the same way
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# shellcheck disable=SC2034 # VERSION, PORT and friends are read by the suites that source this
VERSION=$(sed -n 's/^#define NODEGATE_VERSION "\(.*\)"/\1/p' include/nodegate.h)

# start_server and req reach the server over $SCHEME, with $CURL_OPTS added to curl's arguments
# (tls.sh sets https, its CA and a client certificate).
SCHEME=http
declare -a CURL_OPTS=()

T=$(mktemp -d "${TMPDIR:-/tmp}/nodegate-e2e.XXXXXX") || exit 2
passed=0 failed=0
declare -a SERVER_PIDS=() SERVER_LOGS=()   # the servers still running
SERVER_COUNT=0

# Safety net for an aborted suite: no server or temp file may outlive it. (finish stops the
# servers properly; whatever is left here is killed outright, so this cannot hang.)
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # so that an interrupted suite still runs the EXIT trap

if [ ! -x "$SERVER" ] || [ ! -f "$PLUGIN" ]; then
    echo "FAIL setup: $SERVER or $PLUGIN is missing (run make, or make B=$B ...)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Shows at most 600 bytes of a value, so a failing check on a big body stays readable.
show() {
    if [ "${#1}" -gt 600 ]; then printf '%s... (%d bytes)' "${1:0:600}" "${#1}"; else printf '%s' "$1"; fi
}

pass() { passed=$((passed + 1)); echo "ok   $1"; }

fail() {   # fail NAME [DETAIL...]
    failed=$((failed + 1))
    echo "FAIL $1"
    shift
    local line
    for line in "$@"; do echo "     $line"; done
}

# check NAME EXPECTED ACTUAL: exact string comparison.
check() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        local at
        at=$(cmp <(printf '%s' "$2") <(printf '%s' "$3") 2>&1 | sed -n 's/.*differ: \(byte [0-9]*\).*/\1/p')
        fail "$1" "expected: $(show "$2")" "actual:   $(show "$3")" ${at:+"first difference at $at"}
    fi
}

# check_has NAME NEEDLE HAYSTACK: the haystack contains the needle (an empty needle never passes).
check_has() {
    if [ -n "$2" ] && [[ "$3" == *"$2"* ]]; then
        pass "$1"
    else
        fail "$1" "expected to contain: $(show "$2")" "actual: $(show "$3")"
    fi
}

# check_error_reply NAME WANT-STATUS: the last req got that status and a body that is exactly one
# JSON object {"Error": "<non-empty, well-escaped string>"} (checked by pattern: no jq needed).
ERROR_JSON='^\{"Error":"([^"\\[:cntrl:]]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})+"\}$'
check_error_reply() {
    local shape="not-json-error: $BODY"
    [[ "$BODY" =~ $ERROR_JSON ]] && shape=json-error
    check "$1" "$2 json-error" "$STATUS $shape"
}

# req METHOD PATH [BODY-FILE | -d DATA | ''] [EXTRA-CURL-ARGS...]
# Sends one request to the current server ($URL) with the Content-Type kube-scheduler uses, or
# $CONTENT_TYPE when set (CONTENT_TYPE=application/yaml req ...; set but empty: no Content-Type).
# Sets STATUS (000 when no reply came), BODY, BODY_FILE (exact bytes) and HEADERS.
req() {
    local method=$1 path=$2 data=()
    shift 2
    if [ $# -gt 0 ]; then
        case $1 in
        -d) data=(--data-binary "$2"); shift 2 ;;
        '') shift ;;
        *) data=(--data-binary "@$1"); shift ;;
        esac
    fi
    BODY_FILE=$T/reply.body
    : >"$BODY_FILE"
    : >"$T/reply.headers"   # curl writes nothing when no reply comes: no stale headers then
    STATUS=$(curl -s -g --max-time 20 "${CURL_OPTS[@]}" -X "$method" -H "Content-Type: ${CONTENT_TYPE-application/json}" "${data[@]}" \
        -D "$T/reply.headers" -o "$BODY_FILE" -w '%{http_code}' "$@" "$URL$path")
    BODY=$(cat "$BODY_FILE")
    HEADERS=$(tr -d '\r' <"$T/reply.headers" 2>/dev/null)
}

# raw_request FILE: sends FILE's bytes as they are on a new connection and reads until the server
# closes it; the reply goes to $T/raw.reply, its status to RAW_STATUS, its body to RAW_BODY, and
# RAW_CLOSED is "closed" when the server closed the connection within 10 s.
raw_request() {
    local fd
    RAW_STATUS=000 RAW_BODY= RAW_CLOSED=open
    { exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 0
    cat "$1" >&"$fd"
    timeout 10 cat <&"$fd" >"$T/raw.reply" && RAW_CLOSED=closed
    exec {fd}<&-
    RAW_STATUS=$(sed -n '1s/^HTTP\/1\.1 \([0-9]*\).*/\1/p' "$T/raw.reply" | tr -d '\r')
    local reply
    reply=$(<"$T/raw.reply")
    RAW_BODY=${reply#*$'\r\n\r\n'}
}

# header NAME: the value of a header of the last reply (last one wins, after a 100 Continue).
header() {
    sed -n "s/^$1: //Ip" <<<"$HEADERS" | tail -1
}

# start_server [FLAGS...]: starts $SERVER on a free loopback port (unless FLAGS hold a --listen,
# which then goes last and wins) and waits until /healthz answers. Sets URL, PORT, SERVER_PID,
# SERVER_LOG. Returns 1 (after a failed check) when it does not come up.
start_server() {
    local i where=''
    SERVER_COUNT=$((SERVER_COUNT + 1))
    SERVER_LOG=$T/server-$SERVER_COUNT.log
    : >"$SERVER_LOG"   # exists before the poll below reads it, whenever the child opens it
    "$SERVER" --listen 127.0.0.1:0 "$@" 2>"$SERVER_LOG" &
    SERVER_PID=$!
    SERVER_PIDS+=("$SERVER_PID")
    SERVER_LOGS+=("$SERVER_LOG")
    # The port is only known once the log line is out; poll for it, a bounded number of times.
    for ((i = 0; i < 200; i++)); do
        where=$(sed -n 's/.* listening on \(.*\) (plugin .*/\1/p' "$SERVER_LOG")
        [ -n "$where" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$where" ]; then
        fail "server starts ($*)" "no 'listening on' line; log: $(show "$(cat "$SERVER_LOG")")"
        return 1
    fi
    # shellcheck disable=SC2034
    PORT=${where##*:}
    URL=$SCHEME://$where
    for ((i = 0; i < 100; i++)); do
        [ "$(curl -s -g --max-time 2 "${CURL_OPTS[@]}" -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ] && return 0
        sleep 0.05
    done
    fail "server answers /healthz ($*)" "log: $(show "$(cat "$SERVER_LOG")")"
    return 1
}

# run_once ARGS...: runs the server in the foreground (bounded by a timeout, so a flag that is
# wrongly accepted cannot hang the suite). Sets RC, OUT, ERR.
run_once() {
    timeout 5 "$SERVER" "$@" >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(<"$T/out")
    ERR=$(<"$T/err")
}

# refuses NEEDLE ARGS...: exit 2, nothing on stdout, stderr a message containing NEEDLE.
refuses() {
    local needle=$1
    shift
    # listen on a free port first, so a flag wrongly accepted does not take :8888
    run_once --listen 127.0.0.1:0 "$@"
    check "refuses $*: exit 2, message names '$needle'" "2 '' message" \
        "$RC '$OUT' $([[ -n $ERR && $ERR == *"$needle"* ]] && echo message || echo "stderr: $ERR")"
}

# host_address: this host's first non-loopback IPv4 address ("" when it has none). A client that
# connects to it from this host has that address as its peer, not 127.x: the packets stay on the
# host, and the server sees a client from beyond loopback.
host_address() {
    hostname -I 2>/dev/null | tr ' ' '\n' | grep -m1 -E '^[0-9]+(\.[0-9]+){3}$'
}

# until_true SECONDS COMMAND...: polls COMMAND every 0.02 s until it succeeds; false once SECONDS
# have passed without.
until_true() {
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.02
    done
}

# metric_at URL NAME-WITH-LABELS: one sample's value from a Prometheus text page ("" when absent).
metric_at() { curl -sk --max-time 10 "$1" | awk -v k="$2" '$1 == k {print $2}'; }

# exits_within_10s PID: true once PID has exited (gone, or a zombie not yet reaped), polling for up
# to 10 s; false if it still runs then.
exits_within_10s() {
    local i state
    for ((i = 0; i < 200; i++)); do
        state=
        read -r _ _ state _ 2>/dev/null <"/proc/$1/stat"
        [ -z "$state" ] || [ "$state" = Z ] && return 0
        sleep 0.05
    done
    return 1
}

# stop_server [PID]: SIGTERM to one server (default: the last started), then one check that it
# exited 0 with no sanitizer report in its log (LeakSanitizer reports at exit).
stop_server() {
    local pid=${1:-$SERVER_PID} i log='' rc report
    for i in "${!SERVER_PIDS[@]}"; do
        if [ "${SERVER_PIDS[$i]}" = "$pid" ]; then
            log=${SERVER_LOGS[$i]}
            unset "SERVER_PIDS[$i]" "SERVER_LOGS[$i]"
        fi
    done
    [ -n "$log" ] || return 0   # not ours, or already stopped
    kill -TERM "$pid" 2>/dev/null
    # bounded: a server that hangs in shutdown is a failure, not a stuck suite
    exits_within_10s "$pid" || kill -KILL "$pid"
    wait "$pid" 2>/dev/null   # bash's own "Segmentation fault" note would land after the tally
    rc=$?
    report=$(grep -m3 -E 'Sanitizer|runtime error:|^==[0-9]+==' "$log")
    check "$(basename "$log" .log) exits 0 on SIGTERM with a clean log" "exit 0" "exit $rc${report:+ $report}"
}

# finish: stops the servers, prints the tally as the last line, exits 1 if anything failed.
finish() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# The fake kube-apiserver (build/tests/fake-apiserver, built by make unit), for the suites whose
# server follows an API server.
FAKE_BIN=$B/tests/fake-apiserver
# start_fake [FLAGS...]: the fake on a free port, known from its --port-file. Sets FURL (http or
# https, as the flags say), FPID. Registers it with lib.sh, so finish checks its clean exit.
start_fake() {
    local i pf scheme=http
    SERVER_COUNT=$((SERVER_COUNT + 1))
    local log=$T/fake-$SERVER_COUNT.log
    pf=$T/fake-$SERVER_COUNT.port
    [[ " $* " == *" --tls-cert "* ]] && scheme=https
    "$FAKE_BIN" --port-file "$pf" "$@" 2>"$log" &
    FPID=$!
    SERVER_PIDS+=("$FPID")
    SERVER_LOGS+=("$log")
    for ((i = 0; i < 200; i++)); do   # the port file is written once it listens
        [ -s "$pf" ] && break
        kill -0 "$FPID" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -s "$pf" ]; then
        fail "fake starts ($*)" "log: $(show "$(cat "$log")")"
        return 1
    fi
    FURL=$scheme://127.0.0.1:$(<"$pf")
}

# kubeconfig FILE SERVER USER-YAML [CLUSTER-EXTRA-YAML]
kubeconfig() {
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $2
${4:-}
users:
- name: tester
  user:
$3
contexts:
- name: fake
  context:
    cluster: fake
    user: tester
current-context: fake
EOF
}
