package thingspace

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fota-operator/fota-operator/internal/text"
)

// Client is everything the operator asks of ThingSpace. Every method takes the credentials of the
// campaign's Secret and is rate limited per account.
//
// A ThingSpace failure is one of *APIError (a request ThingSpace understood and refused: do not send
// it again unchanged), *CredentialsError, *RateLimitedError (ThingSpace's 429) or *UnavailableError
// (worth retrying with backoff). A call that the operator's own per-account rate limit would hold
// longer than MaxLimiterWait sends nothing and returns a *ThrottledError: requeue at its
// RetryAfter. A call that finds tokens for its credentials being minted by another sends nothing
// and returns a *MintPendingError: requeue at its RetryAfter. After a 429 for an account, every
// call for that account sends nothing and returns a *RateLimitedError until ThingSpace's
// Retry-After has passed. When ctx ends, the error satisfies errors.Is(err, ctx.Err()).
//
// The reads (GetCampaign, ListCampaigns, DeviceReport) have no effect and may be repeated freely.
// The writes act on real devices; what repeating one does is said on each.
type Client interface {
	// GetCampaign reads one campaign.
	GetCampaign(ctx context.Context, creds Credentials, account, campaignID string) (*Campaign, error)
	// UpdateCampaignDates replaces the campaign's dates and windows with dates, and returns the
	// campaign ThingSpace replies with. It is idempotent: the payload is the whole schedule.
	UpdateCampaignDates(ctx context.Context, creds Credentials, account, campaignID string, dates Dates) (*Campaign, error)
	// CreateCampaign schedules a new campaign and returns it with its new id. It is NOT
	// idempotent: ThingSpace has no idempotency key, and every call schedules one more campaign.
	// Callers look for the campaign by name (ListCampaigns) before calling it.
	CreateCampaign(ctx context.Context, creds Credentials, account string, campaign NewCampaign) (*Campaign, error)
	// ListCampaigns hands visit every campaign of the account whose status is status, page by
	// page, and stops at the first error visit returns.
	ListCampaigns(ctx context.Context, creds Credentials, account, status string, visit func(Campaign) error) error
	// UpdateDevices appends devices to, and removes devices from, a campaign that ThingSpace has
	// not scheduled yet, in one request. Repeating it is harmless for the devices removed; an
	// append of devices already listed is left to ThingSpace, so callers send only the difference
	// with the device report.
	UpdateDevices(ctx context.Context, creds Credentials, account, campaignID string, change DevicesChange) error
	// DeleteCampaign cancels a campaign that has not started, or aborts one that runs. Repeating
	// it on a closed campaign is refused by ThingSpace (an *APIError) and changes nothing.
	DeleteCampaign(ctx context.Context, creds Credentials, account, campaignID string) error
	// DeviceReport hands visit every device of the campaign with its status, page by page, so a
	// campaign of any size costs one page of memory; it stops at the first error visit returns.
	DeviceReport(ctx context.Context, creds Credentials, account, campaignID string, visit func(Device) error) error
}

var _ Client = (*HTTPClient)(nil)

// Defaults of Options.
const (
	DefaultBaseURL = "https://thingspace.verizon.com"
	DefaultTimeout = 30 * time.Second
	DefaultQPS     = 10
	DefaultBurst   = 20
)

// Endpoint paths below the base URL.
const (
	fotaBasePath = "/api/fota/v2/"
	tokenPath    = "/api/ts/v1/oauth2/token"
	loginPath    = "/api/m2m/v1/session/login"
)

// Options configures NewHTTPClient. Zero values take the defaults.
type Options struct {
	// BaseURL is ThingSpace's address. Plain http:// is refused unless the host is a loopback
	// address, so that tokens never travel in clear text. Default DefaultBaseURL.
	BaseURL string
	// Timeout bounds each HTTP request, from sending it to reading the whole reply. Default 30s.
	Timeout time.Duration
	// QPS is the outbound rate of FOTA calls per ThingSpace account. Default 10.
	QPS float64
	// Burst is how many FOTA calls per account may go out at once. Default 20.
	Burst int
	// HTTPClient sends the requests. Default: one client for all requests, with connection
	// timeouts and enough idle connections per host for many concurrent campaigns. Redirects
	// are never followed, whichever client is given: a redirect would carry the tokens along.
	HTTPClient *http.Client
	// Clock tells the time for token expiry and Retry-After dates. Default time.Now.
	Clock func() time.Time
}

