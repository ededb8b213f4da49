package fotacampaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/text"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// recordThingSpaceState records a GET or PUT reply: the schedule ThingSpace confirmed and its own
// description of the campaign.
func recordThingSpaceState(fc *fotav1alpha1.FotaCampaign, c thingspace.Campaign) {
	applied := wire.Schedule(c)
	info := wire.Info(c)
	fc.Status.Applied = &applied
	fc.Status.Campaign = &info
}

// recordOutcome writes the outcome into the status together with the generation it is the
// outcome of, so observedGeneration never runs ahead of what the conditions say; with it the
// phase, the next windows and the time-zone warning, all derived from what ThingSpace holds.
func (r *Reconciler) recordOutcome(fc *fotav1alpha1.FotaCampaign, out outcome, now time.Time) {
	if out.reason == "" {
		return
	}
	previous := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	var previousSynced metav1.Condition
	if previous != nil {
		previousSynced = *previous
	}
	synced := syncedCondition(fc.Generation, out, now)
	meta.SetStatusCondition(&fc.Status.Conditions, synced)
	if fc.Status.Applied != nil {
		// The phase is that of what ThingSpace holds, so it stays unknown until ThingSpace is read.
		fc.Status.Phase = campaign.BaselineOf(fc).PhaseAt(now)
	}
	ready := readyCondition(fc, synced, out, now)
	ready.Message = text.Truncate(ready.Message, maxConditionMessage)
	meta.SetStatusCondition(&fc.Status.Conditions, ready)
	r.recordWindows(fc, now)
	fc.Status.ObservedGeneration = fc.Generation
	r.announceNewProblem(fc, previousSynced, synced)
}

func syncedCondition(generation int64, out outcome, now time.Time) metav1.Condition {
	status := metav1.ConditionFalse
	if out.reason == fotav1alpha1.ReasonSynced {
		status = metav1.ConditionTrue
	}
	return metav1.Condition{
		Type:               fotav1alpha1.ConditionSynced,
		Status:             status,
		ObservedGeneration: generation,
		LastTransitionTime: metav1Time(now),
		Reason:             out.reason,
		Message:            text.Truncate(out.message, maxConditionMessage),
	}
}

// maxConditionMessage is the longest message the API server accepts in a condition.
const maxConditionMessage = 32768

// readyCondition is True when the spec is synced and the campaign is in a healthy ThingSpace
// state. A campaign ThingSpace cancelled, aborted or failed is not Ready whatever the sync says,
// since it will never run again; one ThingSpace is still checking is not Ready yet.
func readyCondition(fc *fotav1alpha1.FotaCampaign, synced metav1.Condition, out outcome, now time.Time) metav1.Condition {
	ready := metav1.Condition{
		Type:               fotav1alpha1.ConditionReady,
		Status:             metav1.ConditionFalse,
		ObservedGeneration: fc.Generation,
		LastTransitionTime: metav1Time(now),
	}
	previous := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
	phase := fc.Status.Phase
	switch {
	case out.cancelled:
		ready.Reason, ready.Message = fotav1alpha1.ReasonCancelled, out.message
	case out.abortedOnFailures:
		ready.Reason, ready.Message = fotav1alpha1.ReasonAbortedOnFailures, "the operator aborted the campaign: "+out.abortSummary
	case previous != nil && previous.Reason == fotav1alpha1.ReasonAbortedOnFailures:
		ready.Reason, ready.Message = previous.Reason, previous.Message
	case phase == fotav1alpha1.PhaseAborted && abortRecorded(fc):
		// The operator's DELETE went out, and its status write was lost.
		ready.Reason = fotav1alpha1.ReasonAbortedOnFailures
		ready.Message = "the operator aborted the campaign: " + fc.Annotations[fotav1alpha1.AnnotationAbortOnFailures]
	case phase == fotav1alpha1.PhaseCancelled:
		ready.Reason, ready.Message = fotav1alpha1.ReasonCampaignCancelled, "ThingSpace reports the campaign cancelled"
	case phase == fotav1alpha1.PhaseAborted:
		ready.Reason, ready.Message = fotav1alpha1.ReasonCampaignAborted, "ThingSpace reports the campaign aborted"
	case phase == fotav1alpha1.PhaseFailed:
		ready.Reason, ready.Message = fotav1alpha1.ReasonCampaignFailed, failedMessage(fc)
	case synced.Status != metav1.ConditionTrue:
		ready.Reason = fotav1alpha1.ReasonNotSynced
		ready.Message = fmt.Sprintf("Synced is False (%s): see the Synced condition", synced.Reason)
	case campaign.IsRequestPending(campaign.BaselineOf(fc).Status):
		ready.Reason = fotav1alpha1.ReasonRequestPending
		ready.Message = "ThingSpace accepted the request to schedule the campaign and is still checking it"
	default:
		ready.Status = metav1.ConditionTrue
		ready.Reason = fotav1alpha1.ReasonReady
		ready.Message = fmt.Sprintf("ThingSpace holds the spec and the campaign is %s", phase)
	}
	return ready
}

