package status

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// waitsFor says in words what the rollout's next wave waits for, and what a user can do about
// it. It reads the reason of the Ready condition, which is the operator's own decision: the
// plugin explains that decision with the spec's numbers, it never decides again, so the two
// cannot disagree.
func waitsFor(fr *v1alpha1.FotaRollout, now time.Time) string {
	ready := meta.FindStatusCondition(fr.Status.Conditions, v1alpha1.ConditionReady)
	if ready == nil {
		return "unknown: the operator has not reported on this rollout yet"
	}
	explain, known := explanations[ready.Reason]
	if !known {
		return fmt.Sprintf("unknown to this plugin: Ready is %s with reason %s", ready.Status, ready.Reason)
	}
	return explain(waitView{fr: fr, now: now})
}

// explanations holds one wording per Ready reason of a FotaRollout (design §11).
var explanations = map[string]func(waitView) string{
	v1alpha1.ReasonRolloutCompleted:      waitView.completed,
	v1alpha1.ReasonWaveRunning:           waitView.waveRunning,
	v1alpha1.ReasonSoaking:               waitView.soaking,
	v1alpha1.ReasonRolloutPaused:         waitView.paused,
	v1alpha1.ReasonWaitingForApproval:    waitView.waitingForApproval,
	v1alpha1.ReasonWaitingForWindow:      waitView.waitingForWindow,
	v1alpha1.ReasonWaveFailed:            waitView.waveFailed,
	v1alpha1.ReasonWaveAbortedOnFailures: waitView.waveAbortedOnFailures,
	v1alpha1.ReasonRolloutAborted:        waitView.aborted,
	v1alpha1.ReasonDevicesNotFound:       waitView.devicesNotFound,
	v1alpha1.ReasonInvalidDevices:        waitView.invalidDevices,
}

// waitView is a rollout seen at now, with the names the wordings share.
type waitView struct {
	fr  *v1alpha1.FotaRollout
	now time.Time
}

func (v waitView) current() int32 { return v.fr.Status.CurrentWave }

// next names what comes after the current wave: the next wave, or the rollout's completion.
func (v waitView) next() string {
	number := v.current() + 1
	if int(number) > len(v.fr.Spec.Waves) {
		return "completing the rollout"
	}
	return waveName(v.fr, number)
}

func (v waitView) completed() string {
	return fmt.Sprintf("nothing: all %d waves are done", len(v.fr.Spec.Waves))
}

// waveRunning is the gate's success test with the current share of the wave, and how many
// devices are still missing.
func (v waitView) waveRunning() string {
	wave := waveStatusOf(v.fr, v.current())
	if wave == nil || wave.State != v1alpha1.WaveStateRunning {
		return v.next() + " starts now"
	}
	successPercent, _ := rollout.GateOf(v.fr.Spec.Gate)
	needed := (int64(successPercent)*int64(wave.Devices) + 99) / 100
	if missing := needed - int64(wave.Succeeded); missing > 0 {
		devices := "devices"
		if missing == 1 {
			devices = "device"
		}
		return fmt.Sprintf("%s waits for wave %d to reach successPercent %d%%: %s upgraded, %d more %s to go",
			v.next(), wave.Wave, successPercent, share(wave.Succeeded, wave.Devices), missing, devices)
	}
	// The share is reached, yet the gate holds: a campaign ThingSpace has not accepted, or one
	// about to be aborted, which only the operator's message names.
	return fmt.Sprintf("%s waits for wave %d: %s upgraded reaches successPercent %d%%, but not every campaign of the wave passes (the Ready condition says which)",
		v.next(), wave.Wave, share(wave.Succeeded, wave.Devices), successPercent)
}

