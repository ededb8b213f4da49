package thingspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
// every secret value removed. A rejected login or rejected client credentials is remembered for
// the Secret's credential values and not tried again until they change: an edit of the
// Secret's labels or annotations does not count.
type CredentialsError struct {
	Problem     CredentialsProblem
	StatusCode  int
	Code        string
	Message     string
	Fingerprint string
}

func (e *CredentialsError) Error() string {
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
		what = "ThingSpace locked the session login; ask Verizon support to unlock it, then change the password in the Secret or recreate the Secret"
	default:
		what = "ThingSpace rejected the credentials"
	}
	return what + e.detail()
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
// every secret value, in case a server echoes a token or a password back, and then cuts each
// text to maxMessageLength. In that order: a secret cut first would no longer be found whole,
// and its start would stay. It edits err in place: callers pass errors they just built, and
// every error that leaves the package passes through here.
func sanitize(err error, secrets []string) error {
	clean := func(s string) string {
		for _, secret := range secrets {
			if secret != "" {
				s = strings.ReplaceAll(s, secret, "[redacted]")
			}
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
