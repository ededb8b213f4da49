package thingspace

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/scrypt"
)

// A rejection is remembered by the values ThingSpace judged, not by all four: the token endpoint
// judges clientId and clientSecret, the login username and password. So a Secret that briefly
// trades its client credentials for a static access token still does not try a rejected
// password again, and a rotated client secret does not bring another failed login.
type valueSet int

const (
	clientValues valueSet = iota
	loginValues
	valueSetCount
)

// tag names the set in its keyed hash and its fingerprint, so that equal values of the two sets
// never give equal keys.
func (s valueSet) tag() string {
	if s == clientValues {
		return "client"
	}
	return "login"
}

// values returns creds' values of the set.
func (s valueSet) values(creds Credentials) []string {
	if s == clientValues {
		return []string{creds.ClientID, creds.ClientSecret}
	}
	return []string{creds.Username, creds.Password}
}

// usedBy reports whether creds send the set's values to ThingSpace.
func (s valueSet) usedBy(creds Credentials) bool {
	if s == clientValues {
		return creds.mintsAccessToken()
	}
	return creds.logsIn()
}

// rejectedSet returns the set whose values a problem rejects, and false for a problem that says
// nothing about the values (a refused token is minted again).
func rejectedSet(problem CredentialsProblem) (valueSet, bool) {
	switch problem {
	case ClientCredentialsRejected:
		return clientValues, true
	case LoginRejected, LoginLocked:
		return loginValues, true
	default:
		return 0, false
	}
}

// encodeValues joins a tag and values, each preceded by its length, so that ("ab", "c") and
// ("a", "bc") differ.
func encodeValues(tag string, values ...string) []byte {
	var encoded []byte
	for _, value := range append([]string{tag}, values...) {
		encoded = binary.BigEndian.AppendUint64(encoded, uint64(len(value)))
		encoded = append(encoded, value...)
	}
	return encoded
}

// valuesKey names a set of credential values in memory: an HMAC-SHA256 under a key drawn at
// random when the process starts. A plain hash of a guessable password could be guessed back
// from a heap dump; this one cannot without the key, and it never leaves the process.
type valuesKey [sha256.Size]byte

// valuesHasher computes valuesKeys.
type valuesHasher struct{ key []byte }

func newValuesHasher() valuesHasher {
	key := make([]byte, sha256.Size)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return valuesHasher{key: key}
}

func (h valuesHasher) keyOf(tag string, values ...string) valuesKey {
	mac := hmac.New(sha256.New, h.key)
	mac.Write(encodeValues(tag, values...))
	var key valuesKey
	mac.Sum(key[:0])
	return key
}

// tokensKey names the four values tokens are minted from.
func (h valuesHasher) tokensKey(creds Credentials) valuesKey {
	return h.keyOf("tokens", creds.ClientID, creds.ClientSecret, creds.Username, creds.Password)
}

// rejectionKeys name, per set, the values creds send; a set creds do not use has no key.
type rejectionKeys [valueSetCount]*valuesKey

func (h valuesHasher) rejectionKeysOf(creds Credentials) rejectionKeys {
	var keys rejectionKeys
	for set := range valueSetCount {
		if set.usedBy(creds) {
			key := h.keyOf(set.tag(), set.values(creds)...)
			keys[set] = &key
		}
	}
	return keys
}

// maxRememberedRejections bounds the rejections kept in memory; past it the oldest is forgotten.
// Each holds a rejected set of values, so hundreds are far beyond what a cluster's mistakes make.
const maxRememberedRejections = 256

// rejectionMemory is the rejections seen or read from records, by the keyed hash of the
// rejected values. Guarded by tokenCache.mu.
type rejectionMemory struct {
	byKey map[valuesKey]*CredentialsError
	order []valuesKey // oldest first
}

func newRejectionMemory() rejectionMemory {
	return rejectionMemory{byKey: map[valuesKey]*CredentialsError{}}
}

// find returns a copy of the remembered rejection of any of keys' sets, or nil.
func (m *rejectionMemory) find(keys rejectionKeys) *CredentialsError {
	for _, key := range keys {
		if key == nil {
			continue
		}
		if rejected, ok := m.byKey[*key]; ok {
			remembered := *rejected
			return &remembered
		}
	}
	return nil
}

