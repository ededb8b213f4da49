package envtest

import (
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// FakeClockQueue is a controller's work queue with its delays on a fake clock: requeues
// (RequeueAfter) and backoffs (AddRateLimited) wait in it until ReleaseDue finds the clock past
// them. The queue itself is client-go's, so deduplication and one reconcile per object at a time
// work as in production. Hand it to one controller only, through NewQueue: two controllers on
// one queue would receive each other's requests.
type FakeClockQueue struct {
	workqueue.TypedInterface[reconcile.Request]
	clock *clocktesting.FakeClock

	mu          sync.Mutex
	rateLimiter workqueue.TypedRateLimiter[reconcile.Request]
	waiting     map[reconcile.Request]time.Time
}

// NewFakeClockQueue returns a queue on clock; NewQueue starts it.
func NewFakeClockQueue(clock *clocktesting.FakeClock) *FakeClockQueue {
	return &FakeClockQueue{clock: clock, waiting: map[reconcile.Request]time.Time{}}
}

// NewQueue is the controller option that hands q to a controller, empty, as a new process
// starts with an empty queue.
func (q *FakeClockQueue) NewQueue(_ string, rateLimiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request] {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.TypedInterface = workqueue.NewTyped[reconcile.Request]()
	q.rateLimiter = rateLimiter
	q.waiting = map[reconcile.Request]time.Time{}
	return q
}

// AddAfter keeps the earliest due time of an object, as client-go's delaying queue does.
func (q *FakeClockQueue) AddAfter(item reconcile.Request, d time.Duration) {
	if d <= 0 {
		q.Add(item)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	due := q.clock.Now().Add(d)
	if current, ok := q.waiting[item]; !ok || due.Before(current) {
		q.waiting[item] = due
	}
}

// AddRateLimited waits as long as the controller's rate limiter says.
func (q *FakeClockQueue) AddRateLimited(item reconcile.Request) {
	q.AddAfter(item, q.rateLimiter.When(item))
}

// Forget resets the object's backoff.
func (q *FakeClockQueue) Forget(item reconcile.Request) { q.rateLimiter.Forget(item) }

// NumRequeues is how often the object was requeued with a backoff.
func (q *FakeClockQueue) NumRequeues(item reconcile.Request) int {
	return q.rateLimiter.NumRequeues(item)
}

// Due returns when the object is next due, if it waits at all.
func (q *FakeClockQueue) Due(item reconcile.Request) (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	at, ok := q.waiting[item]
	return at, ok
}

// ReleaseDue hands the controller every object whose time has come on the clock.
func (q *FakeClockQueue) ReleaseDue() {
	q.mu.Lock()
	now := q.clock.Now()
	var ready []reconcile.Request
	for item, at := range q.waiting {
		if !at.After(now) {
			ready = append(ready, item)
			delete(q.waiting, item)
		}
	}
	q.mu.Unlock()
	for _, item := range ready {
		q.Add(item)
	}
}
