package thingspace_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestFOTACallsAreRateLimitedPerAccount(t *testing.T) {
	const (
		qps       = 10
		burst     = 3
		campaigns = 16
	)
	accounts := []string{"0402196254-00001", "0402196254-00002"}
	w := staticWorld(t)
	for _, account := range accounts {
		for i := range campaigns {
			w.sim.Seed(sampleCampaign(account, fmt.Sprintf("campaign-%d", i), pendingStart()))
		}
	}
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: qps, Burst: burst})

	var wg sync.WaitGroup
	for _, account := range accounts {
		for i := range campaigns {
			wg.Go(func() {
				if err := getUntilServed(t.Context(), client, account, fmt.Sprintf("campaign-%d", i)); err != nil {
					t.Errorf("GetCampaign: %v", err)
				}
			})
		}
	}
	wg.Wait()

	// Within any one second a token bucket lets through its burst plus one second of refill.
	for _, account := range accounts {
		if got := w.sim.MaxRequestsPerSecond(account); got > burst+qps {
			t.Errorf("account %s: %d requests within one second, want at most %d", account, got, burst+qps)
		}
	}
}

// getUntilServed reads a campaign as the controller does: a throttled call is made again at
// the instant the ThrottledError names.
func getUntilServed(ctx context.Context, client *thingspace.HTTPClient, account, campaignID string) error {
	for {
		_, err := client.GetCampaign(ctx, staticCredentials, account, campaignID)
		var throttled *thingspace.ThrottledError
		if !errors.As(err, &throttled) {
			return err
		}
		select {
		case <-time.After(throttled.RetryAfter):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// A worker must not wait on one account's rate limit for long: other accounts' campaigns need it.
// A call that would wait more than MaxLimiterWait sends nothing and says at once when its turn
// would come; shorter waits are taken.
func TestACallThatWouldWaitMoreThanMaxLimiterWaitIsThrottled(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: 1, Burst: 1})
	get := func() error {
		_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
		return err
	}
	if err := get(); err != nil {
		t.Fatalf("first GetCampaign, within the burst: %v", err)
	}

	// Two callers at once: the first in line waits under a second, the second would wait two.
	results := make(chan error, 2)
	for range 2 {
		go func() { results <- get() }()
	}
	throttled := errorAs[*thingspace.ThrottledError](t, <-results)
	if throttled.Account != testAccount {
		t.Errorf("Account %q, want %q", throttled.Account, testAccount)
	}
	if throttled.RetryAfter <= thingspace.MaxLimiterWait || throttled.RetryAfter > 2*time.Second {
		t.Errorf("RetryAfter %s, want the limiter's next turn, between %s and 2s", throttled.RetryAfter, thingspace.MaxLimiterWait)
	}
	if err := <-results; err != nil {
		t.Errorf("the caller that waited its turn: %v", err)
	}

	if err := get(); err != nil {
		t.Errorf("a caller after the wait: %v", err)
	}
	if n := w.sim.Count(http.MethodGet, simulator.KindGet); n != 3 {
		t.Errorf("%d GETs reached ThingSpace, want 3: every call but the throttled one", n)
	}
}

func TestRateLimitWaitLongerThanTheDeadlineIsThrottled(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	// The second call waits half a second: within MaxLimiterWait, beyond the deadline.
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: 2, Burst: 1})
	if _, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID); err != nil {
		t.Fatalf("first GetCampaign: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := client.GetCampaign(ctx, staticCredentials, testAccount, testCampaignID)

	if throttled := errorAs[*thingspace.ThrottledError](t, err); throttled.RetryAfter <= 0 || throttled.RetryAfter > thingspace.MaxLimiterWait {
		t.Errorf("RetryAfter %s, want the limiter's next turn, within half a second", throttled.RetryAfter)
	}
	if n := w.sim.Count(http.MethodGet, simulator.KindGet); n != 1 {
		t.Errorf("%d GETs reached ThingSpace, want only the first", n)
	}
}

func TestTokenAndLoginCallsDoNotSpendTheAccountsRate(t *testing.T) {
	w := mintingWorld(t, nil)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	// One call per 100 s: if minting took from the bucket, the GET would wait far past the deadline.
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: 0.01, Burst: 1})

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := client.GetCampaign(ctx, mintingCredentials(t, "uid-1", "1", testPassword), testAccount, testCampaignID); err != nil {
		t.Fatalf("GetCampaign: %v", err)
	}
}

// ThingSpace limits an account, not a campaign: after a 429, every call for the account waits
// out its Retry-After without sending anything, and other accounts go on.
func TestA429HoldsTheWholeAccount(t *testing.T) {
	const otherAccount = "0402196254-00002"
	throttled := simulator.Fault{Account: testAccount, CampaignID: "campaign-1", Status: 429, RetryAfter: "30", Times: 1}
	gatewayFault := simulator.Fault{Account: testAccount, CampaignID: "campaign-1", Status: 400, RetryAfter: "30", Times: 1,
		Body: `{"fault":{"code":"900800","message":"Message throttled out"}}`}
	tests := map[string]struct {
		trigger        simulator.Fault
		advance        time.Duration
		account        string
		wantRetryAfter time.Duration // zero: the call is sent and served
	}{
		"another campaign of the account waits the whole Retry-After": {trigger: throttled,
			account: testAccount, wantRetryAfter: 30 * time.Second},
		"the account waits what is left of Retry-After": {trigger: throttled, advance: 10 * time.Second,
			account: testAccount, wantRetryAfter: 20 * time.Second},
		"the account is served once Retry-After has passed": {trigger: throttled, advance: 30 * time.Second,
			account: testAccount},
		"another account does not wait": {trigger: throttled, account: otherAccount},
		"the gateway's throttling fault holds the account too": {trigger: gatewayFault,
			account: testAccount, wantRetryAfter: 30 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			w := startWorld(t, simulator.Options{Clock: clock.Now,
				StaticTokens: []simulator.TokenPair{{AccessToken: staticAccessToken, SessionToken: staticSessionToken}}})
			for _, account := range []string{testAccount, otherAccount} {
				for _, id := range []string{"campaign-1", "campaign-2"} {
					w.sim.Seed(sampleCampaign(account, id, clock.Now().AddDate(0, 0, 30)))
				}
			}
			w.sim.InjectFault(tt.trigger)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Clock: clock.Now})
			_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, "campaign-1")
			requireErrorType[*thingspace.RateLimitedError](t, err)

			clock.Advance(tt.advance)
			_, err = client.GetCampaign(t.Context(), staticCredentials, tt.account, "campaign-2")

			sent := 0
			for _, r := range w.sim.Requests() {
				if r.CampaignID == "campaign-2" {
					sent++
				}
			}
			if tt.wantRetryAfter == 0 {
				if err != nil || sent != 1 {
					t.Errorf("got %v after %d requests, want the call sent and served", err, sent)
				}
				return
			}
			if limited := errorAs[*thingspace.RateLimitedError](t, err); limited.RetryAfter != tt.wantRetryAfter {
				t.Errorf("RetryAfter %s, want %s", limited.RetryAfter, tt.wantRetryAfter)
			}
			if sent != 0 {
				t.Errorf("%d requests for the held account, want none", sent)
			}
		})
	}
}
