#!/usr/bin/env bash
# tls.sh - HTTPS and mutual TLS (--tls-cert-file, --tls-private-key-file, --client-ca-file) with
# certificates made here by openssl: files that do not load stop the server at start (exit 2);
# who gets through the handshake (curl with the CA and a client certificate, without one, with
# one from another CA or not meant for clients; plain HTTP; TLS 1.0 and 1.1); writes to the node
# cache from beyond loopback by client certificate; the files reloaded when they change and on
# SIGHUP, the client CA included; and a Go net/http client set up as kube-scheduler's extender
# client (tests/tlsclient). Every wait polls a condition the server shows, never a sleep.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { fail "setup: openssl is missing (make deps installs it)"; finish; }
DEMO=examples/demo-cluster.json
P=$T/pki     # what openssl made
L=$T/live    # the files the servers are given, replaced by the reload checks
mkdir -p "$P" "$L"

# ca NAME: a self-signed CA. cert NAME CA CN EXTENSIONS: a key and a certificate CA signs.
ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=$1" \
        -keyout "$P/$1.key" -out "$P/$1.crt"
}
cert() {
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$3" \
        -keyout "$P/$1.key" -out "$P/$1.csr" &&
        openssl x509 -req -in "$P/$1.csr" -CA "$P/$2.crt" -CAkey "$P/$2.key" -CAcreateserial -days 1 \
            -out "$P/$1.crt" -extfile <(printf '%b\n' "$4")
}
# a client from beyond loopback reaches the server at this host's own address (lib.sh)
EXT=$(host_address)
SERVING="subjectAltName=IP:127.0.0.1${EXT:+,IP:$EXT},DNS:localhost,DNS:nodegate.test\nextendedKeyUsage=serverAuth"
{
    ca ca && ca other-ca &&
        cert server ca nodegate "$SERVING" && cert server2 ca nodegate-2 "$SERVING" &&
        cert client ca kube-scheduler 'extendedKeyUsage=clientAuth' &&
        cert stranger other-ca stranger 'extendedKeyUsage=clientAuth' &&
        cert server-only ca not-a-client 'extendedKeyUsage=serverAuth' &&
        cert any-purpose ca any-purpose 'basicConstraints=CA:FALSE'
} >"$P/openssl.log" 2>&1
check "openssl made two CAs, two serving and four client certificates" ok \
    "$([ -s "$P/any-purpose.crt" ] && echo ok || cat "$P/openssl.log")"
printf 'not a certificate\n' >"$P/garbage.pem"
serial() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
S1=$(serial "$P/server.crt") S2=$(serial "$P/server2.crt")

