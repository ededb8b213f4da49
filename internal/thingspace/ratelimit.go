package thingspace

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MaxLimiterWait is the longest a call waits for its account's rate limit. Waiting longer would
// hold a worker that campaigns of other accounts need: such a call sends nothing and returns a
// *ThrottledError, so that the caller requeues the campaign at the instant it names.
const MaxLimiterWait = time.Second

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

// wait takes account's next turn to send a FOTA call, waiting for it when it comes within
// MaxLimiterWait and before ctx's deadline. Otherwise it gives the turn back, so that later
// callers are not pushed further out, and returns a *ThrottledError naming when the turn would
// have come. When ctx ends first, it returns ctx's error.
func (a *accountLimiters) wait(ctx context.Context, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	reservation := a.forAccount(account).ReserveN(now, 1)
	delay := reservation.DelayFrom(now)
	if delay == 0 {
		return nil
	}
	if delay > MaxLimiterWait || endsBefore(ctx, now.Add(delay)) {
		reservation.CancelAt(now)
		return &ThrottledError{Account: account, RetryAfter: delay}
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		reservation.Cancel()
		return ctx.Err()
	}
}

// endsBefore reports whether ctx has a deadline before t.
func endsBefore(ctx context.Context, t time.Time) bool {
	deadline, ok := ctx.Deadline()
	return ok && deadline.Before(t)
}

// accountHolds remembers, per account, until when ThingSpace asked the operator to wait with a
// 429: its limit is the account's, so every campaign of the account waits, not only the one
// whose call was refused.
type accountHolds struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newAccountHolds() *accountHolds {
	return &accountHolds{until: map[string]time.Time{}}
}

// hold makes account wait until until, unless it already waits longer.
func (h *accountHolds) hold(account string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if until.After(h.until[account]) {
		h.until[account] = until
	}
}

// remaining is how long account still waits at now; zero once the hold has passed.
func (h *accountHolds) remaining(account string, now time.Time) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	until, ok := h.until[account]
	if !ok {
		return 0
	}
	if !now.Before(until) {
		delete(h.until, account)
		return 0
	}
	return until.Sub(now)
}
