package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

const (
	// ControllerName names the controller in logs and metrics, and reports its events.
	ControllerName = "fota-operator"

	// credentialsSecretIndex is the field index from a FotaCampaign to the Secret it names, so
	// that a Secret event finds its campaigns without listing every campaign of the namespace.
	credentialsSecretIndex = "spec.credentialsSecretRef.name"
)

// FotaCampaignReconciler keeps the schedule of each ThingSpace campaign equal to its
// FotaCampaign. Set the exported fields, then call SetupWithManager.
type FotaCampaignReconciler struct {
	// ThingSpace talks to ThingSpace. One client serves every campaign, so that minted tokens and
	// the per-account rate limits are shared.
	ThingSpace thingspace.Client
	// PollInterval is how often ThingSpace is read again, to catch changes made outside the
	// operator and to retry a schedule ThingSpace rejected.
	PollInterval time.Duration
	// Clock tells the time for phases, polls and retries; nil means the real clock.
	Clock clock.PassiveClock

	client      client.Client
	recorder    recorder.EventRecorder
	campaigns   *campaignMemory
	credentials *credentialsCache
}

// SetupWithManager registers the reconciler with mgr: the field index from campaigns to their
// Secrets, the watch on FotaCampaigns (spec changes only, so the operator's own status writes do
// not wake it up) and the metadata-only watch on Secrets. opts configures the controller, e.g.
// MaxConcurrentReconciles.
func (r *FotaCampaignReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	if r.ThingSpace == nil {
		return errors.New("FotaCampaignReconciler: ThingSpace client is required")
	}
	if r.PollInterval <= 0 {
		return fmt.Errorf("FotaCampaignReconciler: poll interval %s: must be positive", r.PollInterval)
	}
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.client = mgr.GetClient()
	r.recorder = mgr.GetEventRecorder(ControllerName)
	r.campaigns = newCampaignMemory()
	// Secret metadata comes from the manager's cache (the watch below fills it); Secret data is
	// read from the API server only when the metadata says the Secret changed.
	r.credentials = newCredentialsCache(mgr.GetCache(), mgr.GetAPIReader(), forgetTokensOf(r.ThingSpace))

	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &fotav1alpha1.FotaCampaign{},
		credentialsSecretIndex, credentialsSecretName); err != nil {
		return fmt.Errorf("indexing FotaCampaigns by %s: %w", credentialsSecretIndex, err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("fotacampaign").
		For(&fotav1alpha1.FotaCampaign{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.campaignsNamingSecret),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WithOptions(opts).
		Complete(r)
}

func credentialsSecretName(obj client.Object) []string {
	fc, ok := obj.(*fotav1alpha1.FotaCampaign)
	if !ok || fc.Spec.CredentialsSecretRef.Name == "" {
		return nil
	}
	return []string{fc.Spec.CredentialsSecretRef.Name}
}

// campaignsNamingSecret maps a Secret event to the campaigns of its namespace that name it, so a
// Secret created or rotated later reaches exactly those campaigns.
func (r *FotaCampaignReconciler) campaignsNamingSecret(ctx context.Context, secret client.Object) []reconcile.Request {
	var list fotav1alpha1.FotaCampaignList
	if err := r.client.List(ctx, &list, client.InNamespace(secret.GetNamespace()),
		client.MatchingFields{credentialsSecretIndex: secret.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Listing the FotaCampaigns that name a Secret", "secret", klog.KObj(secret))
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for _, fc := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&fc)})
	}
	return requests
}

