package fotacampaign

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
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

const (
	// ControllerName names the controller in logs and metrics, and reports its events.
	ControllerName = "fota-operator"

	// credentialsSecretIndex is the field index from a FotaCampaign to the Secret it names, so
	// that a Secret event finds its campaigns without listing every campaign of the namespace.
	credentialsSecretIndex = "spec.credentialsSecretRef.name"
)

// Defaults of the reconciler's intervals.
const (
	DefaultPollInterval        = 10 * time.Minute
	DefaultPendingPollInterval = 30 * time.Second
	DefaultProgressInterval    = 10 * time.Minute
	DefaultClosedPollInterval  = 24 * time.Hour
)

// Reconciler keeps each ThingSpace campaign equal to its FotaCampaign: it schedules
// the campaign when the spec asks for a new one, keeps its schedule and devices, reports its
// progress, and cancels it on deletion when the spec says so. Set the exported fields, then call
// SetupWithManager.
type Reconciler struct {
	// ThingSpace talks to ThingSpace. One client serves every campaign, so that minted tokens and
	// the per-account rate limits are shared.
	ThingSpace thingspace.Client
	// PollInterval is how often ThingSpace is read again, to catch changes made outside the
	// operator and to retry a schedule ThingSpace rejected.
	PollInterval time.Duration
	// PendingPollInterval is how often a campaign ThingSpace is still checking
	// (CampaignRequestPending) is read. Zero means DefaultPendingPollInterval.
	PendingPollInterval time.Duration
	// ProgressInterval is how often the device report of a running campaign is read. Zero means
	// DefaultProgressInterval.
	ProgressInterval time.Duration
	// ClosedPollInterval is how often a closed campaign whose final device report was read is
	// read again. Zero means DefaultClosedPollInterval.
	ClosedPollInterval time.Duration
	// Namespaces are the namespaces the manager watches; empty means all. The claimants of a
	// campaign name are read from the API server in these.
	Namespaces []string
	// Clock tells the time for phases, polls and retries; nil means the real clock.
	Clock clock.PassiveClock

	client      client.Client
	apiReader   client.Reader
	recorder    recorder.EventRecorder
	campaigns   *campaignMemory
	credentials credentialsSource
	zones       *zoneCache
	names       *nameLocks
	guard       postGuard
	metrics     campaignMetrics
}

