package simulator_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestFOTACallsNeedBothTokens(t *testing.T) {
	c := fixture("auth", "2026-12-01", "2026-12-07")
	tests := []struct {
		name       string
		headers    []string
		wantStatus int
		wantFault  string // gateway fault code, or
		wantCode   string // M2M error code
	}{
		{
			name:       "no Authorization header is the gateway's Missing Credentials",
			headers:    []string{"VZ-M2M-Token", staticSession},
			wantStatus: http.StatusUnauthorized, wantFault: "900902",
		},
		{
			name:       "a Basic Authorization header is no bearer token either",
			headers:    []string{"Authorization", "Basic ZGV2OmRldg==", "VZ-M2M-Token", staticSession},
			wantStatus: http.StatusUnauthorized, wantFault: "900902",
		},
		{
			name:       "an unknown bearer token is the gateway's Invalid Credentials",
			headers:    []string{"Authorization", "Bearer not-a-token", "VZ-M2M-Token", staticSession},
			wantStatus: http.StatusUnauthorized, wantFault: "900901",
		},
		{
			name:       "no VZ-M2M-Token header is a session error",
			headers:    []string{"Authorization", "Bearer " + staticAccess},
			wantStatus: http.StatusUnauthorized, wantCode: "UnifiedWebService.SessionToken.Expired",
		},
		{
			name:       "an unknown session token reads as expired",
			headers:    []string{"Authorization", "Bearer " + staticAccess, "VZ-M2M-Token", "not-a-session"},
			wantStatus: http.StatusUnauthorized, wantCode: "UnifiedWebService.SessionToken.Expired",
		},
		{
			name:       "both static tokens pass",
			headers:    []string{"Authorization", "Bearer " + staticAccess, "VZ-M2M-Token", staticSession},
			wantStatus: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(c)

			r := e.send(http.MethodGet, campaignPath(c.AccountName, c.ID), "", tt.headers...)

			switch {
			case tt.wantFault != "":
				wantGatewayFault(t, r, tt.wantStatus, tt.wantFault)
			case tt.wantCode != "":
				wantError(t, r, tt.wantStatus, tt.wantCode, "")
			default:
				wantStatus(t, r, tt.wantStatus)
			}
		})
	}
}

func TestAuthIsCheckedBeforeThePayload(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("auth-first", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	r := e.send(http.MethodPut, datesPath(c.AccountName, c.ID), `{"endDate":"2026-12-08"}`,
		"Authorization", "Bearer expired", "VZ-M2M-Token", staticSession, "Content-Type", "application/json")

	wantGatewayFault(t, r, http.StatusUnauthorized, "900901")
	if v := e.sim.Violations(); len(v) != 0 {
		t.Errorf("a request the gateway refused was judged as a payload: %+v", v)
	}
}

type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (e *env) requestToken(clientID, secret, grant string) reply {
	e.t.Helper()
	headers := []string{"Content-Type", "application/x-www-form-urlencoded"}
	if clientID != "" {
		headers = append(headers, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)))
	}
	return e.send(http.MethodPost, "/api/ts/v1/oauth2/token", url.Values{"grant_type": {grant}}.Encode(), headers...)
}

func (e *env) mintAccessToken(clientID, secret string) string {
	e.t.Helper()
	r := e.requestToken(clientID, secret, "client_credentials")
	wantStatus(e.t, r, http.StatusOK)
	return decode[tokenReply](e.t, r).AccessToken
}

func (e *env) login(accessToken, username, password string) reply {
	e.t.Helper()
	return e.send(http.MethodPost, "/api/m2m/v1/session/login",
		toJSON(e.t, map[string]string{"username": username, "password": password}),
		"Authorization", "Bearer "+accessToken, "Content-Type", "application/json")
}

func (e *env) sessionToken(accessToken, username, password string) string {
	e.t.Helper()
	r := e.login(accessToken, username, password)
	wantStatus(e.t, r, http.StatusOK)
	token := decode[map[string]string](e.t, r)["sessionToken"]
	if token == "" {
		e.t.Fatalf("login reply %s has no sessionToken", r.body)
	}
	return token
}

