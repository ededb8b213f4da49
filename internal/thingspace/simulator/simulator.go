package simulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is a usable simulator that accepts no credentials.
type Options struct {
	// Clock is the simulator's idea of now, for the dates rules and token lifetimes. Defaults to
	// time.Now. Request times and MaxRequestsPerSecond always use the wall clock, because they
	// measure how fast the caller really sends.
	Clock func() time.Time
	// StaticTokens are accepted as Authorization: Bearer <AccessToken> and
	// VZ-M2M-Token: <SessionToken>. They never expire, not even with ExpireTokens.
	StaticTokens []TokenPair
	// Clients are the OAuth2 client credentials accepted at POST /api/ts/v1/oauth2/token
	// (Basic auth, form grant_type=client_credentials): clientId -> clientSecret.
	Clients map[string]string
	// Users are the session logins accepted at POST /api/m2m/v1/session/login (Bearer access
	// token required, JSON {"username","password"}): username -> password.
	Users map[string]string
	// AccessTokenTTL is the lifetime of a minted access token. Defaults to one hour.
	AccessTokenTTL time.Duration
	// SessionTokenTTL is how long a minted session token lives without use; every use extends
	// it. Defaults to 20 minutes.
	SessionTokenTTL time.Duration
	// Latency is added to every ThingSpace request (not to /_sim/).
	Latency time.Duration
	// RandSeed seeds the generator that decides which requests a probabilistic Fault hits, so a
	// test sending requests one after another sees the same hits on every run.
	RandSeed uint64
	// AcceptDelay is how long a POSTed campaign stays CampaignRequestPending, measured on Clock,
	// before ThingSpace's checks end: then it is CampaignRequestQueued, or CampaignRequestFailed
	// when no device was accepted. Zero means DefaultAcceptDelay; a negative delay ends the
	// checks at once, so the POST's reply already shows the outcome.
	AcceptDelay time.Duration
	// ReportPageSize is how many devices one page of the device report holds. Zero means 1000,
	// ThingSpace's maximum.
	ReportPageSize int
	// ListPageSize is how many campaigns one page of the campaign list holds. Zero means 50.
	ListPageSize int
	// ScheduledRollout, when set, is how the devices of every campaign POSTed to the simulator
	// finish upgrading while it runs, the minutes counted from the POST (its Since is ignored):
	// the dev environment's campaigns, a FotaRollout's waves included, then move on their own.
	// Nil leaves a POSTed campaign's devices as they were accepted.
	ScheduledRollout *Rollout
}

// DefaultAcceptDelay is how long a new campaign stays CampaignRequestPending unless
// Options.AcceptDelay says otherwise.
const DefaultAcceptDelay = time.Minute

// TokenPair is a static access token with its static session token.
type TokenPair struct{ AccessToken, SessionToken string }

const (
	defaultAccessTokenTTL  = time.Hour
	defaultSessionTokenTTL = 20 * time.Minute
	// maxBodyBytes bounds what the simulator reads of a request body; ThingSpace payloads are a
	// few hundred bytes (a device list of 10 000 IMEIs under 200 KiB), and a caller sending
	// megabytes has a bug worth a 400.
	maxBodyBytes = 1 << 20
	// maxReportPageSize is the most devices ThingSpace puts on one page of the device report.
	maxReportPageSize   = 1000
	defaultListPageSize = 50
)

// Server is a simulated ThingSpace. It is an http.Handler, safe for concurrent use; Start serves
// it on a TCP address.
type Server struct {
	opts  Options
	api   *http.ServeMux
	admin *http.ServeMux

	// mu guards the ThingSpace state: campaigns, the devices ThingSpace rejects, credentials,
	// faults and the fault dice.
	mu        sync.Mutex
	campaigns map[campaignKey]*campaignRecord
	rejected  map[string]string // device id -> resultReason
	auth      authState
	faults    []*queuedFault
	dice      *rand.Rand
	listLag   time.Duration

	log requestLog

	listenMu   sync.Mutex
	httpServer *http.Server
}

