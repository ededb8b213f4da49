package fotacampaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// managed is one reconcile's view of a campaign: the object, its memory, its credentials and
// what this reconcile has learned from ThingSpace so far.
type managed struct {
	fc *fotav1alpha1.FotaCampaign
	// written is the object as the API server last stored it, for a write in the middle of a
	// step; Reconcile writes the rest from it afterwards.
	written *fotav1alpha1.FotaCampaign
	state   *campaignState
	creds   thingspace.Credentials
	// id is the ThingSpace campaign id: spec.campaignId, the campaign-id annotation, or the id
	// this process scheduled; empty while the campaign is still to be scheduled.
	id string
	// previousPhase is the phase the status showed before this reconcile.
	previousPhase fotav1alpha1.Phase
	// observed is true once ThingSpace was read in this reconcile.
	observed bool
	// report is the device report read in this reconcile, if it was read.
	report *deviceReport
}

// newManaged is the view of fc for one reconcile. An id this process scheduled that the object
// does not carry yet (a failed or not yet cached metadata write) goes back into the annotation,
// which is written again.
func newManaged(written, fc *fotav1alpha1.FotaCampaign, state *campaignState, creds thingspace.Credentials) *managed {
	c := &managed{fc: fc, written: written, state: state, creds: creds, id: campaignIDOf(fc, state), previousPhase: fc.Status.Phase}
	if fc.Spec.CampaignID == "" && c.id != "" && fc.Annotations[fotav1alpha1.AnnotationCampaignID] != c.id {
		c.recordID(c.id)
	}
	return c
}

func (c *managed) account() string { return c.fc.Spec.AccountName }

// baseline is what ThingSpace holds for the campaign, as far as the status knows.
func (c *managed) baseline() campaign.Baseline { return campaign.BaselineOf(c.fc) }

// thingSpaceStatus is ThingSpace's raw status of the campaign, as far as the status knows.
func (c *managed) thingSpaceStatus() string { return c.baseline().Status }

// campaignIDOf is the id of the ThingSpace campaign fc manages: spec.campaignId, else the
// annotation written when the operator scheduled or adopted it, else the status (an annotation
// lost to a kubectl replace), else the id this process scheduled (which a stale cache may not
// show in the annotation yet).
func campaignIDOf(fc *fotav1alpha1.FotaCampaign, state *campaignState) string {
	if fc.Spec.CampaignID != "" {
		return fc.Spec.CampaignID
	}
	if id := recordedID(fc); id != "" {
		return id
	}
	return state.scheduledID
}

// sync runs the steps in order. Every step returns nil to let the next one run, or the outcome
// that ends the reconcile. The steps follow crossplane-runtime's ExternalClient: observe first,
// then at most one kind of write.
//   - observe: scheduleWhenNew's search by name, observe (GET), readDeviceReport; reads only.
//   - create: scheduleWhenNew's POST, the one write that is not idempotent: it runs only after
//     the search by name found nothing, and ends the reconcile so that the id is recorded first.
//   - update: updateSchedule (the whole schedule, idempotent) and updateDevices (the difference
//     with the report, sent again only after a poll interval).
//   - delete: abortOnFailures here and finalize on deletion: one DELETE, only for a campaign
//     just observed open; a repeat on a closed campaign is refused by ThingSpace and changes
//     nothing.
func (r *Reconciler) sync(ctx context.Context, written, fc *fotav1alpha1.FotaCampaign, state *campaignState, owner ownership, now time.Time) outcome {
	if fc.DeletionTimestamp != nil {
		return r.finalize(ctx, written, fc, state, owner, now)
	}
	if stop := abortedOnFailuresBefore(fc); stop != nil {
		return *stop
	}
	if stop := suspended(fc, ""); stop != nil {
		return *stop
	}
	if stop := owner.conflict(); stop != nil {
		return *stop
	}
	c, stop := r.connect(ctx, written, fc, state, now)
	if stop != nil {
		return *stop
	}
	for _, step := range []func(context.Context, *managed, time.Time) *outcome{
		r.trustRecordedID,
		r.cancelOnRequest,
		r.scheduleWhenNew,
		r.observe,
		r.readDeviceReport,
		r.abortOnFailures,
		r.updateSchedule,
		r.updateDevices,
	} {
		if stop := step(ctx, c, now); stop != nil {
			return *stop
		}
	}
	return syncedOutcome()
}