func (e *env) getWith(accessToken, sessionToken string, c campaignRef) reply {
	e.t.Helper()
	return e.send(http.MethodGet, campaignPath(c.account, c.id), "",
		"Authorization", "Bearer "+accessToken, "VZ-M2M-Token", sessionToken)
}

type campaignRef struct{ account, id string }

var minted = simulator.Options{
	Clients: map[string]string{"client-a": "secret-a"},
	Users:   map[string]string{"user-a": "password-a"},
}

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name            string
		clientID        string
		secret          string
		grant           string
		wantStatus      int
		wantOAuthError  string
		wantAccessToken bool
	}{
		{name: "known client credentials get a bearer token", clientID: "client-a", secret: "secret-a",
			grant: "client_credentials", wantStatus: http.StatusOK, wantAccessToken: true},
		{name: "a wrong secret is an invalid client", clientID: "client-a", secret: "secret-b",
			grant: "client_credentials", wantStatus: http.StatusUnauthorized, wantOAuthError: "invalid_client"},
		{name: "an unknown client is an invalid client", clientID: "client-z", secret: "secret-a",
			grant: "client_credentials", wantStatus: http.StatusUnauthorized, wantOAuthError: "invalid_client"},
		{name: "no Basic credentials is an invalid client", grant: "client_credentials",
			wantStatus: http.StatusUnauthorized, wantOAuthError: "invalid_client"},
		{name: "another grant type is refused", clientID: "client-a", secret: "secret-a",
			grant: "password", wantStatus: http.StatusBadRequest, wantOAuthError: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, minted)

			r := e.requestToken(tt.clientID, tt.secret, tt.grant)

			wantStatus(t, r, tt.wantStatus)
			if tt.wantOAuthError != "" {
				if got := decode[oauthError](t, r); got.Error != tt.wantOAuthError || got.Description == "" {
					t.Errorf("error = %+v, want %s with a description", got, tt.wantOAuthError)
				}
				if strings.Contains(string(r.body), tt.secret) && tt.secret != "" {
					t.Errorf("the error reply repeats the secret: %s", r.body)
				}
			}
			if tt.wantAccessToken {
				got := decode[tokenReply](t, r)
				if got.AccessToken == "" || got.TokenType != "Bearer" || got.ExpiresIn != 3600 || got.Scope == "" {
					t.Errorf("token reply = %+v, want a Bearer token valid 3600 s with a scope", got)
				}
			}
		})
	}
}

func TestAccessTokenIsReusedWithinItsHour(t *testing.T) {
	e := newEnv(t, minted)
	first := decode[tokenReply](t, e.requestToken("client-a", "secret-a", "client_credentials"))

	e.clock.Advance(10 * time.Minute)
	second := decode[tokenReply](t, e.requestToken("client-a", "secret-a", "client_credentials"))

	if second.AccessToken != first.AccessToken || second.ExpiresIn != 3000 {
		t.Errorf("second reply = %+v, want the same token with 3000 s left", second)
	}
}