// New returns a simulator with no campaigns.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = defaultAccessTokenTTL
	}
	if opts.SessionTokenTTL <= 0 {
		opts.SessionTokenTTL = defaultSessionTokenTTL
	}
	if opts.AcceptDelay == 0 {
		opts.AcceptDelay = DefaultAcceptDelay
	}
	if opts.ReportPageSize <= 0 {
		opts.ReportPageSize = maxReportPageSize
	}
	if opts.ListPageSize <= 0 {
		opts.ListPageSize = defaultListPageSize
	}
	s := &Server{
		opts:      opts,
		api:       http.NewServeMux(),
		admin:     http.NewServeMux(),
		campaigns: map[campaignKey]*campaignRecord{},
		rejected:  map[string]string{},
		auth:      newAuthState(opts.StaticTokens),
		dice:      rand.New(rand.NewPCG(opts.RandSeed, opts.RandSeed^0x9e3779b97f4a7c15)),
		log:       newRequestLog(),
	}
	s.registerAPI()
	s.registerAdmin()
	return s
}

// ServeHTTP answers one request: /_sim/ goes to the admin surface, everything else is ThingSpace.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.admin.ServeHTTP(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// Start serves the simulator on addr (for example "127.0.0.1:0") until Close, and returns its
// base URL, such as "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.httpServer != nil {
		return "", errors.New("simulator: already started")
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.httpServer = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(listener) }(s.httpServer)
	return "http://" + listener.Addr().String(), nil
}

// Close stops a server started with Start, dropping requests still in flight. It is a no-op
// otherwise.
func (s *Server) Close() error {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.httpServer == nil {
		return nil
	}
	err := s.httpServer.Close()
	s.httpServer = nil
	return err
}

func (s *Server) now() time.Time { return s.opts.Clock().UTC() }

// registerAPI maps ThingSpace's endpoints. Every route goes through serveAPI, which records the
// request, adds latency and applies faults before the endpoint's own handling.
func (s *Server) registerAPI() {
	const fota = "/api/fota/v2"
	s.route("GET "+fota+"/campaigns/{acc}/{campaignId}", KindGet, s.requireTokens(s.getCampaign))
	s.route("PUT "+fota+"/campaigns/{acc}/{campaignId}/dates", KindDates, s.requireTokens(s.putDates))
	s.route("DELETE "+fota+"/campaigns/{acc}/{campaignId}", KindDelete, s.requireTokens(s.deleteCampaign))
	s.route("POST "+fota+"/campaigns/software/{acc}", KindCreate, s.requireTokens(s.createCampaign))
	s.route("PUT "+fota+"/campaigns/{acc}/{campaignId}", KindUpdateDevices, s.requireTokens(s.updateDevices))
	s.route("GET "+fota+"/reports/{acc}/campaigns/{campaignId}/devices", KindReport, s.requireTokens(s.deviceReport))
	s.route("GET "+fota+"/reports/{acc}/campaigns", KindList, s.requireTokens(s.listCampaigns))
	s.route("POST /api/ts/v1/oauth2/token", KindToken, s.mintAccessToken)
	s.route("POST /api/m2m/v1/session/login", KindLogin, s.requireBearer(s.login))
	s.route("/", KindOther, unknownEndpoint)
}

func (s *Server) route(pattern string, kind Kind, handle http.HandlerFunc) {
	s.api.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, kind, handle)
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, kind Kind, handle http.HandlerFunc) {
	body, tooLarge := readBody(r)
	call := s.log.begin(r, kind, body)
	answer := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.log.finish(call, answer.status)
		if answer.drop {
			dropConnection(answer)
		}
	}()

	if !pause(r.Context(), s.opts.Latency) {
		return
	}
	fault, hit := s.takeFault(call)
	if hit && s.applyFault(answer, r, fault) {
		return
	}
	if tooLarge {
		writeInvalidParameter(answer, "request body is larger than 1 MiB")
		return
	}
	if hit && fault.Alter != "" {
		handleAltered(answer, r, handle, fault.Alter)
		return
	}
	handle(answer, r)
}

// readBody reads the whole body (up to maxBodyBytes) so it can be recorded, and puts it back for
// the handler.
func readBody(r *http.Request) (body []byte, tooLarge bool) {
	if r.Body == nil {
		return nil, false
	}
	body, _ = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	tooLarge = len(body) > maxBodyBytes
	if tooLarge {
		body = body[:maxBodyBytes]
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, tooLarge
}

// pause waits d, or less if the caller gives up first; it reports whether the request is still
// worth answering.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func unknownEndpoint(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody("RESOURCE_NOT_FOUND", "no ThingSpace endpoint "+r.Method+" "+r.URL.Path))
}

// statusRecorder remembers the status a handler answered, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	// drop closes the connection without an answer once the request is recorded.
	drop bool
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, for faults that drop it.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
