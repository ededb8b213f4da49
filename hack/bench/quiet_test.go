package main

import (
	"testing"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestCheckQuietFindsTheStatusChangesInsideAStep(t *testing.T) {
	const step = 5 * time.Minute
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, time.UTC) }
	tests := map[string]struct {
		reason   string
		schedule fotav1alpha1.Schedule
		from     time.Time
		quiet    bool
	}{
		"pending campaign": {
			reason: "the benchmark's fleet starts days later, and its next windows end then",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-12", EndDate: "2026-12-18",
				DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}}},
			from:  at(2, 3, 58),
			quiet: true,
		},
		"running campaign without hour windows": {
			reason:   "the progress fleet's one interval runs to the end of the campaign",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07"},
			from:     at(2, 9, 58),
			quiet:    true,
		},
		"running campaign whose download window ends in the step": {
			reason: "the status shows the 09-10 window until 10:00, then the next day's",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07",
				DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 9, EndTime: 10}}},
			from: at(2, 9, 58),
		},
		"running campaign whose install window ends in the step": {
			reason: "the install window counts on its own, with no download window",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07",
				InstallTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 9, EndTime: 10}}},
			from: at(2, 9, 58),
		},
		"running campaign whose window ends after the step": {
			reason: "the 10-11 window has begun and ends at 11:00",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07",
				DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 10, EndTime: 11}}},
			from:  at(2, 10, 0),
			quiet: true,
		},
		"campaign ending in the step": {
			reason:   "the phase moves to Ended at 00:00 after the end date",
			schedule: fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-01"},
			from:     at(1, 23, 58),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := checkQuiet(1, func(int) fotav1alpha1.Schedule { return tt.schedule }, tt.from, tt.from.Add(step))
			if (err == nil) != tt.quiet {
				t.Fatalf("%s: checkQuiet = %v, want quiet %v", tt.reason, err, tt.quiet)
			}
		})
	}
}
