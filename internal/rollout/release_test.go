package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	parsed, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return parsed
}

func window(start, end int32, days ...v1alpha1.Weekday) v1alpha1.ReleaseWindow {
	return v1alpha1.ReleaseWindow{Days: days, StartTime: start, EndTime: end}
}

func releaseWindows(zone string, windows ...v1alpha1.ReleaseWindow) *v1alpha1.ReleaseWindows {
	return &v1alpha1.ReleaseWindows{TimeZone: zone, Windows: windows}
}

func withBlackout(rw *v1alpha1.ReleaseWindows, dates ...v1alpha1.Date) *v1alpha1.ReleaseWindows {
	rw.BlackoutDates = dates
	return rw
}

// Days of the tests: 2026-12-07 is a Monday. Europe/Berlin goes forward on 2026-03-29 at 02:00
// (01:00 UTC) and back on 2026-10-25 at 03:00 (01:00 UTC); America/New_York goes forward on
// 2026-03-08 at 02:00 (07:00 UTC) and back on 2026-11-01 at 02:00 (06:00 UTC).
func TestNextRelease(t *testing.T) {
	weekdays := []v1alpha1.Weekday{v1alpha1.Monday, v1alpha1.Tuesday, v1alpha1.Wednesday, v1alpha1.Thursday}
	tests := map[string]struct {
		rw       *v1alpha1.ReleaseWindows
		now      string
		wantOpen bool
		wantNext string // RFC 3339, with the zone's offset
	}{
		"no release windows: always open": {
			rw: nil, now: "2026-12-07T03:00:00Z", wantOpen: true,
		},
		"no windows listed: every hour": {
			rw: releaseWindows("UTC"), now: "2026-12-07T03:00:00Z", wantOpen: true,
		},
		"inside a window: open": {
			rw: releaseWindows("UTC", window(9, 16)), now: "2026-12-07T09:00:00Z", wantOpen: true,
		},
		"before the day's window: it opens today": {
			rw: releaseWindows("UTC", window(9, 16)), now: "2026-12-07T08:59:59Z", wantNext: "2026-12-07T09:00:00Z",
		},
		"at the window's end hour: closed, it opens tomorrow": {
			rw: releaseWindows("UTC", window(9, 16)), now: "2026-12-07T16:00:00Z", wantNext: "2026-12-08T09:00:00Z",
		},
		"a window to midnight is open in its last minute": {
			rw: releaseWindows("UTC", window(22, 24)), now: "2026-12-07T23:59:00Z", wantOpen: true,
		},
		"the earliest of several windows, whatever their order": {
			rw:  releaseWindows("UTC", window(20, 22), window(13, 14), window(9, 10)),
			now: "2026-12-07T11:00:00Z", wantNext: "2026-12-07T13:00:00Z",
		},
		"the hours are local: 09:00 in Berlin is 08:00 UTC in winter": {
			rw: releaseWindows("Europe/Berlin", window(9, 16)), now: "2026-12-07T07:30:00Z", wantNext: "2026-12-07T09:00:00+01:00",
		},
		"inside a local window although outside the same hours in UTC": {
			rw: releaseWindows("America/New_York", window(9, 16)), now: "2026-12-07T20:30:00Z", wantOpen: true,
		},
		"Friday after the Mon-Thu window: it opens on Monday": {
			rw: releaseWindows("Europe/Berlin", window(9, 16, weekdays...)), now: "2026-12-11T10:00:00Z", wantNext: "2026-12-14T09:00:00+01:00",
		},
		"the day is the local day: Thursday 23:30 UTC is Friday in Berlin, outside Mon-Thu": {
			rw: releaseWindows("Europe/Berlin", window(0, 24, weekdays...)), now: "2026-12-10T23:30:00Z", wantNext: "2026-12-14T00:00:00+01:00",
		},
		"on a blackout date no window opens: the next day's does": {
			rw:  withBlackout(releaseWindows("Europe/Berlin", window(9, 16)), "2026-12-24"),
			now: "2026-12-24T10:00:00Z", wantNext: "2026-12-25T09:00:00+01:00",
		},
		"consecutive blackout dates are skipped together": {
			rw:  withBlackout(releaseWindows("Europe/Berlin", window(9, 16)), "2026-12-24", "2026-12-25", "2026-12-26"),
			now: "2026-12-23T16:00:00Z", wantNext: "2026-12-27T09:00:00+01:00",
		},
		"a blackout date is a local date: 23:30 UTC on the 23rd is the 24th in Berlin": {
			rw:  withBlackout(releaseWindows("Europe/Berlin", window(0, 24)), "2026-12-24"),
			now: "2026-12-23T23:30:00Z", wantNext: "2026-12-25T00:00:00+01:00",
		},
		"with windows in UTC the date is the UTC date: 23:30 UTC on the 23rd is no blackout of the 24th": {
			rw:  withBlackout(releaseWindows("UTC", window(0, 24)), "2026-12-24"),
			now: "2026-12-23T23:30:00Z", wantOpen: true,
		},
		"Berlin spring: a window from 02:00, an hour that does not exist, opens at 03:00 CEST": {
			rw: releaseWindows("Europe/Berlin", window(2, 5)), now: "2026-03-28T23:30:00Z", wantNext: "2026-03-29T03:00:00+02:00",
		},
		"Berlin spring: inside that window right after the jump": {
			rw: releaseWindows("Europe/Berlin", window(2, 5)), now: "2026-03-29T01:00:00Z", wantOpen: true,
		},
		"Berlin spring: a window whose hours all fall in the gap does not open that day": {
			rw: releaseWindows("Europe/Berlin", window(2, 3)), now: "2026-03-28T23:30:00Z", wantNext: "2026-03-30T02:00:00+02:00",
		},
		"Berlin spring: 09:00 is 07:00 UTC after the change and 08:00 UTC the day before": {
			rw: releaseWindows("Europe/Berlin", window(9, 16)), now: "2026-03-28T16:00:00Z", wantNext: "2026-03-29T09:00:00+02:00",
		},
		"Berlin fall: a window from 02:00, an hour that happens twice, opens the first time": {
			rw: releaseWindows("Europe/Berlin", window(2, 4)), now: "2026-10-24T22:00:00Z", wantNext: "2026-10-25T02:00:00+02:00",
		},
		"Berlin fall: the repeated hour is inside the window both times": {
			rw: releaseWindows("Europe/Berlin", window(2, 3)), now: "2026-10-25T01:30:00Z", wantOpen: true,
		},
		"Berlin fall: 03:00 after the change closes a window from 02:00, the day is an hour longer": {
			rw: releaseWindows("Europe/Berlin", window(2, 3)), now: "2026-10-25T02:00:00Z", wantNext: "2026-10-26T02:00:00+01:00",
		},
		"New York spring: a window from 02:00 opens at 03:00 EDT": {
			rw: releaseWindows("America/New_York", window(2, 6)), now: "2026-03-08T05:00:00Z", wantNext: "2026-03-08T03:00:00-04:00",
		},
		"New York spring: 01:59 EST is before the window": {
			rw: releaseWindows("America/New_York", window(2, 6)), now: "2026-03-08T06:59:00Z", wantNext: "2026-03-08T03:00:00-04:00",
		},
		"New York fall: a window from 01:00 opens at the first 01:00, EDT": {
			rw: releaseWindows("America/New_York", window(1, 2)), now: "2026-11-01T04:00:00Z", wantNext: "2026-11-01T01:00:00-04:00",
		},
		"New York fall: the second 01:00, EST, is inside it too": {
			rw: releaseWindows("America/New_York", window(1, 2)), now: "2026-11-01T06:30:00Z", wantOpen: true,
		},
		"New York fall: 09:00 is 14:00 UTC after the change": {
			rw: releaseWindows("America/New_York", window(9, 16)), now: "2026-11-01T03:00:00Z", wantNext: "2026-11-01T09:00:00-05:00",
		},
		"a zone half an hour off UTC": {
			rw: releaseWindows("Asia/Kolkata", window(9, 10)), now: "2026-12-07T00:00:00Z", wantNext: "2026-12-07T09:00:00+05:30",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			open, next, err := NextRelease(tt.rw, at(t, tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if open != tt.wantOpen {
				t.Fatalf("open = %v, want %v (next %s)", open, tt.wantOpen, next.Format(time.RFC3339))
			}
			if tt.wantOpen {
				if !next.IsZero() {
					t.Errorf("next = %s while open, want the zero time", next)
				}
				return
			}
			if got := next.Format(time.RFC3339); got != tt.wantNext {
				t.Errorf("next = %s, want %s", got, tt.wantNext)
			}
			if !next.Equal(at(t, tt.wantNext)) {
				t.Errorf("next = %s is not the instant %s", next, tt.wantNext)
			}
		})
	}
}

func TestNextReleaseFails(t *testing.T) {
	var mondays []v1alpha1.Date
	for day := at(t, "2026-12-07T00:00:00Z"); len(mondays) < 60; day = day.AddDate(0, 0, 7) {
		mondays = append(mondays, v1alpha1.Date(day.Format(time.DateOnly)))
	}
	tests := map[string]struct {
		rw      *v1alpha1.ReleaseWindows
		wantErr string
	}{
		"an unknown zone": {
			rw: releaseWindows("Europe/Atlantis", window(9, 16)), wantErr: "spec.releaseWindows.timeZone",
		},
		"the machine's local zone means nothing to the reader": {
			rw: releaseWindows("Local", window(9, 16)), wantErr: "is not an IANA time zone name",
		},
		"a Monday window with the next 60 Mondays blacked out": {
			rw:      withBlackout(releaseWindows("UTC", window(9, 16, v1alpha1.Monday)), mondays...),
			wantErr: "no release window opens within 400 days",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := NextRelease(tt.rw, at(t, "2026-12-07T10:00:00Z"))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestNextReleaseOpensWhereItSaid walks a year of Berlin and New York hour by hour and checks
// that the instant NextRelease gives is open, and that the minute before it is not.
func TestNextReleaseOpensWhereItSaid(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York"} {
		rw := releaseWindows(zone, window(2, 3, v1alpha1.Sunday), window(9, 16, v1alpha1.Monday, v1alpha1.Friday))
		for now := at(t, "2026-01-01T00:17:00Z"); now.Year() == 2026; now = now.Add(time.Hour) {
			open, next, err := NextRelease(rw, now)
			if err != nil {
				t.Fatal(err)
			}
			if open {
				continue
			}
			if reopened, _, _ := NextRelease(rw, next); !reopened {
				t.Fatalf("%s at %s: the next window opens at %s, which is not open", zone, now, next)
			}
			if before := next.Add(-time.Minute); before.After(now) {
				if stillOpen, _, _ := NextRelease(rw, before); stillOpen {
					t.Fatalf("%s at %s: open a minute before the next window at %s", zone, now, next)
				}
			}
		}
	}
}
