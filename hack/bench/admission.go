package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// admissionTimer stands where the API server sends admission requests and forwards them to the
// manager's webhook server, timing each one to the microsecond, which the manager's own histogram
// (buckets of powers of ten) cannot tell, in two ways:
//   - the webhook's latency: from sending the request to the manager, over a kept-alive TLS
//     connection as the API server's own client would, to the end of its answer;
//   - what the API server waited: from the request's arrival at the timer to the end of the
//     answer, which adds the timer's own hop (a second TLS connection and a proxy on the same two
//     cores) to the webhook's latency.
type admissionTimer struct {
	server *http.Server

	mu      sync.Mutex
	timings admissionTimings
}

// admissionTimings are the durations timed since the last take.
type admissionTimings struct {
	webhook, atTimer []time.Duration
}

// startAdmissionTimer serves on host:port with the serving certificate in certDir, and forwards
// to the webhook on 127.0.0.1:webhookPort, whose certificate caPEM signed.
func startAdmissionTimer(host string, port int, certDir string, caPEM []byte, webhookPort int) (*admissionTimer, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(certDir, "tls.crt"), filepath.Join(certDir, "tls.key"))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the webhook CA is not PEM")
	}
	t := &admissionTimer{}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "https", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(webhookPort))})
	proxy.Transport = webhookTiming{t: t, next: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
	}}
	listener, err := tls.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)),
		&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, err
	}
	t.server = &http.Server{Handler: t.timing(proxy), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = t.server.Serve(listener) }()
	return t, nil
}

// timing times each request from its arrival at the timer to the end of the answer.
func (t *admissionTimer) timing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		t.record(func(timings *admissionTimings) { timings.atTimer = append(timings.atTimer, time.Since(start)) })
	})
}

func (t *admissionTimer) record(add func(*admissionTimings)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	add(&t.timings)
}

// take returns the durations timed since the last take, and forgets them.
func (t *admissionTimer) take() admissionTimings {
	t.mu.Lock()
	defer t.mu.Unlock()
	taken := t.timings
	t.timings = admissionTimings{}
	return taken
}

func (t *admissionTimer) close() error { return t.server.Close() }

// webhookTiming times each round trip to the webhook, from sending the request to the end of the
// answer's body.
type webhookTiming struct {
	t    *admissionTimer
	next http.RoundTripper
}

func (w webhookTiming) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() {
		took := time.Since(start)
		w.t.record(func(timings *admissionTimings) { timings.webhook = append(timings.webhook, took) })
	}}
	return resp, nil
}

// timedBody calls done once, when the body has been read to its end or closed.
type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.once.Do(b.done)
	return b.ReadCloser.Close()
}
