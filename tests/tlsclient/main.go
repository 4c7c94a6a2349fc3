// Command tlsclient calls nodegate as kube-scheduler's HTTP extender client does, Go's net/http
// and crypto/tls with the transport of pkg/scheduler/extender.go (makeTransport) and the
// tls.Config of client-go's transport.TLSConfigFor, built from the flags that mirror the
// extender's enableHTTPS and tlsConfig (certFile, keyFile, caFile, serverName, insecure).
// Standard library only, so tests/e2e/tls.sh builds it offline.
//
//	tlsclient -enable-https -ca-file ca.crt -cert-file c.crt -key-file c.key [-server-name N] \
//	          [-n 2] [-data body.json] https://127.0.0.1:8888/filter
//
// Prints one line per request, "HTTP/1.1 TLS 1.3 200 new" (new or reused connection), then the
// last reply's body; on an error prints it on stderr and exits 1.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"time"
)

func main() {
	enableHTTPS := flag.Bool("enable-https", false, "the extender's enableHTTPS")
	certFile := flag.String("cert-file", "", "tlsConfig.certFile: the client certificate (PEM)")
	keyFile := flag.String("key-file", "", "tlsConfig.keyFile: its key (PEM)")
	caFile := flag.String("ca-file", "", "tlsConfig.caFile: the CAs that sign the server's certificate")
	serverName := flag.String("server-name", "", "tlsConfig.serverName: for SNI and the certificate check")
	insecure := flag.Bool("insecure", false, "tlsConfig.insecure: no server certificate check")
	data := flag.String("data", "", "a file to POST (default: GET)")
	n := flag.Int("n", 1, "requests to send, one after another, on kept-alive connections")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: tlsclient [flags] URL")
		os.Exit(2)
	}
	tlsConfig, err := tlsConfigFor(*enableHTTPS, *certFile, *keyFile, *caFile, *serverName, *insecure)
	if err != nil {
		fail(err)
	}
	// makeTransport: utilnet.SetTransportDefaults, which also offers HTTP/2 (ALPN h2)
	client := &http.Client{
		Transport: &http.Transport{TLSClientConfig: tlsConfig, ForceAttemptHTTP2: true},
		Timeout:   10 * time.Second,
	}
	var body []byte
	for i := 0; i < *n; i++ {
		if body, err = call(client, flag.Arg(0), *data); err != nil {
			fail(err)
		}
	}
	os.Stdout.Write(body)
}

// tlsConfigFor is makeTransport's part (enableHTTPS without a CA means no server check) and then
// client-go's TLSConfigFor: TLS 1.2 at least, the CA pool, the client certificate on request.
func tlsConfigFor(enableHTTPS bool, certFile, keyFile, caFile, serverName string, insecure bool) (*tls.Config, error) {
	if enableHTTPS && caFile == "" {
		insecure = true
	}
	if caFile != "" && insecure {
		return nil, errors.New("specifying a root certificates file with the insecure flag is not allowed")
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("certFile and keyFile go together")
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("unable to load root certificates: no PEM certificate in %s", caFile)
		}
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return c, nil
}

// call sends one request with kube-scheduler's Content-Type, prints its status line and returns
// the body; a status other than 200 is an error, as kube-scheduler takes it.
func call(client *http.Client, url, data string) ([]byte, error) {
	method, payload := http.MethodGet, []byte(nil)
	if data != "" {
		var err error
		if payload, err = os.ReadFile(data); err != nil {
			return nil, err
		}
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	conn := "new"
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if i.Reused {
			conn = "reused"
		}
	}}
	resp, err := client.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	version := "plain"
	if resp.TLS != nil {
		version = tls.VersionName(resp.TLS.Version)
	}
	fmt.Printf("%s %s %d %s\n", resp.Proto, version, resp.StatusCode, conn)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, body)
	}
	return body, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tlsclient:", err)
	os.Exit(1)
}
