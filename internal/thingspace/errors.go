package thingspace

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/text"
)

const (
	// maxResponseBody bounds every reply read from ThingSpace: a campaign object is a few hundred
	// bytes, so anything larger is a broken or hostile server, not data worth a huge allocation.
	maxResponseBody = 1 << 20

	// defaultRetryAfter applies to a 429 without a usable Retry-After header.
	defaultRetryAfter = 5 * time.Second
	// minRetryAfter keeps "Retry-After: 0" or a date in the past from causing a hot retry loop.
	minRetryAfter = time.Second
	// maxRetryAfter caps what a server can ask for; the poll interval re-checks long before that.
	maxRetryAfter = time.Hour

	// maxMessageLength keeps ThingSpace's free-text codes and messages readable in a status
	// condition: sanitize cuts each to this many bytes.
	maxMessageLength = 1024
)

// Gateway fault codes of ThingSpace's API gateway.
const (
	faultInvalidCredentials = "900901"
	faultMissingCredentials = "900902"
	faultThrottled          = "900800"
)

// APIError is ThingSpace's rejection of a request it understood: a 4xx with a FOTA error body
// {"errorCode", "errorMessage"}. Retrying the same request cannot succeed; only a spec change can.
type APIError struct {
	StatusCode int
	Code       string
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("ThingSpace rejected the request: %s: %s", e.Code, e.Message)
}

// CredentialsProblem says which credential ThingSpace refused.
type CredentialsProblem string

const (
	// AccessTokenRejected means the gateway refused the bearer token (HTTP 401, fault 900901 or 900902).
	AccessTokenRejected CredentialsProblem = "AccessTokenRejected"
	// SessionTokenRejected means the VZ-M2M-Token is expired or unknown.
	SessionTokenRejected CredentialsProblem = "SessionTokenRejected"
	// ClientCredentialsRejected means the token endpoint refused clientId and clientSecret.
	ClientCredentialsRejected CredentialsProblem = "ClientCredentialsRejected"
	// LoginRejected means the session login refused username and password.
	LoginRejected CredentialsProblem = "LoginRejected"
	// LoginLocked means ThingSpace locked the login after failed attempts.
	LoginLocked CredentialsProblem = "LoginLocked"
)

// CredentialsError is a credential ThingSpace refused. Code and Message are ThingSpace's, with
// every secret value removed. A rejected login or rejected client credentials is remembered by
// the values themselves, not by the Secret holding them: they are not tried again until they
// change, whichever Secret carries them, and neither an edit of a Secret's labels nor a Secret
// deleted and created again counts as a change.
type CredentialsError struct {
	Problem    CredentialsProblem
	StatusCode int
	Code       string
	Message    string
	// Fingerprint identifies the rejected values, for ClientCredentialsRejected, LoginRejected
	// and LoginLocked, so that the caller can record it (the FotaCampaign annotation
	// fota.thingspace.io/rejected-credentials) and a process started later does not try the same
	// values again (see RejectionRecordsUser). It is computed once per rejected set of values, so
	// every caller sees the same string. Its format is
	//
	//	scrypt1.<Problem>.<salt>.<key>
	//
	// where salt is 16 random bytes and key is scrypt(values, salt, N=2^14, r=8, p=1) of 32
	// bytes, both base64url without padding, and values are clientId and clientSecret for
	// ClientCredentialsRejected, username and password for the login problems, each preceded by
	// its length. The cost (tens of milliseconds, 16 MiB) makes guessing a password back from it
	// slow, and the salt makes two fingerprints of one password differ. It never holds a value,
	// and Error never shows it. Empty for the other problems.
	Fingerprint string
	// Recorded says that this process did not ask ThingSpace: the values match a fingerprint
	// recorded when an earlier process saw them rejected, and nothing was sent.
	Recorded bool
}

func (e *CredentialsError) Error() string {
	if e.Recorded {
		return e.recordedText() + e.detail()
	}
	var what string
	switch e.Problem {
	case AccessTokenRejected:
		what = "ThingSpace rejected the access token"
	case SessionTokenRejected:
		what = "ThingSpace rejected the session token"
	case ClientCredentialsRejected:
		what = "ThingSpace rejected the client credentials (clientId, clientSecret); not retried until the credentials in the Secret change"
	case LoginRejected:
		what = "ThingSpace rejected the session login (username, password); not retried until the credentials in the Secret change, since repeated failed logins lock the account"
	case LoginLocked:
		what = "ThingSpace locked the session login; ask Verizon support to unlock it, then change the password in the Secret (the same values are not tried again)"
	default:
		what = "ThingSpace rejected the credentials"
	}
	return what + e.detail()
}

