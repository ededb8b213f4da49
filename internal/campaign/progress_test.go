package campaign

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestDeviceState(t *testing.T) {
	tests := map[string]string{
		"UpgradeSuccess":    DeviceSucceeded,
		"upgradesuccess":    DeviceSucceeded,
		"UpgradeFailed":     DeviceFailed,
		"UpgradedFailed":    DeviceFailed,
		"Failure":           DeviceFailed,
		"DeviceRejected":    DeviceRejected,
		"CampaignCancelled": DeviceCancelled,
		"CampaignAborted":   DeviceCancelled,
		"Cancelled":         DeviceCancelled,
		"aborted":           DeviceCancelled,
		"Accepted":          DevicePending,
		"UpgradePending":    DevicePending,
		"SomethingNew":      DevicePending,
		"":                  DevicePending,
	}
	for status, want := range tests {
		t.Run(status, func(t *testing.T) {
			if got := DeviceState(status); got != want {
				t.Errorf("DeviceState(%q) = %s, want %s", status, got, want)
			}
		})
	}
}

func TestTallyCountsAndTopReasons(t *testing.T) {
	tally := NewTally()
	add := func(n int, status, reason string) {
		for range n {
			tally.Add(status, reason)
		}
	}
	add(120, "UpgradeSuccess", "DownloadInstallSucceeded")
	add(3, "UpgradeFailed", "RovaClientDownloadFailed")
	add(2, "UpgradeFailed", "InstallFailed")
	add(2, "DeviceRejected", "Device does not exist.")
	add(1, "Failure", "")
	add(1, "UpgradeFailed", "BatteryLow")
	add(1, "UpgradeFailed", "Aaa")
	add(370, "Accepted", "")
	add(4, "CampaignAborted", "")

	got := tally.Progress()
	want := v1alpha1.DeviceProgress{
		Total: 504, Succeeded: 120, Failed: 8, Rejected: 2, Cancelled: 4, Pending: 370, Upgraded: "120/504",
		FailureReasons: []v1alpha1.FailureReason{
			{Reason: "RovaClientDownloadFailed", Count: 3},
			{Reason: "Device does not exist.", Count: 2},
			{Reason: "InstallFailed", Count: 2},
			{Reason: "(no reason given)", Count: 1},
			{Reason: "Aaa", Count: 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress\n got %+v\nwant %+v", got, want)
	}
}

func TestTallyRemembersABoundedNumberOfReasons(t *testing.T) {
	tally := NewTally()
	for i := range maxDistinctReasons + 500 {
		tally.Add("UpgradeFailed", fmt.Sprintf("reason-%d", i))
	}
	tally.Add("UpgradeFailed", "reason-0")
	if n := len(tally.reasons); n > maxDistinctReasons+1 {
		t.Errorf("%d distinct reasons remembered, want at most %d", n, maxDistinctReasons+1)
	}
	if top := tally.Progress().FailureReasons; top[0] != (v1alpha1.FailureReason{Reason: otherReasons, Count: 500}) {
		t.Errorf("top reason %+v, want the 500 beyond the bound counted together", top[0])
	}
}

func TestAbortDue(t *testing.T) {
	policy := &v1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20}
	tests := map[string]struct {
		policy            *v1alpha1.AbortPolicy
		succeeded, failed int32
		want              bool
	}{
		"15 of 75 finished failed: 20% with 75 finished":  {policy: policy, succeeded: 60, failed: 15, want: true},
		"exactly at the percentage":                       {policy: policy, succeeded: 90, failed: 10, want: true},
		"just below the percentage":                       {policy: policy, succeeded: 91, failed: 10},
		"above the percentage with too few finished":      {policy: policy, succeeded: 10, failed: 9},
		"exactly the minimum finished":                    {policy: policy, succeeded: 18, failed: 2, want: true},
		"no policy never aborts":                          {succeeded: 0, failed: 100},
		"nothing finished never aborts":                   {policy: &v1alpha1.AbortPolicy{FailedPercent: 1, MinFinishedDevices: 1}},
		"100% needs every finished device to have failed": {policy: &v1alpha1.AbortPolicy{FailedPercent: 100, MinFinishedDevices: 1}, succeeded: 1, failed: 99},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			progress := v1alpha1.DeviceProgress{Succeeded: tt.succeeded, Failed: tt.failed, Pending: 1000}
			if got := AbortDue(tt.policy, progress); got != tt.want {
				t.Errorf("AbortDue = %t, want %t", got, tt.want)
			}
		})
	}
}
