package fotacampaign

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// thingSpaceCancelled is the status ThingSpace gives a campaign it cancelled before its start.
const thingSpaceCancelled = "CampaignCancelled"

// cancelOnRequest stops the campaign of a FotaCampaign whose spec.cancel is true: one DELETE, only
// for a campaign a read of this reconcile shows open, so that a crash between the DELETE and the
// status write costs a GET, never a second DELETE. The object stays, as the record in Git, and
// nothing is ever scheduled for it.
func (r *Reconciler) cancelOnRequest(ctx context.Context, c *managed, now time.Time) *outcome {
	if !ptr.Deref(c.fc.Spec.Cancel, false) {
		return nil
	}
	if c.id == "" && searchedInVain(c.fc) {
		return cancelledOutcome("no campaign was scheduled for it")
	}
	if c.id == "" {
		if stop := r.findScheduledForDeletion(ctx, c, now); stop != nil {
			return stop
		}
		if c.id == "" {
			return cancelledOutcome("no campaign was scheduled for it")
		}
	}
	if c.fc.Status.Applied != nil && campaign.IsClosedPhase(c.baseline().PhaseAt(now)) && !r.pollDue(c.fc, c.state, now) {
		return cancelledOutcome("campaign " + c.id + " is closed in ThingSpace")
	}
	if stop := r.observeNow(ctx, c, now); stop != nil {
		if stop.reason == fotav1alpha1.ReasonThingSpaceRejected {
			return cancelledOutcome("ThingSpace does not know campaign " + c.id)
		}
		return stop
	}
	switch phase := c.baseline().PhaseAt(now); phase {
	case fotav1alpha1.PhasePending, fotav1alpha1.PhaseInProgress:
		return r.cancelNow(ctx, c, phase, now)
	default:
		return cancelledOutcome("campaign " + c.id + " is " + string(phase) + " in ThingSpace")
	}
}

// cancelNow sends the one DELETE: a cancellation before the start, an abort while it runs.
func (r *Reconciler) cancelNow(ctx context.Context, c *managed, phase fotav1alpha1.Phase, now time.Time) *outcome {
	ctrl.LoggerFrom(ctx).Info("Cancelling the campaign in ThingSpace: spec.cancel is true",
		"account", c.account(), "campaignID", c.id, "phase", phase)
	if err := r.ThingSpace.DeleteCampaign(ctx, c.creds, c.account(), c.id); err != nil {
		var apiErr *thingspace.APIError
		if errors.As(err, &apiErr) {
			// Refused: closed in between, as after a DELETE whose status write was lost. The
			// next read says what it is.
			r.failed(ctx, c.fc, c.state, actionDeleteCampaign, err, now)
			return cancelledOutcome("ThingSpace refused the cancellation (" + apiErr.CodeAndMessage() + ")")
		}
		return r.failed(ctx, c.fc, c.state, actionDeleteCampaign, err, now)
	}
	if phase == fotav1alpha1.PhaseInProgress {
		c.fc.Status.Campaign.Status = thingSpaceAborted
		r.event(c.fc, corev1.EventTypeWarning, EventCampaignAborted, actionDeleteCampaign,
			"Aborted running campaign %s in ThingSpace: spec.cancel is true; devices may already be upgraded", c.id)
		return cancelledOutcome("the operator aborted running campaign " + c.id)
	}
	c.fc.Status.Campaign.Status = thingSpaceCancelled
	r.event(c.fc, corev1.EventTypeNormal, EventCampaignCancelled, actionDeleteCampaign,
		"Cancelled campaign %s in ThingSpace before its start: spec.cancel is true", c.id)
	return cancelledOutcome("the operator cancelled campaign " + c.id + " before its start")
}

// cancelledOutcome is the outcome of a FotaCampaign whose spec.cancel is true: ThingSpace holds
// what the spec asks for, a campaign that does not run; Ready says Cancelled with why.
func cancelledOutcome(why string) *outcome {
	return &outcome{reason: fotav1alpha1.ReasonSynced, message: "spec.cancel is true: " + why, cancelled: true}
}

// searchedInVain reports whether an earlier reconcile of this generation searched ThingSpace for
// the cancelled object's campaign and found none: its Ready condition records the cancel, no id
// was recorded since, and no POST of unknown outcome is pending. Searching again at every poll
// would cost three sweeps of the account's campaign list for an object that never had one.
func searchedInVain(fc *fotav1alpha1.FotaCampaign) bool {
	ready := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
	return ready != nil && ready.Reason == fotav1alpha1.ReasonCancelled && ready.ObservedGeneration == fc.Generation &&
		fc.Annotations[fotav1alpha1.AnnotationSchedulePending] == ""
}
