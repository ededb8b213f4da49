package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// testClock is a settable clock for the dev simulator.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTestDevSimulator(t *testing.T) (*simulator.Server, *testClock) {
	t.Helper()
	samples, err := readSampleCampaigns(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	sim, err := newDevSimulator(samples, clock.Now(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return sim, clock
}

// fotaCall sends a FOTA request with the dev tokens and returns the campaign it answers.
func fotaCall(t *testing.T, server *httptest.Server, method, path, body string) thingspace.Campaign {
	t.Helper()
	req, err := http.NewRequest(method, server.URL+"/api/fota/v2"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+devAccessToken)
	req.Header.Set("VZ-M2M-Token", devSessionToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var campaign thingspace.Campaign
	if err := json.NewDecoder(resp.Body).Decode(&campaign); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d, %v", method, path, resp.StatusCode, err)
	}
	return campaign
}

func TestDevSimulatorChecksANewCampaignFor20Seconds(t *testing.T) {
	sim, clock := newTestDevSimulator(t)
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	body := `{"campaignName":"wave1","softwareName":"s","softwareFrom":"a","softwareTo":"b","distributionType":"HTTP",` +
		`"startDate":"2026-11-26","endDate":"2026-11-30","downloadTimeWindowList":[],"installTimeWindowList":[],"deviceList":["990013907835573"]}`
	created := fotaCall(t, server, http.MethodPost, "/campaigns/software/"+simulator.SampleAccount, body)
	read := func() string {
		return fotaCall(t, server, http.MethodGet, "/campaigns/"+simulator.SampleAccount+"/"+created.ID, "").Status
	}

	clock.Advance(20*time.Second - time.Millisecond)
	before := read()
	clock.Advance(time.Millisecond)

	if created.Status != simulator.StatusRequestPending || before != simulator.StatusRequestPending {
		t.Errorf("status at once %s, just before 20 s %s; want CampaignRequestPending", created.Status, before)
	}
	if got := read(); got != simulator.StatusRequestQueued {
		t.Errorf("status after 20 s = %s, want CampaignRequestQueued", got)
	}
}

func TestDevSimulatorRollsTheSampleInProgressOut(t *testing.T) {
	sim, clock := newTestDevSimulator(t)
	count := func() map[string]int {
		devices, err := sim.Devices(simulator.SampleAccount, simulator.SampleRunningCampaignID)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, d := range devices {
			counts[d.Status]++
		}
		return counts
	}

	atStart := count()
	clock.Advance(10 * time.Minute)
	afterTen := count()

	if atStart[simulator.DeviceUpgradePending] != 500 {
		t.Errorf("devices at start = %v, want 500 UpgradePending", atStart)
	}
	if afterTen[simulator.DeviceUpgradeSuccess] != 100 || afterTen[simulator.DeviceUpgradeFailed] != 10 {
		t.Errorf("devices after 10 minutes = %v, want 100 upgraded and 10 failed (2 %% and 0.2 %% a minute)", afterTen)
	}
}
