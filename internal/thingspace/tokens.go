package thingspace

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/types"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

const (
	// defaultAccessTokenLifetime applies when the token endpoint does not say; ThingSpace
	// documents one hour.
	defaultAccessTokenLifetime = time.Hour
	// maxAccessTokenSeconds caps expires_in, so that an absurd value cannot overflow a Duration.
	maxAccessTokenSeconds = math.MaxInt32
	// accessTokenRefreshMargin renews an access token this long before it expires, so that no
	// call goes out with a token about to die.
	accessTokenRefreshMargin = time.Minute

	// sessionIdleLimit is how long ThingSpace keeps an unused session token alive.
	sessionIdleLimit = 20 * time.Minute
	// sessionRefreshMargin logs in again this long before the idle limit.
	sessionRefreshMargin = 2 * time.Minute

	// maxRejectedValues bounds how many rejected sets of values of one Secret are remembered.
	maxRejectedValues = 8
)

// tokenPair is the two tokens of a FOTA call.
type tokenPair struct {
	access  string
	session string
}

type tokenEndpoints struct {
	tokenURL string
	loginURL string
}

// tokenCache mints access and session tokens from a Secret's credentials and keeps them per
// Secret and credential values, so that the many campaigns sharing a Secret mint once, and a
// rejected login is not repeated (five failed logins lock a ThingSpace account) until the
// values change. The Secret's resourceVersion plays no part: an edit of its labels or
// annotations (a reloader, a GitOps tool) changes it and must neither mint again nor retry.
type tokenCache struct {
	endpoints  tokenEndpoints
	httpClient *http.Client
	timeout    time.Duration
	clock      func() time.Time

	mu       sync.Mutex
	entries  map[valuesKey]*tokenEntry
	sequence uint64
}

// valuesKey names the values tokens are minted from: the Secret and a SHA-256 fingerprint of
// clientId, clientSecret, username and password. The fingerprint of a guessable password can
// be guessed back, so it never leaves the cache: no log, error, event or metric shows it.
type valuesKey struct {
	uid         types.UID
	fingerprint [sha256.Size]byte
}

func valuesKeyOf(creds Credentials) valuesKey {
	var encoded []byte
	for _, value := range []string{creds.ClientID, creds.ClientSecret, creds.Username, creds.Password} {
		// Each value's length goes first, so that ("ab", "c") and ("a", "bc") differ.
		encoded = binary.BigEndian.AppendUint64(encoded, uint64(len(value)))
		encoded = append(encoded, value...)
	}
	return valuesKey{uid: creds.SecretUID, fingerprint: sha256.Sum256(encoded)}
}

// tokenEntry is the state of one set of values. Its lock is held while minting, so concurrent
// callers wait for the first one's tokens instead of minting their own.
type tokenEntry struct {
	lock     chan struct{}
	sequence uint64

	accessToken      string
	accessRefreshAt  time.Time
	sessionToken     string
	sessionRefreshAt time.Time

	// rejected is the remembered refusal of the client credentials or the login. It is atomic
	// because the cache inspects it, under its own lock, while the entry's holder may set it.
	rejected atomic.Pointer[CredentialsError]
}

func newTokenCache(endpoints tokenEndpoints, httpClient *http.Client, timeout time.Duration, clock func() time.Time) *tokenCache {
	return &tokenCache{
		endpoints:  endpoints,
		httpClient: httpClient,
		timeout:    timeout,
		clock:      clock,
		entries:    map[valuesKey]*tokenEntry{},
	}
}

// tokensFor returns the tokens to send with creds, minting what is missing or about to expire.
func (c *tokenCache) tokensFor(ctx context.Context, creds Credentials) (tokenPair, error) {
	tokens := tokenPair{access: creds.AccessToken, session: creds.SessionToken}
	if !creds.mintsAny() {
		return tokens, nil
	}
	entry := c.entryFor(creds)
	if err := entry.acquire(ctx); err != nil {
		return tokenPair{}, err
	}
	defer entry.release()
	if rejected := entry.rejected.Load(); rejected != nil {
		remembered := *rejected
		return tokenPair{}, &remembered
	}
	if creds.mintsAccessToken() {
		if err := c.ensureAccessToken(ctx, creds, entry); err != nil {
			return tokenPair{}, err
		}
		tokens.access = entry.accessToken
	}
	if creds.logsIn() {
		if err := c.ensureSessionToken(ctx, creds, tokens.access, entry); err != nil {
			return tokenPair{}, err
		}
		tokens.session = entry.sessionToken
		// The session stays alive for sessionIdleLimit after its last use, which is now.
		entry.sessionRefreshAt = c.clock().Add(sessionIdleLimit - sessionRefreshMargin)
	}
	return tokens, nil
}

