package thingspace_test

import (
	"context"
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
				if _, err := client.GetCampaign(t.Context(), staticCredentials, account, fmt.Sprintf("campaign-%d", i)); err != nil {
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

func TestRateLimitWaitLongerThanTheDeadlineIsRateLimited(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL, QPS: 0.5, Burst: 1})
	if _, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID); err != nil {
		t.Fatalf("first GetCampaign: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := client.GetCampaign(ctx, staticCredentials, testAccount, testCampaignID)

	if rateLimited := errorAs[*thingspace.RateLimitedError](t, err); rateLimited.RetryAfter <= 0 {
		t.Errorf("RetryAfter %s, want a positive wait", rateLimited.RetryAfter)
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
