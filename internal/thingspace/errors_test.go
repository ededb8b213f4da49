package thingspace

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestClassifyResponse(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		want       error
	}{
		{name: "2xx is no error", status: 200, body: `{}`, want: nil},
		{name: "400 with a FOTA error body is terminal", status: 400,
			body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid account name format"}`,
			want: &APIError{StatusCode: 400, Code: "INVALID_PARAMETER", Message: "Invalid account name format"}},
		{name: "404 with a FOTA error body is ThingSpace refusing too", status: 404,
			body: `{"errorCode":"RESOURCE_NOT_FOUND","errorMessage":"no campaign"}`,
			want: &APIError{StatusCode: 404, Code: "RESOURCE_NOT_FOUND", Message: "no campaign"}},
		{name: "400 with HTML is not ThingSpace speaking: unavailable", status: 400, body: `<html>Bad Request</html>`,
			want: &UnavailableError{StatusCode: 400}},
		{name: "400 with an empty JSON object carries no error: unavailable", status: 400, body: `{}`,
			want: &UnavailableError{StatusCode: 400}},
		{name: "401 gateway fault 900901", status: 401, body: `{"fault":{"code":"900901","message":"Invalid Credentials"}}`,
			want: &CredentialsError{Problem: AccessTokenRejected, StatusCode: 401, Code: "900901", Message: "Invalid Credentials"}},
		{name: "gateway fault 900902 counts whatever the status", status: 403, body: `{"fault":{"code":"900902","message":"Missing Credentials"}}`,
			want: &CredentialsError{Problem: AccessTokenRejected, StatusCode: 403, Code: "900902", Message: "Missing Credentials"}},
		{name: "401 without a body is the bearer token refused", status: 401, body: ``,
			want: &CredentialsError{Problem: AccessTokenRejected, StatusCode: 401}},
		{name: "an expired session is judged by its code", status: 401,
			body: `{"errorCode":"UnifiedWebService.SessionToken.Expired","errorMessage":"whatever the text"}`,
			want: &CredentialsError{Problem: SessionTokenRejected, StatusCode: 401, Code: "UnifiedWebService.SessionToken.Expired", Message: "whatever the text"}},
		{name: "a session code without the prefix, under 400, is still the session", status: 400,
			body: `{"errorCode":"SessionToken.Invalid","errorMessage":"x"}`,
			want: &CredentialsError{Problem: SessionTokenRejected, StatusCode: 400, Code: "SessionToken.Invalid", Message: "x"}},
		{name: "a message that mentions a session token is not a session code", status: 400,
			body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"SessionToken Expired"}`,
			want: &APIError{StatusCode: 400, Code: "INVALID_PARAMETER", Message: "SessionToken Expired"}},
		{name: "429 with seconds", status: 429, retryAfter: "12", want: &RateLimitedError{RetryAfter: 12 * time.Second}},
		{name: "429 with an HTTP date", status: 429, retryAfter: now.Add(90 * time.Second).Format(http.TimeFormat),
			want: &RateLimitedError{RetryAfter: 90 * time.Second}},
		{name: "429 without Retry-After waits the default", status: 429, want: &RateLimitedError{RetryAfter: defaultRetryAfter}},
		{name: "the gateway's throttling fault is a rate limit under another status", status: 503,
			body: `{"fault":{"code":"900800","message":"Message throttled out"}}`, retryAfter: "2",
			want: &RateLimitedError{RetryAfter: 2 * time.Second}},
		{name: "503 HTML", status: 503, body: `<html>503</html>`, want: &UnavailableError{StatusCode: 503}},
		{name: "500 with a FOTA error body is still unavailable", status: 500,
			body: `{"errorCode":"INTERNAL","errorMessage":"oops"}`, want: &UnavailableError{StatusCode: 500}},
		{name: "a redirect is unexpected: unavailable", status: 302, want: &UnavailableError{StatusCode: 302}},
		{name: "an informational status is unexpected: unavailable", status: 100, want: &UnavailableError{StatusCode: 100}},
		{name: "an oversized body is unavailable before any decoding", status: 400,
			body: `{"errorCode":"X","errorMessage":"` + strings.Repeat("x", maxResponseBody) + `"}`,
			want: &UnavailableError{StatusCode: 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			if tt.retryAfter != "" {
				header.Set("Retry-After", tt.retryAfter)
			}
			got := classifyResponse(tt.status, header, []byte(tt.body), now)
			// An UnavailableError's Err only describes; its class and status are what count.
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(UnavailableError{}, "Err")); diff != "" {
				t.Errorf("classifyResponse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{name: "seconds", value: "7", want: 7 * time.Second},
		{name: "surrounding spaces are ignored", value: " 7 ", want: 7 * time.Second},
		{name: "zero would retry in a hot loop: one second", value: "0", want: time.Second},
		{name: "a date in the past: one second", value: now.Add(-time.Hour).Format(http.TimeFormat), want: time.Second},
		{name: "a date in the future", value: now.Add(2 * time.Minute).Format(http.TimeFormat), want: 2 * time.Minute},
		{name: "days are capped at an hour", value: "864000", want: time.Hour},
		{name: "a number too big for a Duration is capped, not overflowed", value: "99999999999999999", want: time.Hour},
		{name: "negative seconds: one second", value: "-5", want: time.Second},
		{name: "garbage: the default", value: "soon", want: defaultRetryAfter},
		{name: "missing: the default", value: "", want: defaultRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}

func TestClassifyLogin(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantToken   string
		wantProblem CredentialsProblem
		wantType    string
	}{
		{name: "200 with a session token", status: 200, body: `{"sessionToken":"s1"}`, wantToken: "s1"},
		{name: "200 without a session token is unusable, not a refusal", status: 200, body: `{}`, wantType: "unavailable"},
		{name: "401 with the login code is a refused login", status: 401,
			body: `{"errorCode":"UnifiedWebService.Login.InvalidCredentials","errorMessage":"invalid"}`, wantProblem: LoginRejected},
		{name: "a Locked code is a locked login", status: 401,
			body: `{"errorCode":"UnifiedWebService.Login.Locked","errorMessage":"locked"}`, wantProblem: LoginLocked},
		{name: "a 400 HTML page counts as refused, to stay clear of the lock", status: 400, body: `<html>no</html>`, wantProblem: LoginRejected},
		{name: "a 403 is an unknown outcome, not a refusal", status: 403, body: `{"errorCode":"FORBIDDEN","errorMessage":"no"}`, wantType: "unavailable"},
		{name: "a 404 HTML page is an unknown outcome, not a refusal", status: 404, body: `<html>not found</html>`, wantType: "unavailable"},
		{name: "a 408 is an unknown outcome, not a refusal", status: 408, wantType: "unavailable"},
		{name: "the gateway refusing the bearer is not a failed login", status: 401,
			body: `{"fault":{"code":"900901","message":"Invalid Credentials"}}`, wantProblem: AccessTokenRejected},
		{name: "429 is a rate limit, not a refusal", status: 429, wantType: "ratelimited"},
		{name: "503 is unavailable, not a refusal", status: 503, body: `<html></html>`, wantType: "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := classifyLogin(tt.status, http.Header{}, []byte(tt.body), now)
			var credErr *CredentialsError
			var unavailable *UnavailableError
			var rateLimited *RateLimitedError
			switch {
			case tt.wantToken != "":
				if err != nil || token != tt.wantToken {
					t.Errorf("got %q, %v; want token %q", token, err, tt.wantToken)
				}
			case tt.wantProblem != "":
				if !errors.As(err, &credErr) || credErr.Problem != tt.wantProblem {
					t.Errorf("got %#v, want a CredentialsError %s", err, tt.wantProblem)
				}
			case tt.wantType == "unavailable":
				if !errors.As(err, &unavailable) {
					t.Errorf("got %#v, want an UnavailableError", err)
				}
			case tt.wantType == "ratelimited":
				if !errors.As(err, &rateLimited) {
					t.Errorf("got %#v, want a RateLimitedError", err)
				}
			}
		})
	}
}

func TestClassifyTokenReply(t *testing.T) {
	tests := map[string]struct {
		reason       string
		status       int
		retryAfter   string
		body         string
		wantToken    string
		wantLifetime time.Duration
		wantErr      error
	}{
		"token": {
			reason: "a 200 with a token lives as long as expires_in says",
			status: 200, body: `{"access_token":"a1","token_type":"Bearer","expires_in":3000,"scope":"s"}`,
			wantToken: "a1", wantLifetime: 3000 * time.Second,
		},
		"expires_in as a string": {
			reason: "some servers send expires_in as a string holding the number",
			status: 200, body: `{"access_token":"a1","expires_in":"1800"}`,
			wantToken: "a1", wantLifetime: 1800 * time.Second,
		},
		"no expires_in": {
			reason: "without expires_in the token lives ThingSpace's documented hour",
			status: 200, body: `{"access_token":"a1"}`,
			wantToken: "a1", wantLifetime: time.Hour,
		},
		"absurd expires_in": {
			reason: "a huge expires_in is capped instead of overflowing into the past",
			status: 200, body: `{"access_token":"a1","expires_in":99999999999999999}`,
			wantToken: "a1", wantLifetime: math.MaxInt32 * time.Second,
		},
		"no token": {
			reason: "a 200 without access_token is a broken reply, not a refusal",
			status: 200, body: `{"token_type":"Bearer"}`,
			wantErr: &UnavailableError{StatusCode: 200},
		},
		"garbage": {
			reason: "a 200 that is no JSON is a broken reply, not a refusal",
			status: 200, body: `<html>maintenance</html>`,
			wantErr: &UnavailableError{StatusCode: 200},
		},
		"OAuth error": {
			reason: "a 401 invalid_client refuses the client credentials, with the server's code and description",
			status: 401, body: `{"error":"invalid_client","error_description":"client authentication failed"}`,
			wantErr: &CredentialsError{Problem: ClientCredentialsRejected, StatusCode: 401, Code: "invalid_client", Message: "client authentication failed"},
		},
		"400 without a body": {
			reason: "a 400 refuses the client credentials, even when the body says nothing",
			status: 400, body: `<html>Bad Request</html>`,
			wantErr: &CredentialsError{Problem: ClientCredentialsRejected, StatusCode: 400},
		},
		"OAuth error with 200": {
			reason: "an OAuth error under a 200 leaves unknown whether the credentials were judged: retried, not remembered",
			status: 200, body: `{"error":"invalid_client"}`,
			wantErr: &UnavailableError{StatusCode: 200},
		},
		"403": {
			reason: "a 403 is not a 400 or a 401: an unknown outcome, retried with backoff",
			status: 403, body: `{"error":"access_denied"}`,
			wantErr: &UnavailableError{StatusCode: 403},
		},
		"404 HTML page": {
			reason: "a 404 page from a proxy says nothing about the credentials",
			status: 404, body: `<html>Not Found</html>`,
			wantErr: &UnavailableError{StatusCode: 404},
		},
		"408": {
			reason:  "a 408 is a timeout, not a judgement of the credentials",
			status:  408,
			wantErr: &UnavailableError{StatusCode: 408},
		},
		"429": {
			reason: "a 429 is a rate limit with its Retry-After, not a refusal to remember",
			status: 429, retryAfter: "9", body: `{"error":"slow_down"}`,
			wantErr: &RateLimitedError{RetryAfter: 9 * time.Second},
		},
		"throttling fault under a 4xx": {
			reason: "the gateway's throttling fault is a rate limit whatever the 4xx status",
			status: 400, body: `{"fault":{"code":"900800","message":"Message throttled out"}}`,
			wantErr: &RateLimitedError{RetryAfter: defaultRetryAfter},
		},
		"5xx with an OAuth error": {
			reason: "a 503 is ThingSpace failing to answer, even with an OAuth error body",
			status: 503, body: `{"error":"temporarily_unavailable"}`,
			wantErr: &UnavailableError{StatusCode: 503},
		},
		"redirect": {
			reason:  "a redirect, which the client never follows, is unavailable",
			status:  302,
			wantErr: &UnavailableError{StatusCode: 302},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			header := http.Header{}
			if tt.retryAfter != "" {
				header.Set("Retry-After", tt.retryAfter)
			}
			token, lifetime, err := classifyTokenReply(tt.status, header, []byte(tt.body), now)
			if token != tt.wantToken || lifetime != tt.wantLifetime {
				t.Errorf("%s: got token %q living %s, want %q living %s", tt.reason, token, lifetime, tt.wantToken, tt.wantLifetime)
			}
			// An UnavailableError's Err only describes; its class and status are what count.
			if diff := cmp.Diff(tt.wantErr, err, cmpopts.IgnoreFields(UnavailableError{}, "Err")); diff != "" {
				t.Errorf("%s: error (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestLongMessagesAreCutOnARuneBoundary(t *testing.T) {
	message := strings.Repeat("é", maxMessageLength)
	err := sanitize(classifyResponse(400, http.Header{}, []byte(`{"errorCode":"X","errorMessage":"`+message+`"}`), now), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %#v, want an APIError", err)
	}
	if len(apiErr.Message) > maxMessageLength || !strings.HasSuffix(apiErr.Message, "é...") {
		t.Errorf("message of %d bytes ends %q, want at most %d bytes ending in a whole rune and ...", len(apiErr.Message), apiErr.Message[len(apiErr.Message)-8:], maxMessageLength)
	}
}

func FuzzClassifyResponse(f *testing.F) {
	seeds := []struct {
		status     int
		retryAfter string
		body       string
	}{
		{200, "", `{"id":"x"}`},
		{400, "", `{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid uuid"}`},
		{401, "", `{"fault":{"code":"900901","message":"Invalid Credentials"}}`},
		{401, "", `{"errorCode":"UnifiedWebService.SessionToken.Expired","errorMessage":"SessionToken Expired"}`},
		{429, "5", `{"fault":{"code":"900800"}}`},
		{429, "Wed, 21 Oct 2015 07:28:00 GMT", ``},
		{503, "", `<html><body>503</body></html>`},
		{302, "", ``},
		{-1, "-1", `{"errorCode":`},
		{999, "99999999999999999999", `{"fault":null,"errorCode":null}`},
		{404, "", `[1,2,3]`},
		{500, "", "\xff\xfe"},
	}
	for _, seed := range seeds {
		f.Add(seed.status, seed.retryAfter, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		header := http.Header{"Retry-After": []string{retryAfter}}
		err := classifyResponse(status, header, body, now)
		if status >= 200 && status <= 299 {
			if err != nil {
				t.Fatalf("status %d: got %v, want nil", status, err)
			}
			return
		}
		var (
			apiErr      *APIError
			credErr     *CredentialsError
			rateLimited *RateLimitedError
			unavailable *UnavailableError
		)
		if !errors.As(err, &apiErr) && !errors.As(err, &credErr) && !errors.As(err, &rateLimited) && !errors.As(err, &unavailable) {
			t.Fatalf("status %d: got %#v, want one of the typed errors", status, err)
		}
		if rateLimited != nil && (rateLimited.RetryAfter < minRetryAfter || rateLimited.RetryAfter > maxRetryAfter) {
			t.Fatalf("RetryAfter %s outside [%s, %s]", rateLimited.RetryAfter, minRetryAfter, maxRetryAfter)
		}
		// What leaves the package has passed sanitize, which bounds ThingSpace's text.
		if shown := sanitize(err, nil).Error(); len(shown) > 4*maxMessageLength {
			t.Fatalf("message of %d bytes, want it bounded", len(shown))
		}
	})
}
