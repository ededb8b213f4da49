package campaign

import (
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestNextDownloadWindow(t *testing.T) {
	// Every case uses a campaign from 2026-11-23 to the end of 2026-11-30 unless it says otherwise.
	base := func(change func(*v1alpha1.Schedule)) v1alpha1.Schedule {
		s := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30"}
		if change != nil {
			change(&s)
		}
		return s
	}
	tests := map[string]struct {
		schedule  v1alpha1.Schedule
		now       string
		wantStart string
		wantEnd   string // empty: no interval remains
	}{
		"before the start, the first window of the first day": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}) }),
			now:      "2026-11-20T12:00:00Z", wantStart: "2026-11-23T03:00:00Z", wantEnd: "2026-11-23T04:00:00Z",
		},
		"inside a window, that window with its start in the past": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}) }),
			now:      "2026-11-25T03:30:00Z", wantStart: "2026-11-25T03:00:00Z", wantEnd: "2026-11-25T04:00:00Z",
		},
		"at the end of a window, the next day's": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}) }),
			now:      "2026-11-25T04:00:00Z", wantStart: "2026-11-26T03:00:00Z", wantEnd: "2026-11-26T04:00:00Z",
		},
		"after the last window of the day, the first of the next day": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{10, 12}) }),
			now:      "2026-11-25T13:00:00Z", wantStart: "2026-11-26T03:00:00Z", wantEnd: "2026-11-26T04:00:00Z",
		},
		"windows in any order, the earliest that has not ended": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{10, 12}, [2]int32{3, 4}) }),
			now:      "2026-11-25T05:00:00Z", wantStart: "2026-11-25T10:00:00Z", wantEnd: "2026-11-25T12:00:00Z",
		},
		"touching windows are one interval": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{4, 5}, [2]int32{3, 4}) }),
			now:      "2026-11-25T00:00:00Z", wantStart: "2026-11-25T03:00:00Z", wantEnd: "2026-11-25T05:00:00Z",
		},
		"a window split at midnight is one interval across the day's end": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{22, 24}, [2]int32{0, 2}) }),
			now:      "2026-11-25T12:00:00Z", wantStart: "2026-11-25T22:00:00Z", wantEnd: "2026-11-26T02:00:00Z",
		},
		"after midnight inside a split window, it started the evening before": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{22, 24}, [2]int32{0, 2}) }),
			now:      "2026-11-26T01:00:00Z", wantStart: "2026-11-25T22:00:00Z", wantEnd: "2026-11-26T02:00:00Z",
		},
		"the split window on the first day starts at midnight of the start": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{22, 24}, [2]int32{0, 2}) }),
			now:      "2026-11-20T00:00:00Z", wantStart: "2026-11-23T00:00:00Z", wantEnd: "2026-11-23T02:00:00Z",
		},
		"the last day's split window stops at the end of the campaign": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{22, 24}, [2]int32{0, 2}) }),
			now:      "2026-11-30T12:00:00Z", wantStart: "2026-11-30T22:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"across a month's end": {
			schedule: base(func(s *v1alpha1.Schedule) {
				s.EndDate = "2026-12-03"
				s.DownloadTimeWindowList = windows([2]int32{3, 4})
			}),
			now: "2026-11-30T05:00:00Z", wantStart: "2026-12-01T03:00:00Z", wantEnd: "2026-12-01T04:00:00Z",
		},
		"after the last window of the last day, none remains": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}) }),
			now:      "2026-11-30T04:00:00Z",
		},
		"after the end, none remains": {
			schedule: base(nil),
			now:      "2026-12-01T00:00:00Z",
		},
		"no windows: the whole campaign is one interval": {
			schedule: base(nil),
			now:      "2026-11-20T00:00:00Z", wantStart: "2026-11-23T00:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"no windows while running: until the end": {
			schedule: base(nil),
			now:      "2026-11-25T09:00:00Z", wantStart: "2026-11-23T00:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"no windows with an after-date: from the after-date": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = datePtr("2026-11-27") }),
			now:      "2026-11-20T00:00:00Z", wantStart: "2026-11-27T00:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"windows with an after-date: the first window on or after it": {
			schedule: base(func(s *v1alpha1.Schedule) {
				s.DownloadAfterDate = datePtr("2026-11-27")
				s.DownloadTimeWindowList = windows([2]int32{3, 4})
			}),
			now: "2026-11-24T00:00:00Z", wantStart: "2026-11-27T03:00:00Z", wantEnd: "2026-11-27T04:00:00Z",
		},
		"an after-date before the start changes nothing": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = datePtr("2026-11-01") }),
			now:      "2026-11-20T00:00:00Z", wantStart: "2026-11-23T00:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"a window that can never match is ignored": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{5, 5}, [2]int32{7, 8}) }),
			now:      "2026-11-25T00:00:00Z", wantStart: "2026-11-25T07:00:00Z", wantEnd: "2026-11-25T08:00:00Z",
		},
		"only windows that can never match: none": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{22, 2}) }),
			now:      "2026-11-25T00:00:00Z",
		},
		"a whole-day window is one interval to the end": {
			schedule: base(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{0, 24}) }),
			now:      "2026-11-25T00:00:00Z", wantStart: "2026-11-23T00:00:00Z", wantEnd: "2026-12-01T00:00:00Z",
		},
		"unreadable dates: none": {
			schedule: v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "soon"},
			now:      "2026-11-20T00:00:00Z",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := NextDownloadWindow(tt.schedule, utc(t, tt.now))
			if tt.wantEnd == "" {
				if ok {
					t.Fatalf("interval %s - %s, want none", got.Start, got.End)
				}
				return
			}
			want := Interval{Start: utc(t, tt.wantStart), End: utc(t, tt.wantEnd)}
			if !ok || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
				t.Errorf("interval %s - %s (found %t), want %s - %s", got.Start, got.End, ok, want.Start, want.End)
			}
		})
	}
}

