package main

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// trafficMeter stands in front of the ThingSpace simulator and counts, for the device report,
// the pages served, the bytes of their bodies and the time the simulator took to write them:
// what reading the progress of running campaigns costs on the wire, which neither the simulator's
// request log nor the manager's metrics (time to the first byte) tell. It also counts the
// connections the manager opened: about one per account and worker when the client reuses them.
type trafficMeter struct {
	next   http.Handler
	server *http.Server

	mu          sync.Mutex
	reports     traffic
	connections int
}

// traffic is what a kind of request cost: how many were answered, their body bytes and the time
// from arrival to the end of the answer.
type traffic struct {
	requests int
	bytes    int64
	time     time.Duration
}

func (t traffic) since(before traffic) traffic {
	return traffic{requests: t.requests - before.requests, bytes: t.bytes - before.bytes, time: t.time - before.time}
}

// startTrafficMeter serves next through the meter on a loopback port and returns its base URL.
func startTrafficMeter(next http.Handler) (*trafficMeter, string, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	m := &trafficMeter{next: next}
	m.server = &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second, ConnState: m.countConnection}
	go func() { _ = m.server.Serve(listener) }()
	return m, "http://" + listener.Addr().String(), nil
}

func (m *trafficMeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !isDeviceReport(r.URL.Path) {
		m.next.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	counted := &countingWriter{ResponseWriter: w}
	m.next.ServeHTTP(counted, r)
	elapsed := time.Since(start)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reports.requests++
	m.reports.bytes += counted.bytes
	m.reports.time += elapsed
}

// isDeviceReport tells the device report, /api/fota/v2/reports/{acc}/campaigns/{id}/devices,
// from the other ThingSpace paths.
func isDeviceReport(path string) bool {
	return strings.HasPrefix(path, "/api/fota/v2/reports/") && strings.HasSuffix(path, "/devices")
}

func (m *trafficMeter) countConnection(_ net.Conn, state http.ConnState) {
	if state != http.StateNew {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.connections++
}

// connectionsOpened is how many connections reached the simulator so far.
func (m *trafficMeter) connectionsOpened() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.connections
}

// deviceReports is the device report traffic so far.
func (m *trafficMeter) deviceReports() traffic {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reports
}

func (m *trafficMeter) close() error {
	if err := m.server.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	bytes int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection, as the simulator's fault injection
// does to drop one.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