// SetupWithManager registers the reconciler with mgr: the field indexes from campaigns to their
// Secrets and to the ThingSpace campaign they own, the watch on FotaCampaigns (spec changes only,
// so the operator's own writes do not wake it up), the wake-up of the campaigns a deleted owner
// releases, and the metadata-only watch on Secrets. opts configures the controller, e.g.
// MaxConcurrentReconciles.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	if err := r.defaults(); err != nil {
		return err
	}
	r.client = mgr.GetClient()
	r.apiReader = mgr.GetAPIReader()
	r.guard = apiServerGuard{r}
	r.recorder = mgr.GetEventRecorder(ControllerName)
	// Secret metadata comes from the manager's cache (the watch below fills it); Secret data is
	// read from the API server only when the metadata says the Secret changed.
	r.credentials = newCredentialsCache(mgr.GetCache(), mgr.GetAPIReader(), forgetTokensOf(r.ThingSpace))
	registerMetrics()
	if user, ok := r.ThingSpace.(thingspace.RejectionRecordsUser); ok {
		user.UseRejectionRecords(r.rejectionRecords)
	}

	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(context.Background(), &fotav1alpha1.FotaCampaign{}, credentialsSecretIndex, credentialsSecretName); err != nil {
		return fmt.Errorf("indexing FotaCampaigns by %s: %w", credentialsSecretIndex, err)
	}
	if err := indexer.IndexField(context.Background(), &fotav1alpha1.FotaCampaign{}, ownershipIndex, ownershipKeysOf); err != nil {
		return fmt.Errorf("indexing FotaCampaigns by %s: %w", ownershipIndex, err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("fotacampaign").
		For(&fotav1alpha1.FotaCampaign{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&fotav1alpha1.FotaCampaign{}, handler.EnqueueRequestsFromMapFunc(r.campaignsReleasedBy),
			builder.WithPredicates(deletesOnly())).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.campaignsNamingSecret),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WithOptions(opts).
		Complete(r)
}

// defaults checks the exported fields and fills in the unset ones; the unit tests of decisions
// use it too, without a manager.
func (r *Reconciler) defaults() error {
	if r.ThingSpace == nil {
		return errors.New("fotacampaign.Reconciler: ThingSpace client is required")
	}
	if r.PollInterval <= 0 {
		return fmt.Errorf("fotacampaign.Reconciler: poll interval %s: must be positive", r.PollInterval)
	}
	if r.PendingPollInterval <= 0 {
		r.PendingPollInterval = DefaultPendingPollInterval
	}
	if r.ProgressInterval <= 0 {
		r.ProgressInterval = DefaultProgressInterval
	}
	if r.ClosedPollInterval <= 0 {
		r.ClosedPollInterval = DefaultClosedPollInterval
	}
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.campaigns = newCampaignMemory()
	r.zones = newZoneCache()
	r.names = newNameLocks()
	return nil
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
func (r *Reconciler) campaignsNamingSecret(ctx context.Context, secret client.Object) []reconcile.Request {
	var list fotav1alpha1.FotaCampaignList
	if err := r.client.List(ctx, &list, client.InNamespace(secret.GetNamespace()),
		client.MatchingFields{credentialsSecretIndex: secret.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Listing the FotaCampaigns that name a Secret", "secret", klog.KObj(secret))
		return nil
	}
	return requestsFor(list.Items)
}

func requestsFor(campaigns []fotav1alpha1.FotaCampaign) []reconcile.Request {
	requests := make([]reconcile.Request, 0, len(campaigns))
	for i := range campaigns {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&campaigns[i])})
	}
	return requests
}

func deletesOnly() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
	}
}

// Reconcile brings one ThingSpace campaign to its spec. It loads the object, keeps the cancel
// finalizer and the name label in step with the spec, finds out whether another FotaCampaign owns
// the campaign, then runs the steps of sync, which observe ThingSpace and make at most one kind of
// write (schedule, update or cancel). Metadata (the campaign-id annotation, the finalizer) is
// written before the status, and the status once, only when it changed. A reconcile that may
// schedule holds its campaign name's lock until both are written.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	fc := &fotav1alpha1.FotaCampaign{}
	if err := r.client.Get(ctx, req.NamespacedName, fc); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if stop, err := r.keepMetadataInStep(ctx, fc); stop || err != nil {
		return ctrl.Result{}, err
	}
	owner, err := r.ownerOf(ctx, fc)
	if err != nil {
		return ctrl.Result{}, err
	}
	state := r.campaigns.stateOf(fc)
	defer r.lockNameWhileScheduling(fc, state)()
	original := fc.DeepCopy()
	defer func() {
		err = errors.Join(err, r.persist(ctx, original, fc, state))
	}()

	now := r.Clock.Now()
	out := r.sync(ctx, original, fc, state, owner, now)
	r.recordOutcome(fc, out, now)
	return r.resultOf(fc, state, out, now), out.err
}

// lockNameWhileScheduling takes the lock of fc's campaign name when the reconcile may schedule it,
// and returns its release.
func (r *Reconciler) lockNameWhileScheduling(fc *fotav1alpha1.FotaCampaign, state *campaignState) (unlock func()) {
	if fc.Spec.Software == nil || fc.DeletionTimestamp != nil || campaignIDOf(fc, state) != "" {
		return func() {}
	}
	return r.names.lock(nameKeyOf(fc))
}

// forget drops what the reconciler keeps about a FotaCampaign that is gone.
func (r *Reconciler) forget(key types.NamespacedName) {
	r.campaigns.forget(key)
	r.metrics.forget(key)
}