// HTTPClient is the Client that talks to ThingSpace over HTTP. It is safe for concurrent use;
// one HTTPClient should serve every campaign, so that the token cache and the per-account rate
// limits are shared.
type HTTPClient struct {
	baseURL    string
	timeout    time.Duration
	httpClient *http.Client
	clock      func() time.Time
	limiters   *accountLimiters
	holds      *accountHolds
	tokens     *tokenCache
}

// NewHTTPClient checks opts and builds an HTTPClient.
func NewHTTPClient(opts Options) (*HTTPClient, error) {
	opts = withDefaults(opts)
	baseURL, err := checkBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("thingspace: timeout %s: must not be negative", opts.Timeout)
	}
	if opts.QPS < 0 || opts.Burst < 0 {
		return nil, fmt.Errorf("thingspace: rate limit of %g requests per second with burst %d: neither may be negative", opts.QPS, opts.Burst)
	}
	registerMetrics()
	httpClient := instrumented(opts.HTTPClient)
	c := &HTTPClient{
		baseURL:    baseURL,
		timeout:    opts.Timeout,
		httpClient: httpClient,
		clock:      opts.Clock,
		limiters:   newAccountLimiters(opts.QPS, opts.Burst),
		holds:      newAccountHolds(),
	}
	c.tokens = newTokenCache(tokenEndpoints{
		tokenURL: baseURL + tokenPath,
		loginURL: baseURL + loginPath,
	}, httpClient, opts.Timeout, opts.Clock)
	return c, nil
}

func withDefaults(opts Options) Options {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.QPS == 0 {
		opts.QPS = DefaultQPS
	}
	if opts.Burst == 0 {
		opts.Burst = DefaultBurst
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = newDefaultHTTPClient(opts.Timeout)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return opts
}

// checkBaseURL returns the base URL without a trailing slash, or why it cannot be used.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("thingspace: base URL %q: %w", raw, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("thingspace: base URL %q: scheme must be https (or http for a loopback host)", raw)
	case u.Host == "":
		return "", fmt.Errorf("thingspace: base URL %q: must name a host", raw)
	case u.User != nil:
		return "", fmt.Errorf("thingspace: base URL: must not carry user information; credentials come from the Secret")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("thingspace: base URL %q: must not have a query or fragment", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", fmt.Errorf("thingspace: base URL %q: plain http is only allowed for a loopback host (127.0.0.0/8, ::1, localhost), since tokens would travel in clear text; use https", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newDefaultHTTPClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          200,
		MaxIdleConnsPerHost:   100,
		IdleConnTimeout:       90 * time.Second,
	}}
}

// instrumented copies client so that it records metrics and never follows a redirect, leaving
// the caller's client untouched.
func instrumented(client *http.Client) *http.Client {
	copied := *client
	next := copied.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	copied.Transport = instrumentedTransport{next: next}
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &copied
}

// ForgetSecret notes that the Secret with uid is gone: the tokens minted from its values go,
// unless another Secret holds the same values. A remembered rejection of its values stays: a
// Secret created again with the same values must not try them again.
func (c *HTTPClient) ForgetSecret(uid types.UID) {
	c.tokens.forget(uid)
}

// UseRejectionRecords makes the client read, before it first sends a set of credential values,
// the fingerprints of rejections that earlier processes recorded (CredentialsError.Fingerprint),
// and treat values that match one as rejected without sending them. records returns the distinct
// fingerprints recorded; an error from it fails the call with an *UnavailableError, and nothing
// is sent. Call it before the client's first use.
func (c *HTTPClient) UseRejectionRecords(records func(ctx context.Context) ([]string, error)) {
	c.tokens.useRecords(records)
}

// GetCampaign reads a campaign: GET /api/fota/v2/campaigns/{account}/{campaignID}.
func (c *HTTPClient) GetCampaign(ctx context.Context, creds Credentials, account, campaignID string) (*Campaign, error) {
	path, err := campaignPath(account, campaignID)
	if err != nil {
		return nil, err
	}
	body, err := c.callFOTA(ctx, creds, fotaCall{
		operation: operationGetCampaign,
		method:    http.MethodGet,
		account:   account,
		path:      path,
	})
	if err != nil {
		return nil, err
	}
	return decodeCampaignOf(body, account, campaignID)
}

