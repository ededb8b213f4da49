package thingspace

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
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

	// mintPendingRetryAfter is when a caller that found a mint of the same values in flight
	// tries again: about what one token request and one login take.
	mintPendingRetryAfter = time.Second
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

// tokenCache mints access and session tokens from credentials and keeps them per set of values,
// whichever Secrets hold them, so that the many campaigns and Secrets sharing one set mint once.
// It remembers a rejection of the values themselves (five failed logins lock a ThingSpace
// account) by the rejected values alone, and keeps it when the Secrets holding them go: a Secret
// deleted and created again, or copied into another namespace, brings no other attempt. Before
// it first sends values, it compares them with the rejections earlier processes recorded
// (UseRejectionRecords). One mint per set of values is in flight at a time, and callers do not
// wait for it: a slow token endpoint holds one worker per set, not every worker.
type tokenCache struct {
	endpoints  tokenEndpoints
	httpClient *http.Client
	timeout    time.Duration
	clock      func() time.Time
	hasher     valuesHasher

	mu         sync.Mutex
	entries    map[valuesKey]*tokenEntry
	bySecret   map[types.UID]valuesKey
	rejections rejectionMemory
	records    func(ctx context.Context) ([]string, error)
}

// tokenEntry is the tokens of one set of values. Its token fields are guarded by tokenCache.mu;
// checked and accepted belong to the caller that set minting, the only one that mints.
type tokenEntry struct {
	// users are the Secrets last seen holding these values.
	users   map[types.UID]struct{}
	minting bool

	// checked holds the records already compared with these values, so that no record costs
	// another scrypt derivation; accepted marks the sets ThingSpace accepted in this process,
	// which need no comparison any more.
	checked  map[string]bool
	accepted [valueSetCount]bool

	accessToken      string
	accessRefreshAt  time.Time
	accessExpiresAt  time.Time
	sessionToken     string
	sessionRefreshAt time.Time
	sessionExpiresAt time.Time
}

func newTokenCache(endpoints tokenEndpoints, httpClient *http.Client, timeout time.Duration, clock func() time.Time) *tokenCache {
	return &tokenCache{
		endpoints:  endpoints,
		httpClient: httpClient,
		timeout:    timeout,
		clock:      clock,
		hasher:     newValuesHasher(),
		entries:    map[valuesKey]*tokenEntry{},
		bySecret:   map[types.UID]valuesKey{},
		rejections: newRejectionMemory(),
	}
}