// outcome is what a reconcile learned about the campaign's generation.
type outcome struct {
	// reason is the reason of the Synced condition: ReasonSynced, or why the spec is not synced.
	// Empty means nothing was learned (the Kubernetes API failed), so the status stays as it is.
	reason  string
	message string
	// retryAt is the earliest time ThingSpace may be called again for this campaign (a 429).
	retryAt time.Time
	// released means the object's finalizer was removed: the object is about to go, and its
	// status is not written.
	released bool
	// abortedOnFailures means the operator aborted the campaign for its abortPolicy in this
	// reconcile; abortSummary says why.
	abortedOnFailures bool
	abortSummary      string
	// cancelled means spec.cancel is true and the campaign does not run, or will not once
	// ThingSpace has applied the DELETE; message says why, for the Ready condition.
	cancelled bool
	// recordedFirst means the reconcile recorded in the metadata a call it is about to make, and
	// stopped there: the call follows in the next reconcile, once the record is written.
	recordedFirst bool
	// err goes back to the controller, whose rate limiter retries with exponential backoff.
	err error
}

// recordedFirstDelay is how soon the reconcile after a recordedFirst one comes: time for the watch
// to bring the record into the cache. A cache still without it costs no call: the step records
// again, and that write fails on the stale resourceVersion and is retried.
const recordedFirstDelay = 100 * time.Millisecond

func syncedOutcome() outcome {
	return outcome{reason: fotav1alpha1.ReasonSynced, message: "ThingSpace holds the spec"}
}

// resultOf asks for the next reconcile at the earliest moment something is due: the next poll,
// the campaign's next phase boundary, the end of the status' next window, the next progress read,
// the end of a rate-limit wait. A failure returned as an error is retried with the controller's
// exponential backoff instead.
func (r *Reconciler) resultOf(fc *fotav1alpha1.FotaCampaign, state *campaignState, out outcome, now time.Time) ctrl.Result {
	if out.err != nil || out.released {
		return ctrl.Result{}
	}
	if out.recordedFirst {
		return ctrl.Result{RequeueAfter: recordedFirstDelay}
	}
	next := r.nextPoll(fc, state, now)
	for _, due := range r.dueTimes(fc, state, out, now) {
		if due.After(now) && due.Before(next) {
			next = due
		}
	}
	return ctrl.Result{RequeueAfter: next.Sub(now)}
}

// forgetTokensOf returns how to drop the tokens a client minted from a deleted Secret, when the
// client keeps any.
func forgetTokensOf(c thingspace.Client) func(types.UID) {
	if forgetter, ok := c.(thingspace.SecretForgetter); ok {
		return forgetter.ForgetSecret
	}
	return func(types.UID) {}
}

// nextPoll is when ThingSpace is due to be read next.
func (r *Reconciler) nextPoll(fc *fotav1alpha1.FotaCampaign, state *campaignState, now time.Time) time.Time {
	interval := r.pollIntervalOf(fc, state)
	if due := state.lastObserved.Add(interval); !state.lastObserved.IsZero() && due.After(now) {
		return due
	}
	return now.Add(interval)
}

// dueTimes lists the other moments at which something changes for the campaign: its start and
// end, the end of each window the status shows, the next progress read of a running campaign,
// and the end of a rate-limit wait.
func (r *Reconciler) dueTimes(fc *fotav1alpha1.FotaCampaign, state *campaignState, out outcome, now time.Time) []time.Time {
	due := []time.Time{out.retryAt}
	if applied := fc.Status.Applied; applied != nil {
		if boundary, ok := campaign.NextBoundary(*applied, now); ok {
			due = append(due, boundary)
		}
	}
	for _, window := range []*fotav1alpha1.ActionWindow{fc.Status.NextDownloadWindow, fc.Status.NextInstallWindow} {
		if window != nil {
			due = append(due, window.End.Time)
		}
	}
	if fc.Status.Phase == fotav1alpha1.PhaseInProgress && !state.lastReport.IsZero() {
		due = append(due, state.lastReport.Add(r.ProgressInterval))
	}
	return due
}
