package simulator_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestAdminSeedsAndListsCampaigns(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("seeded-over-http", "2026-12-01", "2026-12-07")

	seeded := e.send(http.MethodPost, "/_sim/campaigns", toJSON(t, c))
	wantStatus(t, seeded, http.StatusCreated)
	listed := e.send(http.MethodGet, "/_sim/campaigns", "")

	if diff := cmp.Diff([]thingspace.Campaign{c}, decode[[]thingspace.Campaign](t, listed)); diff != "" {
		t.Errorf("/_sim/campaigns (-seeded +listed):\n%s", diff)
	}
	wantStatus(t, e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), ""), http.StatusOK)
}

func TestAdminSeedReplacesACampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("replaced", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	c.EndDate = "2026-12-24"

	wantStatus(t, e.send(http.MethodPost, "/_sim/campaigns", toJSON(t, c)), http.StatusCreated)

	if got := e.stored(c).EndDate; got != "2026-12-24" {
		t.Errorf("endDate = %s after reseeding, want 2026-12-24", got)
	}
}

func TestAdminSeedNeedsAnIDAndAnAccount(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("", "2026-12-01", "2026-12-07")

	r := e.send(http.MethodPost, "/_sim/campaigns", toJSON(t, c))

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "needs id and accountName")
}

func TestAdminFaults(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("admin-fault", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	injected := e.send(http.MethodPost, "/_sim/faults",
		`{"kind":"get","status":429,"retryAfter":"3","times":2,"latency":"10ms"}`)
	wantStatus(t, injected, http.StatusCreated)
	first := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")
	wantStatus(t, e.send(http.MethodDelete, "/_sim/faults", ""), http.StatusNoContent)
	second := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	wantGatewayFault(t, first, http.StatusTooManyRequests, "900800")
	if got := first.header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After = %q, want 3", got)
	}
	wantStatus(t, second, http.StatusOK)
}

func TestAdminFaultRefusesABadLatency(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.send(http.MethodPost, "/_sim/faults", `{"status":503,"latency":"soon"}`)

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", `latency "soon"`)
}

type requestView struct {
	Kind         string `json:"kind"`
	Path         string `json:"path"`
	AccessToken  string `json:"accessToken"`
	SessionToken string `json:"sessionToken"`
	Body         string `json:"body"`
	Status       int    `json:"status"`
}

func TestAdminRequestsMaskTokensAndPasswords(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("masked", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	payload := toJSON(t, scheduleOf(c))
	e.fota(http.MethodPut, datesPath(c.AccountName, c.ID), payload)
	e.login(staticAccess, "user-a", "password-a")

	r := e.send(http.MethodGet, "/_sim/requests", "")

	wantStatus(t, r, http.StatusOK)
	for _, secret := range []string{staticAccess, staticSession, "password-a"} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("/_sim/requests shows %q: %s", secret, r.body)
		}
	}
	views := decode[[]requestView](t, r)
	if len(views) != 2 {
		t.Fatalf("/_sim/requests listed %d requests, want the PUT and the login (not its own calls)", len(views))
	}
	if put := views[0]; put.Kind != "dates" || put.Body != payload || put.Status != 200 || put.AccessToken != "****oken" {
		t.Errorf("PUT shown as %+v, want kind dates, the payload, status 200 and a masked token", put)
	}
	if login := views[1]; login.Kind != "login" || !strings.Contains(login.Body, `"username":"user-a"`) {
		t.Errorf("login shown as %+v, want its username with the password redacted", login)
	}
}

func TestAdminResetRequests(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.fota(http.MethodGet, campaignPath(account, "x"), "")

	wantStatus(t, e.send(http.MethodDelete, "/_sim/requests", ""), http.StatusNoContent)

	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("%d requests left after DELETE /_sim/requests", n)
	}
}