// connect is the reconcile's view of the campaign once its credentials are read, unless they
// cannot be or a rate-limit wait still holds the campaign back.
func (r *Reconciler) connect(ctx context.Context, written, fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) (*managed, *outcome) {
	creds, stop := r.credentialsFor(ctx, fc)
	if stop != nil {
		return nil, stop
	}
	if stop := state.rateLimited(now); stop != nil {
		return nil, stop
	}
	return newManaged(written, fc, state, creds), nil
}

// abortedOnFailuresBefore ends the reconcile of a campaign the operator aborted for its
// abortPolicy: it is never touched again, and the status keeps saying why.
func abortedOnFailuresBefore(fc *fotav1alpha1.FotaCampaign) *outcome {
	ready := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
	if ready == nil || ready.Reason != fotav1alpha1.ReasonAbortedOnFailures {
		return nil
	}
	synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	out := syncedOutcome()
	if synced != nil {
		out.reason, out.message = synced.Reason, synced.Message
	}
	return &out
}

// suspended ends the reconcile of a suspended campaign; while is what waits, if anything.
func suspended(fc *fotav1alpha1.FotaCampaign, while string) *outcome {
	if !ptr.Deref(fc.Spec.Suspend, false) {
		return nil
	}
	message := "spec.suspend is true: the operator makes no ThingSpace call for this campaign"
	if while != "" {
		message += "; " + while
	}
	return &outcome{reason: fotav1alpha1.ReasonSuspended, message: message}
}

// observe reads the campaign from ThingSpace when its state is unknown or a poll is due, and
// records what ThingSpace holds.
func (r *Reconciler) observe(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.observed {
		return nil
	}
	if c.fc.Status.Applied == nil && c.state.held != nil && !r.pollDue(c.fc, c.state, now) {
		// The cache has not caught up with the status this process wrote a moment ago: what
		// ThingSpace holds is known, and reading it again would only cost a call.
		recordThingSpaceState(c.fc, *c.state.held)
		return nil
	}
	if !r.observationDue(c.fc, c.state, now) {
		return nil
	}
	return r.observeNow(ctx, c, now)
}

// observeNow reads the campaign from ThingSpace unless this reconcile already did: every write
// (a dates PUT, a devices PUT, a DELETE) is decided on a read made in the same reconcile, so that
// a window added in the portal a minute ago is part of the baseline.
func (r *Reconciler) observeNow(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.observed {
		return nil
	}
	log := ctrl.LoggerFrom(ctx)
	log.V(1).Info("Reading campaign from ThingSpace", "account", c.account(), "campaignID", c.id)
	observed, err := r.ThingSpace.GetCampaign(ctx, c.creds, c.account(), c.id)
	if err != nil {
		return r.failed(ctx, c.fc, c.state, actionGetCampaign, err, now)
	}
	if changed := driftedFields(c.fc.Status.Applied, wire.Schedule(*observed)); len(changed) > 0 {
		log.Info("ThingSpace schedule changed outside the operator", "fields", changed)
		r.event(c.fc, corev1.EventTypeWarning, EventDriftDetected, actionGetCampaign,
			"ThingSpace's schedule changed outside the operator (%s); the spec is pushed again where ThingSpace allows it",
			joinNames(changed))
	}
	c.recordObservation(*observed, now)
	return nil
}