// Reconcile brings one ThingSpace campaign to its spec: load, bail out when suspended, read the
// credentials, observe ThingSpace when due, then push the spec if it differs and the change is
// legal. The status is written once, at the end, and only when it changed.
func (r *FotaCampaignReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	fc := &fotav1alpha1.FotaCampaign{}
	if err := r.client.Get(ctx, req.NamespacedName, fc); err != nil {
		if apierrors.IsNotFound(err) {
			// Deleting a FotaCampaign only stops its management: the ThingSpace campaign stays.
			r.campaigns.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	original := fc.DeepCopy()
	state := r.campaigns.stateOf(fc)
	defer func() {
		err = errors.Join(err, r.patchStatus(ctx, original, fc, state))
	}()

	now := r.Clock.Now()
	out := r.sync(ctx, fc, state, now)
	r.recordOutcome(fc, out, now)
	return r.resultOf(fc, state, out, now), out.err
}

// outcome is what a reconcile learned about the campaign's generation.
type outcome struct {
	// reason is the reason of the Synced condition: ReasonSynced, or why the spec is not synced.
	// Empty means nothing was learned (the Kubernetes API failed), so the status stays as it is.
	reason  string
	message string
	// retryAt is the earliest time ThingSpace may be called again for this campaign (a 429).
	retryAt time.Time
	// err goes back to the controller, whose rate limiter retries with exponential backoff.
	err error
}

func syncedOutcome() outcome {
	return outcome{reason: fotav1alpha1.ReasonSynced, message: "ThingSpace holds the schedule of the spec"}
}

// sync runs the steps in order; each step either lets the next one run or ends with an outcome.
func (r *FotaCampaignReconciler) sync(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) outcome {
	if ptr.Deref(fc.Spec.Suspend, false) {
		return outcome{
			reason:  fotav1alpha1.ReasonSuspended,
			message: "spec.suspend is true: the operator makes no ThingSpace call for this campaign",
		}
	}
	creds, stop := r.credentialsFor(ctx, fc)
	if stop != nil {
		return *stop
	}
	if stop := state.rateLimited(now); stop != nil {
		return *stop
	}
	if stop := r.observe(ctx, fc, state, creds, now); stop != nil {
		return *stop
	}
	return r.converge(ctx, fc, state, creds, now)
}

// observe reads the campaign from ThingSpace when its state is unknown or the poll interval has
// passed since the last read, and records what ThingSpace holds.
func (r *FotaCampaignReconciler) observe(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState,
	creds thingspace.Credentials, now time.Time) *outcome {
	if !r.observationDue(fc, state, now) {
		return nil
	}
	log := ctrl.LoggerFrom(ctx)
	log.V(1).Info("Reading campaign from ThingSpace", "account", fc.Spec.AccountName, "campaignID", fc.Spec.CampaignID)
	observed, err := r.ThingSpace.GetCampaign(ctx, creds, fc.Spec.AccountName, fc.Spec.CampaignID)
	if err != nil {
		return r.failed(ctx, fc, state, actionGetCampaign, err, now)
	}
	state.lastObserved = now
	if changed := driftedFields(fc.Status.Applied, wire.Schedule(*observed)); len(changed) > 0 {
		log.Info("ThingSpace schedule changed outside the operator", "fields", changed)
		r.event(fc, corev1.EventTypeWarning, EventDriftDetected, actionGetCampaign,
			"ThingSpace's schedule changed outside the operator (%s); the spec is pushed again where ThingSpace allows it",
			joinNames(changed))
	}
	recordThingSpaceState(fc, *observed)
	return nil
}

func (r *FotaCampaignReconciler) observationDue(fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) bool {
	return fc.Status.Applied == nil || state.lastObserved.IsZero() ||
		!now.Before(state.lastObserved.Add(r.PollInterval))
}

// converge compares the spec with what ThingSpace holds and pushes the spec when they differ and
// ThingSpace allows the change.
func (r *FotaCampaignReconciler) converge(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState,
	creds thingspace.Credentials, now time.Time) outcome {
	baseline := campaign.BaselineOf(fc)
	if campaign.Equal(baseline.Schedule, fc.Spec.Schedule) {
		return syncedOutcome()
	}
	if errs := campaign.ValidateTransition(baseline, fc.Spec.Schedule, now); len(errs) > 0 {
		return outcome{reason: fotav1alpha1.ReasonTransitionNotAllowed, message: joinFieldErrors(errs)}
	}
	if rejected := state.rejectionOf(fc.Generation); rejected != nil {
		// ThingSpace rejected this very spec and has not been read since: ask again only after
		// the next poll, never in a loop.
		return outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: rejected.message}
	}
	return r.push(ctx, fc, state, creds, now)
}

// push sends the whole schedule of the spec to ThingSpace.
func (r *FotaCampaignReconciler) push(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState,
	creds thingspace.Credentials, now time.Time) outcome {
	ctrl.LoggerFrom(ctx).Info("Pushing schedule to ThingSpace", "account", fc.Spec.AccountName,
		"campaignID", fc.Spec.CampaignID, "generation", fc.Generation,
		"startDate", fc.Spec.StartDate, "endDate", fc.Spec.EndDate)
	updated, err := r.ThingSpace.UpdateCampaignDates(ctx, creds, fc.Spec.AccountName, fc.Spec.CampaignID,
		wire.Dates(fc.Spec.Schedule))
	if err != nil {
		return *r.failed(ctx, fc, state, actionUpdateCampaignDates, err, now)
	}
	recordThingSpaceState(fc, *updated)
	fc.Status.LastPushedTime = ptr.To(metav1Time(now))
	if differing := campaign.ChangedFields(fc.Spec.Schedule, *fc.Status.Applied); len(differing) > 0 {
		// Pushing again would loop: ThingSpace would answer the same way every time.
		message := fmt.Sprintf("ThingSpace accepted the schedule but replied with a different one (%s); the operator asks again after the next poll",
			joinNames(differing))
		state.rememberRejection(fc.Generation, message, now)
		r.event(fc, corev1.EventTypeWarning, fotav1alpha1.ReasonThingSpaceRejected, actionUpdateCampaignDates, "%s", message)
		return outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: message}
	}
	state.forgetRejection()
	r.event(fc, corev1.EventTypeNormal, EventPushed, actionUpdateCampaignDates,
		"Pushed the schedule of generation %d to ThingSpace (startDate %s, endDate %s)",
		fc.Generation, fc.Spec.StartDate, fc.Spec.EndDate)
	return syncedOutcome()
}

