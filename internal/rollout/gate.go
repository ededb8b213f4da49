package rollout

import (
	"fmt"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Defaults of spec.gate, for a spec that did not pass the API server's defaulting.
const (
	DefaultSuccessPercent int32 = 90
	DefaultSoakTime             = time.Duration(0)
)

// GateOf is spec.gate with its defaults: the success percentage and the soak time.
func GateOf(g v1alpha1.Gate) (successPercent int32, soakTime time.Duration) {
	successPercent, soakTime = DefaultSuccessPercent, DefaultSoakTime
	if g.SuccessPercent != nil {
		successPercent = *g.SuccessPercent
	}
	if g.SoakTime != nil {
		soakTime = g.SoakTime.Duration
	}
	return successPercent, soakTime
}

// WaveSummary is what the campaigns of one started wave report, as the controller counts it
// from their statuses: the devices by their ThingSpace status, and how many campaigns are in
// each situation that the gate and the halts look at.
type WaveSummary struct {
	// Devices is the number of devices of the wave, the denominator of successPercent.
	Devices int
	// Succeeded, Failed, Rejected, Cancelled and Pending count the wave's devices by their
	// ThingSpace status, as the campaigns' status.devices do.
	Succeeded, Failed, Rejected, Cancelled, Pending int

	// Campaigns is the number of the wave's campaigns.
	Campaigns int
	// RequestPending counts the campaigns that ThingSpace has not accepted yet: not scheduled,
	// or still CampaignRequestPending.
	RequestPending int
	// Closed counts the campaigns that are over: ended, cancelled, aborted or failed.
	Closed int
	// ScheduleFailed counts the campaigns that failed to schedule: CampaignRequestFailed, or
	// Synced=False with Conflict, ThingSpaceRejected or CampaignNameUsed.
	ScheduleFailed int
	// AbortedOnFailures counts the campaigns the operator aborted for their abortPolicy.
	AbortedOnFailures int
	// AbortDue counts the running campaigns whose device report meets their abortPolicy: they
	// are about to be aborted.
	AbortDue int
	// ScheduleFailedReason is the reason and message of one campaign that failed to schedule,
	// for the rollout's message.
	ScheduleFailedReason string
}

// reachedPercent reports whether succeeded devices are at least successPercent of the wave's.
func reachedPercent(s WaveSummary, successPercent int32) bool {
	return int64(s.Succeeded)*100 >= int64(successPercent)*int64(s.Devices)
}

// WaveSucceeded reports whether the wave meets its gate's success test now: it has campaigns,
// every one of them has left CampaignRequestPending, its succeeded devices are at least
// successPercent of its devices, and no campaign meets its abortPolicy (a report can meet both
// thresholds at once) or failed to schedule. The soak time counts from the first time it does.
func WaveSucceeded(s WaveSummary, successPercent int32) bool {
	return s.Campaigns > 0 && s.RequestPending == 0 && reachedPercent(s, successPercent) &&
		s.AbortDue == 0 && s.AbortedOnFailures == 0 && s.ScheduleFailed == 0
}

// Halt is a wave's halt of the rollout: the phase and Ready reason it gives, and what happened.
// The zero Halt is no halt.
type Halt struct {
	// Phase is v1alpha1.RolloutPhaseAborted or v1alpha1.RolloutPhaseFailed; empty for no halt.
	Phase v1alpha1.RolloutPhase
	// Reason is the Ready reason: v1alpha1.ReasonWaveAbortedOnFailures or
	// v1alpha1.ReasonWaveFailed.
	Reason string
	// Message says what happened, with the wave's counts; it does not name the wave.
	Message string
}

// Halted reports whether h halts the rollout.
func (h Halt) Halted() bool {
	return h.Phase != ""
}

// WaveHalted is the halt a wave gives the rollout: Aborted/WaveAbortedOnFailures when the
// operator aborted one of its campaigns for its abortPolicy; Failed/WaveFailed when one failed to
// schedule, or when every campaign closed below successPercent. No halt otherwise.
func WaveHalted(s WaveSummary, successPercent int32) (halt Halt) {
	switch {
	case s.AbortedOnFailures > 0:
		return Halt{
			Phase:  v1alpha1.RolloutPhaseAborted,
			Reason: v1alpha1.ReasonWaveAbortedOnFailures,
			Message: fmt.Sprintf("%s aborted on failures by spec.campaign.abortPolicy (%d failed, %s)",
				campaignsOf(s.AbortedOnFailures, s.Campaigns), s.Failed, upgraded(s)),
		}
	case s.ScheduleFailed > 0:
		message := campaignsOf(s.ScheduleFailed, s.Campaigns) + " failed to schedule"
		if s.ScheduleFailedReason != "" {
			message += " (" + s.ScheduleFailedReason + ")"
		}
		return Halt{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed, Message: message}
	case s.Campaigns > 0 && s.Closed == s.Campaigns && !reachedPercent(s, successPercent):
		return Halt{
			Phase:  v1alpha1.RolloutPhaseFailed,
			Reason: v1alpha1.ReasonWaveFailed,
			Message: fmt.Sprintf("every campaign closed with %s, below successPercent %d%%",
				upgraded(s), successPercent),
		}
	}
	return Halt{}
}

// campaignsOf says how many of the wave's campaigns, e.g. "1 of 3 campaigns".
func campaignsOf(n, of int) string {
	noun := "campaigns"
	if of == 1 {
		noun = "campaign"
	}
	return fmt.Sprintf("%d of %d %s", n, of, noun)
}

// upgraded is the wave's progress, e.g. "9780/9990 upgraded, 97%".
func upgraded(s WaveSummary) string {
	return fmt.Sprintf("%d/%d upgraded, %d%%", s.Succeeded, s.Devices, percentOf(s.Succeeded, s.Devices))
}

// counts is the wave's progress in short, e.g. "9780/9990, 97%".
func counts(s WaveSummary) string {
	return fmt.Sprintf("%d/%d, %d%%", s.Succeeded, s.Devices, percentOf(s.Succeeded, s.Devices))
}

// percentOf is n of total in whole percent, rounded down, so that 99.9% never shows as 100%.
func percentOf(n, total int) int {
	if total <= 0 {
		return 0
	}
	return int(int64(n) * 100 / int64(total))
}
