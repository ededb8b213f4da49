package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// decideNow is the time of every decision: Monday 2026-12-07, 10:00 UTC.
const decideNow = "2026-12-07T10:00:00Z"

// The spec of the decisions: waves devices: 10, percent: 10, percent: 100, a gate of 90% and a
// soak of an hour.
func decideSpec(change func(*v1alpha1.FotaRolloutSpec)) *v1alpha1.FotaRolloutSpec {
	spec := &v1alpha1.FotaRolloutSpec{
		Waves: []v1alpha1.Wave{{Devices: new(int32(10))}, {Percent: new(int32(10))}, {Percent: new(int32(100))}},
		Gate:  v1alpha1.Gate{SuccessPercent: new(int32(90)), SoakTime: &metav1.Duration{Duration: time.Hour}},
	}
	if change != nil {
		change(spec)
	}
	return spec
}

func TestDecide(t *testing.T) {
	now := at(t, decideNow)
	// Waves as the controller reads them back.
	var (
		done       = StartedWave{Summary: accepted(9990, 9780), SucceededTime: now.Add(-2 * time.Hour)}
		canary     = StartedWave{Summary: accepted(10, 10), SucceededTime: now.Add(-2 * time.Hour)}
		soaking    = StartedWave{Summary: accepted(9990, 9780), SucceededTime: now.Add(-15 * time.Minute)}
		firstSeen  = StartedWave{Summary: accepted(9990, 9780)}
		running    = StartedWave{Summary: accepted(9990, 4000)}
		skipped    = StartedWave{Skipped: true}
		pending    = StartedWave{Summary: with(accepted(20000, 0), func(s *WaveSummary) { s.Campaigns, s.RequestPending = 2, 1 })}
		abortDue   = StartedWave{Summary: with(accepted(9990, 9500), func(s *WaveSummary) { s.Failed, s.AbortDue = 400, 1 })}
		closedLow  = StartedWave{Summary: with(accepted(9990, 8000), func(s *WaveSummary) { s.Closed = 1 })}
		aborted    = StartedWave{Summary: with(accepted(9990, 900), func(s *WaveSummary) { s.Failed, s.AbortedOnFailures, s.Closed = 300, 1, 1 })}
		noSchedule = StartedWave{Summary: with(accepted(9990, 0), func(s *WaveSummary) {
			s.ScheduleFailed, s.ScheduleFailedReason = 1, "Conflict: FotaCampaign team-b/x owns the name"
		})}
	)
	paused := func(s *v1alpha1.FotaRolloutSpec) { s.Paused = true }
	approved := func(n int32) func(*v1alpha1.FotaRolloutSpec) {
		return func(s *v1alpha1.FotaRolloutSpec) { s.ApprovedWaves = new(n) }
	}
	notFound := MissingConfigMap(0, v1alpha1.ConfigMapKeyReference{Name: "fleet-model-a", Key: "imeis"})
	invalid := BadDevice(0, v1alpha1.ConfigMapKeyReference{Name: "fleet-model-a", Key: "imeis"}, BadEntry{Line: 2, Entry: "x-1"})
	windowOpens := now.Add(23 * time.Hour)

	tests := map[string]struct {
		spec        *v1alpha1.FotaRolloutSpec
		started     []StartedWave
		nextRelease time.Time
		fleet       *FleetProblem
		want        Decision
	}{
		// Aborted by spec.abort.
		"abort outranks a halt, a pause and a closed window": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Abort, s.Paused = true, true }),
			started: []StartedWave{canary, aborted}, nextRelease: windowOpens,
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonRolloutAborted,
				Message: "spec.abort is true: no new wave starts and every wave campaign that is not closed is cancelled; wave 2 of 3: 900/9990 upgraded, 9%",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateAborted}},
		},
		"abort while wave 2 runs: the running wave is aborted, the done one stays succeeded": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Abort = true }),
			started: []StartedWave{canary, running},
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonRolloutAborted,
				Message: "spec.abort is true: no new wave starts and every wave campaign that is not closed is cancelled; wave 2 of 3: 4000/9990 upgraded, 40%",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateAborted}},
		},
		"abort before the first wave": {
			spec: decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Abort = true }),
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonRolloutAborted,
				Message: "spec.abort is true: the rollout was aborted before its first wave; no wave starts",
				States:  []v1alpha1.WaveState{}},
		},
		"abort outranks completed": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Abort = true }),
			started: []StartedWave{canary, done, done},
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonRolloutAborted,
				Message:       "spec.abort is true: no new wave starts and every wave campaign that is not closed is cancelled; wave 3 of 3: 9780/9990 upgraded, 97%",
				WaveSucceeded: true,
				States:        []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded}},
		},

		// Aborted by a wave campaign's abortPolicy.
		"a wave campaign aborted on failures halts as Aborted, outranking a pause": {
			spec:    decideSpec(paused),
			started: []StartedWave{canary, aborted},
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonWaveAbortedOnFailures,
				Message: "wave 2 halted the rollout: 1 of 1 campaign aborted on failures by spec.campaign.abortPolicy (300 failed, 900/9990 upgraded, 9%); no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateAborted}},
		},
		"an earlier wave aborted on failures after its gate passed halts too": {
			spec:    decideSpec(nil),
			started: []StartedWave{{Summary: aborted.Summary}, running},
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonWaveAbortedOnFailures,
				Message: "wave 1 halted the rollout: 1 of 1 campaign aborted on failures by spec.campaign.abortPolicy (300 failed, 900/9990 upgraded, 9%); no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateAborted, v1alpha1.WaveStateRunning}},
		},
		"an abort on failures outranks an earlier wave's failure": {
			spec:    decideSpec(nil),
			started: []StartedWave{noSchedule, aborted},
			want: Decision{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonWaveAbortedOnFailures,
				Message: "wave 2 halted the rollout: 1 of 1 campaign aborted on failures by spec.campaign.abortPolicy (300 failed, 900/9990 upgraded, 9%); no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateFailed, v1alpha1.WaveStateAborted}},
		},

		// Failed.
		"a wave whose campaigns all closed below the gate halts as Failed, outranking a pause": {
			spec:    decideSpec(paused),
			started: []StartedWave{canary, closedLow},
			want: Decision{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed,
				Message: "wave 2 halted the rollout: every campaign closed with 8000/9990 upgraded, 80%, below successPercent 90%; no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateFailed}},
		},
		"a wave that failed to schedule halts as Failed with the campaign's reason": {
			spec:    decideSpec(nil),
			started: []StartedWave{noSchedule},
			want: Decision{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed,
				Message: "wave 1 halted the rollout: 1 of 1 campaign failed to schedule (Conflict: FotaCampaign team-b/x owns the name); no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateFailed}},
		},
		"a failure outranks a fleet problem": {
			spec:    decideSpec(nil),
			started: []StartedWave{noSchedule}, fleet: invalid,
			want: Decision{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed,
				Message: "wave 1 halted the rollout: 1 of 1 campaign failed to schedule (Conflict: FotaCampaign team-b/x owns the name); no new wave starts",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateFailed}},
		},
		"lowering successPercent below a closed wave's share lifts the halt: the wave soaks from now": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Gate.SuccessPercent = new(int32(80)) }),
			started: []StartedWave{canary, closedLow},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonSoaking,
				Message:   "wave 2 succeeded (8000/9990, 80%) and soaks until 2026-12-07T11:00:00Z",
				RequeueAt: now.Add(time.Hour), WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSoaking}},
		},

		// Completed.
		"every wave started and the last is done: Completed, outranking a pause": {
			spec:    decideSpec(paused),
			started: []StartedWave{canary, done, done},
			want: Decision{Phase: v1alpha1.RolloutPhaseCompleted, Reason: v1alpha1.ReasonRolloutCompleted,
				Message: "all 3 waves done: wave 3 succeeded (9780/9990, 97%)", WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded}},
		},
		"the last wave skipped completes the rollout": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, done, skipped},
			want: Decision{Phase: v1alpha1.RolloutPhaseCompleted, Reason: v1alpha1.ReasonRolloutCompleted,
				Message: "all 3 waves done: wave 3 was skipped (no devices left to take)",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSkipped}},
		},
		"the last wave soaking is not completed yet": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, done, soaking},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonSoaking,
				Message:   "wave 3 succeeded (9780/9990, 97%) and soaks until 2026-12-07T10:45:00Z",
				RequeueAt: now.Add(45 * time.Minute), WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSoaking}},
		},

		// Paused.
		"paused while wave 2 runs: Paused, and the wave goes on": {
			spec:    decideSpec(paused),
			started: []StartedWave{canary, running},
			want: Decision{Phase: v1alpha1.RolloutPhasePaused, Reason: v1alpha1.ReasonRolloutPaused,
				Message: "spec.paused is true: no new wave starts; wave 2 runs (4000/9990, 40%; the gate is 90%)",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateRunning}},
		},
		"paused before the first wave": {
			spec: decideSpec(paused),
			want: Decision{Phase: v1alpha1.RolloutPhasePaused, Reason: v1alpha1.ReasonRolloutPaused,
				Message: "spec.paused is true: no new wave starts; wave 1 has not started", States: []v1alpha1.WaveState{}},
		},
		"paused outranks a fleet problem, an approval and a window": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Paused, s.ApprovedWaves = true, new(int32(1)) }),
			started: []StartedWave{canary}, fleet: notFound, nextRelease: windowOpens,
			want: Decision{Phase: v1alpha1.RolloutPhasePaused, Reason: v1alpha1.ReasonRolloutPaused,
				Message: "spec.paused is true: no new wave starts; wave 1 succeeded (10/10, 100%)", WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded}},
		},
		"paused while the wave is first seen at its gate: the controller still records succeededTime": {
			spec:    decideSpec(paused),
			started: []StartedWave{canary, firstSeen},
			want: Decision{Phase: v1alpha1.RolloutPhasePaused, Reason: v1alpha1.ReasonRolloutPaused,
				Message:       "spec.paused is true: no new wave starts; wave 2 succeeded (9780/9990, 97%) and soaks until 2026-12-07T11:00:00Z",
				WaveSucceeded: true,
				States:        []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSoaking}},
		},

		// The fleet cannot be read.
		"a missing ConfigMap keeps Progressing with DevicesNotFound while a wave runs": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, running}, fleet: notFound,
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonDevicesNotFound,
				Message: "wave 2 runs (4000/9990, 40%; the gate is 90%); spec.devicesFrom[0]: ConfigMap fleet-model-a not found; no new wave starts until it exists",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateRunning}},
		},
		"an invalid fleet before the first wave: Progressing with InvalidDevices, nothing starts": {
			spec: decideSpec(nil), fleet: invalid,
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonInvalidDevices,
				Message: `spec.devicesFrom[0]: ConfigMap fleet-model-a, key imeis, line 2: "x-1" is not a device id (1 to 32 letters and digits); no new wave starts until it is fixed`,
				States:  []v1alpha1.WaveState{}},
		},
		"a fleet problem outranks waiting for approval: the next wave could not start anyway": {
			spec:    decideSpec(approved(1)),
			started: []StartedWave{canary}, fleet: invalid,
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonInvalidDevices,
				Message:       `wave 1 succeeded (10/10, 100%); spec.devicesFrom[0]: ConfigMap fleet-model-a, key imeis, line 2: "x-1" is not a device id (1 to 32 letters and digits); no new wave starts until it is fixed`,
				WaveSucceeded: true,
				States:        []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded}},
		},

		// The current wave runs or soaks.
		"wave 2 below the gate: WaveRunning; the approval and the window it will need do not show yet": {
			spec:    decideSpec(approved(2)),
			started: []StartedWave{canary, running}, nextRelease: windowOpens,
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 2 runs (4000/9990, 40%; the gate is 90%)",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateRunning}},
		},
		"a campaign ThingSpace has not accepted yet holds the gate, and the message says so": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, pending},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 2 runs (0/20000, 0%; the gate is 90%; 1 of 2 campaigns not accepted by ThingSpace yet)",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateRunning}},
		},
		"a campaign meeting its abortPolicy holds the gate above successPercent": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, abortDue},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 2 runs (9500/9990, 95%; the gate is 90%; 1 of 1 campaign meeting spec.campaign.abortPolicy)",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateRunning}},
		},
		"wave 2 soaking: Soaking, a requeue at the soak's end, no approval shown yet": {
			spec:    decideSpec(approved(2)),
			started: []StartedWave{canary, soaking},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonSoaking,
				Message:   "wave 2 succeeded (9780/9990, 97%) and soaks until 2026-12-07T10:45:00Z",
				RequeueAt: now.Add(45 * time.Minute), WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSoaking}},
		},
		"wave 2 first seen at its gate: the soak starts now": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, firstSeen},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonSoaking,
				Message:   "wave 2 succeeded (9780/9990, 97%) and soaks until 2026-12-07T11:00:00Z",
				RequeueAt: now.Add(time.Hour), WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSoaking}},
		},

		// Waiting for an approval.
		"wave 2 done and wave 3 not approved: §11's example": {
			spec:    decideSpec(approved(2)),
			started: []StartedWave{canary, done}, nextRelease: windowOpens,
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForApproval, Reason: v1alpha1.ReasonWaitingForApproval,
				Message: "wave 2 succeeded (9780/9990, 97%); wave 3 waits for spec.approvedWaves >= 3", WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded}},
		},
		"approvedWaves: 0 holds the first wave": {
			spec: decideSpec(approved(0)),
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForApproval, Reason: v1alpha1.ReasonWaitingForApproval,
				Message: "wave 1 waits for spec.approvedWaves >= 1", States: []v1alpha1.WaveState{}},
		},
		"approvedWaves lowered below the current wave holds the next one": {
			spec:    decideSpec(approved(1)),
			started: []StartedWave{canary, done},
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForApproval, Reason: v1alpha1.ReasonWaitingForApproval,
				Message: "wave 2 succeeded (9780/9990, 97%); wave 3 waits for spec.approvedWaves >= 3", WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded}},
		},
		"after a skipped wave the approval of the next is asked": {
			spec:    decideSpec(approved(2)),
			started: []StartedWave{canary, skipped},
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForApproval, Reason: v1alpha1.ReasonWaitingForApproval,
				Message: "wave 2 was skipped (no devices left to take); wave 3 waits for spec.approvedWaves >= 3",
				States:  []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSkipped}},
		},

		// Waiting for a release window.
		"outside the release windows: WaitingForWindow, with nextReleaseTime and a requeue at it": {
			spec:    decideSpec(approved(3)),
			started: []StartedWave{canary}, nextRelease: windowOpens,
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForWindow, Reason: v1alpha1.ReasonWaitingForWindow,
				Message:   "wave 1 succeeded (10/10, 100%); wave 2 waits for the next release window, which opens at 2026-12-08T09:00:00Z",
				RequeueAt: windowOpens, NextReleaseTime: windowOpens, WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded}},
		},
		"the first wave waits for a window, shown in the window's zone": {
			spec: decideSpec(nil), nextRelease: windowOpens.In(time.FixedZone("CET", 3600)),
			want: Decision{Phase: v1alpha1.RolloutPhaseWaitingForWindow, Reason: v1alpha1.ReasonWaitingForWindow,
				Message:   "wave 1 waits for the next release window, which opens at 2026-12-08T10:00:00+01:00",
				RequeueAt: windowOpens, NextReleaseTime: windowOpens, States: []v1alpha1.WaveState{}},
		},

		// The next wave starts.
		"the first wave starts as soon as the rollout exists": {
			spec: decideSpec(nil),
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 1 starts", StartNextWave: true, States: []v1alpha1.WaveState{}},
		},
		"wave 2 done, approved, inside a window: wave 3 starts": {
			spec:    decideSpec(approved(3)),
			started: []StartedWave{canary, done}, nextRelease: now.Add(-time.Minute),
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 2 succeeded (9780/9990, 97%); wave 3 starts", StartNextWave: true, WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSucceeded}},
		},
		"no soak time: the next wave starts the moment the gate is met": {
			spec:    decideSpec(func(s *v1alpha1.FotaRolloutSpec) { s.Gate = v1alpha1.Gate{} }),
			started: []StartedWave{firstSeen},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 1 succeeded (9780/9990, 97%); wave 2 starts", StartNextWave: true, WaveSucceeded: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded}},
		},
		"a skipped wave needs no gate: the next one starts at once": {
			spec:    decideSpec(nil),
			started: []StartedWave{canary, skipped},
			want: Decision{Phase: v1alpha1.RolloutPhaseProgressing, Reason: v1alpha1.ReasonWaveRunning,
				Message: "wave 2 was skipped (no devices left to take); wave 3 starts", StartNextWave: true,
				States: []v1alpha1.WaveState{v1alpha1.WaveStateSucceeded, v1alpha1.WaveStateSkipped}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := Decide(DecisionInput{Spec: tt.spec, Started: tt.started, Now: now, NextRelease: tt.nextRelease, Fleet: tt.fleet})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.Ready() != (tt.want.Phase == v1alpha1.RolloutPhaseCompleted) {
				t.Errorf("Ready() = %v for phase %s", got.Ready(), got.Phase)
			}
		})
	}
}
