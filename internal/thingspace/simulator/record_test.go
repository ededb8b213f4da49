package simulator_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestRequestsRecordsWhatWasSentAndAnswered(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("recorded", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	payload := toJSON(t, scheduleOf(c))

	e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	e.fota(http.MethodPut, datesPath(c.AccountName, c.ID), payload)
	e.send(http.MethodGet, campaignPath(c.AccountName, "unknown"), "", "VZ-M2M-Token", staticSession)

	want := []simulator.Request{
		{Method: "GET", Path: campaignPath(account, c.ID), Kind: simulator.KindGet, Account: account, CampaignID: c.ID,
			AccessToken: staticAccess, SessionToken: staticSession, Status: 200},
		{Method: "PUT", Path: datesPath(account, c.ID), Kind: simulator.KindDates, Account: account, CampaignID: c.ID,
			AccessToken: staticAccess, SessionToken: staticSession, ContentType: "application/json",
			Body: []byte(payload), Status: 200},
		{Method: "GET", Path: campaignPath(account, "unknown"), Kind: simulator.KindGet, Account: account, CampaignID: "unknown",
			SessionToken: staticSession, Status: 401},
	}
	got := e.sim.Requests()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(simulator.Request{}, "Time"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Errorf("request %d arrived before request %d", i, i-1)
		}
	}
}

func TestRequestsReturnsCopies(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("copies", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.fota(http.MethodPut, datesPath(c.AccountName, c.ID), toJSON(t, scheduleOf(c)))

	first := e.sim.Requests()
	first[0].Body[0] = 'X'

	if e.sim.Requests()[0].Body[0] != '{' {
		t.Error("changing a returned body changed the recorded one")
	}
}

func TestCountAndResetRequests(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("count", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	for range 3 {
		e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	}
	e.putDates(c, scheduleOf(c))
	e.mintAccessToken("client-a", "secret-a")

	counts := map[string]int{
		"GET get":    e.sim.Count(http.MethodGet, simulator.KindGet),
		"PUT dates":  e.sim.Count(http.MethodPut, simulator.KindDates),
		"POST token": e.sim.Count(http.MethodPost, simulator.KindToken),
		"PUT get":    e.sim.Count(http.MethodPut, simulator.KindGet),
		"any PUT":    e.sim.Count(http.MethodPut, ""),
		"everything": e.sim.Count("", ""),
	}
	want := map[string]int{"GET get": 3, "PUT dates": 1, "POST token": 1, "PUT get": 0, "any PUT": 1, "everything": 5}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}

	e.sim.ResetRequests()

	if n, total := len(e.sim.Requests()), e.sim.Count("", ""); n != 0 || total != 0 {
		t.Errorf("after ResetRequests: %d requests, count %d; want none", n, total)
	}
	if got := e.sim.MaxRequestsPerSecond(account); got != 0 {
		t.Errorf("after ResetRequests: MaxRequestsPerSecond = %d, want 0", got)
	}
}

func TestMaxRequestsPerSecondCountsFOTACallsPerAccount(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("rate", "2026-12-01", "2026-12-07")
	elsewhere := fixture("rate-elsewhere", "2026-12-01", "2026-12-07")
	elsewhere.AccountName = "0999999999-00001"
	e.sim.Seed(c)
	e.sim.Seed(elsewhere)

	for range 5 {
		e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	}
	e.fota(http.MethodGet, campaignPath(elsewhere.AccountName, elsewhere.ID), "")
	e.mintAccessToken("client-a", "secret-a") // not a FOTA call, no account

	if got := e.sim.MaxRequestsPerSecond(account); got != 5 {
		t.Errorf("MaxRequestsPerSecond(%s) = %d, want the 5 back-to-back GETs", account, got)
	}
	if got := e.sim.MaxRequestsPerSecond(elsewhere.AccountName); got != 1 {
		t.Errorf("MaxRequestsPerSecond(%s) = %d, want 1", elsewhere.AccountName, got)
	}
}

// TestConcurrentTraffic runs many goroutines against a thousand campaigns while faults are
// queued and the log is read; run it with -race.
func TestConcurrentTraffic(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	const campaigns, workers = 1000, 8
	all := make([]thingspace.Campaign, campaigns)
	for i := range all {
		all[i] = fixture(newID(i), "2026-11-20", "2026-11-30")
		e.sim.Seed(all[i])
	}
	e.sim.InjectFault(simulator.Fault{Kind: simulator.KindGet, Status: 503, Times: 10})

	jobs := make(chan thingspace.Campaign)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			client := &http.Client{}
			for c := range jobs {
				addWindow(t, e, client, c)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_ = e.sim.Requests()
			_ = e.sim.MaxRequestsPerSecond(account)
		}
	})
	for _, c := range all {
		jobs <- c
	}
	close(jobs)
	wg.Wait()

	if got := e.sim.Count(http.MethodPut, simulator.KindDates); got != campaigns {
		t.Errorf("Count(PUT, dates) = %d, want %d", got, campaigns)
	}
	if got := e.sim.Count(http.MethodGet, simulator.KindGet); got != campaigns+10 {
		t.Errorf("Count(GET, get) = %d, want %d (10 of them hit by the fault and retried)", got, campaigns+10)
	}
	if v := e.sim.Violations(); len(v) != 0 {
		t.Errorf("%d violations, want none; first: %+v", len(v), v[0])
	}
	for _, c := range all {
		if got := e.stored(c).DownloadTimeWindowList; len(got) != 2 {
			t.Fatalf("campaign %s has download windows %v, want the added one too", c.ID, got)
		}
	}
}

// addWindow reads a running campaign and adds a download window, as the operator would; a GET
// hit by a fault is retried.
func addWindow(t *testing.T, e *env, client *http.Client, c thingspace.Campaign) {
	var current thingspace.Campaign
	for {
		r := doWith(t, client, e, http.MethodGet, campaignPath(c.AccountName, c.ID), "")
		if r.status == http.StatusServiceUnavailable {
			continue
		}
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d %s", c.ID, r.status, r.body)
			return
		}
		if err := json.Unmarshal(r.body, &current); err != nil {
			t.Errorf("GET %s: %v", c.ID, err)
			return
		}
		break
	}
	desired := scheduleOf(current)
	desired.DownloadTimeWindowList = append(desired.DownloadTimeWindowList, window{StartTime: 10, EndTime: 12})
	payload, _ := json.Marshal(desired)
	if r := doWith(t, client, e, http.MethodPut, datesPath(c.AccountName, c.ID), string(payload)); r.status != http.StatusOK {
		t.Errorf("PUT %s: %d %s", c.ID, r.status, r.body)
	}
}
