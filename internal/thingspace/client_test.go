package thingspace_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestGetCampaignReturnsThingSpacesCampaign(t *testing.T) {
	w := staticWorld(t)
	want := sampleCampaign(testAccount, testCampaignID, pendingStart())
	w.sim.Seed(want)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	got, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
	if err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("campaign (-want +got):\n%s", diff)
	}
	requests := w.sim.Requests()
	if len(requests) != 1 {
		t.Fatalf("simulator saw %d requests, want 1", len(requests))
	}
	sent := requests[0]
	if sent.Method != http.MethodGet || sent.Path != "/api/fota/v2/campaigns/"+testAccount+"/"+testCampaignID {
		t.Errorf("request %s %s, want GET of the campaign", sent.Method, sent.Path)
	}
	if sent.AccessToken != staticAccessToken || sent.SessionToken != staticSessionToken {
		t.Errorf("request carried access token %q and session token %q, want the static ones", sent.AccessToken, sent.SessionToken)
	}
	if accept := w.seenHeaders()[0].Get("Accept"); accept != "application/json" {
		t.Errorf("Accept %q, want application/json", accept)
	}
}

func TestGetCampaignToleratesUnknownAndMissingFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want thingspace.Campaign
	}{{
		name: "unknown fields are ignored, so a ThingSpace that adds fields does not break the operator",
		body: `{"id":"c1","status":"CampaignScheduled","startDate":"2026-12-01","endDate":"2026-12-07",
			"deviceCount":12,"protocol":{"name":"HTTP"},"downloadTimeWindowList":[{"startTime":3,"endTime":4,"weekday":"Mon"}]}`,
		want: thingspace.Campaign{ID: "c1", Status: "CampaignScheduled", StartDate: "2026-12-01", EndDate: "2026-12-07",
			DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}}},
	}, {
		name: "missing fields decode as zero values, since ThingSpace omits unset after-dates and lists",
		body: `{"id":"c1","startDate":"2026-12-01","endDate":"2026-12-07"}`,
		want: thingspace.Campaign{ID: "c1", StartDate: "2026-12-01", EndDate: "2026-12-07"},
	}, {
		name: "null after-dates and lists are unset",
		body: `{"id":"c1","downloadAfterDate":null,"downloadTimeWindowList":null,"installAfterDate":null,"installTimeWindowList":null}`,
		want: thingspace.Campaign{ID: "c1"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.InjectFault(simulator.Fault{Kind: simulator.KindGet, Status: http.StatusOK, Body: tt.body})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			got, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, "c1")
			if err != nil {
				t.Fatalf("GetCampaign: %v", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("campaign (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateCampaignDatesSendsTheWholeSchedule(t *testing.T) {
	w := staticWorld(t)
	start := pendingStart()
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, start))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	dates := thingspace.Dates{
		StartDate:              start.AddDate(0, 0, 1).Format(time.DateOnly),
		EndDate:                start.AddDate(0, 0, 9).Format(time.DateOnly),
		DownloadTimeWindowList: []thingspace.Window{{StartTime: 22, EndTime: 24}, {StartTime: 0, EndTime: 2}},
		// No after-dates and a nil install list: both must still be sent.
	}

	got, err := client.UpdateCampaignDates(t.Context(), staticCredentials, testAccount, testCampaignID, dates)
	if err != nil {
		t.Fatalf("UpdateCampaignDates: %v", err)
	}
	if got.StartDate != dates.StartDate || got.EndDate != dates.EndDate || got.DownloadAfterDate != nil {
		t.Errorf("reply has start %s, end %s, downloadAfterDate %v; want the new schedule", got.StartDate, got.EndDate, got.DownloadAfterDate)
	}
	if violations := w.sim.Violations(); len(violations) != 0 {
		t.Errorf("simulator recorded violations: %+v", violations)
	}

	sent := w.sim.Requests()[0]
	if sent.Method != http.MethodPut || sent.Path != "/api/fota/v2/campaigns/"+testAccount+"/"+testCampaignID+"/dates" {
		t.Errorf("request %s %s, want PUT of the campaign's dates", sent.Method, sent.Path)
	}
	if sent.ContentType != "application/json" {
		t.Errorf("Content-Type %q, want application/json", sent.ContentType)
	}
	if sent.AccessToken != staticAccessToken || sent.SessionToken != staticSessionToken {
		t.Errorf("request carried access token %q and session token %q, want the static ones", sent.AccessToken, sent.SessionToken)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(sent.Body, &body); err != nil {
		t.Fatalf("body %s is not a JSON object: %v", sent.Body, err)
	}
	wantBody := map[string]string{
		"startDate":              `"` + dates.StartDate + `"`,
		"endDate":                `"` + dates.EndDate + `"`,
		"downloadAfterDate":      `null`,
		"downloadTimeWindowList": `[{"startTime":22,"endTime":24},{"startTime":0,"endTime":2}]`,
		"installAfterDate":       `null`,
		"installTimeWindowList":  `[]`,
	}
	gotBody := map[string]string{}
	for key, value := range body {
		gotBody[key] = string(value)
	}
	if diff := cmp.Diff(wantBody, gotBody); diff != "" {
		t.Errorf("PUT body keys (-want +got):\n%s", diff)
	}
}

func TestAccountAndCampaignIDAreEscapedIntoOnePathSegmentEach(t *testing.T) {
	const oddAccount = "acc/../x?y#z %2F"
	const oddCampaign = "id/dates"
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(oddAccount, oddCampaign, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	got, err := client.GetCampaign(t.Context(), staticCredentials, oddAccount, oddCampaign)
	if err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}
	if got.AccountName != oddAccount || got.ID != oddCampaign {
		t.Errorf("got campaign %q/%q, want %q/%q", got.AccountName, got.ID, oddAccount, oddCampaign)
	}
	sent := w.sim.Requests()[0]
	if sent.Kind != simulator.KindGet || sent.Account != oddAccount || sent.CampaignID != oddCampaign {
		t.Errorf("simulator saw a %s call for %q/%q, want a get of %q/%q", sent.Kind, sent.Account, sent.CampaignID, oddAccount, oddCampaign)
	}
}

func TestDotSegmentsAreRefused(t *testing.T) {
	client := newClient(t, thingspace.Options{BaseURL: "http://127.0.0.1:1"})
	for _, account := range []string{"", ".", ".."} {
		if _, err := client.GetCampaign(t.Context(), staticCredentials, account, testCampaignID); err == nil {
			t.Errorf("account %q: got no error, want a refusal before any request", account)
		}
	}
}

func TestErrorsAreClassified(t *testing.T) {
	retryAt := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		fault      *simulator.Fault
		creds      thingspace.Credentials
		campaignID string
		check      func(t *testing.T, err error)
	}{{
		name:  "400 with errorCode and errorMessage is an APIError carrying both",
		fault: &simulator.Fault{Status: 400, Body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid uuid"}`},
		check: func(t *testing.T, err error) {
			apiErr := errorAs[*thingspace.APIError](t, err)
			want := thingspace.APIError{StatusCode: 400, Code: "INVALID_PARAMETER", Message: "Invalid uuid"}
			if *apiErr != want {
				t.Errorf("got %+v, want %+v", *apiErr, want)
			}
			if msg := err.Error(); msg != "ThingSpace rejected the request: INVALID_PARAMETER: Invalid uuid" {
				t.Errorf("message %q", msg)
			}
		},
	}, {
		name:       "ThingSpace's own 400 for an unknown campaign is an APIError",
		campaignID: "00000000-0000-0000-0000-000000000000",
		check: func(t *testing.T, err error) {
			apiErr := errorAs[*thingspace.APIError](t, err)
			if apiErr.Code != "INVALID_PARAMETER" || apiErr.Message == "" {
				t.Errorf("got %+v, want INVALID_PARAMETER with a message", *apiErr)
			}
		},
	}, {
		name:  "401 gateway fault 900901 is a rejected access token",
		fault: &simulator.Fault{Status: 401},
		check: func(t *testing.T, err error) {
			credErr := errorAs[*thingspace.CredentialsError](t, err)
			if credErr.Problem != thingspace.AccessTokenRejected || credErr.Code != "900901" || credErr.StatusCode != 401 {
				t.Errorf("got %+v, want AccessTokenRejected with code 900901", *credErr)
			}
		},
	}, {
		name:  "gateway fault 900902 (no bearer) is a rejected access token",
		fault: &simulator.Fault{Status: 401, Body: `{"fault":{"code":"900902","message":"Missing Credentials"}}`},
		check: func(t *testing.T, err error) {
			credErr := errorAs[*thingspace.CredentialsError](t, err)
			if credErr.Problem != thingspace.AccessTokenRejected || credErr.Code != "900902" {
				t.Errorf("got %+v, want AccessTokenRejected with code 900902", *credErr)
			}
		},
	}, {
		name:  "an unknown session token is a rejected session token, judged by the error code",
		creds: thingspace.Credentials{AccessToken: staticAccessToken, SessionToken: "expired-session-2bV7"},
		check: func(t *testing.T, err error) {
			credErr := errorAs[*thingspace.CredentialsError](t, err)
			if credErr.Problem != thingspace.SessionTokenRejected || !strings.Contains(credErr.Code, "SessionToken") {
				t.Errorf("got %+v, want SessionTokenRejected with ThingSpace's SessionToken code", *credErr)
			}
		},
	}, {
		name:  "429 with Retry-After in seconds waits that long",
		fault: &simulator.Fault{Status: 429, RetryAfter: "7"},
		check: func(t *testing.T, err error) {
			rateLimited := errorAs[*thingspace.RateLimitedError](t, err)
			if rateLimited.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter %s, want 7s", rateLimited.RetryAfter)
			}
		},
	}, {
		name:  "429 with Retry-After as an HTTP date waits until then",
		fault: &simulator.Fault{Status: 429, RetryAfter: retryAt},
		check: func(t *testing.T, err error) {
			rateLimited := errorAs[*thingspace.RateLimitedError](t, err)
			// The date has whole seconds and the test takes a moment.
			if rateLimited.RetryAfter < 20*time.Second || rateLimited.RetryAfter > 30*time.Second {
				t.Errorf("RetryAfter %s, want about 30s", rateLimited.RetryAfter)
			}
		},
	}, {
		name:  "429 without Retry-After waits the default 5s",
		fault: &simulator.Fault{Status: 429},
		check: func(t *testing.T, err error) {
			if rateLimited := errorAs[*thingspace.RateLimitedError](t, err); rateLimited.RetryAfter != 5*time.Second {
				t.Errorf("RetryAfter %s, want 5s", rateLimited.RetryAfter)
			}
		},
	}, {
		name:  "503 with the load balancer's HTML page is unavailable",
		fault: &simulator.Fault{Status: 503},
		check: func(t *testing.T, err error) {
			if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != 503 {
				t.Errorf("StatusCode %d, want 503", unavailable.StatusCode)
			}
		},
	}, {
		name:  "an HTML page with 200 is not a campaign: unavailable",
		fault: &simulator.Fault{Status: 200, Body: "<html><body>Maintenance</body></html>"},
		check: func(t *testing.T, err error) {
			if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != 200 {
				t.Errorf("StatusCode %d, want 200", unavailable.StatusCode)
			}
		},
	}, {
		name:  "invalid JSON is unavailable",
		fault: &simulator.Fault{Status: 200, Body: `{"id":"c1","startDate":`},
		check: func(t *testing.T, err error) { requireErrorType[*thingspace.UnavailableError](t, err) },
	}, {
		name:  "a 2 MiB reply is refused at the 1 MiB limit as unavailable",
		fault: &simulator.Fault{Status: 200, Body: `{"id":"` + strings.Repeat("x", 2<<20) + `"}`},
		check: func(t *testing.T, err error) {
			requireErrorType[*thingspace.UnavailableError](t, err)
			if !strings.Contains(err.Error(), "limit") {
				t.Errorf("message %q does not say the reply exceeded the limit", err)
			}
		},
	}, {
		name:  "an empty object with 200 carries no campaign, not an empty schedule: unavailable",
		fault: &simulator.Fault{Status: 200, Body: `{"success":true}`},
		check: func(t *testing.T, err error) { requireErrorType[*thingspace.UnavailableError](t, err) },
	}, {
		name:  "an error body with 200 is still ThingSpace refusing",
		fault: &simulator.Fault{Status: 200, Body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid uuid"}`},
		check: func(t *testing.T, err error) {
			if apiErr := errorAs[*thingspace.APIError](t, err); apiErr.Code != "INVALID_PARAMETER" {
				t.Errorf("Code %q, want INVALID_PARAMETER", apiErr.Code)
			}
		},
	}, {
		name:  "a 404 HTML page is an unexpected reply: unavailable",
		fault: &simulator.Fault{Status: 404, Body: "<html>Not Found</html>"},
		check: func(t *testing.T, err error) {
			if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != 404 {
				t.Errorf("StatusCode %d, want 404", unavailable.StatusCode)
			}
		},
	}, {
		name:  "a dropped connection is unavailable with no status",
		fault: &simulator.Fault{DropConnection: true},
		check: func(t *testing.T, err error) {
			if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != 0 {
				t.Errorf("StatusCode %d, want 0", unavailable.StatusCode)
			}
		},
	}, {
		name:  "a reply slower than the timeout is unavailable and says it timed out",
		fault: &simulator.Fault{Latency: time.Minute},
		check: func(t *testing.T, err error) {
			requireErrorType[*thingspace.UnavailableError](t, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			if tt.fault != nil {
				w.sim.InjectFault(*tt.fault)
			}
			creds, campaignID := tt.creds, tt.campaignID
			if creds == (thingspace.Credentials{}) {
				creds = staticCredentials
			}
			if campaignID == "" {
				campaignID = testCampaignID
			}
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Timeout: 500 * time.Millisecond})

			campaign, err := client.GetCampaign(t.Context(), creds, testAccount, campaignID)
			if err == nil {
				t.Fatalf("got campaign %+v, want an error", campaign)
			}
			tt.check(t, err)
		})
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	client := newClient(t, thingspace.Options{BaseURL: closedURL(t)})

	_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
	unavailable := errorAs[*thingspace.UnavailableError](t, err)
	if unavailable.StatusCode != 0 {
		t.Errorf("got %+v, want an error without a status", *unavailable)
	}
}

func TestStaticTokensAreNotRetriedAfter401(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	w.sim.InjectFault(simulator.Fault{Status: 401, Times: 1})
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
	requireErrorType[*thingspace.CredentialsError](t, err)
	if n := w.sim.Count(http.MethodGet, simulator.KindGet); n != 1 {
		t.Errorf("%d GETs, want 1: a static token cannot get better by asking again", n)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		wantErr string
	}{
		{name: "https to ThingSpace is the default use", baseURL: "https://thingspace.verizon.com"},
		{name: "plain http to 127.0.0.1 is allowed for the simulator", baseURL: "http://127.0.0.1:8089"},
		{name: "plain http to anywhere in 127.0.0.0/8 is loopback", baseURL: "http://127.1.2.3:8089/"},
		{name: "plain http to ::1 is loopback", baseURL: "http://[::1]:8089"},
		{name: "plain http to localhost is loopback", baseURL: "http://localhost:8089"},
		{name: "plain http elsewhere would send tokens in clear text", baseURL: "http://thingspace.verizon.com", wantErr: "plain http is only allowed for a loopback host"},
		{name: "a name starting with 127 is not loopback", baseURL: "http://127.0.0.1.example.com", wantErr: "plain http is only allowed for a loopback host"},
		{name: "a private address is not loopback", baseURL: "http://10.0.0.1", wantErr: "plain http is only allowed for a loopback host"},
		{name: "another scheme is refused", baseURL: "ftp://thingspace.verizon.com", wantErr: "scheme must be https"},
		{name: "a URL without host is refused", baseURL: "https:///api", wantErr: "must name a host"},
		{name: "user information in the URL is refused without echoing it", baseURL: "https://user:hunter2@thingspace.verizon.com", wantErr: "must not carry user information"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := thingspace.NewHTTPClient(thingspace.Options{BaseURL: tt.baseURL})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got error %v, want the URL accepted", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("error %q shows the password of the URL", err)
			}
		})
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target := staticWorld(t)
	target.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	redirector := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, target.baseURL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	client := newClient(t, thingspace.Options{BaseURL: redirector.URL})

	_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
	if unavailable := errorAs[*thingspace.UnavailableError](t, err); unavailable.StatusCode != http.StatusFound {
		t.Errorf("StatusCode %d, want the 302 itself", unavailable.StatusCode)
	}
	if n := len(target.sim.Requests()); n != 0 {
		t.Errorf("the redirect target received %d requests with the tokens, want none", n)
	}
}

func TestRequestsAreCountedInMetrics(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	before := counterValue(t, "fota_thingspace_requests_total", map[string]string{"operation": "get_campaign", "code": "200"})

	for range 3 {
		if _, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID); err != nil {
			t.Fatalf("GetCampaign: %v", err)
		}
	}

	after := counterValue(t, "fota_thingspace_requests_total", map[string]string{"operation": "get_campaign", "code": "200"})
	if after-before != 3 {
		t.Errorf("requests_total{get_campaign,200} grew by %v, want 3", after-before)
	}
}

// counterValue reads a counter from controller-runtime's registry, 0 when it has no such series.
func counterValue(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
		for _, metric := range family.GetMetric() {
			if hasLabels(metric, labels) {
				return metric.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func hasLabels(metric *dto.Metric, labels map[string]string) bool {
	matched := 0
	for _, pair := range metric.GetLabel() {
		if value, ok := labels[pair.GetName()]; ok && value == pair.GetValue() {
			matched++
		}
	}
	return matched == len(labels)
}