func TestAdminViolations(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("violated", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.fota(http.MethodPut, datesPath(c.AccountName, c.ID), `{"startDate":"2026-12-01","endDate":"2026-12-09"}`)

	r := e.send(http.MethodGet, "/_sim/violations", "")

	got := decode[[]map[string]string](t, r)
	if len(got) != 1 || got[0]["campaignId"] != c.ID || !strings.HasPrefix(got[0]["reason"], "partial payload") ||
		got[0]["body"] != `{"startDate":"2026-12-01","endDate":"2026-12-09"}` {
		t.Errorf("/_sim/violations = %v, want the partial payload", got)
	}
}

func TestAdminExpireTokens(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("admin-expire", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	access := e.mintAccessToken("client-a", "secret-a")

	wantStatus(t, e.send(http.MethodPost, "/_sim/expire-tokens", ""), http.StatusNoContent)

	wantGatewayFault(t, e.getWith(access, staticSession, campaignRef{c.AccountName, c.ID}), http.StatusUnauthorized, "900901")
}

func adminCampaignPath(id string) string { return "/_sim/campaigns/" + account + "/" + id }

func TestAdminDevices(t *testing.T) {
	tests := map[string]struct {
		body        string
		wantStatus  int
		wantDevices []simulator.Device
		wantError   string
	}{
		"a list of devices replaces the devices": {
			body:        `{"devices":[{"deviceId":"7","status":"UpgradeFailed","resultReason":"RovaClientDownloadFailed"},{"deviceId":"8","status":"Accepted"}]}`,
			wantStatus:  http.StatusNoContent,
			wantDevices: []simulator.Device{{ID: "7", Status: "UpgradeFailed", Reason: "RovaClientDownloadFailed"}, {ID: "8", Status: "Accepted"}},
		},
		"generate makes that many accepted devices": {
			body: `{"generate":3}`, wantStatus: http.StatusNoContent, wantDevices: simulator.SampleDevices(3),
		},
		"an empty list removes every device": {
			body: `{"devices":[]}`, wantStatus: http.StatusNoContent, wantDevices: []simulator.Device{},
		},
		"devices and generate together are refused": {
			body: `{"devices":[{"deviceId":"7"}],"generate":3}`, wantStatus: http.StatusBadRequest,
			wantDevices: simulator.SampleDevices(1), wantError: "either devices or a positive generate",
		},
		"a device listed twice is refused": {
			body: `{"devices":[{"deviceId":"7"},{"deviceId":"7"}]}`, wantStatus: http.StatusBadRequest,
			wantDevices: simulator.SampleDevices(1), wantError: "device id 7 is listed twice",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("admin-devices", "2026-12-01", "2026-12-07")
			e.sim.Seed(c)
			if err := e.sim.SetDevices(account, c.ID, simulator.SampleDevices(1)); err != nil {
				t.Fatal(err)
			}

			r := e.send(http.MethodPut, adminCampaignPath(c.ID)+"/devices", tt.body)

			if tt.wantError != "" {
				wantError(t, r, tt.wantStatus, "INVALID_PARAMETER", tt.wantError)
			} else {
				wantStatus(t, r, tt.wantStatus)
			}
			listed := e.send(http.MethodGet, adminCampaignPath(c.ID)+"/devices", "")
			if diff := cmp.Diff(tt.wantDevices, decode[[]simulator.Device](t, listed)); diff != "" {
				t.Errorf("GET devices (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdminRollout(t *testing.T) {
	tests := map[string]struct {
		body      string
		want      progress // two minutes after the rollout was set, 2026-11-26 00:05
		wantError string
	}{
		"without since the minutes count from the campaign's start": {
			body: `{"succeedPerMinute":0.1}`, want: progress{succeeded: 50, pending: 50}},
		"since now counts from the request": {
			body: `{"succeedPerMinute":0.1,"since":"now"}`, want: progress{succeeded: 20, pending: 80}},
		"since an RFC 3339 time counts from then": {
			body: `{"succeedPerMinute":0.1,"failPerMinute":0.1,"since":"2026-11-26T00:04:00Z"}`,
			want: progress{succeeded: 10, failed: 10, pending: 80}},
		"a since that is no time is refused": {
			body: `{"succeedPerMinute":0.1,"since":"soon"}`, want: progress{pending: 100},
			wantError: `since "soon" is neither "now" nor an RFC 3339 time`},
		"a rate that is no fraction is refused": {
			body: `{"succeedPerMinute":2}`, want: progress{pending: 100},
			wantError: "Rollout.SucceedPerMinute 2 is not a fraction between 0 and 1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("admin-rollout", "2026-11-26", "2026-11-30")
			e.sim.Seed(c)
			if err := e.sim.SetDevices(account, c.ID, simulator.SampleDevices(100)); err != nil {
				t.Fatal(err)
			}
			e.clock.Set(tomorrow.Add(3 * time.Minute))

			r := e.send(http.MethodPut, adminCampaignPath(c.ID)+"/rollout", tt.body)
			e.clock.Advance(2 * time.Minute)

			if tt.wantError != "" {
				wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", tt.wantError)
			} else {
				wantStatus(t, r, http.StatusNoContent)
			}
			if got := progressOf(e.devices(c.ID)); got != tt.want {
				t.Errorf("progress = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAdminRejectDevices(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Second})

	wantStatus(t, e.send(http.MethodPost, "/_sim/reject-devices", `{"reason":"Device does not exist.","deviceIds":["1","2"]}`),
		http.StatusNoContent)
	created := e.schedule("1", "2")
	e.clock.Advance(time.Second)

	if got := e.statusOf(created.ID); got != "CampaignRequestFailed" {
		t.Errorf("status = %s, want CampaignRequestFailed", got)
	}
	wantError(t, e.send(http.MethodPost, "/_sim/reject-devices", `{"reason":"no devices"}`),
		http.StatusBadRequest, "INVALID_PARAMETER", "deviceIds")
}

func TestAdminDriftsScheduleAndStatus(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("admin-drift", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	// Illegal through ThingSpace's API (a start in the past), so only drift can do it.
	drifted := thingspace.Dates{StartDate: "2026-11-01", EndDate: "2026-12-24",
		DownloadTimeWindowList: []window{}, InstallTimeWindowList: []window{{StartTime: 0, EndTime: 24}}}

	schedule := e.send(http.MethodPut, adminCampaignPath(c.ID)+"/schedule", toJSON(t, drifted))
	status := e.send(http.MethodPut, adminCampaignPath(c.ID)+"/status", `{"status":"CampaignFailed"}`)

	wantStatus(t, schedule, http.StatusOK)
	if diff := scheduleDiff(drifted, scheduleOf(decode[thingspace.Campaign](t, schedule))); diff != "" {
		t.Errorf("schedule reply (-drifted +got):\n%s", diff)
	}
	wantStatus(t, status, http.StatusOK)
	got := decode[thingspace.Campaign](t, e.fota(http.MethodGet, campaignPath(account, c.ID), ""))
	if diff := scheduleDiff(drifted, scheduleOf(got)); diff != "" || got.Status != "CampaignFailed" {
		t.Errorf("GET after drift: status %s, schedule (-drifted +got):\n%s", got.Status, diff)
	}
	wantError(t, e.send(http.MethodPut, adminCampaignPath(c.ID)+"/status", `{}`),
		http.StatusBadRequest, "INVALID_PARAMETER", "with a status")
}

func TestAdminUnknownCampaignIsNotFound(t *testing.T) {
	for _, call := range []struct{ method, path, body string }{
		{http.MethodGet, "/devices", ""},
		{http.MethodPut, "/devices", `{"generate":1}`},
		{http.MethodPut, "/rollout", `{"succeedPerMinute":0.1}`},
		{http.MethodPut, "/schedule", `{"startDate":"2026-12-01","endDate":"2026-12-07"}`},
		{http.MethodPut, "/status", `{"status":"CampaignFailed"}`},
	} {
		t.Run(call.method+call.path, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})

			r := e.send(call.method, adminCampaignPath("missing")+call.path, call.body)

			wantError(t, r, http.StatusNotFound, "RESOURCE_NOT_FOUND", "unknown campaign "+account+"/missing")
		})
	}
}

func TestAdminRequestsShowTheQuery(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("queried", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	e.fota(http.MethodGet, reportPath(c.ID)+"?lastSeenDeviceId=0", "")

	views := decode[[]map[string]any](t, e.send(http.MethodGet, "/_sim/requests", ""))

	if len(views) != 1 || views[0]["query"] != "lastSeenDeviceId=0" || views[0]["kind"] != "report" {
		t.Errorf("/_sim/requests = %v, want the report request with its query", views)
	}
}

// The package documentation lists the admin endpoints and examples that `thingspace-sim --help`
// prints; this keeps the two equal.
func TestPackageDocShowsTheAdminUsage(t *testing.T) {
	source, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc []string
	for _, line := range strings.Split(string(source), "\n") {
		if text := strings.TrimSpace(strings.TrimPrefix(line, "//")); text != "" {
			doc = append(doc, text)
		}
	}

	next := 0
	for _, line := range strings.Split(simulator.AdminUsage("http://127.0.0.1:8089"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		found := slices.Index(doc[next:], line)
		if found < 0 {
			t.Fatalf("doc.go lacks this line of AdminUsage, or has it out of order:\n%s", line)
		}
		next += found + 1
	}
}

func TestAdminFaultAlter(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus int
	}{
		"a known alteration is queued":     {body: `{"kind":"create","alter":"otherAccount","times":1}`, wantStatus: http.StatusCreated},
		"an unknown alteration is refused": {body: `{"kind":"create","alter":"otherPlanet"}`, wantStatus: http.StatusBadRequest},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})

			wantStatus(t, e.send(http.MethodPost, "/_sim/faults", tt.body), tt.wantStatus)
			created := decode[thingspace.Campaign](t, postCampaign(e))

			if altered := created.AccountName == simulator.OtherAccount; altered != (tt.wantStatus == http.StatusCreated) {
				t.Errorf("POST reply names account %s; altered %t, want %t", created.AccountName, altered, !altered)
			}
		})
	}
}

func TestAdminListLag(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus int
		wantListed bool
	}{
		"a lag keeps a new campaign out of the list": {body: `{"lag":"30s"}`, wantStatus: http.StatusNoContent},
		"a zero lag lists it at once":                {body: `{"lag":"0s"}`, wantStatus: http.StatusNoContent, wantListed: true},
		"a lag that is no duration is refused":       {body: `{"lag":"soon"}`, wantStatus: http.StatusBadRequest, wantListed: true},
		"a negative lag is refused":                  {body: `{"lag":"-1s"}`, wantStatus: http.StatusBadRequest, wantListed: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})

			wantStatus(t, e.send(http.MethodPut, "/_sim/list-lag", tt.body), tt.wantStatus)
			created := e.schedule("1")

			if listed := len(e.listAll(created.Status)[0]) == 1; listed != tt.wantListed {
				t.Errorf("new campaign listed %t, want %t", listed, tt.wantListed)
			}
		})
	}
}

func TestAdminCredentialFailures(t *testing.T) {
	e := newEnv(t, minted)
	e.login(staticAccess, "user-a", "wrong")
	e.login(staticAccess, "user-a", "wrong")
	e.requestToken("client-a", "secret-b", "client_credentials")

	r := e.send(http.MethodGet, "/_sim/credential-failures", "")

	wantStatus(t, r, http.StatusOK)
	if got := decode[map[string]int](t, r); got["failedLogins"] != 2 || got["rejectedClientCredentials"] != 1 {
		t.Errorf("credential failures = %v, want 2 failed logins and 1 rejected client", got)
	}
}
