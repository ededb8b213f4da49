package rollout

import (
	"fmt"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// StartedWave is what the controller read back about one wave that started or was skipped.
type StartedWave struct {
	// Summary counts the wave's campaigns and devices.
	Summary WaveSummary
	// Skipped is true for a wave that had no devices to take.
	Skipped bool
	// SucceededTime is when the wave was first seen meeting its success test
	// (status.waves[].succeededTime); the zero time before.
	SucceededTime time.Time
}

// DecisionInput is everything Decide looks at.
type DecisionInput struct {
	// Spec is the rollout's spec: its waves, gate, approvedWaves, paused and abort. Required.
	Spec *v1alpha1.FotaRolloutSpec
	// Started holds the waves that started or were skipped, in order: Started[k-1] is wave k, and
	// len(Started) is the current wave (0 before the first). The controller reads them back from
	// the wave campaigns, by label, not from the rollout's status.
	Started []StartedWave
	// Now is the current time.
	Now time.Time
	// NextRelease is when the next release window opens, as NextRelease gives it; the zero time
	// when a wave may start now.
	NextRelease time.Time
	// Fleet is why the fleet cannot be read; nil when it can.
	Fleet *FleetProblem
}

// Decision is where the rollout stands and what the controller does next.
type Decision struct {
	// Phase is the rollout's phase.
	Phase v1alpha1.RolloutPhase
	// Reason is the Ready condition's reason; Ready is True only for Completed (see Ready).
	Reason string
	// Message is the Ready condition's message: it names the wave and its counts.
	Message string
	// StartNextWave is true when wave len(Started)+1 starts now.
	StartNextWave bool
	// RequeueAt is when to look again although nothing changes (the end of a soak, the opening
	// of a release window); the zero time for no such instant.
	RequeueAt time.Time
	// NextReleaseTime is status.nextReleaseTime: set with WaitingForWindow only.
	NextReleaseTime time.Time
	// WaveSucceeded is true when the current wave meets its success test now: the controller
	// records Now as its succeededTime when it has none, and the soak time counts from then.
	WaveSucceeded bool
	// States holds each started wave's state, in the order of DecisionInput.Started.
	States []v1alpha1.WaveState
}

// Ready reports whether the Ready condition is True: only for a completed rollout.
func (d Decision) Ready() bool {
	return d.Phase == v1alpha1.RolloutPhaseCompleted
}

// evaluation is a DecisionInput with the gate of its current wave worked out.
type evaluation struct {
	DecisionInput
	successPercent int32
	soakTime       time.Duration
	waves          int // len(Spec.Waves)
	current        int // the current wave, 0 before the first
	// succeeded: the current wave meets its success test now.
	succeeded bool
	// soakEnd is when the current wave's soak ends, once it succeeded.
	soakEnd time.Time
	// done: the current wave passed its gate, or there is none yet.
	done bool
}

func evaluate(in DecisionInput) evaluation {
	e := evaluation{DecisionInput: in, waves: len(in.Spec.Waves), current: len(in.Started), done: true}
	e.successPercent, e.soakTime = GateOf(in.Spec.Gate)
	if e.current == 0 || e.currentWave().Skipped {
		return e
	}
	wave := e.currentWave()
	e.succeeded = WaveSucceeded(wave.Summary, e.successPercent)
	since := wave.SucceededTime
	if since.IsZero() {
		since = in.Now
	}
	e.soakEnd = since.Add(e.soakTime)
	e.done = e.succeeded && !in.Now.Before(e.soakEnd)
	return e
}

func (e evaluation) currentWave() StartedWave {
	return e.Started[e.current-1]
}

// Decide applies the rollout's rules in their order of precedence: Aborted (spec.abort, then a
// wave aborted on failures), Failed, Completed, Paused, a fleet that cannot be read
// (DevicesNotFound, InvalidDevices: phase Progressing), a current wave that runs or soaks
// (Progressing), WaitingForApproval, WaitingForWindow, and else the next wave starts. The two
// waits show only when the next wave could otherwise start.
func Decide(in DecisionInput) Decision {
	e := evaluate(in)
	d := e.decide()
	d.States = e.states()
	d.WaveSucceeded = e.succeeded
	return d
}

func (e evaluation) decide() Decision {
	if e.Spec.Abort {
		return e.aborted()
	}
	if d, halted := e.halted(); halted {
		return d
	}
	if e.current > 0 && e.current >= e.waves && e.done {
		return decision(v1alpha1.RolloutPhaseCompleted, v1alpha1.ReasonRolloutCompleted,
			fmt.Sprintf("all %d waves done: %s", e.waves, e.describeCurrent()))
	}
	if e.Spec.Paused {
		return decision(v1alpha1.RolloutPhasePaused, v1alpha1.ReasonRolloutPaused,
			"spec.paused is true: no new wave starts; "+e.describeCurrent())
	}
	if e.Fleet != nil {
		return decision(v1alpha1.RolloutPhaseProgressing, e.Fleet.Reason, e.andCurrent(e.Fleet.Message))
	}
	if !e.done {
		return e.running()
	}
	return e.next()
}

// aborted is the decision of spec.abort.
func (e evaluation) aborted() Decision {
	message := "spec.abort is true: no new wave starts and every wave campaign that is not closed is cancelled"
	if e.current == 0 {
		message = "spec.abort is true: the rollout was aborted before its first wave; no wave starts"
	} else if !e.currentWave().Skipped {
		message += fmt.Sprintf("; wave %d of %d: %s", e.current, e.waves, upgraded(e.currentWave().Summary))
	}
	return decision(v1alpha1.RolloutPhaseAborted, v1alpha1.ReasonRolloutAborted, message)
}

// halted is the decision of the first wave that halts the rollout, an abort on failures before a
// failure.
func (e evaluation) halted() (Decision, bool) {
	for _, phase := range []v1alpha1.RolloutPhase{v1alpha1.RolloutPhaseAborted, v1alpha1.RolloutPhaseFailed} {
		for i, wave := range e.Started {
			if h := WaveHalted(wave.Summary, e.successPercent); h.Phase == phase {
				return decision(h.Phase, h.Reason, fmt.Sprintf("wave %d halted the rollout: %s; no new wave starts", i+1, h.Message)), true
			}
		}
	}
	return Decision{}, false
}

// running is the decision while the current wave runs or soaks.
func (e evaluation) running() Decision {
	if !e.succeeded {
		return decision(v1alpha1.RolloutPhaseProgressing, v1alpha1.ReasonWaveRunning, e.describeCurrent())
	}
	d := decision(v1alpha1.RolloutPhaseProgressing, v1alpha1.ReasonSoaking, e.describeCurrent())
	d.RequeueAt = e.soakEnd
	return d
}

// next is the decision once the next wave could start: it waits for an approval or a release
// window, or starts.
func (e evaluation) next() Decision {
	next := e.current + 1
	if approved := e.Spec.ApprovedWaves; approved != nil && int32(next) > *approved {
		return decision(v1alpha1.RolloutPhaseWaitingForApproval, v1alpha1.ReasonWaitingForApproval,
			e.andCurrent(fmt.Sprintf("wave %d waits for spec.approvedWaves >= %d", next, next)))
	}
	if e.NextRelease.After(e.Now) {
		d := decision(v1alpha1.RolloutPhaseWaitingForWindow, v1alpha1.ReasonWaitingForWindow,
			e.andCurrent(fmt.Sprintf("wave %d waits for the next release window, which opens at %s",
				next, e.NextRelease.Format(time.RFC3339))))
		d.RequeueAt, d.NextReleaseTime = e.NextRelease, e.NextRelease
		return d
	}
	d := decision(v1alpha1.RolloutPhaseProgressing, v1alpha1.ReasonWaveRunning, e.andCurrent(fmt.Sprintf("wave %d starts", next)))
	d.StartNextWave = true
	return d
}

// describeCurrent says where the current wave stands, with its counts.
func (e evaluation) describeCurrent() string {
	if e.current == 0 {
		return "wave 1 has not started"
	}
	wave := e.currentWave()
	switch {
	case wave.Skipped:
		return fmt.Sprintf("wave %d was skipped (no devices left to take)", e.current)
	case e.done:
		return fmt.Sprintf("wave %d succeeded (%s)", e.current, counts(wave.Summary))
	case e.succeeded:
		return fmt.Sprintf("wave %d succeeded (%s) and soaks until %s", e.current, counts(wave.Summary),
			e.soakEnd.UTC().Format(time.RFC3339))
	}
	s := wave.Summary
	message := fmt.Sprintf("wave %d runs (%s; the gate is %d%%", e.current, counts(s), e.successPercent)
	if s.RequestPending > 0 {
		message += "; " + campaignsOf(s.RequestPending, s.Campaigns) + " not accepted by ThingSpace yet"
	}
	if s.AbortDue > 0 {
		message += "; " + campaignsOf(s.AbortDue, s.Campaigns) + " meeting spec.campaign.abortPolicy"
	}
	return message + ")"
}

// andCurrent is the current wave's description, when there is a current wave, then text.
func (e evaluation) andCurrent(text string) string {
	if e.current == 0 {
		return text
	}
	return e.describeCurrent() + "; " + text
}

// states is each started wave's state.
func (e evaluation) states() []v1alpha1.WaveState {
	states := make([]v1alpha1.WaveState, 0, e.current)
	for i, wave := range e.Started {
		isCurrent := i == e.current-1
		switch halt := WaveHalted(wave.Summary, e.successPercent); {
		case wave.Skipped:
			states = append(states, v1alpha1.WaveStateSkipped)
		case halt.Phase == v1alpha1.RolloutPhaseAborted:
			states = append(states, v1alpha1.WaveStateAborted)
		case halt.Phase == v1alpha1.RolloutPhaseFailed:
			states = append(states, v1alpha1.WaveStateFailed)
		case !isCurrent || e.done:
			states = append(states, v1alpha1.WaveStateSucceeded)
		case e.Spec.Abort:
			states = append(states, v1alpha1.WaveStateAborted)
		case e.succeeded:
			states = append(states, v1alpha1.WaveStateSoaking)
		default:
			states = append(states, v1alpha1.WaveStateRunning)
		}
	}
	return states
}

func decision(phase v1alpha1.RolloutPhase, reason, message string) Decision {
	return Decision{Phase: phase, Reason: reason, Message: message}
}