func TestMintedTokensWorkUntilTheyExpire(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("minted", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	ref := campaignRef{c.AccountName, c.ID}
	access := e.mintAccessToken("client-a", "secret-a")
	session := e.sessionToken(access, "user-a", "password-a")

	wantStatus(t, e.getWith(access, session, ref), http.StatusOK)

	e.clock.Advance(time.Hour)
	wantGatewayFault(t, e.getWith(access, session, ref), http.StatusUnauthorized, "900901")

	renewed := e.mintAccessToken("client-a", "secret-a")
	if renewed == access {
		t.Fatal("an expired access token was handed out again")
	}
	wantError(t, e.getWith(renewed, session, ref), http.StatusUnauthorized, "UnifiedWebService.SessionToken.Expired", "")
}

func TestSessionTokenExpiresAfterTwentyMinutesWithoutUse(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("idle", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	ref := campaignRef{c.AccountName, c.ID}
	session := e.sessionToken(staticAccess, "user-a", "password-a")

	e.clock.Advance(19 * time.Minute)
	wantStatus(t, e.getWith(staticAccess, session, ref), http.StatusOK)
	e.clock.Advance(19 * time.Minute) // 38 minutes after login, 19 after the last use
	wantStatus(t, e.getWith(staticAccess, session, ref), http.StatusOK)

	e.clock.Advance(20 * time.Minute)
	wantError(t, e.getWith(staticAccess, session, ref), http.StatusUnauthorized, "UnifiedWebService.SessionToken.Expired", "")
}

func TestExpireTokensInvalidatesMintedTokensOnly(t *testing.T) {
	e := newEnv(t, minted)
	c := fixture("expire", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	ref := campaignRef{c.AccountName, c.ID}
	access := e.mintAccessToken("client-a", "secret-a")
	session := e.sessionToken(access, "user-a", "password-a")

	e.sim.ExpireTokens()

	wantGatewayFault(t, e.getWith(access, staticSession, ref), http.StatusUnauthorized, "900901")
	wantError(t, e.getWith(staticAccess, session, ref), http.StatusUnauthorized, "UnifiedWebService.SessionToken.Expired", "")
	wantStatus(t, e.getWith(staticAccess, staticSession, ref), http.StatusOK)
	if renewed := e.mintAccessToken("client-a", "secret-a"); renewed == access {
		t.Error("the token endpoint handed out an expired token again")
	}
}

func TestLoginNeedsABearerToken(t *testing.T) {
	e := newEnv(t, minted)

	r := e.send(http.MethodPost, "/api/m2m/v1/session/login", `{"username":"user-a","password":"password-a"}`,
		"Content-Type", "application/json")

	wantGatewayFault(t, r, http.StatusUnauthorized, "900902")
}

func TestFiveFailedLoginsLockTheUser(t *testing.T) {
	e := newEnv(t, minted)
	for i := range 5 {
		r := e.login(staticAccess, "user-a", "wrong")
		if r.status == http.StatusOK {
			t.Fatalf("failed login %d was accepted", i+1)
		}
		wantError(t, r, http.StatusUnauthorized, "UnifiedWebService.Login.InvalidCredentials", "")
	}

	wantError(t, e.login(staticAccess, "user-a", "password-a"), http.StatusUnauthorized, "UnifiedWebService.Login.Locked", "")

	e.sim.UnlockUser("user-a")
	wantStatus(t, e.login(staticAccess, "user-a", "password-a"), http.StatusOK)
}

func TestASuccessfulLoginResetsTheFailureCount(t *testing.T) {
	e := newEnv(t, minted)
	for range 4 {
		e.login(staticAccess, "user-a", "wrong")
	}
	wantStatus(t, e.login(staticAccess, "user-a", "password-a"), http.StatusOK)
	for range 4 {
		e.login(staticAccess, "user-a", "wrong")
	}

	wantStatus(t, e.login(staticAccess, "user-a", "password-a"), http.StatusOK)
}

func TestLockingOneUserLeavesOthersAlone(t *testing.T) {
	e := newEnv(t, simulator.Options{Users: map[string]string{"user-a": "password-a", "user-b": "password-b"}})
	for range 6 {
		e.login(staticAccess, "user-a", "wrong")
	}

	wantStatus(t, e.login(staticAccess, "user-b", "password-b"), http.StatusOK)
}

// ThingSpace documents the Basic header as base64(clientId:clientSecret) of the raw values, not
// the form-encoded values RFC 6749 section 2.3.1 asks for; a secret with +, /, = or % tells the
// two apart.
func TestTokenEndpointChecksTheRawClientSecret(t *testing.T) {
	const secret = "s3cr+t/v=al%"
	tests := map[string]struct {
		sentSecret string
		wantStatus int
	}{
		"the raw secret passes":                        {sentSecret: secret, wantStatus: http.StatusOK},
		"the secret form-encoded as RFC 6749 is wrong": {sentSecret: "s3cr%2Bt%2Fv%3Dal%25", wantStatus: http.StatusUnauthorized},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{Clients: map[string]string{"client-a": secret}})

			r := e.requestToken("client-a", tt.sentSecret, "client_credentials")

			wantStatus(t, r, tt.wantStatus)
		})
	}
}