// useRecords sets where the rejections recorded by earlier processes are read.
func (c *tokenCache) useRecords(records func(ctx context.Context) ([]string, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = records
}

// tokensFor returns the tokens to send with creds, minting what is missing or about to expire.
func (c *tokenCache) tokensFor(ctx context.Context, creds Credentials) (tokenPair, error) {
	if !creds.mintsAny() {
		return tokenPair{access: creds.AccessToken, session: creds.SessionToken}, nil
	}
	key := c.hasher.tokensKey(creds)
	rejectionKeys := c.hasher.rejectionKeysOf(creds)
	entry, tokens, err := c.claim(key, rejectionKeys, creds)
	if entry == nil {
		return tokens, err
	}
	defer c.endMint(key, entry)
	return c.mint(ctx, creds, entry, rejectionKeys)
}

// claim gives a caller of creds what it gets without minting: a remembered rejection, the
// entry's tokens while they are fresh, or, when another caller mints, those tokens while they
// still live and a *MintPendingError otherwise. Failing all that, it returns the entry, marked
// minting, for the caller to mint.
func (c *tokenCache) claim(key valuesKey, rejectionKeys rejectionKeys, creds Credentials) (*tokenEntry, tokenPair, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry := c.entryFor(key, creds.SecretUID)
	if rejected := c.rejections.find(rejectionKeys); rejected != nil {
		return nil, tokenPair{}, rejected
	}
	now := c.clock()
	if entry.live(creds, now, entry.minting) {
		entry.useSession(creds, now)
		return nil, entry.pair(creds), nil
	}
	if entry.minting {
		return nil, tokenPair{}, &MintPendingError{RetryAfter: mintPendingRetryAfter}
	}
	entry.minting = true
	return entry, tokenPair{}, nil
}

// live reports whether the entry holds every token creds mint: good for a while yet, or, while
// another caller mints (inFlight), merely not expired.
func (e *tokenEntry) live(creds Credentials, now time.Time, inFlight bool) bool {
	accessUntil, sessionUntil := e.accessRefreshAt, e.sessionRefreshAt
	if inFlight {
		accessUntil, sessionUntil = e.accessExpiresAt, e.sessionExpiresAt
	}
	accessLive := !creds.mintsAccessToken() || (e.accessToken != "" && now.Before(accessUntil))
	sessionLive := !creds.logsIn() || (e.sessionToken != "" && now.Before(sessionUntil))
	return accessLive && sessionLive
}

// useSession notes that the session token goes out now: ThingSpace keeps it alive for
// sessionIdleLimit after its last use.
func (e *tokenEntry) useSession(creds Credentials, now time.Time) {
	if creds.logsIn() {
		e.sessionRefreshAt = now.Add(sessionIdleLimit - sessionRefreshMargin)
		e.sessionExpiresAt = now.Add(sessionIdleLimit)
	}
}

// pair is the tokens to send with creds: minted ones from the entry, static ones from creds.
func (e *tokenEntry) pair(creds Credentials) tokenPair {
	tokens := tokenPair{access: creds.AccessToken, session: creds.SessionToken}
	if creds.mintsAccessToken() {
		tokens.access = e.accessToken
	}
	if creds.logsIn() {
		tokens.session = e.sessionToken
	}
	return tokens
}

// entryFor returns the entry of the values with key, creating it when they are new, and notes
// that the Secret uid holds them. A Secret seen with new values no longer holds its old ones,
// whose tokens go when no other Secret holds them.
func (c *tokenCache) entryFor(key valuesKey, uid types.UID) *tokenEntry {
	if previous, ok := c.bySecret[uid]; ok && previous != key {
		c.release(previous, uid)
	}
	c.bySecret[uid] = key
	entry, ok := c.entries[key]
	if !ok {
		entry = &tokenEntry{users: map[types.UID]struct{}{}, checked: map[string]bool{}}
		c.entries[key] = entry
	}
	entry.users[uid] = struct{}{}
	return entry
}

// release notes that the Secret uid no longer holds the values with key, and drops their tokens
// when no Secret does and no mint is in flight. Rejections are kept apart and stay.
func (c *tokenCache) release(key valuesKey, uid types.UID) {
	entry, ok := c.entries[key]
	if !ok {
		return
	}
	delete(entry.users, uid)
	if len(entry.users) == 0 && !entry.minting {
		delete(c.entries, key)
	}
}

// endMint lets the next caller mint, and drops the entry if its Secrets went meanwhile.
func (c *tokenCache) endMint(key valuesKey, entry *tokenEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry.minting = false
	if len(entry.users) == 0 && c.entries[key] == entry {
		delete(c.entries, key)
	}
}

// invalidate drops the minted tokens that ThingSpace refused in used, unless another caller
// has already replaced them.
func (c *tokenCache) invalidate(creds Credentials, used tokenPair) {
	if !creds.mintsAny() {
		return
	}
	key := c.hasher.tokensKey(creds)
	c.mu.Lock()
	defer c.mu.Unlock()
	entry, ok := c.entries[key]
	if !ok {
		return
	}
	if entry.accessToken == used.access {
		entry.accessToken = ""
	}
	if entry.sessionToken == used.session {
		entry.sessionToken = ""
	}
}

// forget notes that the Secret with uid is gone: the tokens of its values go unless another
// Secret holds them. Remembered rejections stay, whatever Secret they were seen with.
func (c *tokenCache) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key, ok := c.bySecret[uid]; ok {
		c.release(key, uid)
		delete(c.bySecret, uid)
	}
}

// mint gets what creds mint and the entry lacks; the caller has set entry.minting.
func (c *tokenCache) mint(ctx context.Context, creds Credentials, entry *tokenEntry, keys rejectionKeys) (tokenPair, error) {
	if err := c.checkRecords(ctx, creds, entry, keys); err != nil {
		return tokenPair{}, err
	}
	tokens := tokenPair{access: creds.AccessToken, session: creds.SessionToken}
	if creds.mintsAccessToken() {
		access, err := c.ensureAccessToken(ctx, creds, entry, keys)
		if err != nil {
			return tokenPair{}, err
		}
		tokens.access = access
	}
	if creds.logsIn() {
		session, err := c.ensureSessionToken(ctx, creds, tokens.access, entry, keys)
		if err != nil {
			return tokenPair{}, err
		}
		tokens.session = session
	}
	return tokens, nil
}