// recordedText explains a rejection read from a record rather than seen by this process.
func (e *CredentialsError) recordedText() string {
	const notTried = "; nothing was sent, and they are not tried until the credentials in the Secret change"
	switch e.Problem {
	case ClientCredentialsRejected:
		return "ThingSpace rejected these client credentials (clientId, clientSecret) before, as recorded on a FotaCampaign" + notTried
	case LoginLocked:
		return "ThingSpace locked this session login (username, password) before, as recorded on a FotaCampaign" + notTried +
			"; ask Verizon support to unlock it, then change the password in the Secret"
	default:
		return "ThingSpace rejected this session login (username, password) before, as recorded on a FotaCampaign" + notTried +
			", since repeated failed logins lock the account"
	}
}

func (e *CredentialsError) detail() string {
	parts := []string{}
	if e.StatusCode != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(e.StatusCode))
	}
	if text := codeAndMessage(e.Code, e.Message); text != "" {
		parts = append(parts, text)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// RateLimitedError is a 429 (or the gateway's throttling fault): retry after RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("ThingSpace rate limit reached: retry after %s", e.RetryAfter)
}

// MintPendingError is a call that found tokens for the same credential values being minted, or
// a login made, by another request. It did not wait, so that a slow token endpoint holds one
// worker per set of values rather than all of them: nothing was sent; try again after
// RetryAfter, by when the other request has most likely finished.
type MintPendingError struct {
	RetryAfter time.Duration
}

func (e *MintPendingError) Error() string {
	return fmt.Sprintf("ThingSpace tokens for these credentials are being minted by another request; nothing was sent, retry after %s", e.RetryAfter)
}

// ThrottledError is the operator's own per-account rate limit (Options.QPS and Options.Burst),
// not ThingSpace's: the call would have waited longer than MaxLimiterWait, or past its
// context's deadline, for the account's next turn. Nothing was sent; RetryAfter is when the
// turn would have come, the instant to try again.
type ThrottledError struct {
	Account    string
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("the operator's own rate limit for ThingSpace account %s is reached; nothing was sent, retry after %s",
		e.Account, e.RetryAfter.Round(time.Millisecond))
}

// UnavailableError is everything worth retrying with backoff: a 5xx, a timeout, a connection
// error, a reply that is not the JSON it should be, an oversized reply or an unexpected status.
// StatusCode is 0 when no response arrived.
type UnavailableError struct {
	StatusCode int
	Err        error
}

func (e *UnavailableError) Error() string {
	switch {
	case e.StatusCode != 0 && e.Err != nil:
		return fmt.Sprintf("ThingSpace is unavailable: HTTP %d: %v", e.StatusCode, e.Err)
	case e.StatusCode != 0:
		return fmt.Sprintf("ThingSpace is unavailable: HTTP %d", e.StatusCode)
	case e.Err != nil:
		return fmt.Sprintf("ThingSpace is unavailable: %v", e.Err)
	default:
		return "ThingSpace is unavailable"
	}
}

func (e *UnavailableError) Unwrap() error { return e.Err }

var errBodyTooLarge = fmt.Errorf("reply body exceeds the %d byte limit", maxResponseBody)

// classifyResponse turns a non-2xx reply of a FOTA call into one of the typed errors; a 2xx gives
// nil. It judges gateway faults and FOTA error codes by their code, never by message text.
func classifyResponse(status int, header http.Header, body []byte, now time.Time) error {
	switch {
	case status >= 200 && status <= 299:
		return nil
	case len(body) > maxResponseBody:
		return &UnavailableError{StatusCode: status, Err: errBodyTooLarge}
	}
	reply := parseErrorReply(body)
	if status == http.StatusTooManyRequests || reply.faultCode() == faultThrottled {
		return &RateLimitedError{RetryAfter: parseRetryAfter(header.Get("Retry-After"), now)}
	}
	if credErr := reply.credentialsError(status); credErr != nil {
		return credErr
	}
	switch {
	case status >= 500:
		return &UnavailableError{StatusCode: status, Err: reply.detail()}
	case status >= 400 && reply.fotaError != nil:
		return &APIError{StatusCode: status, Code: reply.code(), Message: reply.message()}
	case status >= 400:
		return &UnavailableError{StatusCode: status, Err: errors.New("reply is not a ThingSpace error object")}
	default:
		return &UnavailableError{StatusCode: status, Err: errors.New("unexpected status")}
	}
}

// errorReply is what an error reply says, in either of ThingSpace's shapes: the API gateway's
// fault or the FOTA service's error body. Both are nil for anything else (HTML, garbage).
type errorReply struct {
	fault     *GatewayFault
	fotaError *ErrorBody
}

func parseErrorReply(body []byte) errorReply {
	return errorReply{fault: parseGatewayFault(body), fotaError: parseFotaError(body)}
}

func parseGatewayFault(body []byte) *GatewayFault {
	var fault GatewayFault
	if json.Unmarshal(body, &fault) != nil || fault.Fault.Code == "" {
		return nil
	}
	return &fault
}

func parseFotaError(body []byte) *ErrorBody {
	var fotaError ErrorBody
	if json.Unmarshal(body, &fotaError) != nil || (fotaError.ErrorCode == "" && fotaError.ErrorMessage == "") {
		return nil
	}
	return &fotaError
}