// recordObservation records a campaign ThingSpace described in a reply to a read. A reply means
// ThingSpace accepted the Secret's credentials: a fingerprint of rejected ones no longer applies.
func (c *managed) recordObservation(observed thingspace.Campaign, now time.Time) {
	c.recordHeld(observed)
	c.state.lastObserved = now
	c.observed = true
	delete(c.fc.Annotations, fotav1alpha1.AnnotationRejectedCredentials)
}

// recordHeld records what ThingSpace holds for the campaign, in the status and in memory.
func (c *managed) recordHeld(held thingspace.Campaign) {
	recordThingSpaceState(c.fc, held)
	c.state.held = &held
}

// observationDue says whether ThingSpace must be read: when the status does not know what it
// holds, and every poll interval after that, or every pending poll interval while ThingSpace is
// still checking a campaign it was asked to schedule.
func (r *Reconciler) observationDue(fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) bool {
	return fc.Status.Applied == nil || r.pollDue(fc, state, now)
}

// pollDue says whether a poll interval has passed since ThingSpace was last read.
func (r *Reconciler) pollDue(fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) bool {
	return state.lastObserved.IsZero() || !now.Before(state.lastObserved.Add(r.pollIntervalOf(fc, state)))
}

// pollIntervalOf is how often the campaign is read.
func (r *Reconciler) pollIntervalOf(fc *fotav1alpha1.FotaCampaign, state *campaignState) time.Duration {
	switch {
	case campaign.IsRequestPending(campaign.BaselineOf(fc).Status):
		return r.PendingPollInterval
	case campaign.IsClosedPhase(fc.Status.Phase) && !state.finalReportDue:
		// Closed, with its final report read: nothing about it changes any more but a later
		// cleanup in ThingSpace, so a read a day is plenty.
		return r.ClosedPollInterval
	}
	return r.PollInterval
}

// updateSchedule compares the spec's schedule with what ThingSpace holds and pushes the spec when
// they differ and ThingSpace allows the change, judged on a read of this reconcile.
func (r *Reconciler) updateSchedule(ctx context.Context, c *managed, now time.Time) *outcome {
	fc := c.fc
	baseline := c.baseline()
	if campaign.Equal(baseline.Schedule, fc.Spec.Schedule) {
		return nil
	}
	if !c.observed {
		if stop := r.observeNow(ctx, c, now); stop != nil {
			return stop
		}
		if baseline = c.baseline(); campaign.Equal(baseline.Schedule, fc.Spec.Schedule) {
			return nil
		}
	}
	if errs := campaign.ValidateTransition(baseline, fc.Spec.Schedule, now); len(errs) > 0 {
		return &outcome{reason: fotav1alpha1.ReasonTransitionNotAllowed, message: joinFieldErrors(errs)}
	}
	if rejected := c.state.rejectionOf(fc.Generation); rejected != nil {
		// ThingSpace rejected this very spec and has not been read since: ask again only after
		// the next poll, never in a loop.
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: rejected.message}
	}
	return r.pushSchedule(ctx, c, now)
}

// pushSchedule sends the whole schedule of the spec to ThingSpace.
func (r *Reconciler) pushSchedule(ctx context.Context, c *managed, now time.Time) *outcome {
	fc := c.fc
	ctrl.LoggerFrom(ctx).Info("Pushing schedule to ThingSpace", "account", c.account(),
		"campaignID", c.id, "generation", fc.Generation,
		"startDate", fc.Spec.StartDate, "endDate", fc.Spec.EndDate)
	updated, err := r.ThingSpace.UpdateCampaignDates(ctx, c.creds, c.account(), c.id, wire.Dates(fc.Spec.Schedule))
	if err != nil {
		return r.failed(ctx, fc, c.state, actionUpdateCampaignDates, err, now)
	}
	c.recordHeld(*updated)
	fc.Status.LastPushedTime = ptr.To(metav1Time(now))
	if differing := campaign.ChangedFields(fc.Spec.Schedule, *fc.Status.Applied); len(differing) > 0 {
		// Pushing again would loop: ThingSpace would answer the same way every time.
		message := fmt.Sprintf("ThingSpace accepted the schedule but replied with a different one (%s); the operator asks again after the next poll",
			joinNames(differing))
		c.state.rememberRejection(fc.Generation, message, now)
		r.event(fc, corev1.EventTypeWarning, fotav1alpha1.ReasonThingSpaceRejected, actionUpdateCampaignDates, "%s", message)
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: message}
	}
	c.state.forgetRejection()
	r.event(fc, corev1.EventTypeNormal, EventPushed, actionUpdateCampaignDates,
		"Pushed the schedule of generation %d to ThingSpace (startDate %s, endDate %s)",
		fc.Generation, fc.Spec.StartDate, fc.Spec.EndDate)
	return nil
}

