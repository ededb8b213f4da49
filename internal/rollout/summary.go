package rollout

import (
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// scheduleFailedReasons are the Synced=False reasons of a campaign that ThingSpace will not
// schedule as it stands: a person has to act, so the wave halts.
var scheduleFailedReasons = map[string]bool{
	v1alpha1.ReasonConflict:           true,
	v1alpha1.ReasonThingSpaceRejected: true,
	v1alpha1.ReasonCampaignNameUsed:   true,
}

// SummarizeWave counts a wave's FotaCampaigns the way the gate and the halts read them:
//   - Devices is the devices of their specs; the device counts come from status.devices, and a
//     campaign whose report was not read yet counts all its devices pending;
//   - a campaign without a ThingSpace id, or still CampaignRequestPending, is RequestPending,
//     unless it failed to schedule: ThingSpace answered CampaignRequestFailed, or it has no id and
//     is Synced=False with Conflict, ThingSpaceRejected or CampaignNameUsed (ScheduleUnknown waits
//     for a person but may still have scheduled, so it stays RequestPending);
//   - a campaign in phase Ended, Cancelled, Aborted or Failed is Closed;
//   - a campaign aborted for its abortPolicy (Ready=False/AbortedOnFailures, or the
//     abort-on-failures annotation on an aborted campaign) is AbortedOnFailures; one whose
//     report meets its abortPolicy, or that carries the annotation, while it runs is AbortDue.
func SummarizeWave(campaigns []v1alpha1.FotaCampaign) WaveSummary {
	var s WaveSummary
	for i := range campaigns {
		fc := &campaigns[i]
		s.Campaigns++
		s.Devices += len(fc.Spec.Devices)
		countDevices(&s, fc)

		thingSpaceStatus := ""
		if fc.Status.Campaign != nil {
			thingSpaceStatus = fc.Status.Campaign.Status
		}
		closed := campaign.IsClosedPhase(fc.Status.Phase)
		if closed {
			s.Closed++
		}
		if reason, failed := scheduleFailure(fc, thingSpaceStatus); failed {
			s.ScheduleFailed++
			if s.ScheduleFailedReason == "" {
				s.ScheduleFailedReason = fc.Name + ": " + reason
			}
		} else if !hasCampaignID(fc) || thingSpaceStatus == "" || campaign.IsRequestPending(thingSpaceStatus) {
			s.RequestPending++
		}

		abortRecorded := fc.Annotations[v1alpha1.AnnotationAbortOnFailures] != ""
		ready := meta.FindStatusCondition(fc.Status.Conditions, v1alpha1.ConditionReady)
		switch {
		case ready != nil && ready.Reason == v1alpha1.ReasonAbortedOnFailures,
			abortRecorded && fc.Status.Phase == v1alpha1.PhaseAborted:
			s.AbortedOnFailures++
		case closed:
			// A closed campaign will not be aborted any more.
		case abortRecorded,
			fc.Status.Devices != nil && campaign.AbortDue(fc.Spec.AbortPolicy, *fc.Status.Devices):
			s.AbortDue++
		}
	}
	return s
}

func countDevices(s *WaveSummary, fc *v1alpha1.FotaCampaign) {
	p := fc.Status.Devices
	if p == nil {
		s.Pending += len(fc.Spec.Devices)
		return
	}
	s.Succeeded += int(p.Succeeded)
	s.Failed += int(p.Failed)
	s.Rejected += int(p.Rejected)
	s.Cancelled += int(p.Cancelled)
	s.Pending += int(p.Pending)
}

// scheduleFailure is why ThingSpace will not schedule fc, if it will not.
func scheduleFailure(fc *v1alpha1.FotaCampaign, thingSpaceStatus string) (reason string, failed bool) {
	if campaign.IsRequestFailed(thingSpaceStatus) {
		return "ThingSpace answered " + thingSpaceStatus, true
	}
	if hasCampaignID(fc) {
		return "", false
	}
	synced := meta.FindStatusCondition(fc.Status.Conditions, v1alpha1.ConditionSynced)
	if synced != nil && synced.Status != "True" && scheduleFailedReasons[synced.Reason] {
		return synced.Reason + ": " + synced.Message, true
	}
	return "", false
}

func hasCampaignID(fc *v1alpha1.FotaCampaign) bool {
	return fc.Annotations[v1alpha1.AnnotationCampaignID] != "" || (fc.Status.Campaign != nil && fc.Status.Campaign.ID != "")
}
