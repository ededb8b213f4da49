package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
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
// manager's webhook server, timing each one from the request's arrival to the end of the answer:
// the webhook latency the API server waits for, to the microsecond, which the manager's own
// histogram (buckets of powers of ten) cannot tell.
type admissionTimer struct {
	server *http.Server

	mu        sync.Mutex
	durations []time.Duration
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
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "https", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(webhookPort))})
	proxy.Transport = &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
	}
	listener, err := tls.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)),
		&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, err
	}
	t := &admissionTimer{}
	t.server = &http.Server{Handler: t.timing(proxy), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = t.server.Serve(listener) }()
	return t, nil
}

func (t *admissionTimer) timing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		elapsed := time.Since(start)
		t.mu.Lock()
		t.durations = append(t.durations, elapsed)
		t.mu.Unlock()
	})
}

// take returns the durations timed since the last take, and forgets them.
func (t *admissionTimer) take() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	taken := t.durations
	t.durations = nil
	return taken
}

func (t *admissionTimer) close() error { return t.server.Close() }
