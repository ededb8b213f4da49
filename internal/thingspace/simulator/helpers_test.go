package simulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// now0 is the simulated "now" of most tests: Wednesday 2026-11-25, noon UTC.
var now0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	account       = "0402196254-00001"
	staticAccess  = "static-access-token"
	staticSession = "static-session-token"
)

// fakeClock is a settable clock, safe to read from the simulator's goroutines.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a simulator served over real HTTP, with a fake clock.
type env struct {
	t     *testing.T
	sim   *simulator.Server
	url   string
	clock *fakeClock
}

// newEnv starts a simulator; unless opts says otherwise it accepts the static tokens above.
func newEnv(t *testing.T, opts simulator.Options) *env {
	t.Helper()
	clock := &fakeClock{now: now0}
	opts.Clock = clock.Now
	if opts.StaticTokens == nil {
		opts.StaticTokens = []simulator.TokenPair{{AccessToken: staticAccess, SessionToken: staticSession}}
	}
	sim := simulator.New(opts)
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	return &env{t: t, sim: sim, url: server.URL, clock: clock}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request; headers is a list of name, value pairs.
func (e *env) send(method, path, body string, headers ...string) reply {
	e.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, reader)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// fota makes a FOTA call with the static tokens, and a JSON content type when there is a body.
func (e *env) fota(method, path, body string) reply {
	e.t.Helper()
	headers := []string{"Authorization", "Bearer " + staticAccess, "VZ-M2M-Token", staticSession}
	if body != "" {
		headers = append(headers, "Content-Type", "application/json")
	}
	return e.send(method, path, body, headers...)
}

func (e *env) putDates(c thingspace.Campaign, d thingspace.Dates) reply {
	e.t.Helper()
	return e.fota(http.MethodPut, datesPath(c.AccountName, c.ID), toJSON(e.t, d))
}

func (e *env) stored(c thingspace.Campaign) thingspace.Campaign {
	e.t.Helper()
	got, ok := e.sim.Campaign(c.AccountName, c.ID)
	if !ok {
		e.t.Fatalf("campaign %s/%s is gone", c.AccountName, c.ID)
	}
	return got
}

func campaignPath(acc, id string) string { return "/api/fota/v2/campaigns/" + acc + "/" + id }
func datesPath(acc, id string) string    { return campaignPath(acc, id) + "/dates" }

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("reply %d %q is not the JSON expected: %v", r.status, r.body, err)
	}
	return v
}

func wantStatus(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

// wantError checks a FOTA error reply: its status, its errorCode and a part of its message.
func wantError(t *testing.T, r reply, status int, code, messagePart string) {
	t.Helper()
	wantStatus(t, r, status)
	got := decode[thingspace.ErrorBody](t, r)
	if got.ErrorCode != code || !strings.Contains(got.ErrorMessage, messagePart) {
		t.Fatalf("error = %+v, want code %s with a message containing %q", got, code, messagePart)
	}
}

func wantGatewayFault(t *testing.T, r reply, status int, code string) {
	t.Helper()
	wantStatus(t, r, status)
	got := decode[thingspace.GatewayFault](t, r)
	if got.Fault.Code != code {
		t.Fatalf("gateway fault = %+v, want code %s", got, code)
	}
}

func ptr(s string) *string { return &s }

// fixture is a campaign of the sample account with one download and one install window.
func fixture(id, start, end string) thingspace.Campaign {
	return thingspace.Campaign{
		ID:                     id,
		AccountName:            account,
		CampaignName:           "FOTA_Verizon_Upgrade",
		SoftwareName:           "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType:       "HTTP",
		Make:                   "Verizon",
		Model:                  "Model-A",
		SoftwareFrom:           "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo:             "FOTA_Verizon_Model-A_02To03_HF",
		StartDate:              start,
		EndDate:                end,
		DownloadAfterDate:      ptr(start),
		DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
		InstallAfterDate:       ptr(start),
		InstallTimeWindowList:  []thingspace.Window{{StartTime: 5, EndTime: 6}},
		Status:                 "CampaignScheduled",
	}
}

func scheduleOf(c thingspace.Campaign) thingspace.Dates {
	return thingspace.Dates{
		StartDate:              c.StartDate,
		EndDate:                c.EndDate,
		DownloadAfterDate:      c.DownloadAfterDate,
		DownloadTimeWindowList: append([]thingspace.Window{}, c.DownloadTimeWindowList...),
		InstallAfterDate:       c.InstallAfterDate,
		InstallTimeWindowList:  append([]thingspace.Window{}, c.InstallTimeWindowList...),
	}
}

func scheduleDiff(want, got thingspace.Dates) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

// doWith is a FOTA call with the static tokens that is safe in any goroutine: a transport error
// is reported with t.Errorf and gives status 0.
func doWith(t *testing.T, client *http.Client, e *env, method, path, body string) reply {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, reader)
	if err != nil {
		t.Error(err)
		return reply{}
	}
	req.Header.Set("Authorization", "Bearer "+staticAccess)
	req.Header.Set("VZ-M2M-Token", staticSession)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return reply{}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

func newID(i int) string { return fmt.Sprintf("campaign-%04d", i) }
