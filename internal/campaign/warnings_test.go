package campaign

import (
	"reflect"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name     string
		schedule v1alpha1.Schedule
		now      string
		want     []string
	}{
		{
			name:     "a future campaign with separate windows gives no warning",
			schedule: campaignSchedule(),
			now:      beforeStart,
		},
		{
			name:     "a start date in the past adopts a running campaign",
			schedule: modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-20" }),
			now:      running,
			want:     []string{"startDate 2026-11-20 is in the past: this adopts a running campaign, and the in-progress rules will apply"},
		},
		{
			name:     "a start date of today (UTC) means the campaign has already started at 00:00",
			schedule: campaignSchedule(),
			now:      "2026-11-23T00:00:00Z",
			want:     []string{"startDate 2026-11-23 is today (UTC): the campaign has already started, and the in-progress rules will apply"},
		},
		{
			name:     "an end date in the past means no change will ever be possible",
			schedule: campaignSchedule(),
			now:      afterEnd,
			want:     []string{"endDate 2026-11-30 is in the past: the campaign has ended, and ThingSpace allows no schedule change after the end"},
		},
		{
			name: "after-dates before the start date have no effect",
			schedule: modified(func(s *v1alpha1.Schedule) {
				s.DownloadAfterDate = datePtr("2026-11-22")
				s.InstallAfterDate = datePtr("2026-11-01")
			}),
			now: beforeStart,
			want: []string{
				"downloadAfterDate 2026-11-22 is before startDate 2026-11-23: devices act only once the campaign starts, so it has no effect",
				"installAfterDate 2026-11-01 is before startDate 2026-11-23: devices act only once the campaign starts, so it has no effect",
			},
		},
		{
			name: "overlapping windows in one list are named pair by pair",
			schedule: modified(func(s *v1alpha1.Schedule) {
				s.DownloadTimeWindowList = windows([2]int32{3, 5}, [2]int32{4, 6}, [2]int32{0, 24})
				s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{6, 7})
			}),
			now: beforeStart,
			want: []string{
				"downloadTimeWindowList: windows {3,5} and {4,6} overlap",
				"downloadTimeWindowList: windows {3,5} and {0,24} overlap",
				"downloadTimeWindowList: windows {4,6} and {0,24} overlap",
			},
		},
		{
			name: "the same hours in the download and the install list are no overlap",
			schedule: modified(func(s *v1alpha1.Schedule) {
				s.DownloadTimeWindowList = windows([2]int32{3, 5})
				s.InstallTimeWindowList = windows([2]int32{3, 5})
			}),
			now: beforeStart,
		},
		{
			name:     "unreadable dates are left to the schema",
			schedule: v1alpha1.Schedule{StartDate: "someday", EndDate: "2026-11-01", DownloadAfterDate: datePtr("2020-01-01")},
			now:      running,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Warnings(tt.schedule, utc(t, tt.now))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Warnings =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
