package fotarollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// progress decides where the rollout stands and starts the next wave while the decision says
// so: a wave with nothing to take is skipped and the one after it may start at once. It stops
// early, writing nothing more, when the cache is behind the API server.
func (r *Reconciler) progress(ctx context.Context, fr *fotav1alpha1.FotaRollout, fleet *fleet, waves *waveCampaigns,
	now time.Time) (decision rollout.Decision, stop bool, err error) {
	for {
		in, err := decisionInput(fr, *fleet, *waves, now)
		if err != nil {
			return rollout.Decision{}, false, err
		}
		decision = rollout.Decide(in)
		if !decision.StartNextWave {
			return decision, false, nil
		}
		if stop, err := r.startWave(ctx, fr, fleet, waves, waves.current()+1, now); stop || err != nil {
			return decision, stop, err
		}
	}
}

// startWave writes the campaigns of wave, or records it skipped when it has nothing to take.
func (r *Reconciler) startWave(ctx context.Context, fr *fotav1alpha1.FotaRollout, fleet *fleet, waves *waveCampaigns,
	wave int, now time.Time) (stop bool, err error) {
	if !fleet.read {
		return false, errors.New("starting a wave on a fleet that was not read in this reconcile")
	}
	if stop, err := r.cacheBehind(ctx, fr, *waves); stop || err != nil {
		return stop, err
	}
	campaigns := cutWave(fr, fleet.ordered(), *waves, wave, now)
	if len(campaigns) == 0 {
		waves.skippedTo = wave
		r.event(fr, corev1.EventTypeNormal, EventWaveSkipped, actionStartWave,
			"wave %d skipped: the waves before it already hold its %d devices", wave, rollout.WaveEnd(fr.Spec.Waves[wave-1], fleet.size))
		return false, nil
	}
	ctrl.LoggerFrom(ctx).Info("Creating the campaigns of a wave", "wave", wave, "campaigns", len(campaigns))
	written, err := r.applyCampaigns(ctx, campaigns)
	waves.add(wave, written)
	if err != nil {
		return false, err
	}
	devices := 0
	for _, fc := range written {
		devices += len(fc.Spec.Devices)
	}
	r.event(fr, corev1.EventTypeNormal, EventWaveStarted, actionStartWave, "wave %d started with %d devices in %s",
		wave, devices, campaignNames(written))
	return false, nil
}

// finishCutWave writes the remaining chunks of the last wave when the operator stopped between
// two of its chunk writes: the chunks written are taken as they are, and the rest of the wave's
// devices go into chunks numbered after them. An aborted rollout, or a fleet that cannot be read,
// leaves the wave as it is.
func (r *Reconciler) finishCutWave(ctx context.Context, fr *fotav1alpha1.FotaRollout, fleet *fleet, waves *waveCampaigns,
	now time.Time) (stop bool, err error) {
	wave := waves.lastWave
	if !waves.cutShort(len(fr.Spec.Waves)) || fr.Spec.Abort || fleet.problem != nil {
		return false, nil
	}
	if !fleet.read {
		return false, errors.New("finishing a wave on a fleet that was not read in this reconcile")
	}
	if stop, err := r.cacheBehind(ctx, fr, *waves); stop || err != nil {
		return stop, err
	}
	campaigns := cutWave(fr, fleet.ordered(), *waves, wave, now)
	log := ctrl.LoggerFrom(ctx)
	if len(campaigns) == 0 {
		// The fleet shrank since: the written chunks are the whole wave.
		last := waves.byWave[wave][len(waves.byWave[wave])-1]
		log.Info("Marking the last campaign of a wave that was cut short", "wave", wave, "campaign", last.Name)
		return false, r.markLastChunk(ctx, &last)
	}
	log.Info("Creating the remaining campaigns of a wave that was cut short", "wave", wave, "campaigns", len(campaigns))
	written, err := r.applyCampaigns(ctx, campaigns)
	waves.add(wave, written)
	return false, err
}