// remember keeps a copy of rejected for key, forgetting the oldest rejection past the bound.
func (m *rejectionMemory) remember(key valuesKey, rejected *CredentialsError) {
	remembered := *rejected
	if _, ok := m.byKey[key]; !ok {
		m.order = append(m.order, key)
	}
	m.byKey[key] = &remembered
	for len(m.order) > maxRememberedRejections {
		delete(m.byKey, m.order[0])
		m.order = m.order[1:]
	}
}

// The scrypt parameters of fingerprints of version scrypt1: about 16 MiB and tens of
// milliseconds of one core each. They are part of the version: other parameters need a new
// prefix, so that a record made by an older process still matches.
const (
	fingerprintVersion = "scrypt1"
	scryptN            = 1 << 14
	scryptR            = 8
	scryptP            = 1
	scryptKeyLength    = 32
	fingerprintSalt    = 16
)

// scryptSlot lets one key derivation run at a time: each takes 16 MiB, and a manager starting
// with many Secrets must not take 16 MiB per worker at once.
var scryptSlot = make(chan struct{}, 1)

// scryptRuns counts key derivations, for the tests that check none is repeated.
var scryptRuns atomic.Int64

// deriveKey runs scrypt on the encoded values of set, waiting for the slot unless ctx ends first.
func deriveKey(ctx context.Context, set valueSet, values []string, salt []byte) ([]byte, error) {
	select {
	case scryptSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-scryptSlot }()
	scryptRuns.Add(1)
	return scrypt.Key(encodeValues(set.tag(), values...), salt, scryptN, scryptR, scryptP, scryptKeyLength)
}

// newFingerprint is the fingerprint of creds' values rejected with problem (see
// CredentialsError.Fingerprint), or "" when problem rejects no values. A rejection has just
// been seen, so ctx's end does not stop it: the record matters more than the few milliseconds.
func newFingerprint(ctx context.Context, problem CredentialsProblem, creds Credentials) string {
	set, ok := rejectedSet(problem)
	if !ok {
		return ""
	}
	salt := make([]byte, fingerprintSalt)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	key, err := deriveKey(context.WithoutCancel(ctx), set, set.values(creds), salt)
	if err != nil {
		// Only invalid parameters make scrypt fail, and these are constants.
		return ""
	}
	encoding := base64.RawURLEncoding
	return strings.Join([]string{fingerprintVersion, string(problem), encoding.EncodeToString(salt), encoding.EncodeToString(key)}, ".")
}

// fingerprint is a parsed CredentialsError.Fingerprint.
type fingerprint struct {
	problem CredentialsProblem
	set     valueSet
	salt    []byte
	key     []byte
}

// parseFingerprint reads a fingerprint of version scrypt1; anything else, such as a record
// edited by hand, is not one and matches nothing.
func parseFingerprint(text string) (fingerprint, bool) {
	parts := strings.Split(strings.TrimSpace(text), ".")
	if len(parts) != 4 || parts[0] != fingerprintVersion {
		return fingerprint{}, false
	}
	problem := CredentialsProblem(parts[1])
	set, ok := rejectedSet(problem)
	if !ok {
		return fingerprint{}, false
	}
	salt, saltErr := base64.RawURLEncoding.DecodeString(parts[2])
	key, keyErr := base64.RawURLEncoding.DecodeString(parts[3])
	if saltErr != nil || keyErr != nil || len(salt) != fingerprintSalt || len(key) != scryptKeyLength {
		return fingerprint{}, false
	}
	return fingerprint{problem: problem, set: set, salt: salt, key: key}, true
}

// matches reports whether creds hold the values the fingerprint was made of. Credentials that do
// not use the fingerprint's set (a static token instead) cannot match.
func (f fingerprint) matches(ctx context.Context, creds Credentials) (bool, error) {
	if !f.set.usedBy(creds) {
		return false, nil
	}
	key, err := deriveKey(ctx, f.set, f.set.values(creds), f.salt)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, f.key) == 1, nil
}

// FingerprintMatches reports whether fingerprint, a CredentialsError.Fingerprint, was made of
// the values in creds that it names (clientId and clientSecret, or username and password). It
// costs one scrypt derivation; a string that is no fingerprint matches nothing.
func FingerprintMatches(fingerprint string, creds Credentials) bool {
	parsed, ok := parseFingerprint(fingerprint)
	if !ok {
		return false
	}
	matched, err := parsed.matches(context.Background(), creds)
	return err == nil && matched
}
