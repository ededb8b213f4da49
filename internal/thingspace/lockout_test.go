package thingspace_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

const (
	tokenEndpoint = "/api/ts/v1/oauth2/token"
	loginEndpoint = "/api/m2m/v1/session/login"
)

// lockoutWorld accepts the test client credentials and login, and the static access token, for
// a Secret that trades its client credentials for one.
func lockoutWorld(t *testing.T) *world {
	t.Helper()
	return startWorld(t, simulator.Options{
		StaticTokens: []simulator.TokenPair{{AccessToken: staticAccessToken}},
		Clients:      map[string]string{testClientID: testClientSecret},
		Users:        map[string]string{testUsername: testPassword},
	})
}

// mintingData is a Secret's data with client credentials and a login.
func mintingData(clientSecret, password string) map[string]string {
	return map[string]string{"clientId": testClientID, "clientSecret": clientSecret, "username": testUsername, "password": password}
}

// staticAccessData is a Secret's data whose clientSecret is missing: the static access token
// stands in, and the login stays.
func staticAccessData(password string) map[string]string {
	return map[string]string{"accessToken": staticAccessToken, "clientId": testClientID, "username": testUsername, "password": password}
}

func credentialsOf(t *testing.T, uid types.UID, data map[string]string) thingspace.Credentials {
	t.Helper()
	creds, err := thingspace.CredentialsFromSecret(credentialsSecret(uid, "1", data))
	if err != nil {
		t.Fatalf("CredentialsFromSecret: %v", err)
	}
	return creds
}

// secretStep is a campaign call with the values of a Secret, or, with forget set, the Secret's
// deletion.
type secretStep struct {
	uid         types.UID
	data        map[string]string
	forget      bool
	wantProblem thingspace.CredentialsProblem // "" wants the call to succeed
}

func forgetting(uid types.UID) secretStep { return secretStep{uid: uid, forget: true} }

// ThingSpace locks an account after a few failed logins. A rejection is remembered by the
// rejected values, whichever Secrets hold them, and outlives the Secrets.
func TestRejectionsAreRememberedByTheValues(t *testing.T) {
	wrong := mintingData(testClientSecret, wrongPassword)
	good := mintingData(testClientSecret, testPassword)
	tests := map[string]struct {
		steps           []secretStep
		wantFailed      int // logins the simulator refused
		wantLogins      int
		wantTokens      int
		wantRejectedIDs int // token requests refused for the client credentials
	}{
		"copies of one wrong password in three Secrets make one failed login": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				{uid: "uid-2", data: wrong, wantProblem: thingspace.LoginRejected},
				{uid: "uid-3", data: wrong, wantProblem: thingspace.LoginRejected},
			},
			wantFailed: 1, wantLogins: 1, wantTokens: 1,
		},
		"copies of one good password in three Secrets share one login and one access token": {
			steps:      []secretStep{{uid: "uid-1", data: good}, {uid: "uid-2", data: good}, {uid: "uid-3", data: good}},
			wantLogins: 1, wantTokens: 1,
		},
		"a Secret deleted and created again with the same values tries nothing again": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				forgetting("uid-1"),
				{uid: "uid-2", data: wrong, wantProblem: thingspace.LoginRejected},
			},
			wantFailed: 1, wantLogins: 1, wantTokens: 1,
		},
		"ForgetSecret never drops a remembered rejection": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				forgetting("uid-1"),
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
			},
			wantFailed: 1, wantLogins: 1, wantTokens: 1,
		},
		"a Secret that briefly lacks its clientSecret does not try the rejected password again": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				{uid: "uid-1", data: staticAccessData(wrongPassword), wantProblem: thingspace.LoginRejected},
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
			},
			wantFailed: 1, wantLogins: 1, wantTokens: 1,
		},
		"a rotated client secret does not try the rejected password again": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				{uid: "uid-1", data: mintingData("rotated-client-secret-7gH2", wrongPassword), wantProblem: thingspace.LoginRejected},
			},
			wantFailed: 1, wantLogins: 1, wantTokens: 1,
		},
		"copies of one wrong client secret in two Secrets make one rejected token request": {
			steps: []secretStep{
				{uid: "uid-1", data: mintingData(wrongClientSecret, testPassword), wantProblem: thingspace.ClientCredentialsRejected},
				{uid: "uid-2", data: mintingData(wrongClientSecret, testPassword), wantProblem: thingspace.ClientCredentialsRejected},
			},
			wantTokens: 1, wantRejectedIDs: 1,
		},
		"new values are tried once": {
			steps: []secretStep{
				{uid: "uid-1", data: wrong, wantProblem: thingspace.LoginRejected},
				{uid: "uid-1", data: good},
				{uid: "uid-2", data: good},
			},
			// Tokens belong to all four values: the new password comes with its own access token.
			wantFailed: 1, wantLogins: 2, wantTokens: 2,
		},
		"ForgetSecret drops the tokens no other Secret holds": {
			steps:      []secretStep{{uid: "uid-1", data: good}, forgetting("uid-1"), {uid: "uid-1", data: good}},
			wantLogins: 2, wantTokens: 2,
		},
		"ForgetSecret keeps the tokens another Secret holds": {
			steps:      []secretStep{{uid: "uid-1", data: good}, {uid: "uid-2", data: good}, forgetting("uid-1"), {uid: "uid-2", data: good}},
			wantLogins: 1, wantTokens: 1,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := lockoutWorld(t)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			for i, step := range tt.steps {
				if step.forget {
					client.ForgetSecret(step.uid)
					continue
				}
				_, err := client.GetCampaign(t.Context(), credentialsOf(t, step.uid, step.data), testAccount, testCampaignID)
				checkProblem(t, i, err, step.wantProblem)
			}

			if got := w.sim.FailedLogins(); got != tt.wantFailed {
				t.Errorf("%d failed logins, want %d", got, tt.wantFailed)
			}
			if got := w.sim.RejectedClientCredentials(); got != tt.wantRejectedIDs {
				t.Errorf("%d rejected token requests, want %d", got, tt.wantRejectedIDs)
			}
			if got := w.sim.Count(http.MethodPost, simulator.KindLogin); got != tt.wantLogins {
				t.Errorf("%d logins, want %d", got, tt.wantLogins)
			}
			if got := w.sim.Count(http.MethodPost, simulator.KindToken); got != tt.wantTokens {
				t.Errorf("%d token requests, want %d", got, tt.wantTokens)
			}
		})
	}
}