// invalidate drops the minted tokens that ThingSpace refused in used, unless another caller
// has already replaced them. When ctx ends first, the next tokensFor fails on ctx as well.
func (c *tokenCache) invalidate(ctx context.Context, creds Credentials, used tokenPair) {
	if !creds.mintsAny() {
		return
	}
	entry := c.entryFor(creds)
	if entry.acquire(ctx) != nil {
		return
	}
	defer entry.release()
	if entry.accessToken == used.access {
		entry.accessToken = ""
	}
	if entry.sessionToken == used.session {
		entry.sessionToken = ""
	}
}

// forget drops every entry of the Secret with uid.
func (c *tokenCache) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.entries {
		if key.uid == uid {
			delete(c.entries, key)
		}
	}
}

// entryFor returns the entry of creds' values, creating it when the values are new. New values
// drop the tokens minted from the Secret's other values; their remembered rejections stay, so
// that a stale read of old values cannot repeat a failed login.
func (c *tokenCache) entryFor(creds Credentials) *tokenEntry {
	key := valuesKeyOf(creds)
	c.mu.Lock()
	defer c.mu.Unlock()
	if entry, ok := c.entries[key]; ok {
		return entry
	}
	c.dropOtherValues(key.uid)
	c.sequence++
	entry := &tokenEntry{lock: make(chan struct{}, 1), sequence: c.sequence}
	c.entries[key] = entry
	return entry
}

// dropOtherValues drops the entries of the Secret with uid, except the newest
// maxRejectedValues-1 remembered rejections, which leaves room for one new entry.
func (c *tokenCache) dropOtherValues(uid types.UID) {
	var rejected []valuesKey
	for key, entry := range c.entries {
		switch {
		case key.uid != uid:
		case entry.rejected.Load() == nil:
			delete(c.entries, key)
		default:
			rejected = append(rejected, key)
		}
	}
	for len(rejected) > maxRejectedValues-1 {
		oldest := 0
		for i, key := range rejected {
			if c.entries[key].sequence < c.entries[rejected[oldest]].sequence {
				oldest = i
			}
		}
		delete(c.entries, rejected[oldest])
		rejected = append(rejected[:oldest], rejected[oldest+1:]...)
	}
}

func (e *tokenEntry) acquire(ctx context.Context) error {
	select {
	case e.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *tokenEntry) release() { <-e.lock }

func (c *tokenCache) ensureAccessToken(ctx context.Context, creds Credentials, entry *tokenEntry) error {
	if entry.accessToken != "" && c.clock().Before(entry.accessRefreshAt) {
		return nil
	}
	logf.FromContext(ctx).V(1).Info("Minting a ThingSpace access token", "secretUID", creds.SecretUID)
	token, lifetime, err := c.mintAccessToken(ctx, creds)
	if err != nil {
		return c.recordFailure(entry, tokenKindAccess, sanitize(err, creds.secretValues()))
	}
	tokenMintsTotal.WithLabelValues(tokenKindAccess, mintSucceeded).Inc()
	entry.accessToken = token
	entry.accessRefreshAt = c.clock().Add(lifetime - min(accessTokenRefreshMargin, lifetime/2))
	return nil
}

func (c *tokenCache) ensureSessionToken(ctx context.Context, creds Credentials, accessToken string, entry *tokenEntry) error {
	if entry.sessionToken != "" && c.clock().Before(entry.sessionRefreshAt) {
		return nil
	}
	logf.FromContext(ctx).V(1).Info("Logging in to ThingSpace for a session token", "secretUID", creds.SecretUID)
	token, err := c.login(ctx, accessToken, creds.Username, creds.Password)
	if err != nil {
		var credErr *CredentialsError
		if errors.As(err, &credErr) && credErr.Problem == AccessTokenRejected {
			// The gateway refused the bearer before the login service saw the password: not a
			// failed login, just an access token to mint again.
			entry.accessToken = ""
		}
		return c.recordFailure(entry, tokenKindSession, sanitize(err, append(creds.secretValues(), accessToken)))
	}
	tokenMintsTotal.WithLabelValues(tokenKindSession, mintSucceeded).Inc()
	entry.sessionToken = token
	return nil
}

// recordFailure counts a failed mint and remembers a refusal of the Secret's own credentials.
func (c *tokenCache) recordFailure(entry *tokenEntry, kind string, err error) error {
	var credErr *CredentialsError
	if !errors.As(err, &credErr) {
		tokenMintsTotal.WithLabelValues(kind, mintFailed).Inc()
		return err
	}
	tokenMintsTotal.WithLabelValues(kind, mintRejected).Inc()
	switch credErr.Problem {
	case ClientCredentialsRejected, LoginRejected, LoginLocked:
		remembered := *credErr
		entry.rejected.Store(&remembered)
	}
	return err
}

// mintAccessToken asks the OAuth2 token endpoint for an access token with the client
// credentials grant, and says how long the token lives.
func (c *tokenCache) mintAccessToken(ctx context.Context, creds Credentials) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := newTokenRequest(ctx, c.endpoints.tokenURL, creds)
	if err != nil {
		return "", 0, err
	}
	status, header, body, err := sendLimited(c.httpClient, req)
	if err != nil {
		return "", 0, err
	}
	return classifyTokenReply(status, header, body, c.clock())
}

