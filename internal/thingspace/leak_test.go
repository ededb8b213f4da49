package thingspace_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

const (
	expiredSessionToken = "expired-session-token-2bV7"
	wrongPassword       = "wrong-password-4cN9"
	wrongClientSecret   = "wrong-client-secret-1dF5"
)

// errorPath is one way a call can fail.
type errorPath struct {
	name    string
	faults  []simulator.Fault
	creds   func(t *testing.T) thingspace.Credentials
	timeout time.Duration
	closed  bool // the server is gone: connection refused
}

func static(*testing.T) thingspace.Credentials { return staticCredentials }

func minted(password string) func(t *testing.T) thingspace.Credentials {
	return func(t *testing.T) thingspace.Credentials { return mintingCredentials(t, "uid-1", "1", password) }
}

// Every path echoes a secret in ThingSpace's reply where it can, as a careless server might.
var errorPaths = []errorPath{
	{name: "static: 400 echoing the access token", creds: static, faults: []simulator.Fault{{Status: 400,
		Body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"bad header Bearer ` + staticAccessToken + `"}`}}},
	{name: "static: 401 gateway fault echoing the session token", creds: static, faults: []simulator.Fault{{Status: 401,
		Body: `{"fault":{"code":"900901","message":"Invalid Credentials ` + staticSessionToken + `"}}`}}},
	{name: "static: expired session token", creds: func(*testing.T) thingspace.Credentials {
		return thingspace.Credentials{AccessToken: staticAccessToken, SessionToken: expiredSessionToken}
	}},
	{name: "static: 429", creds: static, faults: []simulator.Fault{{Status: 429, RetryAfter: "3"}}},
	{name: "static: 503 echoing the access token", creds: static, faults: []simulator.Fault{{Status: 503,
		Body: `{"errorCode":"INTERNAL","errorMessage":"` + staticAccessToken + `"}`}}},
	{name: "static: HTML page", creds: static, faults: []simulator.Fault{{Status: 502}}},
	{name: "static: invalid JSON", creds: static, faults: []simulator.Fault{{Status: 200, Body: `{"id":`}}},
	{name: "static: oversized reply", creds: static, faults: []simulator.Fault{{Status: 200, Body: strings.Repeat(staticAccessToken, 1<<17)}}},
	{name: "static: timeout", creds: static, timeout: 200 * time.Millisecond, faults: []simulator.Fault{{Latency: time.Minute}}},
	{name: "static: dropped connection", creds: static, faults: []simulator.Fault{{DropConnection: true}}},
	{name: "static: connection refused", creds: static, closed: true},
	{name: "minted: client credentials rejected, echoed", creds: func(t *testing.T) thingspace.Credentials {
		creds := mintingCredentials(t, "uid-1", "1", testPassword)
		creds.ClientSecret = wrongClientSecret
		return creds
	}, faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 401,
		Body: `{"error":"invalid_client","error_description":"unknown secret ` + wrongClientSecret + `"}`}}},
	{name: "minted: client credentials rejected", creds: func(t *testing.T) thingspace.Credentials {
		creds := mintingCredentials(t, "uid-1", "1", testPassword)
		creds.ClientSecret = wrongClientSecret
		return creds
	}},
	{name: "minted: token endpoint unavailable", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 503}}},
	{name: "minted: token endpoint unavailable, echoing the client secret", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 503,
		Body: `{"error":"temporarily_unavailable","error_description":"` + testClientSecret + `"}`}}},
	{name: "minted: token endpoint OAuth error under 200, echoing the client secret", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 200,
		Body: `{"error":"invalid_client","error_description":"secret ` + testClientSecret + ` unknown"}`}}},
	{name: "minted: token endpoint throttled", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 429, RetryAfter: "3"}}},
	{name: "minted: token endpoint timeout", creds: minted(testPassword), timeout: 200 * time.Millisecond, faults: []simulator.Fault{{Kind: simulator.KindToken, Latency: time.Minute}}},
	{name: "minted: token endpoint dropped connection", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, DropConnection: true}}},
	{name: "minted: token endpoint garbage", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindToken, Status: 200, Body: "<html>" + testClientSecret}}},
	{name: "minted: login rejected", creds: minted(wrongPassword)},
	{name: "minted: login rejected, echoed", creds: minted(wrongPassword), faults: []simulator.Fault{{Kind: simulator.KindLogin, Status: 401,
		Body: `{"errorCode":"UnifiedWebService.Login.InvalidCredentials","errorMessage":"password ` + wrongPassword + ` is wrong"}`}}},
	{name: "minted: login locked", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindLogin, Status: 401,
		Body: `{"errorCode":"UnifiedWebService.Login.Locked","errorMessage":"locked"}`}}},
	{name: "minted: login without a session token", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindLogin, Status: 200, Body: `{}`}}},
	{name: "minted: 401 after the retry", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindDates, Status: 401}}},
	{name: "minted: 400", creds: minted(testPassword), faults: []simulator.Fault{{Kind: simulator.KindDates, Status: 400}}},
}

func TestSecretsNeverLeak(t *testing.T) {
	var logs syncBuffer
	logger := funcr.New(func(prefix, args string) { logs.WriteString(prefix + " " + args + "\n") }, funcr.Options{Verbosity: 10})
	ctx := logf.IntoContext(context.Background(), logger)

	for _, path := range errorPaths {
		t.Run(path.name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			for _, fault := range path.faults {
				w.sim.InjectFault(fault)
			}
			baseURL := w.baseURL
			if path.closed {
				baseURL = closedURL(t)
			}
			client := newClient(t, thingspace.Options{BaseURL: baseURL, Timeout: cmp.Or(path.timeout, 5*time.Second)})

			_, err := client.UpdateCampaignDates(ctx, path.creds(t), testAccount, testCampaignID, thingspace.Dates{StartDate: "2026-12-01", EndDate: "2026-12-07"})
			if err == nil {
				t.Fatal("got no error, want one")
			}
			secrets := append(testSecrets(), mintedTokens(w)...)
			for _, shown := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if leaked := findSecret(shown, secrets); leaked != "" {
					t.Errorf("error %q shows the secret %q", shown, leaked)
				}
			}
		})
	}

	if leaked := findSecret(logs.String(), testSecrets()); leaked != "" {
		t.Errorf("logs show the secret %q:\n%s", leaked, logs.String())
	}
	if !strings.Contains(logs.String(), "Logging in to ThingSpace") {
		t.Errorf("logs do not record the logins; the log check saw nothing:\n%s", logs.String())
	}
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, family := range families {
		for _, metric := range family.GetMetric() {
			for _, label := range metric.GetLabel() {
				if leaked := findSecret(label.GetValue(), append(testSecrets(), testAccount)); leaked != "" {
					t.Errorf("metric %s label %s=%q shows %q", family.GetName(), label.GetName(), label.GetValue(), leaked)
				}
			}
		}
	}
}

func TestPrintingCredentialsShowsNoValue(t *testing.T) {
	creds := thingspace.Credentials{
		SecretUID: "uid-1", ResourceVersion: "7",
		AccessToken: staticAccessToken, SessionToken: staticSessionToken,
		ClientID: testClientID, ClientSecret: testClientSecret, Username: testUsername, Password: testPassword,
	}
	type holder struct{ Creds thingspace.Credentials }
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, value := range []any{creds, &creds, holder{creds}, []thingspace.Credentials{creds}} {
			shown := fmt.Sprintf(verb, value)
			if leaked := findSecret(shown, testSecrets()); leaked != "" {
				t.Errorf("Sprintf(%q, %T) = %q shows %q", verb, value, shown, leaked)
			}
			if !strings.Contains(shown, "uid-1") {
				t.Errorf("Sprintf(%q, %T) = %q does not say which Secret", verb, value, shown)
			}
		}
	}
}

func testSecrets() []string {
	return []string{
		staticAccessToken, staticSessionToken, expiredSessionToken,
		testClientSecret, wrongClientSecret, testPassword, wrongPassword,
		// The token request's Basic header carries the client secret in base64.
		basicCredentials(testClientID, testClientSecret), basicCredentials(testClientID, wrongClientSecret),
	}
}

func basicCredentials(clientID, clientSecret string) string {
	return base64.StdEncoding.EncodeToString([]byte(clientID + ":" + clientSecret))
}

// mintedTokens returns every token the simulator saw, which includes what it minted.
func mintedTokens(w *world) []string {
	var tokens []string
	for _, r := range w.sim.Requests() {
		tokens = append(tokens, r.AccessToken, r.SessionToken)
	}
	return tokens
}

func findSecret(text string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(text, secret) {
			return secret
		}
	}
	return ""
}

func closedURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	_ = listener.Close()
	return "http://" + address
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ThingSpace's codes and messages are cut to a limit for the status. A secret that a reply
// echoes across that limit must be removed whole before the cut: cut first, it would no longer
// be found, and its first characters would stay in the message.
func TestASecretEchoedAcrossTheMessageLimitLeavesNoPrefix(t *testing.T) {
	const filler = "x"
	// acrossTheLimit places secret so that the limit falls in its middle.
	acrossTheLimit := func(secret string) string {
		return strings.Repeat(filler, thingspace.MaxMessageLength-len(secret)/2) + secret + " and the rest of the reply"
	}
	wrongClient := func(t *testing.T) thingspace.Credentials {
		creds := mintingCredentials(t, "uid-1", "1", testPassword)
		creds.ClientSecret = wrongClientSecret
		return creds
	}
	tests := map[string]struct {
		reason string
		creds  func(t *testing.T) thingspace.Credentials
		secret string
		fault  simulator.Fault
	}{
		"FOTA error message": {
			reason: "a 400's errorMessage echoes the access token",
			creds:  static, secret: staticAccessToken,
			fault: simulator.Fault{Status: 400, Body: jsonText(t, map[string]any{
				"errorCode": "INVALID_PARAMETER", "errorMessage": acrossTheLimit(staticAccessToken)})},
		},
		"FOTA error code": {
			reason: "a 400's errorCode echoes the session token",
			creds:  static, secret: staticSessionToken,
			fault: simulator.Fault{Status: 400, Body: jsonText(t, map[string]any{
				"errorCode": acrossTheLimit(staticSessionToken), "errorMessage": "bad"})},
		},
		"gateway fault": {
			reason: "a 401 gateway fault's message echoes the session token",
			creds:  static, secret: staticSessionToken,
			fault: simulator.Fault{Status: 401, Body: jsonText(t, map[string]any{
				"fault": map[string]any{"code": "900901", "message": acrossTheLimit(staticSessionToken)}})},
		},
		"server error": {
			reason: "a 503's error body echoes the access token",
			creds:  static, secret: staticAccessToken,
			fault: simulator.Fault{Status: 503, Body: jsonText(t, map[string]any{
				"errorCode": "INTERNAL", "errorMessage": acrossTheLimit(staticAccessToken)})},
		},
		"login reply": {
			reason: "a refused login's errorMessage echoes the password",
			creds:  minted(wrongPassword), secret: wrongPassword,
			fault: simulator.Fault{Kind: simulator.KindLogin, Status: 401, Body: jsonText(t, map[string]any{
				"errorCode": "UnifiedWebService.Login.InvalidCredentials", "errorMessage": acrossTheLimit(wrongPassword)})},
		},
		"token reply": {
			reason: "a refused token request's error_description echoes the client secret",
			creds:  wrongClient, secret: wrongClientSecret,
			fault: simulator.Fault{Kind: simulator.KindToken, Status: 401, Body: jsonText(t, map[string]any{
				"error": "invalid_client", "error_description": acrossTheLimit(wrongClientSecret)})},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := mintingWorld(t, nil)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			w.sim.InjectFault(tt.fault)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			_, err := client.UpdateCampaignDates(t.Context(), tt.creds(t), testAccount, testCampaignID,
				thingspace.Dates{StartDate: "2026-12-01", EndDate: "2026-12-07"})
			if err == nil {
				t.Fatalf("%s: got no error, want one", tt.reason)
			}

			shown := err.Error()
			if !strings.Contains(shown, strings.Repeat(filler, 64)) {
				t.Fatalf("%s: error %q does not carry ThingSpace's text; the check below would see nothing", tt.reason, shown)
			}
			if at := strings.Index(shown, filler+tt.secret[:4]); at >= 0 {
				t.Errorf("%s: error shows the start of the secret %q where the reply echoed it: ...%s",
					tt.reason, tt.secret, shown[at-16:])
			}
		})
	}
}

func jsonText(t *testing.T, value any) string {
	t.Helper()
	encoded, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded)
}
