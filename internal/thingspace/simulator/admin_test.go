package simulator_test

import (
	"net/http"
	"strings"
	"testing"

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
