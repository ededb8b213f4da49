package controllers

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// campaignMemory is what the reconciler remembers between reconciles of a campaign and does not
// write to the status: writing it would make a status write of every poll (a heartbeat that Argo
// CD and every watcher would see) or of every retry. Losing it on a restart costs one GET per
// campaign and at most one repeated PUT of a schedule ThingSpace rejected.
type campaignMemory struct {
	mu     sync.Mutex
	states map[types.NamespacedName]*campaignState
}

// campaignState is the memory of one campaign. Only the reconcile of that campaign touches it,
// and the work queue never runs two reconciles of one object at once, so its fields need no lock.
type campaignState struct {
	// uid tells a campaign from a new one created with the same name.
	uid types.UID
	// lastObserved is when ThingSpace last answered a GET for the campaign.
	lastObserved time.Time
	// rejection is ThingSpace's last rejection of a pushed schedule.
	rejection *rejection
	// retryAt is when ThingSpace may be called again after a 429.
	retryAt time.Time
}

// rejection is a schedule ThingSpace refused: the same spec is not pushed again until
// ThingSpace has been read after the refusal (the next poll) or the spec changes.
type rejection struct {
	generation int64
	message    string
	at         time.Time
}

func newCampaignMemory() *campaignMemory {
	return &campaignMemory{states: map[types.NamespacedName]*campaignState{}}
}

// stateOf returns the memory of fc, starting afresh when fc is a new object under an old name.
func (m *campaignMemory) stateOf(fc *fotav1alpha1.FotaCampaign) *campaignState {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := types.NamespacedName{Namespace: fc.Namespace, Name: fc.Name}
	state, ok := m.states[key]
	if !ok || state.uid != fc.UID {
		state = &campaignState{uid: fc.UID}
		m.states[key] = state
	}
	return state
}

func (m *campaignMemory) forget(key types.NamespacedName) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.states, key)
}

func (s *campaignState) rememberRejection(generation int64, message string, now time.Time) {
	s.rejection = &rejection{generation: generation, message: message, at: now}
}

func (s *campaignState) forgetRejection() {
	s.rejection = nil
}

// rejectionOf returns the rejection that still holds back a push of generation: one of that
// generation with no read of ThingSpace since.
func (s *campaignState) rejectionOf(generation int64) *rejection {
	if s.rejection == nil || s.rejection.generation != generation || s.lastObserved.After(s.rejection.at) {
		return nil
	}
	return s.rejection
}

// rateLimitMessage is the Synced message while a 429 holds the campaign back. It names no delay,
// so that every 429 leaves the same status.
const rateLimitMessage = "ThingSpace answered 429 Too Many Requests; the operator calls it again after the delay ThingSpace asked for (Retry-After)"

// rememberRateLimit holds back every ThingSpace call for the campaign until retryAt.
func (s *campaignState) rememberRateLimit(retryAt time.Time) *outcome {
	s.retryAt = retryAt
	return s.rateLimitOutcome()
}

// rateLimited returns the outcome that holds the campaign back when a rate-limit wait is still
// running at now, so that no other event (a Secret change, an edit) calls ThingSpace sooner.
func (s *campaignState) rateLimited(now time.Time) *outcome {
	if !now.Before(s.retryAt) {
		return nil
	}
	return s.rateLimitOutcome()
}

func (s *campaignState) rateLimitOutcome() *outcome {
	return &outcome{reason: fotav1alpha1.ReasonRateLimited, message: rateLimitMessage, retryAt: s.retryAt}
}
