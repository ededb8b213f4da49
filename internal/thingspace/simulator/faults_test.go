package simulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestFaultDefaultBodies(t *testing.T) {
	tests := []struct {
		name            string
		status          int
		wantContentType string
		check           func(t *testing.T, r reply)
	}{
		{name: "503 is a gateway's HTML page, not JSON", status: 503, wantContentType: "text/html",
			check: func(t *testing.T, r reply) {
				if !strings.Contains(string(r.body), "<title>503 Service Unavailable</title>") {
					t.Errorf("body = %s, want an HTML error page", r.body)
				}
			}},
		{name: "429 is the gateway's throttling fault 900800", status: 429, wantContentType: "application/json",
			check: func(t *testing.T, r reply) { wantGatewayFault(t, r, 429, "900800") }},
		{name: "401 is the gateway's Invalid Credentials", status: 401, wantContentType: "application/json",
			check: func(t *testing.T, r reply) { wantGatewayFault(t, r, 401, "900901") }},
		{name: "400 is ThingSpace's INVALID_PARAMETER", status: 400, wantContentType: "application/json",
			check: func(t *testing.T, r reply) { wantError(t, r, 400, "INVALID_PARAMETER", "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("f", "2026-12-01", "2026-12-07")
			e.sim.Seed(c)
			e.sim.InjectFault(simulator.Fault{Status: tt.status})

			r := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

			wantStatus(t, r, tt.status)
			if got := r.header.Get("Content-Type"); got != tt.wantContentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantContentType)
			}
			tt.check(t, r)
		})
	}
}

func TestFaultTimesCountsHitsThenNormalAnswersResume(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("times", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Kind: simulator.KindGet, Status: 503, Times: 2})

	var statuses []int
	for range 3 {
		statuses = append(statuses, e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "").status)
	}

	if want := []int{503, 503, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
}

func TestFaultWithoutTimesLastsUntilCleared(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("until-cleared", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Status: 429, RetryAfter: "2"})

	for range 3 {
		r := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
		wantStatus(t, r, 429)
		if got := r.header.Get("Retry-After"); got != "2" {
			t.Fatalf("Retry-After = %q, want 2", got)
		}
	}
	e.sim.ClearFaults()

	wantStatus(t, e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), ""), http.StatusOK)
}

func TestFaultCustomBody(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("custom", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	huge := `{"errorCode":"` + strings.Repeat("x", 2<<20) + `"}`
	e.sim.InjectFault(simulator.Fault{Status: 400, Body: "not json {", Times: 1})
	e.sim.InjectFault(simulator.Fault{Status: 502, Body: huge, Times: 1})

	first := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	second := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	if first.status != 400 || string(first.body) != "not json {" || first.header.Get("Content-Type") != "text/plain" {
		t.Errorf("first = %d %q (%s), want 400 with the raw body as text/plain", first.status, first.body, first.header.Get("Content-Type"))
	}
	if second.status != 502 || len(second.body) != len(huge) {
		t.Errorf("second = %d with %d bytes, want 502 with the %d-byte body", second.status, len(second.body), len(huge))
	}
}

func TestFaultsApplyInTheOrderInjected(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("order", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Status: 500, Times: 1})
	e.sim.InjectFault(simulator.Fault{Status: 503, Times: 1})

	var statuses []int
	for range 3 {
		statuses = append(statuses, e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "").status)
	}

	if want := []int{500, 503, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
}

