package rollout

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// releaseLookahead is how many days NextRelease looks ahead for a window that opens. Blackout
// dates are at most 100, so a rollout with any window finds one long before.
const releaseLookahead = 400

// maxZoneOffset bounds how far any time zone is from UTC (the furthest is 14 hours ahead): every
// instant whose wall clock shows a given time lies within it of that time read as UTC.
const maxZoneOffset = 15 * time.Hour

var weekdays = map[v1alpha1.Weekday]time.Weekday{
	v1alpha1.Monday: time.Monday, v1alpha1.Tuesday: time.Tuesday, v1alpha1.Wednesday: time.Wednesday,
	v1alpha1.Thursday: time.Thursday, v1alpha1.Friday: time.Friday, v1alpha1.Saturday: time.Saturday,
	v1alpha1.Sunday: time.Sunday,
}

// LoadReleaseZone loads the zone of releaseWindows.timeZone; an empty name is UTC, its default.
func LoadReleaseZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	return campaign.LoadTimeZone(name)
}

// NextRelease tells whether a wave may start at now under the release windows rw: always when rw
// is nil; otherwise when now, read in rw's zone, lies inside a window on one of its days and not
// on a blackout date. When it may not, next is the instant the next such window opens, in rw's
// zone; when it may, next is the zero time.
//
// Windows are wall-clock hours of their zone, so they follow its daylight-saving changes: on the
// day clocks go forward, a window that starts at an hour that does not exist that day opens at
// the first instant after the gap (a window whose hours all fall in the gap does not open that
// day); on the day clocks go back, an hour that happens twice opens the first time. No windows
// at all means every hour. It looks about 400 days ahead and fails when no window opens in that
// time, or when the zone is unknown.
func NextRelease(rw *v1alpha1.ReleaseWindows, now time.Time) (open bool, next time.Time, err error) {
	if rw == nil {
		return true, time.Time{}, nil
	}
	loc, err := LoadReleaseZone(rw.TimeZone)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("spec.releaseWindows.timeZone: %w", err)
	}
	windows := rw.Windows
	if len(windows) == 0 {
		windows = []v1alpha1.ReleaseWindow{{StartTime: 0, EndTime: 24}}
	}
	local := now.In(loc)
	// Days are civil dates, kept as midnight UTC so that date arithmetic knows no zone. The day
	// before today is looked at too: a zone that goes back across midnight repeats its last hour.
	yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
	foundOn := -1
	for offset := 0; offset <= releaseLookahead+1; offset++ {
		if foundOn >= 0 && offset > foundOn+1 {
			break
		}
		day := yesterday.AddDate(0, 0, offset)
		if slices.Contains(rw.BlackoutDates, v1alpha1.Date(day.Format(time.DateOnly))) {
			continue
		}
		inside, opens := windowsOn(day, windows, loc, now)
		if inside {
			return true, time.Time{}, nil
		}
		if !opens.IsZero() && (next.IsZero() || opens.Before(next)) {
			next = opens
			if foundOn < 0 {
				foundOn = offset
			}
		}
	}
	if next.IsZero() {
		return false, time.Time{}, errors.New("no release window opens within 400 days: check the windows' days and the blackout dates")
	}
	return false, next, nil
}

// windowsOn looks at the windows of one day: whether now is inside one of them, and otherwise
// the first instant after now at which one opens (the zero time for none).
func windowsOn(day time.Time, windows []v1alpha1.ReleaseWindow, loc *time.Location, now time.Time) (inside bool, opens time.Time) {
	for _, w := range windows {
		if !opensOn(w, day.Weekday()) {
			continue
		}
		start := firstInstant(day.Add(time.Duration(w.StartTime)*time.Hour), loc)
		end := firstInstant(day.Add(time.Duration(w.EndTime)*time.Hour), loc)
		switch {
		case !start.Before(end):
			// Every hour of the window falls in a daylight-saving gap.
		case !now.Before(start) && now.Before(end):
			return true, time.Time{}
		case start.After(now) && (opens.IsZero() || start.Before(opens)):
			opens = start
		}
	}
	return false, opens
}

func opensOn(w v1alpha1.ReleaseWindow, day time.Weekday) bool {
	if len(w.Days) == 0 {
		return true
	}
	for _, d := range w.Days {
		if weekdays[d] == day {
			return true
		}
	}
	return false
}

// firstInstant is the first instant at which the wall clock of loc shows want (a wall time read
// as UTC), or, when the clock jumps over it, the first instant after the jump.
func firstInstant(want time.Time, loc *time.Location) time.Time {
	var earliest time.Time
	var transitions []time.Time
	limit := want.Add(maxZoneOffset)
	for t := want.Add(-maxZoneOffset); ; {
		_, offset := t.In(loc).Zone()
		candidate := want.Add(-time.Duration(offset) * time.Second)
		if wallClock(candidate, loc).Equal(want) && (earliest.IsZero() || candidate.Before(earliest)) {
			earliest = candidate
		}
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || end.After(limit) {
			break
		}
		transitions = append(transitions, end)
		t = end
	}
	if !earliest.IsZero() {
		return earliest.In(loc)
	}
	for _, jump := range transitions {
		if !wallClock(jump, loc).Before(want) && wallClock(jump.Add(-time.Nanosecond), loc).Before(want) {
			return jump.In(loc)
		}
	}
	// Unreachable for the zone database's zones; keep to what the time package makes of it.
	return time.Date(want.Year(), want.Month(), want.Day(), want.Hour(), 0, 0, 0, loc)
}

// wallClock is what the clock of loc shows at t, read as UTC.
func wallClock(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	return time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(),
		local.Nanosecond(), time.UTC)
}
