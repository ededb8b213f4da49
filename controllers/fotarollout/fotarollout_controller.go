package fotarollout

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

const (
	// ControllerName names the controller in logs and metrics, and reports its events.
	ControllerName = "fota-rollout"

	// configMapIndex is the field index from a FotaRollout to the ConfigMaps its devicesFrom
	// names, so that a ConfigMap event finds its rollouts without listing every rollout of the
	// namespace.
	configMapIndex = "spec.devicesFrom.configMapKeyRef.name"
)

// Reconciler moves each FotaRollout through its waves: it creates a wave's FotaCampaigns when
// the wave may start, reads their progress back, and cancels the live ones on abort. It keeps
// nothing about a rollout between reconciles: the started waves are read back from the labelled
// campaigns, the fleet from its ConfigMaps. Set the exported fields, then call SetupWithManager.
type Reconciler struct {
	// Clock tells the time for wave starts, soak times and release windows; nil means the real
	// clock.
	Clock clock.PassiveClock

	client    client.Client
	apiReader client.Reader
	recorder  recorder.EventRecorder
	metrics   *rolloutMetrics
}

// SetupWithManager registers the reconciler with mgr: the field index from rollouts to the
// ConfigMaps they read, the watch on FotaRollouts (spec changes only, so the status writes do
// not wake it up), on the FotaCampaigns it owns (every change: their status is the waves'
// progress), and on ConfigMaps as metadata only. opts configures the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.client = mgr.GetClient()
	r.apiReader = mgr.GetAPIReader()
	r.recorder = mgr.GetEventRecorder(ControllerName)
	r.metrics = newRolloutMetrics()
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &fotav1alpha1.FotaRollout{}, configMapIndex, configMapNames); err != nil {
		return fmt.Errorf("indexing FotaRollouts by %s: %w", configMapIndex, err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("fotarollout").
		For(&fotav1alpha1.FotaRollout{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&fotav1alpha1.FotaCampaign{}).
		WatchesMetadata(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.rolloutsReading),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WithOptions(opts).
		Complete(r)
}

func configMapNames(obj client.Object) []string {
	fr, ok := obj.(*fotav1alpha1.FotaRollout)
	if !ok {
		return nil
	}
	names := make([]string, 0, len(fr.Spec.DevicesFrom))
	for _, source := range fr.Spec.DevicesFrom {
		names = append(names, source.ConfigMapKeyRef.Name)
	}
	return names
}

// rolloutsReading maps a ConfigMap event to the rollouts of its namespace whose fleet it holds.
func (r *Reconciler) rolloutsReading(ctx context.Context, cm client.Object) []reconcile.Request {
	var list fotav1alpha1.FotaRolloutList
	if err := r.client.List(ctx, &list, client.InNamespace(cm.GetNamespace()),
		client.MatchingFields{configMapIndex: cm.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Listing the FotaRollouts that read a ConfigMap", "configMap", klog.KObj(cm))
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return requests
}

// Reconcile moves one rollout on: it reads its wave campaigns, adopting those nobody controls,
// and its fleet, finishes a wave whose chunks were cut short, decides with the rules of package
// rollout, starts the next waves while the decision says so, cancels the live campaigns of an
// aborted rollout, and writes the status once, only when it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	fr := &fotav1alpha1.FotaRollout{}
	if err := r.client.Get(ctx, req.NamespacedName, fr); err != nil {
		if apierrors.IsNotFound(err) {
			r.metrics.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !fr.DeletionTimestamp.IsZero() {
		// Garbage collection deletes the wave campaigns; nothing starts any more.
		return ctrl.Result{}, nil
	}
	original := fr.DeepCopy()
	defer func() {
		err = errors.Join(err, r.patchStatus(ctx, original, fr))
	}()

	now := r.Clock.Now()
	campaigns, err := r.listWaveCampaigns(ctx, fr)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.adoptOrphans(ctx, fr, campaigns); err != nil {
		return ctrl.Result{}, err
	}
	waves := groupByWave(fr.Name, campaigns)
	waves.skippedTo = lastSkipped(fr.Status, waves)
	fleet, err := r.fleetFor(ctx, fr, waves, now)
	if err != nil {
		return ctrl.Result{}, err
	}
	if stop, err := r.finishCutWave(ctx, fr, &fleet, &waves, now); stop || err != nil {
		return ctrl.Result{}, err
	}
	decision, stop, err := r.progress(ctx, fr, &fleet, &waves, now)
	if stop || err != nil {
		return ctrl.Result{}, err
	}
	if err := r.cancelLiveCampaigns(ctx, fr, waves); err != nil {
		return ctrl.Result{}, err
	}
	r.recordStatus(fr, fleet, waves, decision, now)
	r.announceTransitions(original, fr)
	r.metrics.report(fr)
	return requeueAt(decision.RequeueAt, now), nil
}

// requeueAt asks for a reconcile at the instant something changes by itself: a soak ends, a
// release window opens.
func requeueAt(at, now time.Time) ctrl.Result {
	if at.IsZero() || !at.After(now) {
		return ctrl.Result{}
	}
	return ctrl.Result{RequeueAfter: at.Sub(now)}
}

// listWaveCampaigns lists the rollout's wave campaigns from the cache (rollout.WaveCampaignsOf);
// cacheBehind checks the names against the API server before a wave is cut.
func (r *Reconciler) listWaveCampaigns(ctx context.Context, fr *fotav1alpha1.FotaRollout) ([]fotav1alpha1.FotaCampaign, error) {
	var list fotav1alpha1.FotaCampaignList
	if err := r.client.List(ctx, &list, client.InNamespace(fr.Namespace),
		client.MatchingLabels{fotav1alpha1.LabelRollout: fr.Name}); err != nil {
		return nil, fmt.Errorf("listing the wave campaigns: %w", err)
	}
	return rollout.WaveCampaignsOf(fr, list.Items), nil
}

// decisionInput is what Decide reads about the rollout now.
func decisionInput(fr *fotav1alpha1.FotaRollout, fleet fleet, waves waveCampaigns, now time.Time) (rollout.DecisionInput, error) {
	_, next, err := rollout.NextRelease(fr.Spec.ReleaseWindows, now)
	if err != nil {
		return rollout.DecisionInput{}, err
	}
	return rollout.DecisionInput{
		Spec:        &fr.Spec,
		Started:     startedWaves(fr.Status, waves),
		Now:         now,
		NextRelease: next,
		Fleet:       fleet.problem,
	}, nil
}
