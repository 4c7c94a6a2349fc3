# bench/lib.sh - what bench.sh and soak.sh share: cached corpora, a server and the fake API
# server started on free ports, and readings of the server's /proc entries. Sourced, not run.
B=${B:-build}
OUT=$B/bench
SERVER=$B/nodegate-server
REPLAY=$B/nodegate-replay
FAKE_BIN=$B/tests/fake-apiserver
mkdir -p "$OUT"

corpus() {   # corpus DIR generate-flags...: generated once, reused while the flags stay the same
    local dir=$OUT/$1 flags
    shift
    flags="$*"
    if [ "$(cat "$dir/.flags" 2>/dev/null)" != "$flags" ]; then
        rm -rf "$dir"
        "$REPLAY" generate "$@" --out "$dir" | tail -1 >&2
        echo "$flags" >"$dir/.flags"
    fi
    echo "$dir"
}

PID= PORT=
start() {   # start LOG server-flags...: sets PID and PORT
    local log=$1 i
    shift
    "$@" --listen 127.0.0.1:0 --log-level info >"$log" 2>&1 &
    PID=$!
    for i in $(seq 600); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
        [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$PID" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.1
    done
    echo "server did not start" >&2
    return 1
}
stop() { [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; PID=; }; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$PID/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

FAKE_PID=
stop_fake() { [ -z "$FAKE_PID" ] || { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=; }; }
trap 'stop; stop_fake' EXIT
start_fake() {   # start_fake FLAGS...: sets FAKE_PID and KUBECONFIG_FILE (plain HTTP, no credentials)
    local i
    rm -f "$OUT/fake.port"
    "$FAKE_BIN" --port-file "$OUT/fake.port" "$@" 2>"$OUT/fake.log" &
    FAKE_PID=$!
    for i in $(seq 600); do [ -s "$OUT/fake.port" ] && break; sleep 0.1; done
    KUBECONFIG_FILE=$OUT/kubeconfig
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:%s\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: u}\ncurrent-context: fake\n' \
        "$(cat "$OUT/fake.port")" >"$KUBECONFIG_FILE"
}
wait_ready() { local i; for i in $(seq 1200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0; sleep 0.05; done; return 1; }
