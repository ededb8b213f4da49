package fotarollout

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/fota-operator/fota-operator/internal/text"
)

// Event reasons of a FotaRollout.
const (
	// EventWaveStarted: a wave's campaigns were created; the note names the wave, its devices and
	// its campaigns.
	EventWaveStarted = "WaveStarted"
	// EventWaveSucceeded: a wave passed its gate.
	EventWaveSucceeded = "WaveSucceeded"
	// EventWaveSkipped: a wave had no devices to take.
	EventWaveSkipped = "WaveSkipped"
	// EventWaveFailed: a wave halted the rollout as Failed.
	EventWaveFailed = "WaveFailed"
	// EventWaitingForApproval: the next wave waits for spec.approvedWaves.
	EventWaitingForApproval = "WaitingForApproval"
	// EventWaitingForWindow: the next wave waits for a release window.
	EventWaitingForWindow = "WaitingForWindow"
	// EventRolloutCompleted: every wave started and the last one is done.
	EventRolloutCompleted = "RolloutCompleted"
	// EventRolloutAborted: spec.abort, or a wave campaign aborted on failures, halted the rollout.
	EventRolloutAborted = "RolloutAborted"
)

// Actions of events: what the rollout was doing.
const (
	actionStartWave = "StartWave"
	actionEvaluate  = "EvaluateGate"
)

// maxEventNote is the longest note the events.k8s.io API accepts.
const maxEventNote = 1024

func (r *Reconciler) event(obj runtime.Object, eventType, reason, action, note string, args ...any) {
	r.recorder.Eventf(obj, nil, eventType, reason, action, "%s", text.Truncate(fmt.Sprintf(note, args...), maxEventNote))
}