func TestDownloadAndInstallWindowsAreIndependent(t *testing.T) {
	s := campaignSchedule() // download {3,4} after 11-23, install {5,6} after 11-24
	now := utc(t, "2026-11-23T04:30:00Z")
	download, _ := NextDownloadWindow(s, now)
	install, _ := NextInstallWindow(s, now)
	if want := utc(t, "2026-11-24T03:00:00Z"); !download.Start.Equal(want) {
		t.Errorf("download window starts %s, want %s", download.Start, want)
	}
	if want := utc(t, "2026-11-24T05:00:00Z"); !install.Start.Equal(want) {
		t.Errorf("install window starts %s, want %s (installAfterDate 2026-11-24)", install.Start, want)
	}
}

func TestLocalText(t *testing.T) {
	chicago := mustLoad(t, "America/Chicago")
	tests := map[string]struct {
		start, end string
		loc        *time.Location
		want       string
	}{
		"a window on one local day": {
			start: "2026-12-02T03:00:00Z", end: "2026-12-02T04:00:00Z", loc: chicago,
			want: "2026-12-01 21:00 - 22:00 CST",
		},
		"a window across local midnight names the end's date": {
			start: "2026-12-02T05:00:00Z", end: "2026-12-02T07:00:00Z", loc: chicago,
			want: "2026-12-01 23:00 - 2026-12-02 01:00 CST",
		},
		"summer time": {
			start: "2027-06-02T03:00:00Z", end: "2027-06-02T04:00:00Z", loc: chicago,
			want: "2027-06-01 22:00 - 23:00 CDT",
		},
		"a window across the change names both zones": {
			start: "2027-03-14T07:00:00Z", end: "2027-03-14T09:00:00Z", loc: chicago,
			want: "2027-03-14 01:00 CST - 04:00 CDT",
		},
		"UTC": {
			start: "2026-12-02T03:00:00Z", end: "2026-12-02T04:00:00Z", loc: time.UTC,
			want: "2026-12-02 03:00 - 04:00 UTC",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := LocalText(Interval{Start: utc(t, tt.start), End: utc(t, tt.end)}, tt.loc)
			if got != tt.want {
				t.Errorf("LocalText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFirstZoneShift(t *testing.T) {
	chicago := mustLoad(t, "America/Chicago")
	tests := map[string]struct {
		schedule v1alpha1.Schedule
		loc      *time.Location
		wantAt   string // empty: no shift
		wantText string
	}{
		"a campaign across the US spring change": {
			schedule: v1alpha1.Schedule{StartDate: "2027-03-10", EndDate: "2027-03-20"},
			loc:      chicago, wantAt: "2027-03-14T08:00:00Z", wantText: "CST->CDT by 1h0m0s",
		},
		"a campaign across the US autumn change": {
			schedule: v1alpha1.Schedule{StartDate: "2026-10-30", EndDate: "2026-11-02"},
			loc:      chicago, wantAt: "2026-11-01T07:00:00Z", wantText: "CDT->CST by -1h0m0s",
		},
		"a winter campaign keeps its hours": {
			schedule: v1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07"},
			loc:      chicago,
		},
		"the change the day after the end does not count": {
			schedule: v1alpha1.Schedule{StartDate: "2027-03-10", EndDate: "2027-03-13"},
			loc:      chicago,
		},
		"a zone without daylight saving time": {
			schedule: v1alpha1.Schedule{StartDate: "2027-01-01", EndDate: "2027-12-31"},
			loc:      mustLoad(t, "Asia/Tokyo"),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := FirstZoneShift(tt.schedule, tt.loc)
			if tt.wantAt == "" {
				if ok {
					t.Fatalf("shift %+v, want none", got)
				}
				return
			}
			text := got.From + "->" + got.To + " by " + got.By.String()
			if !ok || !got.At.Equal(utc(t, tt.wantAt)) || text != tt.wantText {
				t.Errorf("shift at %s (%s, found %t), want at %s (%s)", got.At, text, ok, tt.wantAt, tt.wantText)
			}
		})
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return loc
}
