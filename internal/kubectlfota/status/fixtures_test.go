package status

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// The screens of the golden files are drawn at these instants.
var (
	// campaignNow is on the second day of the campaign, inside its install window.
	campaignNow = time.Date(2026, 12, 2, 5, 30, 0, 0, time.UTC)
	// rolloutNow is the morning after wave 2 passed its gate.
	rolloutNow = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
)

const (
	account    = "0402196254-00001"
	campaignID = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
)

func at(value string) metav1.Time {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		panic(err)
	}
	return metav1.NewTime(t)
}

func atPtr(value string) *metav1.Time {
	t := at(value)
	return &t
}

func date(value string) *v1alpha1.Date {
	d := v1alpha1.Date(value)
	return &d
}

func condition(kind string, status metav1.ConditionStatus, reason, message, since string) metav1.Condition {
	return metav1.Condition{Type: kind, Status: status, Reason: reason, Message: message,
		LastTransitionTime: at(since), ObservedGeneration: 1}
}

// imeis are n device ids, from first on.
func imeis(first, n int) []v1alpha1.DeviceID {
	ids := make([]v1alpha1.DeviceID, n)
	for i := range ids {
		ids[i] = v1alpha1.DeviceID(fmt.Sprintf("99001390%07d", first+i))
	}
	return ids
}

var software = v1alpha1.Software{Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
	To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP"}

// campaignInProgress is the FotaCampaign of the design's example on its second day: ThingSpace
// holds its spec, 120 of 500 devices upgraded.
func campaignInProgress(namespace string) *v1alpha1.FotaCampaign {
	return &v1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Name: "model-a-02to03", Namespace: namespace},
		Spec: v1alpha1.FotaCampaignSpec{
			AccountName:          account,
			CampaignID:           campaignID,
			CredentialsSecretRef: v1alpha1.SecretReference{Name: "thingspace-credentials"},
			AbortPolicy:          &v1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20},
			DisplayTimeZone:      "America/Chicago",
			Schedule: v1alpha1.Schedule{
				StartDate: "2026-12-01", EndDate: "2026-12-07",
				DownloadAfterDate:      date("2026-12-01"),
				DownloadTimeWindowList: []v1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
				InstallAfterDate:       date("2026-12-02"),
				InstallTimeWindowList:  []v1alpha1.TimeWindow{{StartTime: 5, EndTime: 6}},
			},
		},
	}
}

// campaignInProgressStatus is what the operator wrote at campaignNow.
func campaignInProgressStatus(fc *v1alpha1.FotaCampaign) v1alpha1.FotaCampaignStatus {
	applied := fc.Spec.Schedule
	return v1alpha1.FotaCampaignStatus{
		ObservedGeneration: fc.Generation,
		Phase:              v1alpha1.PhaseInProgress,
		Conditions: []metav1.Condition{
			condition(v1alpha1.ConditionSynced, metav1.ConditionTrue, v1alpha1.ReasonSynced, "ThingSpace holds the spec", "2026-12-01T08:00:00Z"),
			condition(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "", "2026-12-01T08:00:00Z"),
			condition(v1alpha1.ConditionTimeZoneShift, metav1.ConditionFalse, v1alpha1.ReasonNoTimeZoneShift,
				"the local hours of the windows stay the same during the campaign", "2026-12-01T08:00:00Z"),
		},
		Applied: &applied,
		Campaign: &v1alpha1.CampaignInfo{ID: campaignID, CampaignName: "FOTA_Verizon_Upgrade",
			SoftwareName: software.Name, DistributionType: "HTTP", Make: "Verizon", Model: "Model-A",
			SoftwareFrom: software.From, SoftwareTo: software.To, Status: "CampaignScheduled"},
		LastObservedTime: atPtr("2026-12-02T05:28:00Z"),
		LastPushedTime:   atPtr("2026-12-01T08:00:00Z"),
		Devices: &v1alpha1.DeviceProgress{Total: 500, Succeeded: 120, Failed: 3, Rejected: 7, Pending: 370,
			Upgraded: "120/500", LastReadTime: atPtr("2026-12-02T05:25:00Z"),
			FailureReasons: []v1alpha1.FailureReason{{Reason: "DeviceNotEligible", Count: 7}, {Reason: "RovaClientDownloadFailed", Count: 3}}},
		NextDownloadWindow: operatorWindow(campaign.NextDownloadWindow(applied, campaignNow)),
		NextInstallWindow:  operatorWindow(campaign.NextInstallWindow(applied, campaignNow)),
	}
}

// operatorWindow is a next window as the operator computes it, so that the fixture cannot drift
// from what the operator writes.
func operatorWindow(iv campaign.Interval, ok bool) *v1alpha1.ActionWindow {
	if !ok {
		return nil
	}
	chicago, err := campaign.LoadTimeZone("America/Chicago")
	if err != nil {
		panic(err)
	}
	return &v1alpha1.ActionWindow{Start: metav1.NewTime(iv.Start), End: metav1.NewTime(iv.End), Local: campaign.LocalText(iv, chicago)}
}