// UpdateCampaignDates replaces a campaign's schedule: PUT
// /api/fota/v2/campaigns/{account}/{campaignID}/dates with all six keys of dates, and returns
// the campaign ThingSpace replies with.
func (c *HTTPClient) UpdateCampaignDates(ctx context.Context, creds Credentials, account, campaignID string, dates Dates) (*Campaign, error) {
	path, err := campaignPath(account, campaignID)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(withEmptyLists(dates))
	if err != nil {
		return nil, fmt.Errorf("thingspace: encoding the dates of campaign %s: %w", campaignID, err)
	}
	body, err := c.callFOTA(ctx, creds, fotaCall{
		operation: operationUpdateCampaignDates,
		method:    http.MethodPut,
		account:   account,
		path:      path + "/dates",
		body:      payload,
	})
	if err != nil {
		return nil, err
	}
	return decodeCampaignOf(body, account, campaignID)
}

// withEmptyLists makes sure an unset window list goes out as [], as ThingSpace wants every key.
func withEmptyLists(dates Dates) Dates {
	if dates.DownloadTimeWindowList == nil {
		dates.DownloadTimeWindowList = []Window{}
	}
	if dates.InstallTimeWindowList == nil {
		dates.InstallTimeWindowList = []Window{}
	}
	return dates
}

// campaignPath is the path of one campaign.
func campaignPath(account, campaignID string) (string, error) {
	acc, id, err := accountAndCampaign(account, campaignID)
	if err != nil {
		return "", err
	}
	return fotaBasePath + "campaigns/" + acc + "/" + id, nil
}

// accountAndCampaign escapes both into one path segment each, so that neither can reach another
// endpoint.
func accountAndCampaign(account, campaignID string) (string, string, error) {
	acc, err := pathSegment("account name", account)
	if err != nil {
		return "", "", err
	}
	id, err := pathSegment("campaign ID", campaignID)
	return acc, id, err
}

// pathSegment escapes value into one URL path segment, refusing what would not stay one.
func pathSegment(name, value string) (string, error) {
	if value == "" || value == "." || value == ".." {
		return "", fmt.Errorf("thingspace: %s %q: must be one path segment, neither empty nor a dot segment", name, value)
	}
	return url.PathEscape(value), nil
}

type fotaCall struct {
	operation string
	method    string
	account   string
	path      string
	body      []byte
}

// callFOTA makes call once, and once more with fresh tokens when ThingSpace refused a token
// that this client minted, and returns the body of ThingSpace's 2xx reply. A 2xx reply that
// carries a FOTA error body is that error.
func (c *HTTPClient) callFOTA(ctx context.Context, creds Credentials, call fotaCall) ([]byte, error) {
	if wait := c.holds.remaining(call.account, c.clock()); wait > 0 {
		return nil, &RateLimitedError{RetryAfter: wait}
	}
	body, used, err := c.callWithTokens(ctx, creds, call)
	if refusedMintedToken(creds, err) {
		logf.FromContext(ctx).V(1).Info("ThingSpace refused a minted token, minting afresh", "secretUID", creds.SecretUID, "operation", call.operation)
		c.tokens.invalidate(creds, used)
		body, used, err = c.callWithTokens(ctx, creds, call)
	}
	if err != nil {
		return nil, sanitize(err, append(creds.secretValues(), used.access, used.session))
	}
	return body, nil
}

// refusedMintedToken reports whether err is ThingSpace refusing a token that creds mint, which
// minting afresh may cure.
func refusedMintedToken(creds Credentials, err error) bool {
	var credErr *CredentialsError
	if !errors.As(err, &credErr) {
		return false
	}
	switch credErr.Problem {
	case AccessTokenRejected:
		return creds.mintsAccessToken()
	case SessionTokenRejected:
		return creds.logsIn()
	default:
		return false
	}
}

func (c *HTTPClient) callWithTokens(ctx context.Context, creds Credentials, call fotaCall) ([]byte, tokenPair, error) {
	tokens, err := c.tokens.tokensFor(ctx, creds)
	if err != nil {
		return nil, tokens, err
	}
	if err := c.limiters.wait(ctx, call.account); err != nil {
		return nil, tokens, err
	}
	body, err := c.send(ctx, tokens, call)
	return body, tokens, err
}

