package rollout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// waveCampaign is a wave campaign of n devices, changed by change.
func waveCampaign(name string, n int, change func(*v1alpha1.FotaCampaign)) v1alpha1.FotaCampaign {
	fc := v1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for i := range n {
		fc.Spec.Devices = append(fc.Spec.Devices, v1alpha1.DeviceID(deviceID(i)))
	}
	if change != nil {
		change(&fc)
	}
	return fc
}

// scheduled is a campaign ThingSpace accepted, with status and device counts.
func scheduled(status string, phase v1alpha1.Phase, succeeded, failed, pending int32) func(*v1alpha1.FotaCampaign) {
	return func(fc *v1alpha1.FotaCampaign) {
		fc.Status.Campaign = &v1alpha1.CampaignInfo{ID: "id-" + fc.Name, Status: status}
		fc.Status.Phase = phase
		fc.Status.Devices = &v1alpha1.DeviceProgress{
			Total: succeeded + failed + pending, Succeeded: succeeded, Failed: failed, Pending: pending,
		}
	}
}

func condition(conditionType, status, reason, message string) metav1.Condition {
	return metav1.Condition{Type: conditionType, Status: metav1.ConditionStatus(status), Reason: reason, Message: message}
}

func then(changes ...func(*v1alpha1.FotaCampaign)) func(*v1alpha1.FotaCampaign) {
	return func(fc *v1alpha1.FotaCampaign) {
		for _, change := range changes {
			change(fc)
		}
	}
}