func TestFaultTargetsOnlyMatchingRequests(t *testing.T) {
	target := fixture("target", "2026-12-01", "2026-12-07")
	other := fixture("other", "2026-12-01", "2026-12-07")
	tests := []struct {
		name  string
		fault simulator.Fault
		// wantHit lists, in order, whether GET target, PUT target, GET other, token are hit.
		wantHit [4]bool
	}{
		{name: "a campaign fault spares other campaigns",
			fault: simulator.Fault{CampaignID: target.ID, Status: 503}, wantHit: [4]bool{true, true, false, false}},
		{name: "a kind fault spares other kinds",
			fault: simulator.Fault{Kind: simulator.KindDates, Status: 503}, wantHit: [4]bool{false, true, false, false}},
		{name: "an account fault spares other accounts",
			fault: simulator.Fault{Account: "0999999999-00001", Status: 503}, wantHit: [4]bool{false, false, false, false}},
		{name: "a fault without a kind hits FOTA calls, not the token endpoint",
			fault: simulator.Fault{Status: 503}, wantHit: [4]bool{true, true, true, false}},
		{name: "a token fault hits the token endpoint only",
			fault: simulator.Fault{Kind: simulator.KindToken, Status: 503}, wantHit: [4]bool{false, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, minted)
			e.sim.Seed(target)
			e.sim.Seed(other)
			e.sim.InjectFault(tt.fault)

			replies := []reply{
				e.fota(http.MethodGet, campaignPath(account, target.ID), ""),
				e.putDates(target, scheduleOf(target)),
				e.fota(http.MethodGet, campaignPath(account, other.ID), ""),
				e.requestToken("client-a", "secret-a", "client_credentials"),
			}

			for i, r := range replies {
				if hit := r.status == 503; hit != tt.wantHit[i] {
					t.Errorf("request %d: status %d, want hit=%v", i, r.status, tt.wantHit[i])
				}
			}
		})
	}
}

func TestFaultComesBeforeAuthentication(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.sim.InjectFault(simulator.Fault{Status: 503})

	r := e.send(http.MethodGet, campaignPath(account, "anything"), "")

	wantStatus(t, r, 503)
}

// hitPattern sends n GETs one after another and returns which ones a fault hit.
func hitPattern(t *testing.T, seed uint64, n int) []bool {
	e := newEnv(t, simulator.Options{RandSeed: seed})
	c := fixture("dice", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Status: 503, Probability: 0.3})
	hits := make([]bool, n)
	for i := range hits {
		hits[i] = e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "").status == 503
	}
	return hits
}

func TestFaultProbabilityIsDeterministicForASeed(t *testing.T) {
	first := hitPattern(t, 42, 200)
	again := hitPattern(t, 42, 200)
	otherSeed := hitPattern(t, 7, 200)

	if !slices.Equal(first, again) {
		t.Error("the same seed gave two different hit patterns")
	}
	if slices.Equal(first, otherSeed) {
		t.Error("two seeds gave the same 200-request hit pattern")
	}
	hits := 0
	for _, hit := range first {
		if hit {
			hits++
		}
	}
	if hits < 30 || hits > 90 {
		t.Errorf("%d of 200 requests hit with probability 0.3, want about 60", hits)
	}
}

func TestFaultProbabilityMissesDoNotUseUpTimes(t *testing.T) {
	e := newEnv(t, simulator.Options{RandSeed: 1})
	c := fixture("dice-times", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Status: 503, Probability: 0.5, Times: 3})

	hits := 0
	for range 100 {
		if e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "").status == 503 {
			hits++
		}
	}

	if hits != 3 {
		t.Errorf("%d hits, want exactly Times=3", hits)
	}
}

func TestFaultLatencyWithoutStatusSlowsButAnswers(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("slow", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{Latency: 150 * time.Millisecond, Times: 1})

	began := time.Now()
	r := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	wantStatus(t, r, http.StatusOK)
	if elapsed := time.Since(began); elapsed < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least the fault's 150ms", elapsed)
	}
}

func TestOptionsLatencyDelaysEveryRequest(t *testing.T) {
	e := newEnv(t, simulator.Options{Latency: 100 * time.Millisecond})
	c := fixture("latency", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	began := time.Now()
	e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	if elapsed := time.Since(began); elapsed < 200*time.Millisecond {
		t.Errorf("two requests took %v, want at least 2 x 100ms", elapsed)
	}
}

func TestFaultDropConnection(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("drop", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.sim.InjectFault(simulator.Fault{DropConnection: true, Times: 1})

	// A fresh connection: Go's client silently retries a GET that failed on a reused one.
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(e.url + campaignPath(c.AccountName, c.ID))
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got status %d, want the connection dropped", resp.StatusCode)
	}

	requests := e.sim.Requests()
	if len(requests) != 1 || requests[0].Status != 0 {
		t.Errorf("recorded %+v, want one request with status 0", requests)
	}
}
