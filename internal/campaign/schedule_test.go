package campaign

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestEqual(t *testing.T) {
	tests := []struct {
		name string
		b    v1alpha1.Schedule
		want bool
	}{
		{"identical schedules are equal", campaignSchedule(), true},
		{"an after-date pointing at an equal value is no change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadAfterDate = datePtr("2026-11-23")
		}), true},
		{"an added download window is a change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{7, 8})
		}), false},
		{"dropping the download windows is a change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = nil
		}), false},
		{"a different start date is a change", modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-24" }), false},
		{"a different end date is a change", modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-01" }), false},
		{"unsetting the download after-date is a change", modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }), false},
		{"another install after-date is a change", modified(func(s *v1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-25") }), false},
		{"a widened window is a change", modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{5, 7}) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(campaignSchedule(), tt.b); got != tt.want {
				t.Errorf("Equal(base, %+v) = %v, want %v", tt.b, got, tt.want)
			}
			if got := Equal(tt.b, campaignSchedule()); got != tt.want {
				t.Errorf("Equal is not symmetric: Equal(%+v, base) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

func TestEqualTreatsWindowListsAsSets(t *testing.T) {
	tests := []struct {
		name string
		a, b []v1alpha1.TimeWindow
		want bool
	}{
		{"order is not a change", windows([2]int32{3, 4}, [2]int32{7, 8}), windows([2]int32{7, 8}, [2]int32{3, 4}), true},
		{"nil equals empty", nil, []v1alpha1.TimeWindow{}, true},
		{"a window listed twice is the same set, as ThingSpace reads the list", windows([2]int32{3, 4}, [2]int32{3, 4}), windows([2]int32{3, 4}), true},
		{"nil differs from one window", nil, windows([2]int32{3, 4}), false},
		{"an extra window is a change", windows([2]int32{3, 4}), windows([2]int32{3, 4}, [2]int32{7, 8}), false},
		{"same start, other end is a change", windows([2]int32{3, 4}), windows([2]int32{3, 5}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30", DownloadTimeWindowList: tt.a, InstallTimeWindowList: tt.b}
			b := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30", DownloadTimeWindowList: tt.b, InstallTimeWindowList: tt.a}
			if got := Equal(a, b); got != tt.want {
				t.Errorf("Equal with lists %v and %v = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestChangedFields(t *testing.T) {
	tests := []struct {
		name string
		b    v1alpha1.Schedule
		want []string
	}{
		{"identical schedules differ in nothing", campaignSchedule(), nil},
		{"an added window names only its own list", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = windows([2]int32{7, 8}, [2]int32{3, 4})
		}), []string{"downloadTimeWindowList"}},
		{"a window listed twice is no change, as window lists compare as sets", modified(func(s *v1alpha1.Schedule) {
			s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{5, 6})
		}), nil},
		{"several changes are named in the order of the spec", modified(func(s *v1alpha1.Schedule) {
			s.InstallTimeWindowList = nil
			s.EndDate = "2026-12-01"
			s.DownloadAfterDate = nil
		}), []string{"endDate", "downloadAfterDate", "installTimeWindowList"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChangedFields(campaignSchedule(), tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ChangedFields(base, %s) = %q, want %q", describe(tt.b), got, tt.want)
			}
		})
	}
}

// describe prints a schedule with its pointers followed, for failure messages.
func describe(s v1alpha1.Schedule) string {
	body, _ := json.Marshal(s)
	return string(body)
}
