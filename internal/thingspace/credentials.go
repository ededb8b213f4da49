package thingspace

import (
	"encoding/base64"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Keys of the credentials Secret.
const (
	SecretKeyAccessToken  = "accessToken"
	SecretKeySessionToken = "sessionToken"
	SecretKeyClientID     = "clientId"
	SecretKeyClientSecret = "clientSecret"
	SecretKeyUsername     = "username"
	SecretKeyPassword     = "password"
)

// Credentials is what a credentials Secret holds. Minted tokens and remembered rejections are
// kept per credential values, not per Secret: any number of Secrets holding the same values
// share one set of tokens and one memory of a rejection, and a Secret deleted and created again
// with the same values starts nothing afresh. SecretUID names the Secret, so that the tokens of
// values no Secret uses any more can be dropped (ForgetSecret); ResourceVersion says which
// version of the Secret the values were read from, for the caller's own cache and for display.
// Neither decides minting.
//
// The access token is either static (AccessToken) or minted with OAuth2 client credentials
// (ClientID, ClientSecret); the session token is either static (SessionToken) or obtained by a
// session login (Username, Password). CredentialsFromSecret fills exactly one way for each.
//
// Printing Credentials with any fmt verb shows which way each token comes from, never a value.
type Credentials struct {
	SecretUID       types.UID
	ResourceVersion string

	AccessToken  string
	SessionToken string

	ClientID     string
	ClientSecret string

	Username string
	Password string
}

// MissingCredentialsError is a Secret that lacks the keys for one of the two tokens. It names
// the Secret and the keys, never a value.
type MissingCredentialsError struct {
	Namespace string
	Name      string
	// MissingKeys says, one entry per token, which keys would complete the Secret, e.g.
	// "accessToken (or clientId and clientSecret)".
	MissingKeys []string
}

func (e *MissingCredentialsError) Error() string {
	return fmt.Sprintf("Secret %s/%s lacks ThingSpace credentials: missing %s",
		e.Namespace, e.Name, strings.Join(e.MissingKeys, "; missing "))
}

// CredentialsFromSecret reads ThingSpace credentials from a Secret's data.
//
// When a Secret carries both a static token and the credentials to mint it, minting wins: a
// static access token lasts an hour and a session token dies after 20 idle minutes, while minted
// ones are renewed. Surrounding whitespace (a trailing newline from `echo`) is trimmed from every
// value except the password, which is used exactly as stored.
func CredentialsFromSecret(secret *corev1.Secret) (Credentials, error) {
	value := func(key string) string { return strings.TrimSpace(string(secret.Data[key])) }
	creds := Credentials{
		SecretUID:       secret.UID,
		ResourceVersion: secret.ResourceVersion,
		ClientID:        value(SecretKeyClientID),
		ClientSecret:    value(SecretKeyClientSecret),
		Username:        value(SecretKeyUsername),
		Password:        string(secret.Data[SecretKeyPassword]),
	}
	if creds.ClientID == "" || creds.ClientSecret == "" {
		creds.AccessToken = value(SecretKeyAccessToken)
	}
	if creds.Username == "" || creds.Password == "" {
		creds.SessionToken = value(SecretKeySessionToken)
	}

	var missing []string
	if creds.AccessToken == "" && !creds.mintsAccessToken() {
		missing = append(missing, missingPair(SecretKeyAccessToken, SecretKeyClientID, creds.ClientID, SecretKeyClientSecret, creds.ClientSecret))
	}
	if creds.SessionToken == "" && !creds.logsIn() {
		missing = append(missing, missingPair(SecretKeySessionToken, SecretKeyUsername, creds.Username, SecretKeyPassword, creds.Password))
	}
	if len(missing) > 0 {
		return Credentials{}, &MissingCredentialsError{Namespace: secret.Namespace, Name: secret.Name, MissingKeys: missing}
	}
	// Half of a pair next to a static token is unused; keeping it would only confuse printing.
	if !creds.mintsAccessToken() {
		creds.ClientID, creds.ClientSecret = "", ""
	}
	if !creds.logsIn() {
		creds.Username, creds.Password = "", ""
	}
	return creds, nil
}

// missingPair describes what would complete one token: the static key, or the half of the pair
// that is missing when the other half is present.
func missingPair(staticKey, firstKey, first, secondKey, second string) string {
	switch {
	case first != "" && second == "":
		return fmt.Sprintf("%s (with %s, instead of %s)", secondKey, firstKey, staticKey)
	case first == "" && second != "":
		return fmt.Sprintf("%s (with %s, instead of %s)", firstKey, secondKey, staticKey)
	default:
		return fmt.Sprintf("%s (or %s and %s)", staticKey, firstKey, secondKey)
	}
}

// mintsAccessToken reports whether the access token comes from the OAuth2 token endpoint.
func (c Credentials) mintsAccessToken() bool { return c.ClientID != "" && c.ClientSecret != "" }

// logsIn reports whether the session token comes from a session login.
func (c Credentials) logsIn() bool { return c.Username != "" && c.Password != "" }

// mintsAny reports whether any token of c comes from the token cache.
func (c Credentials) mintsAny() bool { return c.mintsAccessToken() || c.logsIn() }

// secretValues lists every value that must never be shown, with the Basic credentials of the
// token request, which carry the client secret in base64.
func (c Credentials) secretValues() []string {
	values := []string{c.AccessToken, c.SessionToken, c.ClientSecret, c.Password}
	if c.ClientSecret != "" {
		values = append(values, base64.StdEncoding.EncodeToString([]byte(c.ClientID+":"+c.ClientSecret)))
	}
	return values
}

// String shows where each token comes from and which Secret version, never a value.
func (c Credentials) String() string {
	access, session := "none", "none"
	switch {
	case c.mintsAccessToken():
		access = "minted from clientId and clientSecret"
	case c.AccessToken != "":
		access = "static"
	}
	switch {
	case c.logsIn():
		session = "session login with username and password"
	case c.SessionToken != "":
		session = "static"
	}
	return fmt.Sprintf("thingspace.Credentials{SecretUID: %q, ResourceVersion: %q, access token: %s, session token: %s}",
		c.SecretUID, c.ResourceVersion, access, session)
}

// GoString makes %#v as safe as %v.
func (c Credentials) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %q, %x, ...) print String, never a field value.
func (c Credentials) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprint(f, c.String())
}