func (r errorReply) faultCode() string {
	if r.fault == nil {
		return ""
	}
	return r.fault.Fault.Code
}

func (r errorReply) code() string {
	switch {
	case r.fault != nil:
		return r.fault.Fault.Code
	case r.fotaError != nil:
		return r.fotaError.ErrorCode
	default:
		return ""
	}
}

func (r errorReply) message() string {
	switch {
	case r.fault != nil:
		return r.fault.Fault.Message
	case r.fotaError != nil:
		return r.fotaError.ErrorMessage
	default:
		return ""
	}
}

// detail is the reply's code and message as an error, or nil when it has neither.
func (r errorReply) detail() error {
	if text := codeAndMessage(r.code(), r.message()); text != "" {
		return errors.New(text)
	}
	return nil
}

// CodeAndMessage is ThingSpace's error code and message as one text, "code: message", or
// whichever of the two the reply carried.
func (e *APIError) CodeAndMessage() string {
	return codeAndMessage(e.Code, e.Message)
}

// codeAndMessage joins ThingSpace's code and message as "code: message", or gives whichever of
// the two is set.
func codeAndMessage(code, message string) string {
	if code != "" && message != "" {
		return code + ": " + message
	}
	return code + message
}

// credentialsError returns the refused credential that the reply reports, or nil.
func (r errorReply) credentialsError(status int) *CredentialsError {
	var problem CredentialsProblem
	switch {
	case r.faultCode() == faultInvalidCredentials || r.faultCode() == faultMissingCredentials:
		problem = AccessTokenRejected
	case r.fotaError != nil && isSessionTokenCode(r.fotaError.ErrorCode):
		problem = SessionTokenRejected
	case status == http.StatusUnauthorized:
		problem = AccessTokenRejected
	default:
		return nil
	}
	return &CredentialsError{Problem: problem, StatusCode: status, Code: r.code(), Message: r.message()}
}

// isSessionTokenCode matches ThingSpace's session errors such as
// "UnifiedWebService.SessionToken.Expired" or "SessionToken.Invalid".
func isSessionTokenCode(code string) bool {
	return strings.Contains(strings.ToLower(code), "sessiontoken")
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date, bounded so that neither a
// zero nor an absurd value can make the operator retry in a hot loop or give up for days.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return defaultRetryAfter
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return clampRetryAfter(time.Duration(seconds) * time.Second)
	}
	if date, err := http.ParseTime(value); err == nil {
		return clampRetryAfter(date.Sub(now))
	}
	return defaultRetryAfter
}

func clampRetryAfter(d time.Duration) time.Duration {
	return min(max(d, minRetryAfter), maxRetryAfter)
}

// sanitize makes ThingSpace's text in err fit to show in a status, an event or a log: it removes
// every secret value, in each form a server might echo it (see secretForms), and then cuts each
// text to maxMessageLength. In that order: a secret cut first would no longer be found whole,
// and its start would stay. It edits err in place: callers pass errors they just built, and
// every error that leaves the package passes through here.
func sanitize(err error, secrets []string) error {
	forms := secretForms(secrets)
	clean := func(s string) string {
		for _, form := range forms {
			s = strings.ReplaceAll(s, form, "[redacted]")
		}
		return text.Truncate(s, maxMessageLength)
	}
	var (
		apiErr      *APIError
		credErr     *CredentialsError
		unavailable *UnavailableError
	)
	switch {
	case errors.As(err, &apiErr):
		apiErr.Code, apiErr.Message = clean(apiErr.Code), clean(apiErr.Message)
	case errors.As(err, &credErr):
		credErr.Code, credErr.Message = clean(credErr.Code), clean(credErr.Message)
	case errors.As(err, &unavailable) && unavailable.Err != nil:
		// Replacing Err only when its text changes keeps a wrapped context error visible to
		// errors.Is: such texts are short and hold no secret.
		if description := unavailable.Err.Error(); clean(description) != description {
			unavailable.Err = errors.New(clean(description))
		}
	}
	return err
}

// secretForms lists each secret as a server may echo it: raw, JSON-escaped (with and without
// the HTML escapes of encoding/json), and URL-encoded as a query value and as a path segment,
// longest first, so that no form is cut by the removal of a shorter one it contains.
func secretForms(secrets []string) []string {
	var forms []string
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		forms = append(forms, secret, url.QueryEscape(secret), url.PathEscape(secret))
		forms = append(forms, jsonEscaped(secret, true), jsonEscaped(secret, false))
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(forms)
}

// jsonEscaped is s as it appears inside a JSON string, without the quotes.
func jsonEscaped(s string, escapeHTML bool) string {
	var encoded bytes.Buffer
	encoder := json.NewEncoder(&encoded)
	encoder.SetEscapeHTML(escapeHTML)
	if encoder.Encode(s) != nil {
		return s
	}
	quoted := strings.TrimSuffix(encoded.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(quoted, `"`), `"`)
}