# live FILE SOURCE: replaces a served file at once, as a secret volume or cert-manager does (a
# rename over it), so a reader never sees it half written.
live() {
    cp "$2" "$L/$1.tmp" && mv "$L/$1.tmp" "$L/$1"
}
live tls.crt "$P/server.crt"
live tls.key "$P/server.key"
live ca.crt "$P/ca.crt"
TLS_FLAGS=(--tls-cert-file "$L/tls.crt" --tls-private-key-file "$L/tls.key")
MTLS_FLAGS=("${TLS_FLAGS[@]}" --client-ca-file "$L/ca.crt")
# every request of lib.sh (req, start_server's wait) trusts the CA and can show the client certificate
SCHEME=https
CURL_OPTS=(--cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key")

# healthz_as NAME: GET /healthz with client certificate NAME ('' for none): the HTTP status, 000
# when the handshake failed.
healthz_as() {
    local as=()
    [ -n "$1" ] && as=(--cert "$P/$1.crt" --key "$P/$1.key")
    curl -s --max-time 5 --cacert "$P/ca.crt" "${as[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/healthz"
}
# served_serial: the serial of the certificate a new connection is served.
served_serial() {
    openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$P/ca.crt" -cert "$P/client.crt" -key "$P/client.key" \
        </dev/null 2>/dev/null | openssl x509 -noout -serial | sed 's/^serial=//'
}
# negotiated VERSION: what openssl s_client gets when it offers only TLS VERSION (1, 1_1, 1_2,
# 1_3; security level 0, so that it offers 1.0 and 1.1 at all): "CONNECTED TLSv1.2", or
# "CONNECTED (NONE)" when the server refused the handshake.
negotiated() {
    openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$P/ca.crt" "-tls$1" -cipher 'DEFAULT:@SECLEVEL=0' \
        </dev/null 2>&1 | sed -n 's/^\(CONNECTED\).*/\1/p; s/^New, \([^,]*\), Cipher.*/\1/p' | paste -sd' '
}
logged() { grep -q -F -- "$1" "$SERVER_LOG"; }

# ---- files that do not load stop the server at start: exit 2, naming the flag and the file ----
test_refusals() {
    refuses "--tls-cert-file $L/tls.crt: needs --tls-private-key-file" --tls-cert-file "$L/tls.crt"
    refuses "--tls-private-key-file $L/tls.key: needs --tls-cert-file" --tls-private-key-file "$L/tls.key"
    refuses "--client-ca-file $L/ca.crt: needs --tls-cert-file" --client-ca-file "$L/ca.crt"
    refuses "--tls-cert-file $T/missing.crt: No such file or directory" \
        --tls-cert-file "$T/missing.crt" --tls-private-key-file "$L/tls.key"
    refuses "--tls-cert-file $P/garbage.pem: no PEM certificate could be read" \
        --tls-cert-file "$P/garbage.pem" --tls-private-key-file "$L/tls.key"
    refuses "--tls-private-key-file $P/garbage.pem: no PEM private key could be read" \
        --tls-cert-file "$L/tls.crt" --tls-private-key-file "$P/garbage.pem"
    refuses "--tls-private-key-file $P/server2.key: not the key of the certificate in --tls-cert-file $L/tls.crt" \
        --tls-cert-file "$L/tls.crt" --tls-private-key-file "$P/server2.key"
    refuses "--client-ca-file $P/garbage.pem: no PEM certificate could be read" \
        "${TLS_FLAGS[@]}" --client-ca-file "$P/garbage.pem"
}

# ---- HTTPS without client certificates: TLS 1.2 and 1.3 only, no plain HTTP ----
test_https() {
    start_server --nodes "$DEMO" "${TLS_FLAGS[@]}" || return
    check_has "the log says it serves HTTPS, and which certificate" "TLS: serving certificate serial $S1 (CN=nodegate" \
        "$(<"$SERVER_LOG")"
    req POST /filter examples/requests/filter-names.json
    check_has "curl with the CA: a filter call over HTTPS" '200 {"Nodes":null,"NodeNames":["worker","spot-1"]' "$STATUS $BODY"
    check "curl without a client certificate is served: none is asked for" 200 "$(healthz_as '')"
    req POST /nodes -d '{"metadata":{"name":"from-loopback"}}'
    check "HTTPS, no client CA: POST /nodes from 127.0.0.1 is applied" 200 "$STATUS"
    check "plain HTTP to the HTTPS port: no HTTP reply" 000 \
        "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
    check "TLS 1.0 refused" "CONNECTED (NONE)" "$(negotiated 1)"
    check "TLS 1.1 refused" "CONNECTED (NONE)" "$(negotiated 1_1)"
    check "TLS 1.2 served" "CONNECTED TLSv1.2" "$(negotiated 1_2)"
    check "TLS 1.3 served" "CONNECTED TLSv1.3" "$(negotiated 1_3)"
    stop_server
}

# ---- mutual TLS: a client certificate from the client CA, for clientAuth, or no handshake ----
test_mtls() {
    start_server --nodes "$DEMO" "${MTLS_FLAGS[@]}" || return
    check "mTLS: a client certificate from the client CA is served" 200 "$(healthz_as client)"
    check "mTLS: no client certificate: refused in the handshake" 000 "$(healthz_as '')"
    check "mTLS: a client certificate from another CA: refused" 000 "$(healthz_as stranger)"
    check "mTLS: a certificate of the client CA for serverAuth only: refused" 000 "$(healthz_as server-only)"
    check "mTLS: a certificate of the client CA that names no purpose is served, as Go serves it" 200 \
        "$(healthz_as any-purpose)"
    check_has "mTLS: the log names the client and the reason" \
        "TLS: refused the client certificate from 127.0.0.1: The certificate is NOT trusted. The certificate issuer is unknown." \
        "$(<"$SERVER_LOG")"
    stop_server
}

# ---- writes to the node cache: loopback, or any address with a verified client certificate ----
# (the servers listen on the host's own address only, so every request comes from beyond loopback)
test_cache_writes() {
    if [ -z "$EXT" ]; then
        echo "#   no non-loopback IPv4 address on this host: the writes-by-certificate checks cannot run"
        return
    fi
    start_server --nodes "$DEMO" "${TLS_FLAGS[@]}" --listen "$EXT:0" || return
    req POST /nodes -d '{"metadata":{"name":"intruder"}}'
    check_error_reply "HTTPS, no client CA: POST /nodes from $EXT is 403" 403
    check_has "and the 403 says what would be accepted" "verifies against --client-ca-file" "$BODY"
    stop_server
    start_server --nodes "$DEMO" "${MTLS_FLAGS[@]}" --listen "$EXT:0" || return
    req POST /nodes -d '{"metadata":{"name":"by-certificate"}}'
    check "mTLS: POST /nodes from $EXT with the client certificate is applied" '200 {"applied":1,"nodes":6}' \
        "$STATUS $BODY"
    req DELETE /nodes/worker
    check "mTLS: DELETE /nodes/worker from $EXT is applied" '200 {"applied":1,"nodes":5}' "$STATUS $BODY"
    check_has "and the log names the certificate that wrote" \
        "POST /nodes: a node cache write by client certificate CN=kube-scheduler" "$(<"$SERVER_LOG")"
    stop_server
}

# ---- reloads: changed files are taken by new connections within a second; SIGHUP at once ----
test_reload() {
    start_server "${MTLS_FLAGS[@]}" || return
    check "reload: the first certificate is served" "$S1" "$(served_serial)"
    local t0 t1
    t0=$(date +%s%N)
    live tls.key "$P/server2.key"
    live tls.crt "$P/server2.crt"
    serves() { [ "$(served_serial)" = "$1" ]; }
    until_true 10 serves "$S2"
    t1=$(date +%s%N)
    check "reload: replaced files are served to new connections" "$S2" "$(served_serial)"
    echo "#   the new certificate was served $(((t1 - t0) / 1000000)) ms after the files were replaced"
    check_has "reload: the log says so" "TLS (files changed): now serving certificate serial $S2 (CN=nodegate-2" \
        "$(<"$SERVER_LOG")"
    live tls.crt "$P/garbage.pem"
    refused_reload() { healthz_as client >/dev/null; logged "TLS (files changed): not reloaded"; }
    check "reload: a file that does not load is logged, and the certificate in use stays" "logged $S2" \
        "$(until_true 10 refused_reload && echo logged) $(served_serial)"
    check_has "reload: the log names the file" \
        "not reloaded, the certificates loaded before stay in use: --tls-cert-file $L/tls.crt: no PEM certificate" \
        "$(<"$SERVER_LOG")"

    # SIGHUP: no connection comes between the change and the signal, so it is SIGHUP that loads
    live tls.key "$P/server.key"
    live tls.crt "$P/server.crt"
    kill -HUP "$SERVER_PID"
    check "SIGHUP: the certificates are loaded again and the log says so" logged \
        "$(until_true 10 logged "TLS (SIGHUP): now serving certificate serial $S1" && echo logged)"
    check "SIGHUP: new connections get the reloaded certificate" "$S1" "$(served_serial)"
    check "SIGHUP: the files are not loaded again for the connections after it" 0 \
        "$(grep -c "TLS (files changed): now serving certificate serial $S1" "$SERVER_LOG")"
    live tls.key "$P/garbage.pem"
    kill -HUP "$SERVER_PID"
    check "SIGHUP with a key that does not load: logged, the certificate in use stays" "logged $S1" \
        "$(until_true 10 logged "TLS (SIGHUP): not reloaded" && echo logged) $(served_serial)"

    # the client CA is reloaded too: the other CA's client gets in, and this CA's no longer
    live tls.key "$P/server.key"
    live ca.crt "$P/other-ca.crt"
    stranger_in() { [ "$(healthz_as stranger)" = 200 ]; }
    check "reload of --client-ca-file: a client of the new CA is served" 200 \
        "$(until_true 10 stranger_in; healthz_as stranger)"
    check "reload of --client-ca-file: a client of the old CA is refused" 000 "$(healthz_as client)"
    live ca.crt "$P/ca.crt"
    stop_server
}

# ---- a Go net/http client as kube-scheduler's extender client (enableHTTPS, tlsConfig) ----
test_go_client() {
    local go=${GO:-$(command -v go || echo /usr/local/go/bin/go)} client=$B/tests/tlsclient
    if ! [ -x "$go" ] && ! command -v "$go" >/dev/null; then
        echo "skip Go client: no Go toolchain (go on PATH or /usr/local/go/bin/go)"
        return
    fi
    # the standard library only: no module, no proxy, the installed toolchain
    check "go build tests/tlsclient" ok "$(GOPROXY=off GOTOOLCHAIN=local GOFLAGS= "$go" build -o "$client" \
        tests/tlsclient/main.go 2>&1 && echo ok)"
    start_server --nodes "$DEMO" "${MTLS_FLAGS[@]}" || return
    local tc=(-enable-https -ca-file "$P/ca.crt" -cert-file "$P/client.crt" -key-file "$P/client.key")
    local url=https://127.0.0.1:$PORT
    check "Go: certFile, keyFile, caFile: two filter calls on one kept-alive TLS 1.3 connection" \
        "HTTP/1.1 TLS 1.3 200 new|HTTP/1.1 TLS 1.3 200 reused|\"NodeNames\":[\"worker\",\"spot-1\"]" \
        "$("$client" "${tc[@]}" -n 2 -data examples/requests/filter-names.json "$url/filter" 2>&1 |
            sed 's/.*\("NodeNames":\[[^]]*\]\).*/\1/' | paste -sd'|')"
    check "Go: serverName, a name of the server's certificate, is checked and accepted" "HTTP/1.1 TLS 1.3 200 new" \
        "$("$client" "${tc[@]}" -server-name nodegate.test "$url/healthz" 2>&1 | head -1)"
    check_has "Go: a serverName the certificate does not have is refused by the client" \
        "certificate is valid for localhost, nodegate.test, not wrong.test" \
        "$("$client" "${tc[@]}" -server-name wrong.test "$url/healthz" 2>&1)"
    check "Go: enableHTTPS without caFile (no server check, as makeTransport does) with a client certificate" \
        "HTTP/1.1 TLS 1.3 200 new" \
        "$("$client" -enable-https -cert-file "$P/client.crt" -key-file "$P/client.key" "$url/healthz" 2>&1 | head -1)"
    check "Go: caFile and insecure together are refused, as client-go refuses them" \
        "tlsclient: specifying a root certificates file with the insecure flag is not allowed" \
        "$("$client" "${tc[@]}" -insecure "$url/healthz" 2>&1)"
    # refused: no status line, exit 1
    check "Go: without certFile and keyFile, the server refuses the handshake" "exit 1" \
        "$("$client" -enable-https -ca-file "$P/ca.crt" "$url/healthz" 2>/dev/null; echo "exit $?")"
    check "Go: a client certificate of another CA is refused" "exit 1" \
        "$("$client" -enable-https -ca-file "$P/ca.crt" -cert-file "$P/stranger.crt" -key-file "$P/stranger.key" \
            "$url/healthz" 2>/dev/null; echo "exit $?")"
    stop_server
}

test_refusals
test_https
test_mtls
test_cache_writes
test_reload
test_go_client
finish