// failed classifies a ThingSpace failure: a rejection waits for a spec change or the next poll, a
// rate limit waits for Retry-After, anything else goes back to the controller for backoff.
func (r *FotaCampaignReconciler) failed(ctx context.Context, fc *fotav1alpha1.FotaCampaign, state *campaignState,
	action string, err error, now time.Time) *outcome {
	log := ctrl.LoggerFrom(ctx).WithValues("account", fc.Spec.AccountName, "campaignID", fc.Spec.CampaignID, "action", action)
	var (
		apiErr      *thingspace.APIError
		credErr     *thingspace.CredentialsError
		rateLimited *thingspace.RateLimitedError
	)
	switch {
	case errors.As(err, &apiErr):
		message := fmt.Sprintf("ThingSpace rejected %s: %s: %s", actionDescriptions[action], apiErr.Code, apiErr.Message)
		log.Info("ThingSpace rejected the request", "statusCode", apiErr.StatusCode, "errorCode", apiErr.Code)
		if action == actionUpdateCampaignDates {
			state.rememberRejection(fc.Generation, message, now)
		}
		r.event(fc, corev1.EventTypeWarning, fotav1alpha1.ReasonThingSpaceRejected, action, "%s", message)
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: message}
	case errors.As(err, &credErr):
		log.Info("ThingSpace rejected the credentials", "problem", credErr.Problem, "secret", fc.Spec.CredentialsSecretRef.Name)
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

// resultOf asks for the next reconcile at the earliest of the next poll, the campaign's next
// phase boundary and the end of a rate-limit wait. A failure returned as an error is retried
// with the controller's exponential backoff instead.
func (r *FotaCampaignReconciler) resultOf(fc *fotav1alpha1.FotaCampaign, state *campaignState, out outcome, now time.Time) ctrl.Result {
	if out.err != nil {
		return ctrl.Result{}
	}
	next := r.nextPoll(state, now)
	if applied := fc.Status.Applied; applied != nil {
		if boundary, ok := campaign.NextBoundary(*applied, now); ok && boundary.Before(next) {
			next = boundary
		}
	}
	if !out.retryAt.IsZero() && out.retryAt.Before(next) {
		next = out.retryAt
	}
	return ctrl.Result{RequeueAfter: next.Sub(now)}
}

func (r *FotaCampaignReconciler) nextPoll(state *campaignState, now time.Time) time.Time {
	if due := state.lastObserved.Add(r.PollInterval); !state.lastObserved.IsZero() && due.After(now) {
		return due
	}
	return now.Add(r.PollInterval)
}

// forgetTokensOf returns how to drop the tokens a client minted from a deleted Secret, when the
// client keeps any.
func forgetTokensOf(c thingspace.Client) func(types.UID) {
	if forgetter, ok := c.(interface{ ForgetSecret(types.UID) }); ok {
		return forgetter.ForgetSecret
	}
	return func(types.UID) {}
}