// failedMessage says that ThingSpace failed the campaign, with the reasons its device report
// gave for the devices it rejected or failed.
func failedMessage(fc *fotav1alpha1.FotaCampaign) string {
	message := fmt.Sprintf("ThingSpace reports the campaign %s", fc.Status.Campaign.Status)
	progress := fc.Status.Devices
	if progress == nil || len(progress.FailureReasons) == 0 {
		return message
	}
	reasons := make([]string, 0, len(progress.FailureReasons))
	for _, r := range progress.FailureReasons {
		reasons = append(reasons, fmt.Sprintf("%s (%d)", r.Reason, r.Count))
	}
	return fmt.Sprintf("%s: %d of %d devices rejected or failed: %s", message, progress.Rejected+progress.Failed,
		progress.Total, strings.Join(reasons, ", "))
}

// problemsAnnouncedOnChange are the Synced reasons that get an event when they first appear (or
// their message changes) rather than on every call: the others either come with an event of
// their own call (ThingSpaceRejected) or pass by themselves (ThingSpaceUnavailable, RateLimited).
var problemsAnnouncedOnChange = map[string]string{
	fotav1alpha1.ReasonTransitionNotAllowed: actionValidateTransition,
	fotav1alpha1.ReasonCredentialsNotFound:  actionReadCredentials,
	fotav1alpha1.ReasonCredentialsRejected:  actionReadCredentials,
}

func (r *Reconciler) announceNewProblem(fc *fotav1alpha1.FotaCampaign, previous, synced metav1.Condition) {
	action, announced := problemsAnnouncedOnChange[synced.Reason]
	if !announced || previous.Reason == synced.Reason && previous.Message == synced.Message {
		return
	}
	r.event(fc, corev1.EventTypeWarning, synced.Reason, action, "%s", synced.Message)
}

// persist writes what the reconcile changed: metadata first (the campaign-id annotation, the
// finalizer), since the annotation is the durable record that the campaign exists, then the
// status, which is skipped when the metadata could not be written or the object is released.
func (r *Reconciler) persist(ctx context.Context, original, fc *fotav1alpha1.FotaCampaign, state *campaignState) error {
	if err := r.patchMetadata(ctx, original, fc); err != nil {
		return client.IgnoreNotFound(err)
	}
	if fc.DeletionTimestamp != nil && !controllerutil.ContainsFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign) {
		r.forget(client.ObjectKeyFromObject(fc))
		return nil
	}
	r.metrics.report(fc)
	return r.patchStatus(ctx, original, fc, state)
}

// patchMetadata writes the annotations and finalizers the reconcile changed, and nothing else,
// and fails when someone else changed the object in between, since a merge patch replaces whole
// lists.
func (r *Reconciler) patchMetadata(ctx context.Context, original, fc *fotav1alpha1.FotaCampaign) error {
	if equality.Semantic.DeepEqual(original.Annotations, fc.Annotations) && equality.Semantic.DeepEqual(original.Finalizers, fc.Finalizers) {
		return nil
	}
	// Patched as metadata: the patch is computed from, and the reply decoded into, the object's
	// metadata alone, not from two copies of a spec of up to 10 000 devices.
	before := &metav1.PartialObjectMetadata{ObjectMeta: *original.ObjectMeta.DeepCopy()}
	before.SetGroupVersionKind(fotav1alpha1.GroupVersion.WithKind("FotaCampaign"))
	after := before.DeepCopy()
	after.Annotations, after.Finalizers = fc.Annotations, fc.Finalizers
	ctrl.LoggerFrom(ctx).V(1).Info("Writing metadata", "campaignID", fc.Annotations[fotav1alpha1.AnnotationCampaignID],
		"finalizers", fc.Finalizers)
	if err := r.client.Patch(ctx, after, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	fc.ResourceVersion = after.ResourceVersion
	return nil
}

// patchStatus writes the status once per reconcile, and not at all when nothing changed.
// lastObservedTime only travels with a write that happens anyway: writing it on every poll
// would be a heartbeat write.
func (r *Reconciler) patchStatus(ctx context.Context, original, fc *fotav1alpha1.FotaCampaign, state *campaignState) error {
	if equality.Semantic.DeepEqual(original.Status, fc.Status) {
		return nil
	}
	if observed := state.lastObserved; !observed.IsZero() &&
		(fc.Status.LastObservedTime == nil || observed.After(fc.Status.LastObservedTime.Time)) {
		fc.Status.LastObservedTime = ptr.To(metav1Time(observed))
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Writing status", "generation", fc.Generation, "phase", fc.Status.Phase)
	if err := r.client.Status().Patch(ctx, fc, client.MergeFrom(original)); err != nil {
		return client.IgnoreNotFound(err)
	}
	return nil
}

// metav1Time is t as the API server stores it, to the second, so that what the reconciler
// compares is what it wrote.
func metav1Time(t time.Time) metav1.Time {
	return metav1.NewTime(t).Rfc3339Copy()
}

// driftedFields names the fields in which current differs from previous; none when previous is
// unknown, as a first observation is an adoption, not a drift.
func driftedFields(previous *fotav1alpha1.Schedule, current fotav1alpha1.Schedule) []string {
	if previous == nil {
		return nil
	}
	return campaign.ChangedFields(*previous, current)
}

func joinNames(names []string) string {
	return strings.Join(names, ", ")
}

func joinFieldErrors(errs field.ErrorList) string {
	messages := make([]string, 0, len(errs))
	for _, err := range errs {
		messages = append(messages, err.Error())
	}
	return strings.Join(messages, "; ")
}