// rolloutAwaitingApproval is a rollout of a fleet of 1000 devices in three waves, of which two
// are approved.
func rolloutAwaitingApproval(namespace, name string) *v1alpha1.FotaRollout {
	return &v1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: v1alpha1.FotaRolloutSpec{
			AccountName:          account,
			CredentialsSecretRef: v1alpha1.SecretReference{Name: "thingspace-credentials"},
			Software:             software,
			DevicesFrom:          []v1alpha1.DevicesSource{{ConfigMapKeyRef: v1alpha1.ConfigMapKeyReference{Name: "fleet-model-a", Key: "imeis"}}},
			Waves:                []v1alpha1.Wave{{Devices: ptr.To[int32](10)}, {Percent: ptr.To[int32](10)}, {Percent: ptr.To[int32](100)}},
			Campaign: v1alpha1.CampaignTemplate{DurationDays: 7,
				InstallTimeWindowList: []v1alpha1.TimeWindow{{StartTime: 5, EndTime: 6}}},
			Gate: v1alpha1.Gate{SuccessPercent: ptr.To[int32](90), SoakTime: &metav1.Duration{Duration: 24 * time.Hour}},
			ReleaseWindows: &v1alpha1.ReleaseWindows{TimeZone: "Europe/Berlin",
				Windows:       []v1alpha1.ReleaseWindow{{Days: []v1alpha1.Weekday{v1alpha1.Monday, v1alpha1.Tuesday, v1alpha1.Wednesday, v1alpha1.Thursday}, StartTime: 9, EndTime: 16}},
				BlackoutDates: []v1alpha1.Date{"2026-12-24"}},
			ApprovedWaves: ptr.To[int32](2),
		},
	}
}

// rolloutAwaitingApprovalStatus is the rollout after wave 2 passed its gate and its soak.
func rolloutAwaitingApprovalStatus(fr *v1alpha1.FotaRollout) v1alpha1.FotaRolloutStatus {
	return v1alpha1.FotaRolloutStatus{
		ObservedGeneration: fr.Generation,
		Phase:              v1alpha1.RolloutPhaseWaitingForApproval,
		CurrentWave:        2,
		WaveText:           "2/3",
		FleetSize:          1000,
		Devices:            &v1alpha1.RolloutDevices{Total: 100, Succeeded: 98, Failed: 1, Pending: 1, Upgraded: "98/1000"},
		Waves: []v1alpha1.WaveStatus{
			{Wave: 1, Devices: 10, Campaigns: []string{fr.Name + "-w1-1"}, StartTime: atPtr("2026-11-23T09:00:00Z"),
				SucceededTime: atPtr("2026-11-24T09:00:00Z"), State: v1alpha1.WaveStateSucceeded, Succeeded: 10},
			{Wave: 2, Devices: 90, Campaigns: []string{fr.Name + "-w2-1"}, StartTime: atPtr("2026-11-26T09:00:00Z"),
				SucceededTime: atPtr("2026-12-01T05:00:00Z"), State: v1alpha1.WaveStateSucceeded, Succeeded: 88, Failed: 1},
		},
		Conditions: []metav1.Condition{
			condition(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWaitingForApproval,
				"wave 2 succeeded (88/90, 97%); wave 3 waits for spec.approvedWaves >= 3", "2026-12-02T05:00:00Z"),
		},
	}
}

// waveCampaign is the FotaCampaign of one wave of fr, as the operator creates it.
func waveCampaign(fr *v1alpha1.FotaRollout, wave int, start, end string, devices []v1alpha1.DeviceID) *v1alpha1.FotaCampaign {
	return &v1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("%s-w%d-1", fr.Name, wave), Namespace: fr.Namespace,
			Labels: map[string]string{v1alpha1.LabelRollout: fr.Name, v1alpha1.LabelWave: fmt.Sprint(wave)},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FotaRollout",
				Name: fr.Name, UID: fr.UID, Controller: ptr.To(true)}},
		},
		Spec: v1alpha1.FotaCampaignSpec{
			AccountName:          account,
			CredentialsSecretRef: fr.Spec.CredentialsSecretRef,
			Software:             &software,
			Devices:              devices,
			Schedule:             v1alpha1.Schedule{StartDate: v1alpha1.Date(start), EndDate: v1alpha1.Date(end)},
		},
	}
}

// waveCampaignStatus is a wave campaign scheduled by ThingSpace as id, with its device counts.
func waveCampaignStatus(fc *v1alpha1.FotaCampaign, phase v1alpha1.Phase, thingSpaceStatus, id string, devices v1alpha1.DeviceProgress) v1alpha1.FotaCampaignStatus {
	applied := fc.Spec.Schedule
	return v1alpha1.FotaCampaignStatus{
		ObservedGeneration: fc.Generation,
		Phase:              phase,
		Conditions: []metav1.Condition{
			condition(v1alpha1.ConditionSynced, metav1.ConditionTrue, v1alpha1.ReasonSynced, "ThingSpace holds the spec", "2026-11-23T09:00:00Z"),
			condition(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "", "2026-11-23T09:00:00Z"),
		},
		Applied:  &applied,
		Campaign: &v1alpha1.CampaignInfo{ID: id, CampaignName: fc.Namespace + "." + fc.Name, Status: thingSpaceStatus},
		Devices:  &devices,
	}
}