// Tests of the lockout rules count failed logins exactly: every refusal of a password counts,
// nothing else does.
func TestFailedLoginsCountsEveryRefusedPassword(t *testing.T) {
	tests := map[string]struct {
		attempt func(e *env)
		want    int
	}{
		"a wrong password counts": {want: 1,
			attempt: func(e *env) { e.login(staticAccess, "user-a", "wrong") }},
		"an unknown user counts": {want: 1,
			attempt: func(e *env) { e.login(staticAccess, "user-z", "password-a") }},
		"a login of a locked user counts, even with the right password": {want: 6,
			attempt: func(e *env) {
				for range 5 {
					e.login(staticAccess, "user-a", "wrong")
				}
				e.login(staticAccess, "user-a", "password-a")
			}},
		"a good login does not count, nor reset the count": {want: 1,
			attempt: func(e *env) {
				e.login(staticAccess, "user-a", "wrong")
				e.login(staticAccess, "user-a", "password-a")
			}},
		"a login refused for its bearer token does not count": {want: 0,
			attempt: func(e *env) { e.login("unknown-access-token", "user-a", "wrong") }},
		"a login answered by a fault does not count": {want: 0,
			attempt: func(e *env) {
				e.sim.InjectFault(simulator.Fault{Kind: simulator.KindLogin, Status: 401, Times: 1})
				e.login(staticAccess, "user-a", "wrong")
			}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, minted)

			tt.attempt(e)

			if got := e.sim.FailedLogins(); got != tt.want {
				t.Errorf("FailedLogins() = %d, want %d", got, tt.want)
			}
			if got := e.sim.RejectedClientCredentials(); got != 0 {
				t.Errorf("RejectedClientCredentials() = %d, want 0: no token was asked for", got)
			}
		})
	}
}

func TestRejectedClientCredentialsCountsEveryRefusedClient(t *testing.T) {
	tests := map[string]struct {
		attempt func(e *env)
		want    int
	}{
		"a wrong secret counts": {want: 1,
			attempt: func(e *env) { e.requestToken("client-a", "secret-b", "client_credentials") }},
		"an unknown client counts": {want: 1,
			attempt: func(e *env) { e.requestToken("client-z", "secret-a", "client_credentials") }},
		"no Basic credentials count": {want: 1,
			attempt: func(e *env) { e.requestToken("", "", "client_credentials") }},
		"good credentials do not count": {want: 0,
			attempt: func(e *env) { e.requestToken("client-a", "secret-a", "client_credentials") }},
		"a token request answered by a fault does not count": {want: 0,
			attempt: func(e *env) {
				e.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Status: 401, Times: 1})
				e.requestToken("client-a", "secret-b", "client_credentials")
			}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, minted)

			tt.attempt(e)

			if got := e.sim.RejectedClientCredentials(); got != tt.want {
				t.Errorf("RejectedClientCredentials() = %d, want %d", got, tt.want)
			}
			if got := e.sim.FailedLogins(); got != 0 {
				t.Errorf("FailedLogins() = %d, want 0: no login was made", got)
			}
		})
	}
}

// A slow token endpoint is a Fault with a Latency and no Status: the token comes, late.
func TestATokenLatencyFaultSlowsTheTokenEndpoint(t *testing.T) {
	e := newEnv(t, minted)
	e.sim.InjectFault(simulator.Fault{Kind: simulator.KindToken, Latency: 150 * time.Millisecond, Times: 1})

	began := time.Now()
	slow := e.requestToken("client-a", "secret-a", "client_credentials")
	elapsed := time.Since(began)

	wantStatus(t, slow, http.StatusOK)
	if elapsed < 150*time.Millisecond {
		t.Errorf("token answered after %v, want at least the fault's 150ms", elapsed)
	}
	if got := decode[tokenReply](t, slow); got.AccessToken == "" {
		t.Errorf("token reply %+v, want a token", got)
	}
}