func TestSummarizeWave(t *testing.T) {
	abortPolicy := func(fc *v1alpha1.FotaCampaign) {
		fc.Spec.AbortPolicy = &v1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20}
	}
	tests := map[string]struct {
		campaigns []v1alpha1.FotaCampaign
		want      WaveSummary
	}{
		"no campaign yet": {},
		"a campaign just created: not scheduled, every device pending": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 10, nil)},
			want:      WaveSummary{Devices: 10, Pending: 10, Campaigns: 1, RequestPending: 1},
		},
		"ThingSpace still checks the request": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 10, scheduled("CampaignRequestPending", v1alpha1.PhasePending, 0, 0, 10))},
			want:      WaveSummary{Devices: 10, Pending: 10, Campaigns: 1, RequestPending: 1},
		},
		"two running campaigns add up": {
			campaigns: []v1alpha1.FotaCampaign{
				waveCampaign("w2-1", 10000, scheduled("CampaignScheduled", v1alpha1.PhaseInProgress, 9000, 100, 900)),
				waveCampaign("w2-2", 500, scheduled("campaignrequestqueued", v1alpha1.PhasePending, 0, 0, 500)),
			},
			want: WaveSummary{Devices: 10500, Succeeded: 9000, Failed: 100, Pending: 1400, Campaigns: 2},
		},
		"an id in the annotation counts as scheduled before the status has it": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 1, func(fc *v1alpha1.FotaCampaign) {
				fc.Annotations = map[string]string{v1alpha1.AnnotationCampaignID: "7929f354"}
				fc.Status.Campaign = &v1alpha1.CampaignInfo{Status: "CampaignScheduled"}
			})},
			want: WaveSummary{Devices: 1, Pending: 1, Campaigns: 1},
		},
		"ThingSpace refused the request: failed to schedule, and closed": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 3, then(
				scheduled("CampaignRequestFailed", v1alpha1.PhaseFailed, 0, 0, 0),
				func(fc *v1alpha1.FotaCampaign) { fc.Status.Devices.Rejected = 3 },
			))},
			want: WaveSummary{Devices: 3, Rejected: 3, Campaigns: 1, Closed: 1, ScheduleFailed: 1,
				ScheduleFailedReason: "w1-1: ThingSpace answered CampaignRequestFailed"},
		},
		"a name another campaign holds: failed to schedule, with the condition's reason": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 2, func(fc *v1alpha1.FotaCampaign) {
				fc.Status.Conditions = []metav1.Condition{condition(v1alpha1.ConditionSynced, "False", v1alpha1.ReasonCampaignNameUsed, "closed campaign x holds fleet.model-a-03-w1-1")}
			})},
			want: WaveSummary{Devices: 2, Pending: 2, Campaigns: 1, ScheduleFailed: 1,
				ScheduleFailedReason: "w1-1: CampaignNameUsed: closed campaign x holds fleet.model-a-03-w1-1"},
		},
		"ThingSpace unavailable is retried: still pending, not failed": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 2, func(fc *v1alpha1.FotaCampaign) {
				fc.Status.Conditions = []metav1.Condition{condition(v1alpha1.ConditionSynced, "False", v1alpha1.ReasonThingSpaceUnavailable, "503")}
			})},
			want: WaveSummary{Devices: 2, Pending: 2, Campaigns: 1, RequestPending: 1},
		},
		"a rejected PUT of a scheduled campaign is no failure to schedule": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 2, then(
				scheduled("CampaignScheduled", v1alpha1.PhaseInProgress, 1, 0, 1),
				func(fc *v1alpha1.FotaCampaign) {
					fc.Status.Conditions = []metav1.Condition{condition(v1alpha1.ConditionSynced, "False", v1alpha1.ReasonThingSpaceRejected, "bad date")}
				},
			))},
			want: WaveSummary{Devices: 2, Succeeded: 1, Pending: 1, Campaigns: 1},
		},
		"an ended and a cancelled campaign are closed": {
			campaigns: []v1alpha1.FotaCampaign{
				waveCampaign("w1-1", 2, scheduled("CampaignEnded", v1alpha1.PhaseEnded, 2, 0, 0)),
				waveCampaign("w1-2", 2, scheduled("CampaignCancelled", v1alpha1.PhaseCancelled, 0, 0, 0)),
			},
			want: WaveSummary{Devices: 4, Succeeded: 2, Campaigns: 2, Closed: 2},
		},
		"a running campaign whose report meets its abortPolicy is about to be aborted": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy, scheduled("CampaignScheduled", v1alpha1.PhaseInProgress, 30, 5, 65)))},
			want:      WaveSummary{Devices: 100, Succeeded: 30, Failed: 5, Pending: 65, Campaigns: 1, AbortDue: 1},
		},
		"below its abortPolicy's minimum of finished devices nothing is due": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy, scheduled("CampaignScheduled", v1alpha1.PhaseInProgress, 10, 5, 85)))},
			want:      WaveSummary{Devices: 100, Succeeded: 10, Failed: 5, Pending: 85, Campaigns: 1},
		},
		"the abort recorded before the DELETE: due": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy,
				scheduled("CampaignScheduled", v1alpha1.PhaseInProgress, 10, 5, 85),
				func(fc *v1alpha1.FotaCampaign) {
					fc.Annotations = map[string]string{v1alpha1.AnnotationAbortOnFailures: "{}"}
				},
			))},
			want: WaveSummary{Devices: 100, Succeeded: 10, Failed: 5, Pending: 85, Campaigns: 1, AbortDue: 1},
		},
		"aborted on failures: Ready=False/AbortedOnFailures": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy,
				scheduled("CampaignAborted", v1alpha1.PhaseAborted, 30, 5, 0),
				func(fc *v1alpha1.FotaCampaign) {
					fc.Status.Devices.Cancelled = 65
					fc.Status.Conditions = []metav1.Condition{condition(v1alpha1.ConditionReady, "False", v1alpha1.ReasonAbortedOnFailures, "5 of 35 failed")}
				},
			))},
			want: WaveSummary{Devices: 100, Succeeded: 30, Failed: 5, Cancelled: 65, Campaigns: 1, Closed: 1, AbortedOnFailures: 1},
		},
		"aborted on failures, known from the annotation before the condition": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy,
				scheduled("CampaignAborted", v1alpha1.PhaseAborted, 30, 5, 65),
				func(fc *v1alpha1.FotaCampaign) {
					fc.Annotations = map[string]string{v1alpha1.AnnotationAbortOnFailures: "{}"}
				},
			))},
			want: WaveSummary{Devices: 100, Succeeded: 30, Failed: 5, Pending: 65, Campaigns: 1, Closed: 1, AbortedOnFailures: 1},
		},
		"aborted by hand (cancel) is closed, not aborted on failures": {
			campaigns: []v1alpha1.FotaCampaign{waveCampaign("w1-1", 100, then(abortPolicy, scheduled("CampaignAborted", v1alpha1.PhaseAborted, 3, 0, 97)))},
			want:      WaveSummary{Devices: 100, Succeeded: 3, Pending: 97, Campaigns: 1, Closed: 1},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, SummarizeWave(tt.campaigns)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