// checkRecords compares the values creds would send, and ThingSpace has not accepted in this
// process, with the rejections that earlier processes recorded: a match is a rejection at once,
// remembered like one seen, and nothing is sent. Each record is compared with each set of values
// once.
func (c *tokenCache) checkRecords(ctx context.Context, creds Credentials, entry *tokenEntry, keys rejectionKeys) error {
	c.mu.Lock()
	records := c.records
	c.mu.Unlock()
	var unchecked []valueSet
	for set := range valueSetCount {
		if set.usedBy(creds) && !entry.accepted[set] {
			unchecked = append(unchecked, set)
		}
	}
	if records == nil || len(unchecked) == 0 {
		return nil
	}
	recorded, err := records(ctx)
	if err != nil {
		return &UnavailableError{Err: fmt.Errorf("reading the recorded rejections of ThingSpace credentials: %w", err)}
	}
	for _, record := range recorded {
		if entry.checked[record] {
			continue
		}
		parsed, ok := parseFingerprint(record)
		matched := false
		if ok && slices.Contains(unchecked, parsed.set) {
			if matched, err = parsed.matches(ctx, creds); err != nil {
				return &UnavailableError{Err: fmt.Errorf("comparing the credentials with a recorded rejection: %w", err)}
			}
		}
		entry.checked[record] = true
		if matched {
			rejected := &CredentialsError{Problem: parsed.problem, Fingerprint: record, Recorded: true}
			c.remember(*keys[parsed.set], rejected)
			return rejected
		}
	}
	return nil
}

func (c *tokenCache) remember(key valuesKey, rejected *CredentialsError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rejections.remember(key, rejected)
}

// ensureAccessToken returns the entry's access token, minting one when it is missing or about to
// expire.
func (c *tokenCache) ensureAccessToken(ctx context.Context, creds Credentials, entry *tokenEntry, keys rejectionKeys) (string, error) {
	c.mu.Lock()
	token, refreshAt := entry.accessToken, entry.accessRefreshAt
	c.mu.Unlock()
	if token != "" && c.clock().Before(refreshAt) {
		return token, nil
	}
	logf.FromContext(ctx).V(1).Info("Minting a ThingSpace access token", "secretUID", creds.SecretUID)
	token, lifetime, err := c.mintAccessToken(ctx, creds)
	if err != nil {
		return "", c.failed(ctx, tokenKindAccess, creds, keys, sanitize(err, creds.secretValues()))
	}
	tokenMintsTotal.WithLabelValues(tokenKindAccess, mintSucceeded).Inc()
	entry.accepted[clientValues] = true
	now := c.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	entry.accessToken = token
	entry.accessRefreshAt = now.Add(lifetime - min(accessTokenRefreshMargin, lifetime/2))
	entry.accessExpiresAt = now.Add(lifetime)
	return token, nil
}

// ensureSessionToken returns the entry's session token, logging in when it is missing or about to
// expire.
func (c *tokenCache) ensureSessionToken(ctx context.Context, creds Credentials, accessToken string, entry *tokenEntry, keys rejectionKeys) (string, error) {
	if token, fresh := c.freshSession(creds, entry); fresh {
		return token, nil
	}
	logf.FromContext(ctx).V(1).Info("Logging in to ThingSpace for a session token", "secretUID", creds.SecretUID)
	token, err := c.login(ctx, accessToken, creds.Username, creds.Password)
	if err != nil {
		var credErr *CredentialsError
		if errors.As(err, &credErr) && credErr.Problem == AccessTokenRejected {
			// The gateway refused the bearer before the login service saw the password: not a
			// failed login, just an access token to mint again.
			c.dropAccessToken(entry, accessToken)
		}
		return "", c.failed(ctx, tokenKindSession, creds, keys, sanitize(err, append(creds.secretValues(), accessToken)))
	}
	tokenMintsTotal.WithLabelValues(tokenKindSession, mintSucceeded).Inc()
	entry.accepted[loginValues] = true
	c.mu.Lock()
	defer c.mu.Unlock()
	entry.sessionToken = token
	entry.useSession(creds, c.clock())
	return token, nil
}

// freshSession returns the entry's session token when it is good for a while yet, noting that
// it goes out now.
func (c *tokenCache) freshSession(creds Credentials, entry *tokenEntry) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock()
	if entry.sessionToken == "" || !now.Before(entry.sessionRefreshAt) {
		return "", false
	}
	entry.useSession(creds, now)
	return entry.sessionToken, true
}