func checkProblem(t *testing.T, step int, err error, want thingspace.CredentialsProblem) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("step %d: %v, want success", step, err)
		}
		return
	}
	var credErr *thingspace.CredentialsError
	if !errors.As(err, &credErr) || credErr.Problem != want {
		t.Errorf("step %d: %v, want a CredentialsError %s", step, err, want)
	}
}

// Only a 400 or a 401 from the token endpoint or the login judges the values, and is remembered;
// any other answer leaves the outcome unknown, so the next call tries again.
func TestOnlyA400Or401FromTheTokenOrLoginEndpointIsARejection(t *testing.T) {
	html := "<html><body>Service Temporarily Unavailable</body></html>"
	tests := map[string]struct {
		kind          simulator.Kind
		status        int
		body          string
		wantProblem   thingspace.CredentialsProblem // a rejection, remembered
		wantErrorType string                        // "unavailable", "ratelimited" or "none": not remembered
	}{
		"a 400 from the token endpoint rejects the client credentials": {kind: simulator.KindToken, status: 400,
			body: `{"error":"invalid_request"}`, wantProblem: thingspace.ClientCredentialsRejected},
		"a 401 from the token endpoint rejects the client credentials": {kind: simulator.KindToken, status: 401,
			body: `{"error":"invalid_client"}`, wantProblem: thingspace.ClientCredentialsRejected},
		"a 403 from the token endpoint is unknown": {kind: simulator.KindToken, status: 403,
			body: `{"error":"access_denied"}`, wantErrorType: "unavailable"},
		"a 404 page from the token endpoint is unknown": {kind: simulator.KindToken, status: 404,
			body: "<html>Not Found</html>", wantErrorType: "unavailable"},
		"a 408 from the token endpoint is unknown": {kind: simulator.KindToken, status: 408,
			body: `{"error":"timeout"}`, wantErrorType: "unavailable"},
		"a 200 carrying an OAuth error from the token endpoint is unknown": {kind: simulator.KindToken, status: 200,
			body: `{"error":"invalid_client","error_description":"unknown client"}`, wantErrorType: "unavailable"},
		"a 200 HTML page from the token endpoint is unknown": {kind: simulator.KindToken, status: 200,
			body: html, wantErrorType: "unavailable"},
		"a 503 from the token endpoint is unknown": {kind: simulator.KindToken, status: 503,
			wantErrorType: "unavailable"},
		"a 429 from the token endpoint is a rate limit": {kind: simulator.KindToken, status: 429,
			wantErrorType: "ratelimited"},
		"a 400 from the login rejects the password": {kind: simulator.KindLogin, status: 400,
			body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"bad login"}`, wantProblem: thingspace.LoginRejected},
		"a 401 from the login rejects the password": {kind: simulator.KindLogin, status: 401,
			body: `{"errorCode":"UnifiedWebService.Login.InvalidCredentials","errorMessage":"invalid"}`, wantProblem: thingspace.LoginRejected},
		"a locked login under a 401 is LoginLocked": {kind: simulator.KindLogin, status: 401,
			body: `{"errorCode":"UnifiedWebService.Login.Locked","errorMessage":"locked"}`, wantProblem: thingspace.LoginLocked},
		"a 401 gateway fault on the login is a token to mint again, not a failed login": {kind: simulator.KindLogin, status: 401,
			body: `{"fault":{"code":"900901","message":"Invalid Credentials"}}`, wantErrorType: "none"},
		"a 403 from the login is unknown": {kind: simulator.KindLogin, status: 403,
			body: `{"errorCode":"FORBIDDEN","errorMessage":"no"}`, wantErrorType: "unavailable"},
		"a 404 page from the login is unknown": {kind: simulator.KindLogin, status: 404,
			body: "<html>Not Found</html>", wantErrorType: "unavailable"},
		"a 408 from the login is unknown": {kind: simulator.KindLogin, status: 408,
			body: `{"errorCode":"TIMEOUT","errorMessage":"slow"}`, wantErrorType: "unavailable"},
		"a 200 HTML page from the login is unknown": {kind: simulator.KindLogin, status: 200,
			body: html, wantErrorType: "unavailable"},
		"a 500 from the login is unknown": {kind: simulator.KindLogin, status: 500,
			wantErrorType: "unavailable"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			w.sim.InjectFault(simulator.Fault{Kind: tt.kind, Status: tt.status, Body: tt.body, RetryAfter: "1", Times: 1})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
			creds := mintingCredentials(t, "uid-1", "1", testPassword)

			_, first := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
			_, second := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)

			if tt.wantProblem != "" {
				checkProblem(t, 1, first, tt.wantProblem)
				checkProblem(t, 2, second, tt.wantProblem)
				if got := w.sim.Count(http.MethodPost, tt.kind); got != 1 {
					t.Errorf("%d requests to the %s endpoint, want 1: a rejection is not tried again", got, tt.kind)
				}
				return
			}
			checkErrorType(t, first, tt.wantErrorType)
			if second != nil {
				t.Errorf("second call: %v, want success: an unknown outcome is tried again", second)
			}
		})
	}
}

func checkErrorType(t *testing.T, err error, want string) {
	t.Helper()
	var (
		unavailable *thingspace.UnavailableError
		rateLimited *thingspace.RateLimitedError
	)
	switch {
	case want == "unavailable" && errors.As(err, &unavailable):
	case want == "ratelimited" && errors.As(err, &rateLimited):
	case want == "none" && err == nil:
	default:
		t.Errorf("first call: %v (%T), want an error of type %s", err, err, want)
	}
}

// A slow token endpoint or login holds one worker per set of values: the others do not wait
// for it, and are told to come back.
func TestOneMintOrLoginInFlightPerValueSet(t *testing.T) {
	tests := map[string]struct {
		slow simulator.Kind
		path string
	}{
		"a caller finding a token request of its values in flight does not wait": {slow: simulator.KindToken, path: tokenEndpoint},
		"a caller finding a login of its values in flight does not wait":         {slow: simulator.KindLogin, path: loginEndpoint},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			w.sim.InjectFault(simulator.Fault{Kind: tt.slow, Latency: 2 * time.Second, Times: 1})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: 1000, Burst: 100})
			first := make(chan error, 1)
			go func() {
				_, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID)
				first <- err
			}()
			w.awaitArrival(t, tt.path, 1)

			began := time.Now()
			errs := concurrently(20, func(i int) error {
				creds := mintingCredentials(t, types.UID("uid-"+string(rune('a'+i))), "1", testPassword)
				_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
				return err
			})
			waited := time.Since(began)

			for _, err := range errs {
				if pending := errorAs[*thingspace.MintPendingError](t, err); pending.RetryAfter != time.Second {
					t.Errorf("RetryAfter %s, want 1s", pending.RetryAfter)
				}
			}
			if waited > time.Second {
				t.Errorf("the callers took %s, want no wait for the mint in flight", waited)
			}
			if err := <-first; err != nil {
				t.Fatalf("the call that minted: %v", err)
			}
			if _, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-b", "1", testPassword), testAccount, testCampaignID); err != nil {
				t.Errorf("a call after the mint: %v", err)
			}
			if n := w.sim.Count(http.MethodPost, simulator.KindToken); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			if n := w.sim.Count(http.MethodPost, simulator.KindLogin); n != 1 {
				t.Errorf("%d logins, want 1", n)
			}
		})
	}
}

func TestASlowMintHoldsNoCallerOfOtherValues(t *testing.T) {
	const otherClient, otherSecret, otherUser, otherPassword = "client-id-2", "client-secret-2kP0", "fleet-user-2", "password-2qT5"
	w := startWorld(t, simulator.Options{
		Clients: map[string]string{testClientID: testClientSecret, otherClient: otherSecret},
		Users:   map[string]string{testUsername: testPassword, otherUser: otherPassword},
	})
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Latency: 2 * time.Second, Times: 1})
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	first := make(chan error, 1)
	go func() {
		_, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID)
		first <- err
	}()
	w.awaitArrival(t, tokenEndpoint, 1)

	other := credentialsOf(t, "uid-2", map[string]string{"clientId": otherClient, "clientSecret": otherSecret, "username": otherUser, "password": otherPassword})
	_, err := client.GetCampaign(t.Context(), other, testAccount, testCampaignID)

	if err != nil {
		t.Errorf("a call with other values during the slow mint: %v, want success", err)
	}
	if err := <-first; err != nil {
		t.Errorf("the slow mint: %v", err)
	}
}

// A refresh starts a minute before the access token expires; until it does expire, the calls
// that find the refresh in flight use it rather than coming back later.
func TestLiveTokensServeWhileARefreshIsInFlight(t *testing.T) {
	clock := newFakeClock()
	w := startWorld(t, simulator.Options{
		Clock:   clock.Now,
		Clients: map[string]string{testClientID: testClientSecret},
		Users:   map[string]string{testUsername: testPassword},
	})
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, clock.Now().AddDate(0, 0, 30)))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Clock: clock.Now})
	creds := mintingCredentials(t, "uid-1", "1", testPassword)
	// Calls every quarter of an hour keep the session alive, up to 59m30s after the first mint:
	// the access token is due for a refresh, not expired.
	for _, step := range []time.Duration{15 * time.Minute, 15 * time.Minute, 15 * time.Minute, 14*time.Minute + 30*time.Second} {
		if _, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID); err != nil {
			t.Fatalf("GetCampaign: %v", err)
		}
		clock.Advance(step)
	}
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Latency: 2 * time.Second, Times: 1})
	refresh := make(chan error, 1)
	go func() {
		_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
		refresh <- err
	}()
	w.awaitArrival(t, tokenEndpoint, 2)

	_, err := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)

	if err != nil {
		t.Errorf("a call during the refresh: %v, want success with the live token", err)
	}
	if err := <-refresh; err != nil {
		t.Errorf("the refresh: %v", err)
	}
}

// concurrently runs call n times at once and returns the errors in order.
func concurrently(n int, call func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = call(i) })
	}
	wg.Wait()
	return errs
}

// fingerprintPattern is CredentialsError.Fingerprint's documented format.
var fingerprintPattern = regexp.MustCompile(`^scrypt1\.(ClientCredentialsRejected|LoginRejected|LoginLocked)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$`)

// rejectionCase is a set of values ThingSpace rejects, and how.
type rejectionCase struct {
	problem thingspace.CredentialsProblem
	data    map[string]string
	fault   *simulator.Fault
	// otherData are values the fingerprint must not match.
	otherData map[string]string
}

var rejectionCases = map[string]rejectionCase{
	"ClientCredentialsRejected": {
		problem:   thingspace.ClientCredentialsRejected,
		data:      mintingData(wrongClientSecret, testPassword),
		otherData: mintingData(testClientSecret, testPassword),
	},
	"LoginRejected": {
		problem:   thingspace.LoginRejected,
		data:      mintingData(testClientSecret, wrongPassword),
		otherData: mintingData(testClientSecret, testPassword),
	},
	"LoginLocked": {
		problem: thingspace.LoginLocked,
		data:    mintingData(testClientSecret, testPassword),
		fault: &simulator.Fault{Kind: simulator.KindLogin, Status: 401,
			Body: `{"errorCode":"UnifiedWebService.Login.Locked","errorMessage":"locked"}`},
		otherData: mintingData(testClientSecret, wrongPassword),
	},
}

// rejectedBy makes client see the case's values rejected, through three Secrets holding them,
// and returns the three errors.
func (rc rejectionCase) rejectedBy(t *testing.T, w *world, client *thingspace.HTTPClient) []*thingspace.CredentialsError {
	t.Helper()
	if rc.fault != nil {
		w.sim.InjectFault(*rc.fault)
	}
	var rejections []*thingspace.CredentialsError
	for _, uid := range []types.UID{"uid-1", "uid-2", "uid-3"} {
		_, err := client.GetCampaign(t.Context(), credentialsOf(t, uid, rc.data), testAccount, testCampaignID)
		rejections = append(rejections, errorAs[*thingspace.CredentialsError](t, err))
	}
	w.sim.ClearFaults()
	return rejections
}

func TestARejectionCarriesASaltedSlowFingerprintOfTheValues(t *testing.T) {
	for name, rc := range rejectionCases {
		t.Run(name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			creds := credentialsOf(t, "uid-9", rc.data)

			rejections := rc.rejectedBy(t, w, newClient(t, thingspace.Options{BaseURL: w.baseURL}))
			again := rc.rejectedBy(t, w, newClient(t, thingspace.Options{BaseURL: w.baseURL}))

			fingerprint := rejections[0].Fingerprint
			if !fingerprintPattern.MatchString(fingerprint) || !strings.Contains(fingerprint, "."+string(rc.problem)+".") {
				t.Fatalf("fingerprint %q, want scrypt1.%s.<salt>.<key>", fingerprint, rc.problem)
			}
			for _, rejection := range rejections {
				if rejection.Problem != rc.problem || rejection.Fingerprint != fingerprint {
					t.Errorf("a caller of the same values got %s with fingerprint %q, want %s with %q", rejection.Problem, rejection.Fingerprint, rc.problem, fingerprint)
				}
			}
			if leaked := findSecret(fingerprint, testSecrets()); leaked != "" {
				t.Errorf("fingerprint %q shows %q", fingerprint, leaked)
			}
			if strings.Contains(rejections[0].Error(), fingerprint) {
				t.Errorf("Error() %q shows the fingerprint", rejections[0].Error())
			}
			if again[0].Fingerprint == fingerprint {
				t.Errorf("two processes made the same fingerprint %q: it is not salted", fingerprint)
			}
			for _, fp := range []string{fingerprint, again[0].Fingerprint} {
				if !thingspace.FingerprintMatches(fp, creds) {
					t.Errorf("FingerprintMatches(%q, the rejected values) = false", fp)
				}
				if thingspace.FingerprintMatches(fp, credentialsOf(t, "uid-9", rc.otherData)) {
					t.Errorf("FingerprintMatches(%q, other values) = true", fp)
				}
			}
		})
	}
}

func TestFingerprintMatchesNothingButAFingerprint(t *testing.T) {
	creds := credentialsOf(t, "uid-1", mintingData(testClientSecret, testPassword))
	for name, text := range map[string]string{
		"empty":           "",
		"another version": "scrypt0.LoginRejected.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"another problem": "scrypt1.SessionTokenRejected.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"a short salt":    "scrypt1.LoginRejected.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"not base64url":   "scrypt1.LoginRejected.!!!!!!!!!!!!!!!!!!!!!!.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"a password":      testPassword,
	} {
		t.Run(name, func(t *testing.T) {
			if thingspace.FingerprintMatches(text, creds) {
				t.Errorf("FingerprintMatches(%q) = true", text)
			}
		})
	}
}

// recordsOf is a records function returning fingerprints, that counts its calls.
type recordsOf struct {
	mu           sync.Mutex
	fingerprints []string
	err          error
	calls        int
}

func (r *recordsOf) read(context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return r.fingerprints, r.err
}

// A manager that starts, after a restart or a leader change, reads the fingerprints its
// FotaCampaigns record and sends no values they name.
func TestRecordedRejectionsAreHonouredByANewProcess(t *testing.T) {
	for name, rc := range rejectionCases {
		t.Run("a recorded "+name+" sends nothing", func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			recorded := rc.rejectedBy(t, w, newClient(t, thingspace.Options{BaseURL: w.baseURL}))[0].Fingerprint
			w.sim.ResetRequests()
			records := &recordsOf{fingerprints: []string{"not-a-fingerprint", recorded}}
			restarted := newClient(t, thingspace.Options{BaseURL: w.baseURL})
			restarted.UseRejectionRecords(records.read)

			var errs []error
			for _, uid := range []types.UID{"uid-4", "uid-5"} {
				_, err := restarted.GetCampaign(t.Context(), credentialsOf(t, uid, rc.data), testAccount, testCampaignID)
				errs = append(errs, err)
			}

			for _, err := range errs {
				credErr := errorAs[*thingspace.CredentialsError](t, err)
				if credErr.Problem != rc.problem || credErr.Fingerprint != recorded || !credErr.Recorded {
					t.Errorf("got %+v, want a recorded %s with the recorded fingerprint", *credErr, rc.problem)
				}
				if text := err.Error(); !strings.Contains(text, "before") || !strings.Contains(text, "FotaCampaign") || !strings.Contains(text, "change") {
					t.Errorf("message %q does not say the values were rejected before, as a FotaCampaign records, and wait for a change", text)
				}
			}
			if n := len(w.sim.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			if records.calls != 1 {
				t.Errorf("records read %d times, want once: the match is remembered", records.calls)
			}
		})
	}
	t.Run("values no record names are tried", func(t *testing.T) {
		w := mintingWorld(t, nil)
		w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
		rc := rejectionCases["LoginRejected"]
		recorded := rc.rejectedBy(t, w, newClient(t, thingspace.Options{BaseURL: w.baseURL}))[0].Fingerprint
		restarted := newClient(t, thingspace.Options{BaseURL: w.baseURL})
		restarted.UseRejectionRecords((&recordsOf{fingerprints: []string{recorded}}).read)

		_, err := restarted.GetCampaign(t.Context(), credentialsOf(t, "uid-4", rc.otherData), testAccount, testCampaignID)

		if err != nil {
			t.Errorf("GetCampaign with values no record names: %v", err)
		}
	})
	t.Run("an error reading the records sends nothing", func(t *testing.T) {
		w := mintingWorld(t, nil)
		client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
		client.UseRejectionRecords((&recordsOf{err: errors.New("the API server is away")}).read)

		_, err := client.GetCampaign(t.Context(), mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID)

		requireErrorType[*thingspace.UnavailableError](t, err)
		if n := len(w.sim.Requests()); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
	})
}

// scrypt costs tens of milliseconds by design: a record is compared with a set of values once,
// however often the values are minted with.
func TestARecordIsComparedWithASetOfValuesOnce(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	rc := rejectionCases["LoginRejected"]
	records := &recordsOf{fingerprints: []string{rc.rejectedBy(t, w, newClient(t, thingspace.Options{BaseURL: w.baseURL}))[0].Fingerprint}}
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	client.UseRejectionRecords(records.read)
	// The first mint fails without an answer about the values, so the second checks the
	// records again.
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Status: 503, Times: 1})
	creds := credentialsOf(t, "uid-4", rc.otherData)
	before := thingspace.ScryptRuns()

	_, first := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)
	_, second := client.GetCampaign(t.Context(), creds, testAccount, testCampaignID)

	requireErrorType[*thingspace.UnavailableError](t, first)
	if second != nil {
		t.Fatalf("second call: %v", second)
	}
	if records.calls != 2 {
		t.Errorf("records read %d times, want 2: before each mint until ThingSpace accepts the values", records.calls)
	}
	if runs := thingspace.ScryptRuns() - before; runs != 1 {
		t.Errorf("%d scrypt derivations, want 1", runs)
	}
}
