package campaign

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func datePtr(s string) *v1alpha1.Date {
	d := v1alpha1.Date(s)
	return &d
}

func window(start, end int32) v1alpha1.TimeWindow {
	return v1alpha1.TimeWindow{StartTime: start, EndTime: end}
}

func windows(pairs ...[2]int32) []v1alpha1.TimeWindow {
	list := make([]v1alpha1.TimeWindow, 0, len(pairs))
	for _, p := range pairs {
		list = append(list, window(p[0], p[1]))
	}
	return list
}

// utc parses an RFC 3339 time, failing the test when it does not parse.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return parsed
}

// campaignSchedule is the schedule most tests start from: a campaign running from 2026-11-23 to
// the end of 2026-11-30, with one download and one install window.
func campaignSchedule() v1alpha1.Schedule {
	return v1alpha1.Schedule{
		StartDate:              "2026-11-23",
		EndDate:                "2026-11-30",
		DownloadAfterDate:      datePtr("2026-11-23"),
		DownloadTimeWindowList: windows([2]int32{3, 4}),
		InstallAfterDate:       datePtr("2026-11-24"),
		InstallTimeWindowList:  windows([2]int32{5, 6}),
	}
}

// modified is campaignSchedule after change, leaving the original untouched.
func modified(change func(*v1alpha1.Schedule)) v1alpha1.Schedule {
	s := campaignSchedule()
	change(&s)
	return s
}

func sha256Sum(s string) [32]byte {
	return sha256.Sum256([]byte(s))
}
