package campaign

import (
	"fmt"
	"slices"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Interval is a span of time, from Start up to (not including) End.
type Interval struct {
	Start, End time.Time
}

// NextDownloadWindow is the current or next interval in which devices may download under
// schedule s (what ThingSpace holds), as seen at now; false when none remains.
func NextDownloadWindow(s v1alpha1.Schedule, now time.Time) (Interval, bool) {
	return nextWindow(s, s.DownloadAfterDate, s.DownloadTimeWindowList, now)
}

// NextInstallWindow is the same for installing.
func NextInstallWindow(s v1alpha1.Schedule, now time.Time) (Interval, bool) {
	return nextWindow(s, s.InstallAfterDate, s.InstallTimeWindowList, now)
}

// nextWindow finds the first interval that ends after now, in which the campaign runs, the
// after-date has come and the hour (UTC) is inside one of the windows. Touching intervals are one:
// {3,4} and {4,5} open 03:00-05:00, and {22,24} with {0,2} open 22:00-02:00 across midnight. With
// no windows, the whole time from the after-date (or the start) to the end is one interval; with
// windows no device can ever match (a window across midnight that ThingSpace holds), there is none.
func nextWindow(s v1alpha1.Schedule, afterDate *v1alpha1.Date, windows []v1alpha1.TimeWindow, now time.Time) (Interval, bool) {
	first, end, ok := allowedSpan(s, afterDate)
	if !ok || !now.Before(end) {
		return Interval{}, false
	}
	if len(windows) == 0 {
		return Interval{Start: first, End: end}, true
	}
	hours := hourRanges(windows)
	for day := utcDay(maxTime(first, now)); day.Before(end) && len(hours) > 0; day = day.AddDate(0, 0, 1) {
		for _, h := range hours {
			candidate := clip(Interval{Start: day.Add(h.from), End: day.Add(h.to)}, first, end)
			if candidate.End.After(now) && candidate.Start.Before(candidate.End) {
				return extend(candidate, hours, first, end), true
			}
		}
	}
	return Interval{}, false
}

// allowedSpan is when devices may act by dates: from the later of the start and the after-date,
// to the end of the end date.
func allowedSpan(s v1alpha1.Schedule, afterDate *v1alpha1.Date) (first, end time.Time, ok bool) {
	start, startOK := parseDate(s.StartDate)
	endDay, endOK := parseDate(s.EndDate)
	if !startOK || !endOK {
		return time.Time{}, time.Time{}, false
	}
	first, end = start, endDay.AddDate(0, 0, 1)
	if afterDate != nil {
		if after, ok := parseDate(*afterDate); ok && after.After(first) {
			first = after
		}
	}
	return first, end, first.Before(end)
}

// hourRange is one merged window of a day, as offsets from 00:00 UTC.
type hourRange struct {
	from, to time.Duration
}

// hourRanges merges the windows of a list into sorted ranges that neither overlap nor touch.
// Windows that no device could ever match (outside 0..24, or not starting before they end) are
// left out.
func hourRanges(windows []v1alpha1.TimeWindow) []hourRange {
	var ranges []hourRange
	for _, w := range windows {
		if w.StartTime < 0 || w.EndTime > 24 || w.StartTime >= w.EndTime {
			continue
		}
		ranges = append(ranges, hourRange{from: time.Duration(w.StartTime) * time.Hour, to: time.Duration(w.EndTime) * time.Hour})
	}
	slices.SortFunc(ranges, func(a, b hourRange) int { return int(a.from - b.from) })
	var merged []hourRange
	for _, r := range ranges {
		if n := len(merged); n > 0 && r.from <= merged[n-1].to {
			merged[n-1].to = max(merged[n-1].to, r.to)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// extend joins an interval with the ranges that touch it across midnight: back into the day
// before when it starts at midnight and that day's last range ends there, and forward into the
// day after when it ends at midnight and that day's first range starts there; never beyond the
// campaign.
func extend(iv Interval, hours []hourRange, first, end time.Time) Interval {
	firstRange, lastRange := hours[0], hours[len(hours)-1]
	for iv.Start.After(first) && isMidnight(iv.Start) && firstRange.from == 0 && lastRange.to == 24*time.Hour {
		iv.Start = iv.Start.Add(lastRange.from - 24*time.Hour)
		if lastRange.from > 0 {
			break
		}
	}
	for iv.End.Before(end) && isMidnight(iv.End) && firstRange.from == 0 && lastRange.to == 24*time.Hour {
		iv.End = iv.End.Add(firstRange.to)
		if firstRange.to < 24*time.Hour {
			break
		}
	}
	return clip(iv, first, end)
}

func isMidnight(t time.Time) bool {
	return t.Equal(utcDay(t))
}

func clip(iv Interval, first, end time.Time) Interval {
	return Interval{Start: maxTime(iv.Start, first), End: minTime(iv.End, end)}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// LocalText writes an interval in loc the way a person reads a window: "2026-12-01 21:00 - 22:00
// CST", with the end's date when it falls on another local day and the end's zone when it differs.
func LocalText(iv Interval, loc *time.Location) string {
	start, end := iv.Start.In(loc), iv.End.In(loc)
	startZone, _ := start.Zone()
	endZone, _ := end.Zone()
	endLayout := "15:04"
	if start.Format(time.DateOnly) != end.Format(time.DateOnly) {
		endLayout = "2006-01-02 15:04"
	}
	if startZone != endZone {
		return fmt.Sprintf("%s %s - %s %s", start.Format("2006-01-02 15:04"), startZone, end.Format(endLayout), endZone)
	}
	return fmt.Sprintf("%s - %s %s", start.Format("2006-01-02 15:04"), end.Format(endLayout), startZone)
}

// ZoneShift is a change of loc's offset from UTC that falls inside a campaign.
type ZoneShift struct {
	At       time.Time
	From, To string // the zone abbreviations before and after, e.g. CST and CDT
	By       time.Duration
}

// FirstZoneShift is the first change of loc's UTC offset inside the campaign's dates (daylight
// saving time starting or ending): from then on the local hours of the UTC windows move. False when
// the offset stays the same from the start to the end.
func FirstZoneShift(s v1alpha1.Schedule, loc *time.Location) (ZoneShift, bool) {
	start, end := Start(s), End(s)
	if start.IsZero() || end.IsZero() {
		return ZoneShift{}, false
	}
	at := start.In(loc)
	for {
		_, boundary := at.ZoneBounds()
		if boundary.IsZero() || !boundary.Before(end) {
			return ZoneShift{}, false
		}
		fromName, fromOffset := at.Zone()
		toName, toOffset := boundary.In(loc).Zone()
		if fromOffset != toOffset {
			return ZoneShift{At: boundary.UTC(), From: fromName, To: toName, By: time.Duration(toOffset-fromOffset) * time.Second}, true
		}
		at = boundary.In(loc)
	}
}
