package thingspace_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

func TestCredentialsFromSecret(t *testing.T) {
	tests := []struct {
		name        string
		data        map[string]string
		want        thingspace.Credentials
		wantMissing []string
	}{{
		name: "static tokens",
		data: map[string]string{"accessToken": staticAccessToken, "sessionToken": staticSessionToken},
		want: thingspace.Credentials{AccessToken: staticAccessToken, SessionToken: staticSessionToken},
	}, {
		name: "client credentials and a login mint both tokens",
		data: map[string]string{"clientId": testClientID, "clientSecret": testClientSecret, "username": testUsername, "password": testPassword},
		want: thingspace.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, Username: testUsername, Password: testPassword},
	}, {
		name: "a static access token with a login",
		data: map[string]string{"accessToken": staticAccessToken, "username": testUsername, "password": testPassword},
		want: thingspace.Credentials{AccessToken: staticAccessToken, Username: testUsername, Password: testPassword},
	}, {
		name: "client credentials with a static session token",
		data: map[string]string{"clientId": testClientID, "clientSecret": testClientSecret, "sessionToken": staticSessionToken},
		want: thingspace.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, SessionToken: staticSessionToken},
	}, {
		name: "minting wins over static tokens, which expire and cannot be renewed",
		data: map[string]string{"accessToken": staticAccessToken, "sessionToken": staticSessionToken,
			"clientId": testClientID, "clientSecret": testClientSecret, "username": testUsername, "password": testPassword},
		want: thingspace.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, Username: testUsername, Password: testPassword},
	}, {
		name: "half a pair next to a static token is ignored",
		data: map[string]string{"accessToken": staticAccessToken, "clientId": testClientID, "sessionToken": staticSessionToken, "password": testPassword},
		want: thingspace.Credentials{AccessToken: staticAccessToken, SessionToken: staticSessionToken},
	}, {
		name: "a trailing newline from echo is trimmed, except from the password",
		data: map[string]string{"accessToken": staticAccessToken + "\n", "username": " " + testUsername + "\n", "password": testPassword + " "},
		want: thingspace.Credentials{AccessToken: staticAccessToken, Username: testUsername, Password: testPassword + " "},
	}, {
		name:        "an empty Secret lacks both tokens",
		data:        map[string]string{},
		wantMissing: []string{"accessToken (or clientId and clientSecret)", "sessionToken (or username and password)"},
	}, {
		name:        "an empty value counts as missing",
		data:        map[string]string{"accessToken": "", "sessionToken": staticSessionToken},
		wantMissing: []string{"accessToken (or clientId and clientSecret)"},
	}, {
		name:        "clientId without clientSecret names the missing half",
		data:        map[string]string{"clientId": testClientID, "sessionToken": staticSessionToken},
		wantMissing: []string{"clientSecret (with clientId, instead of accessToken)"},
	}, {
		name:        "password without username names the missing half",
		data:        map[string]string{"accessToken": staticAccessToken, "password": testPassword},
		wantMissing: []string{"username (with password, instead of sessionToken)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := credentialsSecret("uid-1", "42", tt.data)
			got, err := thingspace.CredentialsFromSecret(secret)
			if tt.wantMissing != nil {
				missing := errorAs[*thingspace.MissingCredentialsError](t, err)
				if missing.Namespace != "fleet" || missing.Name != "thingspace-credentials" {
					t.Errorf("error names Secret %s/%s, want fleet/thingspace-credentials", missing.Namespace, missing.Name)
				}
				if diff := cmp.Diff(tt.wantMissing, missing.MissingKeys); diff != "" {
					t.Errorf("missing keys (-want +got):\n%s", diff)
				}
				if !strings.Contains(err.Error(), "fleet/thingspace-credentials") {
					t.Errorf("message %q does not name the Secret", err)
				}
				if leaked := findSecret(err.Error(), testSecrets()); leaked != "" {
					t.Errorf("message %q shows %q", err, leaked)
				}
				return
			}
			if err != nil {
				t.Fatalf("CredentialsFromSecret: %v", err)
			}
			tt.want.SecretUID, tt.want.ResourceVersion = "uid-1", "42"
			// cmp shows the (test) values, which the String method hides on purpose.
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
		})
	}
}
