package fotarollout

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
	"github.com/fota-operator/fota-operator/internal/text"
)

// maxConditionMessage is the longest message the API server accepts in a condition.
const maxConditionMessage = 32768

// recordStatus writes the decision and the waves' counts into the status, with the generation
// they are the outcome of.
func (r *Reconciler) recordStatus(fr *fotav1alpha1.FotaRollout, fleet fleet, waves waveCampaigns, d rollout.Decision, now time.Time) {
	status := &fr.Status
	previous := status.DeepCopy()
	started := startedWaves(*previous, waves)

	status.ObservedGeneration = fr.Generation
	status.Phase = d.Phase
	status.CurrentWave = int32(len(started))
	status.WaveText = rollout.WaveText(len(started), len(fr.Spec.Waves))
	if fleet.problem == nil {
		status.FleetSize = int32(fleet.size)
	}
	status.NextReleaseTime = nil
	if !d.NextReleaseTime.IsZero() {
		status.NextReleaseTime = ptrTime(d.NextReleaseTime)
	}

	totals := fotav1alpha1.RolloutDevices{}
	status.Waves = make([]fotav1alpha1.WaveStatus, 0, len(started))
	for i, wave := range started {
		number := i + 1
		s := wave.Summary
		entry := fotav1alpha1.WaveStatus{
			Wave:      int32(number),
			Devices:   int32(s.Devices),
			Succeeded: int32(s.Succeeded),
			Failed:    int32(s.Failed),
			StartTime: ptrTime(now),
		}
		if i < len(d.States) {
			entry.State = d.States[i]
		}
		for _, fc := range waves.byWave[number] {
			entry.Campaigns = append(entry.Campaigns, fc.Name)
		}
		if before := waveEntry(*previous, number); before != nil {
			entry.StartTime = before.StartTime
			entry.SucceededTime = before.SucceededTime
		}
		// A wave that passed its gate in this reconcile and was followed at once by the next
		// one (no soak time) is no longer the current wave: its state says it succeeded.
		passed := entry.State == fotav1alpha1.WaveStateSucceeded || entry.State == fotav1alpha1.WaveStateSoaking
		if entry.SucceededTime == nil && (passed || number == len(started) && d.WaveSucceeded) {
			entry.SucceededTime = ptrTime(now)
		}
		status.Waves = append(status.Waves, entry)
		totals.Total += int32(s.Devices)
		totals.Succeeded += int32(s.Succeeded)
		totals.Failed += int32(s.Failed)
		totals.Rejected += int32(s.Rejected)
		totals.Cancelled += int32(s.Cancelled)
		totals.Pending += int32(s.Pending)
	}
	totals.Upgraded = rollout.UpgradedText(int(totals.Succeeded), int(status.FleetSize))
	status.Devices = &totals

	ready := metav1.Condition{
		Type:               fotav1alpha1.ConditionReady,
		Status:             metav1.ConditionFalse,
		ObservedGeneration: fr.Generation,
		LastTransitionTime: metav1.NewTime(now).Rfc3339Copy(),
		Reason:             d.Reason,
		Message:            text.Truncate(d.Message, maxConditionMessage),
	}
	if d.Ready() {
		ready.Status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&status.Conditions, ready)
}

// announceTransitions records an event for each change of the status worth one: a wave that
// succeeded, and the phases a person waits for or acts on. Comparing with the status before the
// reconcile, rather than remembering what was announced, announces each once per status write.
func (r *Reconciler) announceTransitions(original, fr *fotav1alpha1.FotaRollout) {
	for _, wave := range fr.Status.Waves {
		before := waveEntry(original.Status, int(wave.Wave))
		if wave.State == fotav1alpha1.WaveStateSucceeded && (before == nil || before.State != fotav1alpha1.WaveStateSucceeded) {
			r.event(fr, corev1.EventTypeNormal, EventWaveSucceeded, actionEvaluate, "wave %d succeeded: %d/%d devices upgraded",
				wave.Wave, wave.Succeeded, wave.Devices)
		}
	}
	if original.Status.Phase == fr.Status.Phase {
		return
	}
	message := readyMessage(fr)
	switch fr.Status.Phase {
	case fotav1alpha1.RolloutPhaseFailed:
		r.event(fr, corev1.EventTypeWarning, EventWaveFailed, actionEvaluate, "%s", message)
	case fotav1alpha1.RolloutPhaseAborted:
		r.event(fr, corev1.EventTypeWarning, EventRolloutAborted, actionEvaluate, "%s", message)
	case fotav1alpha1.RolloutPhaseCompleted:
		r.event(fr, corev1.EventTypeNormal, EventRolloutCompleted, actionEvaluate, "%s", message)
	case fotav1alpha1.RolloutPhaseWaitingForApproval:
		r.event(fr, corev1.EventTypeNormal, EventWaitingForApproval, actionEvaluate, "%s", message)
	case fotav1alpha1.RolloutPhaseWaitingForWindow:
		r.event(fr, corev1.EventTypeNormal, EventWaitingForWindow, actionEvaluate, "%s", message)
	}
}

func readyMessage(fr *fotav1alpha1.FotaRollout) string {
	if ready := meta.FindStatusCondition(fr.Status.Conditions, fotav1alpha1.ConditionReady); ready != nil {
		return ready.Message
	}
	return fmt.Sprintf("phase %s", fr.Status.Phase)
}

// patchStatus writes the status once per reconcile, and not at all when nothing changed.
func (r *Reconciler) patchStatus(ctx context.Context, original, fr *fotav1alpha1.FotaRollout) error {
	if equality.Semantic.DeepEqual(original.Status, fr.Status) {
		return nil
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Writing status", "generation", fr.Generation, "phase", fr.Status.Phase,
		"wave", fr.Status.WaveText)
	return client.IgnoreNotFound(r.client.Status().Patch(ctx, fr, client.MergeFrom(original)))
}

// ptrTime is t as the API server stores it, to the second, so that what the reconciler compares
// is what it wrote.
func ptrTime(t time.Time) *metav1.Time {
	stored := metav1.NewTime(t).Rfc3339Copy()
	return &stored
}
