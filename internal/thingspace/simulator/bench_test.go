package simulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// BenchmarkReadAndPush measures one operator-like round (GET, then a legal PUT) against a
// simulator holding a thousand campaigns with a growing request log, without the network.
func BenchmarkReadAndPush(b *testing.B) {
	sim := simulator.New(simulator.Options{
		Clock:        func() time.Time { return now0 },
		StaticTokens: []simulator.TokenPair{{AccessToken: staticAccess, SessionToken: staticSession}},
	})
	const campaigns = 1000
	payloads := make([]string, campaigns)
	for i := range campaigns {
		c := fixture(newID(i), "2026-12-01", "2026-12-07")
		sim.Seed(c)
		payload, err := json.Marshal(scheduleOf(c))
		if err != nil {
			b.Fatal(err)
		}
		payloads[i] = string(payload)
	}
	serve := func(method, path, body string) int {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+staticAccess)
		req.Header.Set("VZ-M2M-Token", staticSession)
		req.Header.Set("Content-Type", "application/json")
		answer := httptest.NewRecorder()
		sim.ServeHTTP(answer, req)
		return answer.Code
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := newID(i % campaigns)
		if serve(http.MethodGet, campaignPath(account, id), "") != http.StatusOK ||
			serve(http.MethodPut, datesPath(account, id), payloads[i%campaigns]) != http.StatusOK {
			b.Fatal("a legal round was refused")
		}
		i++
	}
	if got := sim.Count(http.MethodPut, simulator.KindDates); got != i {
		b.Fatalf("Count(PUT, dates) = %d, want %d", got, i)
	}
}