// send makes one HTTP request and returns the body of a 2xx reply. A 429 holds the whole
// account: ThingSpace limits an account, not a campaign.
func (c *HTTPClient) send(ctx context.Context, tokens tokenPair, call fotaCall) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := newJSONRequest(ctx, call.operation, call.method, c.baseURL+call.path, call.body, tokens.access)
	if err != nil {
		return nil, err
	}
	req.Header.Set("VZ-M2M-Token", tokens.session)
	status, header, body, err := sendLimited(c.httpClient, req)
	if err != nil {
		return nil, err
	}
	if err := classifyResponse(status, header, body, c.clock()); err != nil {
		var limited *RateLimitedError
		if errors.As(err, &limited) {
			c.holds.hold(call.account, c.clock().Add(limited.RetryAfter))
		}
		return nil, err
	}
	if err := fotaErrorIn(status, body); err != nil {
		return nil, err
	}
	return body, nil
}

// newJSONRequest builds a request labelled with operation that carries accessToken as its
// bearer and asks for JSON, sending body as JSON unless it is nil.
func newJSONRequest(ctx context.Context, operation, method, target string, body []byte, accessToken string) (*http.Request, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(withOperation(ctx, operation), method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("thingspace: building the %s request: %w", operation, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// sendLimited sends req and reads the whole reply within maxResponseBody. Every failure is an
// *UnavailableError; when the request's context ended, it wraps the context's error.
func sendLimited(client *http.Client, req *http.Request) (status int, header http.Header, body []byte, err error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, &UnavailableError{Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return 0, nil, nil, &UnavailableError{StatusCode: resp.StatusCode, Err: fmt.Errorf("reading the reply: %w", err)}
	}
	if len(body) > maxResponseBody {
		return 0, nil, nil, &UnavailableError{StatusCode: resp.StatusCode, Err: errBodyTooLarge}
	}
	return resp.StatusCode, resp.Header, body, nil
}

// fotaErrorIn returns the FOTA error that a 2xx reply carries instead of its result, or nil. Only
// a FOTA error body makes the gateway fault worth parsing, so that a good reply is not parsed as a
// fault on every call.
func fotaErrorIn(status int, body []byte) error {
	fotaError := parseFotaError(body)
	if fotaError == nil {
		return nil
	}
	reply := errorReply{fault: parseGatewayFault(body), fotaError: fotaError}
	return &APIError{StatusCode: status, Code: reply.code(), Message: reply.message()}
}

// decodeCampaignOf reads the campaign of a GET or PUT reply. It tolerates unknown and missing
// fields, but not a reply that carries no campaign (taking an empty object for a campaign would
// make the operator believe ThingSpace holds an empty schedule), nor one about another campaign or
// account, which must never be recorded as what ThingSpace holds for this one. Campaign ids are
// UUIDs, which compare without case.
func decodeCampaignOf(body []byte, account, campaignID string) (*Campaign, error) {
	campaign, err := decodeCampaign(body)
	if err != nil {
		return nil, err
	}
	switch {
	case campaign.ID != "" && !strings.EqualFold(campaign.ID, campaignID):
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply is about campaign %q, not %q", text.Truncate(campaign.ID, maxIDLength), campaignID)}
	case campaign.AccountName != "" && campaign.AccountName != account:
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply is about account %q, not %q", text.Truncate(campaign.AccountName, maxIDLength), account)}
	}
	return campaign, nil
}

func decodeCampaign(body []byte) (*Campaign, error) {
	if !isJSONObject(body) {
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: errors.New("reply is not a campaign object")}
	}
	var campaign Campaign
	if err := json.Unmarshal(body, &campaign); err != nil {
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply is not a campaign object: %w", err)}
	}
	if campaign.ID == "" && campaign.StartDate == "" && campaign.EndDate == "" {
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: errors.New("reply carries no campaign: no id, startDate or endDate")}
	}
	return &campaign, nil
}

func isJSONObject(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
}

// SecretForgetter is a Client that keeps what it minted from a Secret and can drop it, e.g. when
// the Secret is deleted.
type SecretForgetter interface {
	ForgetSecret(uid types.UID)
}

var _ SecretForgetter = (*HTTPClient)(nil)

// RejectionRecordsUser is implemented by clients that honour rejections recorded before this
// process started: the manager hands it the fingerprints its FotaCampaigns record (see
// HTTPClient.UseRejectionRecords), so that a restart or a new leader does not try values
// ThingSpace already rejected.
type RejectionRecordsUser interface {
	UseRejectionRecords(records func(ctx context.Context) ([]string, error))
}

var _ RejectionRecordsUser = (*HTTPClient)(nil)

// maxIDLength bounds an id or account name quoted from a reply in an error.
const maxIDLength = 64
