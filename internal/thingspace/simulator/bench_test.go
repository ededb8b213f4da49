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

// BenchmarkDeviceReportDuringARollout measures reading the whole device report (10 pages) of a
// campaign of 10 000 devices whose rollout is evaluated again on every read, without the network.
func BenchmarkDeviceReportDuringARollout(b *testing.B) {
	clock := now0
	sim := simulator.New(simulator.Options{
		Clock:        func() time.Time { return clock },
		StaticTokens: []simulator.TokenPair{{AccessToken: staticAccess, SessionToken: staticSession}},
	})
	c := fixture("rolling", "2026-11-20", "2026-11-30")
	sim.Seed(c)
	if err := sim.SetDevices(account, c.ID, simulator.SampleDevices(10000)); err != nil {
		b.Fatal(err)
	}
	if err := sim.SetRollout(account, c.ID, simulator.Rollout{SucceedPerMinute: 0.001, FailPerMinute: 0.0001, Since: now0}); err != nil {
		b.Fatal(err)
	}
	clock = now0.Add(7 * time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		for lastSeen, more := "0", true; more; {
			req := httptest.NewRequest(http.MethodGet, reportPath(c.ID)+"?lastSeenDeviceId="+lastSeen, nil)
			req.Header.Set("Authorization", "Bearer "+staticAccess)
			req.Header.Set("VZ-M2M-Token", staticSession)
			answer := httptest.NewRecorder()
			sim.ServeHTTP(answer, req)
			var page reportPage
			if err := json.Unmarshal(answer.Body.Bytes(), &page); err != nil || answer.Code != http.StatusOK {
				b.Fatalf("report page after %s: %d %v", lastSeen, answer.Code, err)
			}
			lastSeen, more = page.LastSeenDeviceID, page.HasMoreData
		}
	}
}
