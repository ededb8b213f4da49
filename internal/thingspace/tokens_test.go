package thingspace_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestMintedTokensAreMintedOnceForManyCalls(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	creds := mintingCredentials(t, "uid-1", "1", testPassword)

	for range 5 {
		if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
			t.Fatalf("GetCampaign: %v", err)
		}
	}

	if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 1 {
		t.Errorf("%d logins, want 1", n)
	}
	if statuses := w.statuses(simulator.KindGet); !allOK(statuses) || len(statuses) != 5 {
		t.Errorf("GET statuses %v, want five 200s", statuses)
	}
	// The login carried the minted access token; the FOTA calls carried both minted tokens.
	var minted simulator.Request
	for _, r := range w.sim.Requests() {
		switch r.Kind {
		case simulator.KindLogin:
			minted = r
		case simulator.KindGet:
			if r.AccessToken != minted.AccessToken || r.SessionToken == "" || r.AccessToken == "" {
				t.Errorf("GET carried access %q and session %q, want the minted ones", r.AccessToken, r.SessionToken)
			}
		}
	}
}

func TestRefusedMintedTokensAreMintedAgainAndTheCallRetriedOnce(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	creds := mintingCredentials(t, "uid-1", "1", testPassword)
	if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
		t.Fatalf("first GetCampaign: %v", err)
	}

	w.sim.ExpireTokens()
	if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign after the tokens expired: %v", err)
	}

	if statuses := w.statuses(simulator.KindGet); !slices.Equal(statuses, []int{200, 401, 200}) {
		t.Errorf("GET statuses %v, want 200, then 401 and one retry with 200", statuses)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
}

func TestACallIsRetriedOnlyOnce(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindGet, Status: 401})
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	_, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID)
	requireErrorType[*thingspace.CredentialsError](t, err)
	if n := w.sim.Count(http.MethodGet, simulator.KindGet); n != 2 {
		t.Errorf("%d GETs, want 2: the call and one retry", n)
	}
}

func TestTokensAreRefreshedBeforeTheyExpire(t *testing.T) {
	t.Run("an access token about to expire is minted again before use", func(t *testing.T) {
		clock := newFakeClock()
		w := mintingWorld(t, clock.Now)
		w.sim.Seed(sampleCampaign(testAccount, testCampaignID, clock.Now().AddDate(0, 0, 30)))
		client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Clock: clock.Now})
		creds := mintingCredentials(t, "uid-1", "1", testPassword)

		// A call every 10 minutes keeps the session alive; the access token lives an hour.
		for _, step := range []time.Duration{0, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 9*time.Minute + 30*time.Second} {
			clock.Advance(step)
			if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
				t.Fatalf("GetCampaign at %s: %v", clock.Now(), err)
			}
		}

		if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 2 {
			t.Errorf("%d token requests, want 2: the second 30s before the first token expires", n)
		}
		if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 1 {
			t.Errorf("%d logins, want 1: the session stayed in use", n)
		}
		if statuses := w.statuses(simulator.KindGet); !allOK(statuses) {
			t.Errorf("GET statuses %v, want only 200s: no call should go out with a dead token", statuses)
		}
	})
	t.Run("a session unused for nearly 20 minutes is replaced by a new login", func(t *testing.T) {
		clock := newFakeClock()
		w := mintingWorld(t, clock.Now)
		w.sim.Seed(sampleCampaign(testAccount, testCampaignID, clock.Now().AddDate(0, 0, 30)))
		client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Clock: clock.Now})
		creds := mintingCredentials(t, "uid-1", "1", testPassword)

		for _, step := range []time.Duration{0, 19 * time.Minute} {
			clock.Advance(step)
			if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
				t.Fatalf("GetCampaign at %s: %v", clock.Now(), err)
			}
		}

		if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 2 {
			t.Errorf("%d logins, want 2", n)
		}
		if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 1 {
			t.Errorf("%d token requests, want 1: the access token was still good", n)
		}
		if statuses := w.statuses(simulator.KindGet); !allOK(statuses) {
			t.Errorf("GET statuses %v, want only 200s", statuses)
		}
	})
}

func TestRejectedLoginIsNotRetriedUntilThePasswordChanges(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	wrong := mintingCredentials(t, "uid-1", "1", wrongPassword)

	for attempt := range 4 {
		_, err := client.GetCampaign(t.Context(), wrong, testAccount, testCampaignID)
		if credErr := errorAs[*thingspace.CredentialsError](t, err); credErr.Problem != thingspace.LoginRejected {
			t.Fatalf("attempt %d: problem %s, want LoginRejected", attempt, credErr.Problem)
		}
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 1 {
		t.Errorf("%d logins with the same password, want 1", n)
	}
	if n := w.sim.Count(http.MethodGet, simulator.KindGet); n != 0 {
		t.Errorf("%d GETs without a session, want 0", n)
	}

	fixed := mintingCredentials(t, "uid-1", "2", testPassword)
	if _, err := client.GetCampaign(t.Context(), fixed, testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign after the password changed: %v", err)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 2 {
		t.Errorf("%d logins after the password changed, want 2", n)
	}

	// A stale read of the old Secret must not try the wrong password again.
	_, err := client.GetCampaign(t.Context(), wrong, testAccount, testCampaignID)
	requireErrorType[*thingspace.CredentialsError](t, err)
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 2 {
		t.Errorf("%d logins after a stale read of the rejected password, want still 2", n)
	}
}

func TestLockedLoginIsReported(t *testing.T) {
	w := mintingWorld(t, nil)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	// Each new password gets one attempt; ThingSpace locks the user after five failures.
	var err error
	for version := 1; version <= 6; version++ {
		creds := mintingCredentials(t, "uid-1", fmt.Sprint(version), fmt.Sprintf("%s-%d", wrongPassword, version))
		_, err = client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
	}

	credErr := errorAs[*thingspace.CredentialsError](t, err)
	if credErr.Problem != thingspace.LoginLocked {
		t.Errorf("problem %s, want LoginLocked", credErr.Problem)
	}
	if !strings.Contains(err.Error(), "locked") {
		t.Errorf("message %q does not say the login is locked", err)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 6 {
		t.Errorf("%d logins for 6 passwords, want 6", n)
	}
}

func TestRejectedClientCredentialsAreNotRetried(t *testing.T) {
	w := mintingWorld(t, nil)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	creds := mintingCredentials(t, "uid-1", "1", testPassword)
	creds.ClientSecret = "wrong-client-secret-1dF5"

	for range 3 {
		_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
		credErr := errorAs[*thingspace.CredentialsError](t, err)
		if credErr.Problem != thingspace.ClientCredentialsRejected || credErr.Code != "invalid_client" {
			t.Fatalf("got %+v, want ClientCredentialsRejected with invalid_client", *credErr)
		}
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 0 {
		t.Errorf("%d logins without an access token, want 0", n)
	}
}

func TestAnUnavailableTokenEndpointIsRetriedOnTheNextCall(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Status: 503, Times: 1})
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	creds := mintingCredentials(t, "uid-1", "1", testPassword)

	_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
	if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != 503 {
		t.Errorf("StatusCode %d, want 503", unavailable.StatusCode)
	}
	if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
		t.Errorf("GetCampaign once the token endpoint is back: %v", err)
	}
}

