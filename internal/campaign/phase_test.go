package campaign

import (
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestStartAndEndAreUTCDayBoundaries(t *testing.T) {
	s := campaignSchedule()
	if got, want := Start(s), utc(t, "2026-11-23T00:00:00Z"); !got.Equal(want) {
		t.Errorf("Start = %s, want %s (00:00 UTC of startDate)", got, want)
	}
	if got, want := End(s), utc(t, "2026-12-01T00:00:00Z"); !got.Equal(want) {
		t.Errorf("End = %s, want %s (00:00 UTC of the day after endDate)", got, want)
	}
	if got := End(v1alpha1.Schedule{StartDate: "2026-12-31", EndDate: "2026-12-31"}); !got.Equal(utc(t, "2027-01-01T00:00:00Z")) {
		t.Errorf("End of a one-day campaign on New Year's Eve = %s, want 2027-01-01T00:00:00Z", got)
	}
}

func TestPhaseAtByDates(t *testing.T) {
	s := campaignSchedule() // 2026-11-23 to the end of 2026-11-30
	tests := []struct {
		name string
		now  string
		want v1alpha1.Phase
	}{
		{"a day before the start is Pending", "2026-11-22T00:00:00Z", v1alpha1.PhasePending},
		{"one nanosecond before 00:00 UTC of the start date is Pending", "2026-11-22T23:59:59.999999999Z", v1alpha1.PhasePending},
		{"exactly 00:00 UTC of the start date is InProgress", "2026-11-23T00:00:00Z", v1alpha1.PhaseInProgress},
		{"late on the end date is InProgress", "2026-11-30T23:00:00Z", v1alpha1.PhaseInProgress},
		{"one nanosecond before the day after the end date is InProgress", "2026-11-30T23:59:59.999999999Z", v1alpha1.PhaseInProgress},
		{"exactly 00:00 UTC of the day after the end date is Ended", "2026-12-01T00:00:00Z", v1alpha1.PhaseEnded},
		{"a month after the end is Ended", "2027-01-01T00:00:00Z", v1alpha1.PhaseEnded},
		{"a zone other than UTC is read as the same instant: 19:00 at -05:00 is 00:00 UTC", "2026-11-22T19:00:00-05:00", v1alpha1.PhaseInProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhaseAt(s, "", utc(t, tt.now)); got != tt.want {
				t.Errorf("PhaseAt(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}

func TestPhaseAtWithThingSpaceStatus(t *testing.T) {
	s := campaignSchedule()
	pending := "2026-11-20T12:00:00Z"
	running := "2026-11-25T12:00:00Z"
	tests := []struct {
		name   string
		status string
		now    string
		want   v1alpha1.Phase
	}{
		{"CampaignCancelled overrides a pending date", "CampaignCancelled", pending, v1alpha1.PhaseCancelled},
		{"CampaignAborted overrides a running date", "CampaignAborted", running, v1alpha1.PhaseAborted},
		{"CampaignFailed is Failed", "CampaignFailed", running, v1alpha1.PhaseFailed},
		{"CampaignRequestFailed is Failed", "CampaignRequestFailed", pending, v1alpha1.PhaseFailed},
		{"CampaignEnded ends a campaign before its end date", "CampaignEnded", running, v1alpha1.PhaseEnded},
		{"RequestFailed without the prefix is Failed", "RequestFailed", pending, v1alpha1.PhaseFailed},
		{"campaigncancelled in lower case is Cancelled", "campaigncancelled", running, v1alpha1.PhaseCancelled},
		{"ABORTED in upper case without the prefix is Aborted", "ABORTED", running, v1alpha1.PhaseAborted},
		{"surrounding spaces are ignored", " CampaignEnded ", pending, v1alpha1.PhaseEnded},
		{"CampaignScheduled falls back to the dates (pending)", "CampaignScheduled", pending, v1alpha1.PhasePending},
		{"CampaignScheduled falls back to the dates (running)", "CampaignScheduled", running, v1alpha1.PhaseInProgress},
		{"CampaignRequestPending falls back to the dates", "CampaignRequestPending", running, v1alpha1.PhaseInProgress},
		{"an unknown status falls back to the dates", "CampaignPaused", pending, v1alpha1.PhasePending},
		{"an empty status falls back to the dates", "", running, v1alpha1.PhaseInProgress},
		{"a status merely containing a final word is not final", "CampaignNotCancelled", running, v1alpha1.PhaseInProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhaseAt(s, tt.status, utc(t, tt.now)); got != tt.want {
				t.Errorf("PhaseAt(status %q, %s) = %s, want %s", tt.status, tt.now, got, tt.want)
			}
		})
	}
}

func TestPhaseAtWithUnreadableDates(t *testing.T) {
	now := utc(t, "2026-11-25T12:00:00Z")
	tests := []struct {
		name     string
		schedule v1alpha1.Schedule
		want     v1alpha1.Phase
	}{
		{"an unreadable end date after the start reads as Ended, so nothing is pushed on a guess",
			v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "soon"}, v1alpha1.PhaseEnded},
		{"an unreadable end date before a future start stays Pending, so the user can fix it",
			v1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "soon"}, v1alpha1.PhasePending},
		{"an unreadable start date reads as started",
			v1alpha1.Schedule{StartDate: "", EndDate: "2026-11-30"}, v1alpha1.PhaseInProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhaseAt(tt.schedule, "", now); got != tt.want {
				t.Errorf("PhaseAt(%+v) = %s, want %s", tt.schedule, got, tt.want)
			}
		})
	}
}

func TestNextBoundary(t *testing.T) {
	s := campaignSchedule()
	start := "2026-11-23T00:00:00Z"
	end := "2026-12-01T00:00:00Z"
	tests := []struct {
		name   string
		now    string
		want   string
		wantOK bool
	}{
		{"before the start the next boundary is the start", "2026-11-20T08:00:00Z", start, true},
		{"one nanosecond before the start it is still the start", "2026-11-22T23:59:59.999999999Z", start, true},
		{"at the start the next boundary is the end, as it must lie strictly after now", start, end, true},
		{"while running the next boundary is the end", "2026-11-27T08:00:00Z", end, true},
		{"one nanosecond before the end it is the end", "2026-11-30T23:59:59.999999999Z", end, true},
		{"at the end there is none", end, "", false},
		{"after the end there is none", "2026-12-24T00:00:00Z", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NextBoundary(s, utc(t, tt.now))
			if ok != tt.wantOK {
				t.Fatalf("NextBoundary(%s) ok = %v, want %v", tt.now, ok, tt.wantOK)
			}
			if ok && !got.Equal(utc(t, tt.want)) {
				t.Errorf("NextBoundary(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}

func TestNextBoundaryIsWhereThePhaseChanges(t *testing.T) {
	s := campaignSchedule()
	now := utc(t, "2026-11-20T08:00:00Z")
	for boundary, ok := NextBoundary(s, now); ok; boundary, ok = NextBoundary(s, now) {
		before := PhaseAt(s, "", boundary.Add(-time.Nanosecond))
		at := PhaseAt(s, "", boundary)
		if before == at {
			t.Errorf("phase is %s on both sides of the boundary %s", at, boundary)
		}
		now = boundary
	}
	if got := PhaseAt(s, "", now); got != v1alpha1.PhaseEnded {
		t.Errorf("after the last boundary the phase is %s, want Ended", got)
	}
}