// failed classifies a ThingSpace failure: a rejection waits for a spec change or the next poll, a
// rate limit waits for Retry-After or the operator's own limit, anything else goes back to the
// controller for backoff.
func (r *Reconciler) failed(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState,
	action string, err error, now time.Time) *outcome {
	log := ctrl.LoggerFrom(ctx).WithValues("account", fc.Spec.AccountName, "campaignID", campaignIDOf(fc, state), "action", action)
	var (
		apiErr      *thingspace.APIError
		credErr     *thingspace.CredentialsError
		rateLimited *thingspace.RateLimitedError
		throttled   *thingspace.ThrottledError
		minting     *thingspace.MintPendingError
	)
	switch {
	case errors.As(err, &throttled):
		// The account's own rate limit is busy: come back when it has a turn, and say nothing,
		// since nothing about the campaign was learned.
		log.V(1).Info("Waiting for the account's rate limit", "retryAfter", throttled.RetryAfter)
		return &outcome{retryAt: now.Add(throttled.RetryAfter)}
	case errors.As(err, &apiErr):
		message := fmt.Sprintf("ThingSpace rejected %s: %s", actionDescriptions[action], apiErr.CodeAndMessage())
		log.Info("ThingSpace rejected the request", "statusCode", apiErr.StatusCode, "errorCode", apiErr.Code)
		if rememberedRejections[action] {
			state.rememberRejection(fc.Generation, message, now)
		}
		r.event(fc, corev1.EventTypeWarning, fotav1alpha1.ReasonThingSpaceRejected, action, "%s", message)
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: message}
	case errors.As(err, &minting):
		// Another reconcile mints tokens for the same credential values: come back when it is
		// done, holding no worker meanwhile.
		return &outcome{retryAt: now.Add(minting.RetryAfter)}
	case errors.As(err, &credErr):
		log.Info("ThingSpace rejected the credentials", "problem", credErr.Problem, "secret", fc.Spec.CredentialsSecretRef.Name)
		recordRejectedCredentials(fc, credErr)
		return &outcome{
			reason:  fotav1alpha1.ReasonCredentialsRejected,
			message: fmt.Sprintf("%s; update Secret %q", credErr.Error(), fc.Spec.CredentialsSecretRef.Name),
		}
	case errors.As(err, &rateLimited):
		log.Info("ThingSpace rate limit reached", "retryAfter", rateLimited.RetryAfter)
		return state.rememberRateLimit(now.Add(rateLimited.RetryAfter))
	default:
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceUnavailable, message: err.Error(), err: err}
	}
}

// rememberedRejections are the writes whose rejection holds back the same request until the spec
// changes or the next poll.
var rememberedRejections = map[string]bool{
	actionUpdateCampaignDates: true,
	actionUpdateDevices:       true,
}

// recordRejectedCredentials records the fingerprint of credential values ThingSpace rejected, so
// that a manager that starts, or takes over, does not try them again.
func recordRejectedCredentials(fc *fotav1alpha1.FotaCampaign, credErr *thingspace.CredentialsError) {
	if credErr.Fingerprint == "" {
		return
	}
	if fc.Annotations == nil {
		fc.Annotations = map[string]string{}
	}
	fc.Annotations[fotav1alpha1.AnnotationRejectedCredentials] = credErr.Fingerprint
}