// cacheBehind reports whether the API server holds other wave campaigns than the cache showed:
// a wave cut from the cache could then take devices a campaign holds. The watch brings the
// difference and another reconcile.
// Only the names are compared, so only the campaigns' metadata is read, not their devices.
func (r *Reconciler) cacheBehind(ctx context.Context, fr *fotav1alpha1.FotaRollout, waves waveCampaigns) (bool, error) {
	listed := &metav1.PartialObjectMetadataList{}
	listed.SetGroupVersionKind(fotav1alpha1.GroupVersion.WithKind("FotaCampaignList"))
	if err := r.apiReader.List(ctx, listed, client.InNamespace(fr.Namespace),
		client.MatchingLabels{fotav1alpha1.LabelRollout: fr.Name}); err != nil {
		return false, fmt.Errorf("listing the wave campaigns: %w", err)
	}
	live := make([]string, 0, len(listed.Items))
	for i := range listed.Items {
		if rollout.IsWaveCampaignOf(fr, &listed.Items[i]) {
			live = append(live, listed.Items[i].Name)
		}
	}
	if waves.sameCampaigns(live) {
		return false, nil
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Waiting for the cache to hold the wave campaigns the API server holds",
		"cached", len(waves.names), "live", len(live))
	return true, nil
}

// applyCampaigns creates the campaigns by server-side apply, in order, and returns those written.
// The chunks are numbered after the wave campaigns the API server holds, so an object that
// already has a chunk's name is someone else's: the apply, which forces ownership, would take
// its spec over, so it stops there instead.
func (r *Reconciler) applyCampaigns(ctx context.Context, campaigns []*fotav1alpha1.FotaCampaign) ([]fotav1alpha1.FotaCampaign, error) {
	written := make([]fotav1alpha1.FotaCampaign, 0, len(campaigns))
	for _, fc := range campaigns {
		err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(fc), &fotav1alpha1.FotaCampaign{})
		switch {
		case err == nil:
			return written, fmt.Errorf("FotaCampaign %s exists and is no wave campaign of this rollout: rename or delete it", fc.Name)
		case !apierrors.IsNotFound(err):
			return written, fmt.Errorf("reading FotaCampaign %s: %w", fc.Name, err)
		}
		applied, err := applyConfiguration(fc)
		if err != nil {
			return written, err
		}
		if err := r.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(applied),
			client.FieldOwner(fotav1alpha1.FieldManagerRollout), client.ForceOwnership); err != nil {
			return written, fmt.Errorf("applying FotaCampaign %s: %w", fc.Name, err)
		}
		written = append(written, *fc)
	}
	return written, nil
}

// applyConfiguration is fc as the rollout applies it: its metadata and spec, without a status.
func applyConfiguration(fc *fotav1alpha1.FotaCampaign) (*unstructured.Unstructured, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(fc)
	if err != nil {
		return nil, fmt.Errorf("converting FotaCampaign %s: %w", fc.Name, err)
	}
	delete(content, "status")
	unstructured.RemoveNestedField(content, "metadata", "creationTimestamp")
	return &unstructured.Unstructured{Object: content}, nil
}

// markLastChunk records on fc that it is the last chunk of its wave.
func (r *Reconciler) markLastChunk(ctx context.Context, fc *fotav1alpha1.FotaCampaign) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, fotav1alpha1.AnnotationLastChunk)
	if err := r.client.Patch(ctx, fc, client.RawPatch(types.MergePatchType, []byte(patch)),
		client.FieldOwner(fotav1alpha1.FieldManagerRollout)); err != nil {
		return fmt.Errorf("marking FotaCampaign %s the last of its wave: %w", fc.Name, err)
	}
	return nil
}

// cancelLiveCampaigns sets spec.cancel on every wave campaign of an aborted rollout that is not
// closed and not cancelled yet. It patches spec.cancel alone: an apply of the rollout's whole
// configuration would put back the user's edits of a started campaign.
func (r *Reconciler) cancelLiveCampaigns(ctx context.Context, fr *fotav1alpha1.FotaRollout, waves waveCampaigns) error {
	if !fr.Spec.Abort {
		return nil
	}
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"cancel":true}}`))
	for wave := 1; wave <= waves.lastWave; wave++ {
		for i := range waves.byWave[wave] {
			fc := &waves.byWave[wave][i]
			if campaign.IsClosedPhase(fc.Status.Phase) || (fc.Spec.Cancel != nil && *fc.Spec.Cancel) {
				continue
			}
			ctrl.LoggerFrom(ctx).Info("Cancelling a wave campaign of an aborted rollout", "campaign", fc.Name, "wave", wave)
			if err := r.client.Patch(ctx, fc, patch, client.FieldOwner(fotav1alpha1.FieldManagerRollout)); err != nil {
				if apierrors.IsNotFound(err) {
					continue
				}
				return fmt.Errorf("cancelling FotaCampaign %s: %w", fc.Name, err)
			}
		}
	}
	return nil
}

func campaignNames(campaigns []fotav1alpha1.FotaCampaign) string {
	names := make([]string, 0, len(campaigns))
	for _, fc := range campaigns {
		names = append(names, fc.Name)
	}
	return strings.Join(names, ", ")
}