func (c *tokenCache) dropAccessToken(entry *tokenEntry, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if entry.accessToken == token {
		entry.accessToken = ""
	}
}

// failed counts a failed mint, and remembers a rejection of the values themselves with its
// fingerprint, made once for every caller of those values.
func (c *tokenCache) failed(ctx context.Context, kind string, creds Credentials, keys rejectionKeys, err error) error {
	var credErr *CredentialsError
	if !errors.As(err, &credErr) {
		tokenMintsTotal.WithLabelValues(kind, mintFailed).Inc()
		return err
	}
	tokenMintsTotal.WithLabelValues(kind, mintRejected).Inc()
	if set, ok := rejectedSet(credErr.Problem); ok && keys[set] != nil {
		credErr.Fingerprint = newFingerprint(ctx, credErr.Problem, creds)
		c.remember(*keys[set], credErr)
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
// a typed error. A refusal of the client credentials is remembered, so only a 400 or a 401 is
// one: a throttle is a rate limit, and any other answer (a 403, a 404, a timeout's 408, a 5xx,
// a 2xx without a token or with an OAuth error) leaves unknown whether ThingSpace judged the
// credentials at all, so it is retried with backoff.
func classifyTokenReply(status int, header http.Header, body []byte, now time.Time) (string, time.Duration, error) {
	var reply tokenReply
	parseErr := json.Unmarshal(body, &reply)
	switch {
	case status == http.StatusTooManyRequests || parseErrorReply(body).faultCode() == faultThrottled:
		return "", 0, classifyResponse(status, header, body, now)
	case isRejection(status):
		// An OAuth error says why; a gateway's fault, in its other shape, is kept as well.
		fault := parseErrorReply(body)
		return "", 0, &CredentialsError{
			Problem:    ClientCredentialsRejected,
			StatusCode: status,
			Code:       cmp.Or(reply.Error, fault.code()),
			Message:    cmp.Or(reply.ErrorDescription, fault.message()),
		}
	case status < 200 || status > 299:
		return "", 0, &UnavailableError{StatusCode: status, Err: oauthDetail(reply, "token endpoint answered with an unexpected status")}
	case reply.Error != "":
		return "", 0, &UnavailableError{StatusCode: status, Err: oauthDetail(reply, "")}
	case parseErr != nil || reply.AccessToken == "":
		return "", 0, &UnavailableError{StatusCode: status, Err: errors.New("token endpoint replied without an access token")}
	}
	return reply.AccessToken, reply.lifetime(), nil
}

// isRejection reports whether the token endpoint's or the login's status judges the values.
func isRejection(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusUnauthorized
}

// oauthDetail describes an OAuth error reply, or says fallback when it is none.
func oauthDetail(reply tokenReply, fallback string) error {
	if reply.Error == "" {
		return errors.New(fallback)
	}
	return fmt.Errorf("token endpoint replied with OAuth error %s", codeAndMessage(reply.Error, reply.ErrorDescription))
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

// classifyLogin reads a login reply. Only a 400 or a 401 from the login service is a refused
// login, remembered since each failed attempt brings the account closer to being locked. A
// gateway fault is the gateway speaking, before the login service saw the password: a throttle,
// or a refused bearer token to mint again. Any other answer leaves unknown whether the login
// was judged, so it is retried with backoff.
func classifyLogin(status int, header http.Header, body []byte, now time.Time) (string, error) {
	if status >= 200 && status <= 299 {
		var reply loginReply
		if err := json.Unmarshal(body, &reply); err != nil || reply.SessionToken == "" {
			return "", &UnavailableError{StatusCode: status, Err: errors.New("login reply carries no sessionToken")}
		}
		return reply.SessionToken, nil
	}
	reply := parseErrorReply(body)
	switch {
	case reply.fault != nil || status == http.StatusTooManyRequests:
		return "", classifyResponse(status, header, body, now)
	case !isRejection(status):
		return "", &UnavailableError{StatusCode: status, Err: cmp.Or(reply.detail(), errors.New("login answered with an unexpected status"))}
	}
	problem := LoginRejected
	if strings.Contains(strings.ToLower(reply.code()), "locked") {
		problem = LoginLocked
	}
	return "", &CredentialsError{Problem: problem, StatusCode: status, Code: reply.code(), Message: reply.message()}
}
