package fotacampaign

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// keepMetadataInStep makes the object's metadata follow its spec before anything else happens:
// the cancel finalizer is added for deletionPolicy Cancel before the first ThingSpace call (so a
// deletion right after a POST still cancels), and removed for Orphan, which releases an object
// being deleted at once; the name label of a scheduling object is added before its first
// ThingSpace call too. stop is true when the reconcile ends here: the object is gone (a NotFound
// on the patch: nothing is ever scheduled for it), or it is being deleted and holds nothing of
// the operator's any more.
func (r *Reconciler) keepMetadataInStep(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (stop bool, err error) {
	wanted := fc.Spec.DeletionPolicy == fotav1alpha1.DeletionPolicyCancel
	held := controllerutil.ContainsFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
	deleting := fc.DeletionTimestamp != nil
	if deleting && !held {
		r.forget(client.ObjectKeyFromObject(fc))
		return true, nil
	}
	before := fc.DeepCopy()
	r.wantedMetadata(ctx, fc, wanted, held)
	if equality.Semantic.DeepEqual(before.ObjectMeta, fc.ObjectMeta) {
		return false, nil
	}
	// A merge patch replaces the whole list of finalizers: it must fail when someone else changed
	// the object in between.
	if err := r.client.Patch(ctx, fc, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(client.ObjectKeyFromObject(fc))
			return true, nil
		}
		return false, err
	}
	released := deleting && !controllerutil.ContainsFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
	if released {
		r.forget(client.ObjectKeyFromObject(fc))
	}
	return released, nil
}

// wantedMetadata changes fc's finalizer and name label to what its spec asks for.
func (r *Reconciler) wantedMetadata(ctx context.Context, fc *fotav1alpha1.FotaCampaign, wanted, held bool) {
	deleting := fc.DeletionTimestamp != nil
	switch {
	case held && !wanted:
		ctrl.LoggerFrom(ctx).Info("Removing the cancel finalizer: deletionPolicy is not Cancel")
		controllerutil.RemoveFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
	case wanted && !held && !deleting:
		ctrl.LoggerFrom(ctx).Info("Adding the cancel finalizer: deletionPolicy is Cancel")
		controllerutil.AddFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
	}
	if fc.Spec.Software != nil && !deleting && fc.Labels[fotav1alpha1.LabelCampaignNameHash] != nameKeyOf(fc) {
		metav1.SetMetaDataLabel(&fc.ObjectMeta, fotav1alpha1.LabelCampaignNameHash, nameKeyOf(fc))
	}
}

// finalize cancels or aborts the campaign of a FotaCampaign deleted with deletionPolicy Cancel:
// one DELETE, only for a campaign that is open and this FotaCampaign's own. The finalizer goes once
// ThingSpace confirmed, or the campaign turned out closed, unknown or another FotaCampaign's; while
// ThingSpace fails, the object waits.
func (r *Reconciler) finalize(ctx context.Context, written, fc *fotav1alpha1.FotaCampaign, state *campaignState, owner ownership, now time.Time) outcome {
	if owner.owner != nil {
		// The campaign is another FotaCampaign's: cancelling it would stop a rollout that one
		// still manages.
		return r.release(ctx, &managed{fc: fc, state: state}, owner.conflict().message)
	}
	if stop := suspended(fc, "the deletion waits: set suspend to false to cancel the campaign, or deletionPolicy to Orphan to delete the object without cancelling it"); stop != nil {
		return *stop
	}
	c, stop := r.connect(ctx, written, fc, state, now)
	if stop != nil {
		return *stop
	}
	if c.id == "" {
		if stop := r.findScheduledForDeletion(ctx, c, now); stop != nil {
			return *stop
		}
		if c.id == "" {
			return r.release(ctx, c, "no campaign was scheduled for it")
		}
	}
	held, err := r.ThingSpace.GetCampaign(ctx, c.creds, c.account(), c.id)
	var apiErr *thingspace.APIError
	switch {
	case errors.As(err, &apiErr):
		return r.release(ctx, c, "ThingSpace does not know campaign "+c.id+" ("+apiErr.CodeAndMessage()+"), so there is nothing to cancel")
	case err != nil:
		return *r.failed(ctx, fc, state, actionGetCampaign, err, now)
	}
	c.recordObservation(*held, now)
	switch phase := campaign.PhaseAt(wire.Schedule(*held), held.Status, now); phase {
	case fotav1alpha1.PhasePending, fotav1alpha1.PhaseInProgress:
		return r.cancel(ctx, c, phase, now)
	default:
		return r.release(ctx, c, "campaign "+c.id+" is already "+string(phase)+" in ThingSpace, so it needs no cancelling")
	}
}

// findScheduledForDeletion looks for the campaign a FotaCampaign may have scheduled without
// recording its id (a crash between the POST and the annotation), so that its deletion still
// cancels it. Only a campaign that this object would adopt counts.
func (r *Reconciler) findScheduledForDeletion(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.fc.Spec.Software == nil {
		return nil
	}
	found, stop := r.liveCampaignsNamed(ctx, c, campaignNameOf(c.fc), now)
	if stop != nil {
		return stop
	}
	if len(found) == 1 && sameSoftware(found[0], c.fc.Spec.Software) {
		c.id = found[0].ID
	}
	return nil
}

// cancel sends the one DELETE: a cancellation before the start, an abort while the campaign runs.
func (r *Reconciler) cancel(ctx context.Context, c *managed, phase fotav1alpha1.Phase, now time.Time) outcome {
	ctrl.LoggerFrom(ctx).Info("Cancelling the campaign in ThingSpace: the FotaCampaign is deleted with deletionPolicy Cancel",
		"account", c.account(), "campaignID", c.id, "phase", phase)
	if err := r.ThingSpace.DeleteCampaign(ctx, c.creds, c.account(), c.id); err != nil {
		return *r.failed(ctx, c.fc, c.state, actionDeleteCampaign, err, now)
	}
	if phase == fotav1alpha1.PhaseInProgress {
		r.event(c.fc, corev1.EventTypeWarning, EventCampaignAborted, actionDeleteCampaign,
			"Aborted running campaign %s in ThingSpace: the FotaCampaign was deleted with deletionPolicy Cancel; devices may already be upgraded", c.id)
	} else {
		r.event(c.fc, corev1.EventTypeNormal, EventCampaignCancelled, actionDeleteCampaign,
			"Cancelled campaign %s in ThingSpace before its start: the FotaCampaign was deleted with deletionPolicy Cancel", c.id)
	}
	return releasedOutcome(c.fc)
}

// release removes the finalizer without a ThingSpace call, saying why.
func (r *Reconciler) release(ctx context.Context, c *managed, why string) outcome {
	ctrl.LoggerFrom(ctx).Info("Releasing the FotaCampaign without cancelling", "reason", why)
	r.event(c.fc, corev1.EventTypeNormal, EventReleased, actionDeleteCampaign, "Deleted without a ThingSpace call: %s", why)
	return releasedOutcome(c.fc)
}

// releasedOutcome removes the finalizer from fc, for Reconcile to write: the object then goes.
func releasedOutcome(fc *fotav1alpha1.FotaCampaign) outcome {
	controllerutil.RemoveFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
	return outcome{released: true}
}