// soaking is the time left of the current wave's soak.
func (v waitView) soaking() string {
	_, soakTime := rollout.GateOf(v.fr.Spec.Gate)
	wave := waveStatusOf(v.fr, v.current())
	if wave == nil || wave.SucceededTime == nil {
		return fmt.Sprintf("%s waits for wave %d to soak for %s", v.next(), v.current(), duration.HumanDuration(soakTime))
	}
	end := wave.SucceededTime.Add(soakTime)
	return fmt.Sprintf("%s waits for wave %d to soak: %s left, until %s (spec.gate.soakTime %s)",
		v.next(), wave.Wave, duration.HumanDuration(end.Sub(v.now)), end.UTC().Format(time.RFC3339), duration.HumanDuration(soakTime))
}

func (v waitView) paused() string {
	text := "no new wave starts: spec.paused is true; set it to false to go on"
	if wave := waveStatusOf(v.fr, v.current()); wave != nil && (wave.State == v1alpha1.WaveStateRunning || wave.State == v1alpha1.WaveStateSoaking) {
		text += fmt.Sprintf(" (wave %d goes on meanwhile)", wave.Wave)
	}
	return text
}

func (v waitView) waitingForApproval() string {
	approved := "unset"
	if v.fr.Spec.ApprovedWaves != nil {
		approved = fmt.Sprintf("%d", *v.fr.Spec.ApprovedWaves)
	}
	return fmt.Sprintf("%s waits for approval: spec.approvedWaves is %s; set it to %d or more to start it",
		v.next(), approved, v.current()+1)
}

// waitingForWindow is when the next release window opens, in UTC and in the windows' zone.
func (v waitView) waitingForWindow() string {
	opens := v.fr.Status.NextReleaseTime
	if opens == nil {
		return v.next() + " waits for a release window of spec.releaseWindows"
	}
	text := fmt.Sprintf("%s waits for the next release window: it opens at %s (%s)",
		v.next(), opens.UTC().Format(time.RFC3339), relative(opens.Time, v.now))
	if local, ok := releaseLocal(v.fr.Spec.ReleaseWindows, *opens); ok {
		text += ", " + local
	}
	return text
}

// releaseLocal is t in the release windows' zone, the zone in which a user wrote them; false for
// UTC, which the text already shows.
func releaseLocal(rw *v1alpha1.ReleaseWindows, t metav1.Time) (string, bool) {
	if rw == nil || rw.TimeZone == "" || rw.TimeZone == "UTC" {
		return "", false
	}
	loc, err := rollout.LoadReleaseZone(rw.TimeZone)
	if err != nil {
		return "", false
	}
	return t.In(loc).Format("2006-01-02 15:04 MST") + " in " + rw.TimeZone, true
}

func (v waitView) waveFailed() string {
	return fmt.Sprintf("nothing: wave %d failed and halted the rollout (the Ready condition says why); "+
		"a new FotaRollout, or a lower spec.gate.successPercent, goes on", v.haltingWave())
}

func (v waitView) waveAbortedOnFailures() string {
	return fmt.Sprintf("nothing: a campaign of wave %d was aborted on failures by spec.campaign.abortPolicy, "+
		"which halted the rollout; a new FotaRollout goes on", v.haltingWave())
}

func (v waitView) aborted() string {
	return "nothing: spec.abort is true, so no wave starts and every wave campaign that is not closed is cancelled; " +
		"a new FotaRollout goes on"
}

func (v waitView) devicesNotFound() string {
	return v.next() + " waits for its fleet: a ConfigMap or key of spec.devicesFrom is missing (the Ready condition names it)"
}

func (v waitView) invalidDevices() string {
	return v.next() + " waits for a valid fleet: an entry is no device id, or the fleet is empty or too large (the Ready condition names it)"
}

// haltingWave is the first wave that failed or was aborted, which is the one the operator names;
// the current wave when the status names none.
func (v waitView) haltingWave() int32 {
	for _, wave := range v.fr.Status.Waves {
		if wave.State == v1alpha1.WaveStateFailed || wave.State == v1alpha1.WaveStateAborted {
			return wave.Wave
		}
	}
	return v.current()
}
