package status

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// TestWaitsFor has one row per Ready reason of a FotaRollout (design §11): the words a user
// reads on the Next line.
func TestWaitsFor(t *testing.T) {
	cases := map[string]struct {
		rollout *v1alpha1.FotaRollout
		want    string
	}{
		v1alpha1.ReasonRolloutCompleted: {
			rollout: rolloutWith(v1alpha1.ReasonRolloutCompleted, func(fr *v1alpha1.FotaRollout) {
				fr.Status.CurrentWave = 3
				fr.Status.Waves = append(fr.Status.Waves, v1alpha1.WaveStatus{Wave: 3, Devices: 900, State: v1alpha1.WaveStateSucceeded})
			}),
			want: "nothing: all 3 waves are done",
		},
		v1alpha1.ReasonWaveRunning: {
			rollout: rolloutWith(v1alpha1.ReasonWaveRunning, runningWave2(45)),
			want:    "wave 3 (percent: 100) waits for wave 2 to reach successPercent 90%: 45/90 (50%) upgraded, 36 more devices to go",
		},
		v1alpha1.ReasonWaveRunning + " on the last wave": {
			rollout: rolloutWith(v1alpha1.ReasonWaveRunning, func(fr *v1alpha1.FotaRollout) {
				fr.Status.CurrentWave = 3
				fr.Status.Waves = append(fr.Status.Waves, v1alpha1.WaveStatus{Wave: 3, Devices: 900, Succeeded: 500, State: v1alpha1.WaveStateRunning})
			}),
			want: "completing the rollout waits for wave 3 to reach successPercent 90%: 500/900 (55%) upgraded, 310 more devices to go",
		},
		v1alpha1.ReasonWaveRunning + " one device short": {
			rollout: rolloutWith(v1alpha1.ReasonWaveRunning, runningWave2(80)),
			want:    "wave 3 (percent: 100) waits for wave 2 to reach successPercent 90%: 80/90 (88%) upgraded, 1 more device to go",
		},
		v1alpha1.ReasonWaveRunning + " with the share reached": {
			rollout: rolloutWith(v1alpha1.ReasonWaveRunning, runningWave2(85)),
			want:    "wave 3 (percent: 100) waits for wave 2: 85/90 (94%) upgraded reaches successPercent 90%, but not every campaign of the wave passes (the Ready condition says which)",
		},
		v1alpha1.ReasonWaveRunning + " before the first wave": {
			rollout: rolloutWith(v1alpha1.ReasonWaveRunning, func(fr *v1alpha1.FotaRollout) {
				fr.Status.CurrentWave, fr.Status.Waves = 0, nil
			}),
			want: "wave 1 (devices: 10) starts now",
		},
		v1alpha1.ReasonSoaking: {
			rollout: rolloutWith(v1alpha1.ReasonSoaking, func(fr *v1alpha1.FotaRollout) {
				fr.Status.Waves[1].State = v1alpha1.WaveStateSoaking
				fr.Status.Waves[1].SucceededTime = atPtr("2026-12-01T20:00:00Z")
			}),
			want: "wave 3 (percent: 100) waits for wave 2 to soak: 10h left, until 2026-12-02T20:00:00Z (spec.gate.soakTime 24h)",
		},
		v1alpha1.ReasonRolloutPaused: {
			rollout: rolloutWith(v1alpha1.ReasonRolloutPaused, runningWave2(45)),
			want:    "no new wave starts: spec.paused is true; set it to false to go on (wave 2 goes on meanwhile)",
		},
		v1alpha1.ReasonWaitingForApproval: {
			rollout: rolloutWith(v1alpha1.ReasonWaitingForApproval, nil),
			want:    "wave 3 (percent: 100) waits for approval: spec.approvedWaves is 2; set it to 3 or more to start it",
		},
		v1alpha1.ReasonWaitingForWindow: {
			rollout: rolloutWith(v1alpha1.ReasonWaitingForWindow, func(fr *v1alpha1.FotaRollout) {
				fr.Status.NextReleaseTime = atPtr("2026-12-03T08:00:00Z")
			}),
			want: "wave 3 (percent: 100) waits for the next release window: it opens at 2026-12-03T08:00:00Z (in 22h), 2026-12-03 09:00 CET in Europe/Berlin",
		},
		v1alpha1.ReasonWaveFailed: {
			rollout: rolloutWith(v1alpha1.ReasonWaveFailed, func(fr *v1alpha1.FotaRollout) { fr.Status.Waves[1].State = v1alpha1.WaveStateFailed }),
			want:    "nothing: wave 2 failed and halted the rollout (the Ready condition says why); a new FotaRollout, or a lower spec.gate.successPercent, goes on",
		},
		v1alpha1.ReasonWaveAbortedOnFailures: {
			rollout: rolloutWith(v1alpha1.ReasonWaveAbortedOnFailures, func(fr *v1alpha1.FotaRollout) { fr.Status.Waves[0].State = v1alpha1.WaveStateAborted }),
			want:    "nothing: a campaign of wave 1 was aborted on failures by spec.campaign.abortPolicy, which halted the rollout; a new FotaRollout goes on",
		},
		v1alpha1.ReasonRolloutAborted: {
			rollout: rolloutWith(v1alpha1.ReasonRolloutAborted, nil),
			want:    "nothing: spec.abort is true, so no wave starts and every wave campaign that is not closed is cancelled; a new FotaRollout goes on",
		},
		v1alpha1.ReasonDevicesNotFound: {
			rollout: rolloutWith(v1alpha1.ReasonDevicesNotFound, nil),
			want:    "wave 3 (percent: 100) waits for its fleet: a ConfigMap or key of spec.devicesFrom is missing (the Ready condition names it)",
		},
		v1alpha1.ReasonInvalidDevices: {
			rollout: rolloutWith(v1alpha1.ReasonInvalidDevices, nil),
			want:    "wave 3 (percent: 100) waits for a valid fleet: an entry is no device id, or the fleet is empty or too large (the Ready condition names it)",
		},
		"no Ready condition yet": {
			rollout: rolloutWith("", func(fr *v1alpha1.FotaRollout) { fr.Status = v1alpha1.FotaRolloutStatus{} }),
			want:    "unknown: the operator has not reported on this rollout yet",
		},
		"a reason of a newer operator": {
			rollout: rolloutWith("WaitingForTheMoon", nil),
			want:    "unknown to this plugin: Ready is False with reason WaitingForTheMoon",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, waitsFor(tc.rollout, rolloutNow)); diff != "" {
				t.Errorf("waitsFor (-want +got):\n%s", diff)
			}
		})
	}
}

// rolloutWith is the rollout of the golden file with its Ready reason set to reason (none when
// empty), changed by edit.
func rolloutWith(reason string, edit func(*v1alpha1.FotaRollout)) *v1alpha1.FotaRollout {
	fr := rolloutAwaitingApproval("fleet", "model-a-03")
	fr.Status = rolloutAwaitingApprovalStatus(fr)
	fr.Status.Conditions = nil
	if reason != "" {
		fr.Status.Conditions = []metav1.Condition{condition(v1alpha1.ConditionReady, metav1.ConditionFalse, reason, "", "2026-12-02T05:00:00Z")}
	}
	if edit != nil {
		edit(fr)
	}
	return fr
}

// runningWave2 makes wave 2 a running wave with succeeded of its 90 devices upgraded.
func runningWave2(succeeded int32) func(*v1alpha1.FotaRollout) {
	return func(fr *v1alpha1.FotaRollout) {
		fr.Status.Waves[1].State = v1alpha1.WaveStateRunning
		fr.Status.Waves[1].Succeeded = succeeded
		fr.Status.Waves[1].SucceededTime = nil
	}
}
