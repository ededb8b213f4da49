package thingspace

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// accountLimiters holds one token bucket per ThingSpace account, shared by every campaign of
// that account, so that many campaigns cannot together flood one account.
type accountLimiters struct {
	qps   float64
	burst int

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func newAccountLimiters(qps float64, burst int) *accountLimiters {
	return &accountLimiters{qps: qps, burst: burst, limiters: map[string]*rate.Limiter{}}
}

func (a *accountLimiters) forAccount(account string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	limiter, ok := a.limiters[account]
	if !ok {
		limiter = rate.NewLimiter(rate.Limit(a.qps), a.burst)
		a.limiters[account] = limiter
	}
	return limiter
}

// wait blocks until account may send a FOTA call. When ctx ends first it returns ctx's error;
// when ctx's deadline is too close to wait, it returns a *RateLimitedError so the caller
// requeues instead of failing.
func (a *accountLimiters) wait(ctx context.Context, account string) error {
	err := a.forAccount(account).Wait(ctx)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return &RateLimitedError{RetryAfter: max(time.Duration(float64(time.Second)/a.qps), minRetryAfter)}
}