// newTokenRequest builds the client credentials grant. The Basic header carries
// base64(clientId:clientSecret) of the raw values, as ThingSpace documents; RFC 6749 would
// form-encode both first, which changes a secret holding +, /, = or % into one ThingSpace
// refuses.
func newTokenRequest(ctx context.Context, tokenURL string, creds Credentials) (*http.Request, error) {
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(withOperation(ctx, operationToken), http.MethodPost, tokenURL, strings.NewReader(form))
	if err != nil {
		return nil, fmt.Errorf("thingspace: building the %s request: %w", operationToken, err)
	}
	req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// tokenReply is the token endpoint's answer: an access token, or an OAuth error (RFC 6749,
// section 5.2). expires_in is a number, or a string holding one from some servers.
type tokenReply struct {
	AccessToken      string      `json:"access_token"`
	ExpiresIn        json.Number `json:"expires_in"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// lifetime is expires_in, or ThingSpace's documented hour when the reply does not say.
func (r tokenReply) lifetime() time.Duration {
	seconds, err := r.ExpiresIn.Int64()
	if err != nil || seconds <= 0 {
		return defaultAccessTokenLifetime
	}
	return time.Duration(min(seconds, maxAccessTokenSeconds)) * time.Second
}

// classifyTokenReply reads the token endpoint's answer: the access token and its lifetime, or
// a typed error. A refusal of the client credentials is remembered, so it must be one: a
// throttle, a 5xx or an unexpected status is ThingSpace failing to answer, whatever the body
// says, and a 2xx without a token is a broken reply.
func classifyTokenReply(status int, header http.Header, body []byte, now time.Time) (string, time.Duration, error) {
	var reply tokenReply
	parseErr := json.Unmarshal(body, &reply)
	switch {
	case refusesClientCredentials(status, body, reply):
		return "", 0, &CredentialsError{
			Problem:    ClientCredentialsRejected,
			StatusCode: status,
			Code:       reply.Error,
			Message:    reply.ErrorDescription,
		}
	case status < 200 || status > 299:
		return "", 0, classifyResponse(status, header, body, now)
	case parseErr != nil || reply.AccessToken == "":
		return "", 0, &UnavailableError{StatusCode: status, Err: errors.New("token endpoint replied without an access token")}
	}
	return reply.AccessToken, reply.lifetime(), nil
}

// refusesClientCredentials reports whether the token endpoint refused the client credentials:
// any 4xx but a throttle, or an OAuth error under a 2xx, which some servers send.
func refusesClientCredentials(status int, body []byte, reply tokenReply) bool {
	switch {
	case status >= 200 && status <= 299:
		return reply.Error != ""
	case status >= 400 && status <= 499:
		return status != http.StatusTooManyRequests && parseErrorReply(body).faultCode() != faultThrottled
	default:
		return false
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginReply struct {
	SessionToken string `json:"sessionToken"`
}

// login exchanges username and password for a session token.
func (c *tokenCache) login(ctx context.Context, accessToken, username, password string) (string, error) {
	body, err := json.Marshal(loginRequest{Username: username, Password: password})
	if err != nil {
		return "", fmt.Errorf("thingspace: encoding the login request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := newJSONRequest(ctx, operationLogin, http.MethodPost, c.endpoints.loginURL, body, accessToken)
	if err != nil {
		return "", err
	}
	status, header, replyBody, err := sendLimited(c.httpClient, req)
	if err != nil {
		return "", err
	}
	return classifyLogin(status, header, replyBody, c.clock())
}

// classifyLogin reads a login reply. Any 4xx other than a throttle or a refused bearer token is
// a refused login: when in doubt the operator does not try again, since each failed attempt
// brings the account closer to being locked.
func classifyLogin(status int, header http.Header, body []byte, now time.Time) (string, error) {
	if status >= 200 && status <= 299 {
		var reply loginReply
		if err := json.Unmarshal(body, &reply); err != nil || reply.SessionToken == "" {
			return "", &UnavailableError{StatusCode: status, Err: errors.New("login reply carries no sessionToken")}
		}
		return reply.SessionToken, nil
	}
	reply := parseErrorReply(body)
	if reply.fault != nil || status < 400 || status > 499 || status == http.StatusTooManyRequests {
		return "", classifyResponse(status, header, body, now)
	}
	problem := LoginRejected
	if strings.Contains(strings.ToLower(reply.code()), "locked") {
		problem = LoginLocked
	}
	return "", &CredentialsError{Problem: problem, StatusCode: status, Code: reply.code(), Message: reply.message()}
}
