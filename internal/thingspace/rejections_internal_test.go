package thingspace

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Values with the characters each encoding changes: quotes and backslashes for JSON, +/=%& for
// URLs and base64, HTML's <>& for encoding/json's escapes, and text beyond ASCII.
var awkwardSecrets = map[string]string{
	"access token":  `acc"ess\tok+en/=%&<é>`,
	"session token": `sess"ion\tok+en/=%&ü`,
	"client secret": `cli"ent\sec+ret/=%&日本`,
	"password":      `pa"ss\wo+rd/=%&<ß>`,
}

const awkwardClientID = "client+id/=%"

// Every form in which a server may echo a secret is removed: sanitize sees ThingSpace's text
// before it is cut for a condition.
func TestSanitizeRemovesEveryFormOfEachSecret(t *testing.T) {
	creds := Credentials{
		AccessToken: awkwardSecrets["access token"], SessionToken: awkwardSecrets["session token"],
		ClientID: awkwardClientID, ClientSecret: awkwardSecrets["client secret"], Password: awkwardSecrets["password"],
	}
	jsonEscaped := func(s string) string {
		encoded, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Trim(string(encoded), `"`)
	}
	forms := map[string]func(secret string) string{
		"raw":                   func(s string) string { return s },
		"JSON-escaped":          jsonEscaped,
		"JSON-escaped, no HTML": func(s string) string { return jsonEscapedNoHTML(t, s) },
		"URL-encoded, query":    url.QueryEscape,
		"URL-encoded, path":     url.PathEscape,
		"Basic, base64 std": func(string) string {
			return base64.StdEncoding.EncodeToString([]byte(awkwardClientID + ":" + creds.ClientSecret))
		},
		"Basic, URL-encoded too": func(string) string {
			return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(awkwardClientID + ":" + creds.ClientSecret)))
		},
	}
	for formName, form := range forms {
		for secretName, secret := range awkwardSecrets {
			t.Run(formName+" of the "+secretName, func(t *testing.T) {
				echoed := form(secret)
				for name, err := range map[string]error{
					"APIError":         &APIError{Code: "C " + echoed, Message: "message " + echoed + " end"},
					"CredentialsError": &CredentialsError{Code: echoed, Message: "message " + echoed},
					"UnavailableError": &UnavailableError{Err: errors.New("reply " + echoed)},
				} {
					shown := sanitize(err, creds.secretValues()).Error()
					if strings.Contains(shown, echoed) || !strings.Contains(shown, "[redacted]") {
						t.Errorf("%s: %q still shows %q, or redacts nothing", name, shown, echoed)
					}
				}
			})
		}
	}
}

func jsonEscapedNoHTML(t *testing.T, s string) string {
	t.Helper()
	var encoded strings.Builder
	encoder := json.NewEncoder(&encoded)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.Trim(strings.TrimSpace(encoded.String()), `"`)
}

// Minted tokens are removed in every form too: callers add them to the secrets they pass.
func TestSanitizeRemovesEveryFormOfAMintedToken(t *testing.T) {
	const minted = `min"ted\tok+en/=%&ø`
	for name, echoed := range map[string]string{
		"raw": minted, "query": url.QueryEscape(minted), "path": url.PathEscape(minted),
		"JSON": strings.Trim(fmt.Sprintf("%q", minted), `"`),
	} {
		t.Run(name, func(t *testing.T) {
			shown := sanitize(&APIError{Message: "token " + echoed}, []string{minted}).Error()
			if strings.Contains(shown, echoed) {
				t.Errorf("%q still shows %q", shown, echoed)
			}
		})
	}
}

func TestRejectionMemoryForgetsTheOldestPastItsBound(t *testing.T) {
	hasher := newValuesHasher()
	memory := newRejectionMemory()
	keyOf := func(i int) valuesKey { return hasher.keyOf("login", "user", fmt.Sprint(i)) }
	for i := range maxRememberedRejections + 1 {
		memory.remember(keyOf(i), &CredentialsError{Problem: LoginRejected, Message: fmt.Sprint(i)})
	}

	if got := len(memory.byKey); got != maxRememberedRejections {
		t.Errorf("%d rejections remembered, want the bound %d", got, maxRememberedRejections)
	}
	if found := memory.find(rejectionKeys{nil, ptrTo(keyOf(0))}); found != nil {
		t.Errorf("the oldest rejection is still remembered: %+v", *found)
	}
	if found := memory.find(rejectionKeys{nil, ptrTo(keyOf(1))}); found == nil || found.Message != "1" {
		t.Errorf("the second oldest rejection is forgotten: %v", found)
	}
}

func ptrTo[T any](v T) *T { return &v }