func TestAVersionReusedWithOtherValuesDoesNotGetTheOthersTokens(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	if _, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}

	_, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", wrongPassword), testAccount, testCampaignID)

	if credErr := errorAs[*thingspace.CredentialsError](t, err); credErr.Problem != thingspace.LoginRejected {
		t.Errorf("problem %s, want LoginRejected: the other password must be tried, not the cached session used", credErr.Problem)
	}
}

func allOK(statuses []int) bool {
	for _, status := range statuses {
		if status != http.StatusOK {
			return false
		}
	}
	return true
}

// ThingSpace documents the Basic header as base64(clientId:clientSecret) of the raw values, not
// the form-encoded values of RFC 6749: characters that form encoding changes must reach it as
// they are.
func TestClientCredentialsWithFormEncodingCharactersAreAccepted(t *testing.T) {
	const (
		clientID     = "client+id/3=%"
		clientSecret = "s3cr+t/v=al%"
	)
	w := startWorld(t, simulator.Options{
		Clients: map[string]string{clientID: clientSecret},
		Users:   map[string]string{testUsername: testPassword},
	})
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	creds, err := thingspace.CredentialsFromSecret(credentialsSecret("uid-1", "1", map[string]string{
		"clientId": clientID, "clientSecret": clientSecret, "username": testUsername, "password": testPassword,
	}))
	if err != nil {
		t.Fatalf("CredentialsFromSecret: %v", err)
	}

	if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}
	if statuses := w.statuses(simulator.KindToken); !slices.Equal(statuses, []int{http.StatusOK}) {
		t.Errorf("token request statuses %v, want one 200", statuses)
	}
}

func TestTokenRequestsAreCountedAsTheTokenOperation(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	tokenRequests := map[string]string{"operation": "token", "code": "200"}
	minted := map[string]string{"kind": "access_token", "result": "success"}
	requestsBefore := counterValue(t, "fota_thingspace_requests_total", tokenRequests)
	mintsBefore := counterValue(t, "fota_thingspace_token_mints_total", minted)

	if _, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}

	if grown := counterValue(t, "fota_thingspace_requests_total", tokenRequests) - requestsBefore; grown != 1 {
		t.Errorf("requests_total{token,200} grew by %v, want 1", grown)
	}
	if grown := counterValue(t, "fota_thingspace_token_mints_total", minted) - mintsBefore; grown != 1 {
		t.Errorf("token_mints_total{access_token,success} grew by %v, want 1", grown)
	}
}

// A reloader or a GitOps tool that edits a Secret's labels or annotations gives it a new
// resourceVersion with the same values. Only new values may bring another login: five failed
// logins lock the ThingSpace account.
func TestOnlyNewCredentialValuesBringAnotherLogin(t *testing.T) {
	tests := map[string]struct {
		reason          string
		password        string
		changedPassword string
	}{
		"rejected login": {
			reason:   "a refused password is not tried again on a metadata edit, and a new one is tried once",
			password: wrongPassword, changedPassword: testPassword,
		},
		"accepted login": {
			reason:   "a live session outlasts a metadata edit, and a new password logs in once",
			password: testPassword, changedPassword: wrongPassword,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
			for version := 1; version <= 5; version++ {
				creds := mintingCredentials(t, "uid-1", fmt.Sprint(version), tt.password)
				_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
				if (err == nil) != (tt.password == testPassword) {
					t.Fatalf("%s: resourceVersion %d: got error %v", tt.reason, version, err)
				}
			}
			if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 1 {
				t.Errorf("%s: %d logins for 5 resourceVersions with the same values, want 1", tt.reason, n)
			}
			if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 1 {
				t.Errorf("%s: %d token requests for 5 resourceVersions with the same values, want 1", tt.reason, n)
			}

			changed := mintingCredentials(t, "uid-1", "6", tt.changedPassword)
			_, _ = client.GetCampaign(t.Context(), changed, testAccount, testCampaignID)
			_, _ = client.GetCampaign(t.Context(), changed, testAccount, testCampaignID)

			if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 2 {
				t.Errorf("%s: %d logins after the password changed, want 2: exactly one new login", tt.reason, n)
			}
		})
	}
}
