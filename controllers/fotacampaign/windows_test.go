package fotacampaign

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

func TestADaylightSavingChangeInsideTheCampaign(t *testing.T) {
	// 2027-03-14 02:00 CST the US moves to CDT: a 03:00-04:00 UTC window is 21:00-22:00 local
	// before, 22:00-23:00 after.
	schedule := fotav1alpha1.Schedule{
		StartDate: "2027-03-10", EndDate: "2027-03-20",
		DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
	}
	fc := managedCampaign(schedule)
	fc.Spec.DisplayTimeZone = "America/Chicago"
	ts := &fake.Client{GetCampaignFn: getting(held(fc, testID, "CampaignScheduled")), DeviceReportFn: reporting()}
	w := newDecisionWorld(t, ts)

	w.clk.SetTime(time.Date(2027, 3, 12, 12, 0, 0, 0, time.UTC))
	w.reconcile(fc)
	shift := condition(fc, fotav1alpha1.ConditionTimeZoneShift)
	if shift.Status != metav1.ConditionTrue || shift.Reason != fotav1alpha1.ReasonTimeZoneShift ||
		!strings.Contains(shift.Message, "America/Chicago changes from CST to CDT on 2027-03-14 03:00 CDT") ||
		!strings.Contains(shift.Message, "one hour later in local time") {
		t.Errorf("TimeZoneShift %s/%s %q, want True naming the change", shift.Status, shift.Reason, shift.Message)
	}
	if local := fc.Status.NextDownloadWindow.Local; local != "2027-03-12 21:00 - 22:00 CST" {
		t.Errorf("local text before the change %q, want 2027-03-12 21:00 - 22:00 CST", local)
	}

	w.clk.SetTime(time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC))
	w.reconcile(fc)
	if local := fc.Status.NextDownloadWindow.Local; local != "2027-03-15 22:00 - 23:00 CDT" {
		t.Errorf("local text after the change %q, want 2027-03-15 22:00 - 23:00 CDT", local)
	}
	if start := fc.Status.NextDownloadWindow.Start.Time; !start.Equal(time.Date(2027, 3, 16, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("window starts %s, want 2027-03-16 03:00 UTC: the UTC hours stay", start)
	}
}

func TestTheTimeZoneConditionFollowsTheSpec(t *testing.T) {
	tests := map[string]struct {
		zone       string
		wantStatus metav1.ConditionStatus
		wantReason string
		wantLocal  bool
	}{
		"no zone: no condition, no local text": {},
		"a winter campaign keeps its local hours": {
			zone: "America/Chicago", wantStatus: metav1.ConditionFalse, wantReason: fotav1alpha1.ReasonNoTimeZoneShift, wantLocal: true,
		},
		"a zone that does not exist, with the webhook off": {
			zone: "America/Atlantis", wantStatus: metav1.ConditionFalse, wantReason: fotav1alpha1.ReasonUnknownTimeZone,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := managedCampaign(pendingSchedule())
			fc.Spec.DisplayTimeZone = tt.zone
			ts := &fake.Client{GetCampaignFn: getting(held(fc, testID, "CampaignScheduled"))}
			w := newDecisionWorld(t, ts)

			w.reconcile(fc)

			got := condition(fc, fotav1alpha1.ConditionTimeZoneShift)
			if got.Status != tt.wantStatus || got.Reason != tt.wantReason {
				t.Errorf("TimeZoneShift %q/%q (%s), want %q/%q", got.Status, got.Reason, got.Message, tt.wantStatus, tt.wantReason)
			}
			if hasLocal := fc.Status.NextDownloadWindow.Local != ""; hasLocal != tt.wantLocal {
				t.Errorf("local text %q, want one: %t", fc.Status.NextDownloadWindow.Local, tt.wantLocal)
			}
		})
	}
}
