package fotacampaign

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// campaignMemory is what the reconciler remembers between reconciles of a campaign and does not
// write to the status: writing it would make a status write of every poll (a heartbeat that Argo
// CD and every watcher would see) or of every retry. Losing it on a restart costs one GET per
// campaign and at most one repeated PUT of a schedule ThingSpace rejected. Nothing that keeps a
// campaign from being scheduled twice lives only here: that is the annotation's job.
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
	// held is what ThingSpace last said it holds (a GET, PUT or POST reply), for a reconcile
	// that reads the object from a cache that has not caught up with the status yet.
	held *thingspace.Campaign
	// rejection is ThingSpace's last rejection of a pushed schedule or device change.
	rejection *rejection
	// retryAt is when ThingSpace may be called again after a 429 or the operator's own limit.
	retryAt time.Time
	// scheduledID is the id of the campaign this process scheduled or adopted for the object, so
	// that a stale cache without the annotation yet cannot make it schedule again.
	scheduledID string
	// lastReport is when the device report was last read.
	lastReport time.Time
	// finalReportDue is true while the last read of a closed campaign's device report failed.
	finalReportDue bool
	// devicesChecked is the generation whose devices were last compared with the device report,
	// and devicesDiffer whether they differed.
	devicesChecked int64
	devicesDiffer  bool
	// devicesPushed is the last device change ThingSpace accepted.
	devicesPushed *devicesPush
}

// rejection is a request ThingSpace refused: the same spec is not sent again until ThingSpace has
// been read after the refusal (the next poll) or the spec changes.
type rejection struct {
	generation int64
	message    string
	at         time.Time
}

// devicesPush is a device change ThingSpace accepted for a generation. ThingSpace applies it
// asynchronously, so a report read soon after may not show it yet; the same change is sent again
// only after a poll interval.
type devicesPush struct {
	generation int64
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
