package simulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"
)

// maxFailedLogins is how many failed logins in a row lock a ThingSpace user.
const maxFailedLogins = 5

// authState is what the simulator knows about credentials. Guarded by Server.mu.
type authState struct {
	staticAccess  map[string]bool
	staticSession map[string]bool
	// accessTokens maps a minted access token to its expiry; clientTokens remembers each OAuth
	// client's current token, because ThingSpace hands out the same token until it expires.
	accessTokens map[string]time.Time
	clientTokens map[string]string
	// sessions maps a minted session token to its expiry, pushed back on every use.
	sessions     map[string]time.Time
	failedLogins map[string]int
	// refusedLogins and refusedClients count every refusal of a password or a client secret,
	// which failedLogins forgets on a good login or an unlock.
	refusedLogins  int
	refusedClients int
}

func newAuthState(static []TokenPair) authState {
	a := authState{
		staticAccess:  map[string]bool{},
		staticSession: map[string]bool{},
		accessTokens:  map[string]time.Time{},
		clientTokens:  map[string]string{},
		sessions:      map[string]time.Time{},
		failedLogins:  map[string]int{},
	}
	for _, pair := range static {
		if pair.AccessToken != "" {
			a.staticAccess[pair.AccessToken] = true
		}
		if pair.SessionToken != "" {
			a.staticSession[pair.SessionToken] = true
		}
	}
	return a
}

// ExpireTokens makes every minted access and session token invalid, as if their time had run
// out; static tokens stay valid.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.accessTokens = map[string]time.Time{}
	s.auth.clientTokens = map[string]string{}
	s.auth.sessions = map[string]time.Time{}
}

// FailedLogins returns how many logins the simulator refused for their username and password
// since it started, a locked user's included: each told ThingSpace a password again. Logins a
// Fault answered, or refused for their bearer token, do not count; ResetRequests leaves it.
func (s *Server) FailedLogins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth.refusedLogins
}

// RejectedClientCredentials returns how many token requests the simulator refused for their
// client credentials since it started. Requests a Fault answered do not count; ResetRequests
// leaves it.
func (s *Server) RejectedClientCredentials() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth.refusedClients
}

// UnlockUser clears a user's failed logins, as Verizon support does for a locked account.
func (s *Server) UnlockUser(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.auth.failedLogins, username)
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header, or "".
func bearerToken(r *http.Request) string {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// requireBearer is the API gateway's check: a valid access token, or a 401 gateway fault.
func (s *Server) requireBearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			writeMissingCredentials(w)
			return
		}
		if !s.validAccessToken(token) {
			writeInvalidCredentials(w)
			return
		}
		next(w, r)
	}
}

// requireTokens is what every FOTA call goes through: the gateway's bearer check, then the M2M
// session token.
func (s *Server) requireTokens(next http.HandlerFunc) http.HandlerFunc {
	return s.requireBearer(func(w http.ResponseWriter, r *http.Request) {
		session := r.Header.Get("VZ-M2M-Token")
		if session == "" {
			writeJSON(w, http.StatusUnauthorized, errorBody(codeSessionExpired, "VZ-M2M-Token header is missing"))
			return
		}
		if !s.useSessionToken(session) {
			writeJSON(w, http.StatusUnauthorized, errorBody(codeSessionExpired, "SessionToken Expired"))
			return
		}
		next(w, r)
	})
}

func (s *Server) validAccessToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth.staticAccess[token] {
		return true
	}
	expiry, ok := s.auth.accessTokens[token]
	return ok && s.now().Before(expiry)
}

// useSessionToken checks a session token and, when it is a live minted one, extends it: ThingSpace
// expires session tokens after a time without use.
func (s *Server) useSessionToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth.staticSession[token] {
		return true
	}
	expiry, ok := s.auth.sessions[token]
	now := s.now()
	if !ok || !now.Before(expiry) {
		delete(s.auth.sessions, token)
		return false
	}
	s.auth.sessions[token] = now.Add(s.opts.SessionTokenTTL)
	return true
}

type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// mintAccessToken is POST /api/ts/v1/oauth2/token (OAuth2 client credentials).
func (s *Server) mintAccessToken(w http.ResponseWriter, r *http.Request) {
	// ThingSpace documents the header as base64(clientId:clientSecret) of the raw values, so the
	// values are compared as BasicAuth decodes them, never URL-decoded as RFC 6749 section 2.3.1
	// would have it: a client that form-encodes a secret with + / = or % is refused.
	clientID, secret, ok := r.BasicAuth()
	if !ok {
		s.refuseClient()
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "client authentication failed: no Basic credentials"})
		return
	}
	if want, known := s.opts.Clients[clientID]; !known || want != secret {
		s.refuseClient()
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "client authentication failed"})
		return
	}
	if mediaType(r) != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "the body must be application/x-www-form-urlencoded"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be client_credentials"})
		return
	}
	token, expiry := s.clientAccessToken(clientID)
	writeJSON(w, http.StatusOK, tokenReply{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   int64(math.Ceil(expiry.Sub(s.now()).Seconds())),
		Scope:       "am_application_scope default",
	})
}

func (s *Server) refuseClient() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.refusedClients++
}

// clientAccessToken returns the client's live token, or mints one.
func (s *Server) clientAccessToken(clientID string) (token string, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if token, ok := s.auth.clientTokens[clientID]; ok {
		if expiry, live := s.auth.accessTokens[token]; live && now.Before(expiry) {
			return token, expiry
		}
	}
	token = newToken()
	expiry = now.Add(s.opts.AccessTokenTTL)
	s.auth.accessTokens[token] = expiry
	s.auth.clientTokens[clientID] = token
	return token, expiry
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login is POST /api/m2m/v1/session/login; the gateway's bearer check has already passed.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var credentials loginRequest
	if err := json.NewDecoder(r.Body).Decode(&credentials); err != nil || credentials.Username == "" {
		writeInvalidParameter(w, "the body must be JSON with username and password")
		return
	}
	token, outcome := s.checkLogin(credentials)
	switch outcome {
	case loginLocked:
		writeJSON(w, http.StatusUnauthorized, errorBody(codeLoginLocked,
			"the user is locked after too many failed logins; contact ThingSpace support"))
	case loginRejected:
		writeJSON(w, http.StatusUnauthorized, errorBody(codeLoginFailed, "invalid username or password"))
	default:
		writeJSON(w, http.StatusOK, map[string]string{"sessionToken": token})
	}
}

type loginOutcome int

const (
	loginAccepted loginOutcome = iota
	loginRejected
	loginLocked
)

func (s *Server) checkLogin(credentials loginRequest) (string, loginOutcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth.failedLogins[credentials.Username] >= maxFailedLogins {
		s.auth.refusedLogins++
		return "", loginLocked
	}
	if want, known := s.opts.Users[credentials.Username]; !known || want != credentials.Password {
		s.auth.failedLogins[credentials.Username]++
		s.auth.refusedLogins++
		return "", loginRejected
	}
	delete(s.auth.failedLogins, credentials.Username)
	token := newToken()
	s.auth.sessions[token] = s.now().Add(s.opts.SessionTokenTTL)
	return token, loginAccepted
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mediaType returns the request's Content-Type without parameters, or "" when it has none.
func mediaType(r *http.Request) string {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return t
}
