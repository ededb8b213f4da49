package simulator

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// ThingSpace's rules for a campaign's schedule, as its documentation states them. They are
// written here independently of the operator's own rules on purpose (see the package comment).

const dateLayout = "2006-01-02"

// phase is where a campaign stands at a moment. A campaign runs from its start date at 00:00 UTC
// to the end of its end date.
type phase int

const (
	phaseBeforeStart phase = iota
	phaseRunning
	phaseOver // ended by its dates, or by a final ThingSpace status
)

// finalStatuses are the statuses after which ThingSpace changes nothing, compared without case
// and without the optional "Campaign" prefix.
var finalStatuses = map[string]bool{
	"cancelled": true, "canceled": true, "aborted": true, "failed": true, "requestfailed": true, "ended": true,
}

func normalStatus(status string) string {
	s := strings.ToLower(strings.TrimSpace(status))
	return strings.TrimPrefix(s, "campaign")
}

// phaseAt returns the campaign's phase at now and, when it is over, why.
func phaseAt(c thingspace.Campaign, now time.Time) (phase, string) {
	if finalStatuses[normalStatus(c.Status)] {
		return phaseOver, "the campaign is " + c.Status
	}
	start, err := parseDate(c.StartDate)
	if err != nil {
		return phaseOver, fmt.Sprintf("the campaign's stored startDate %q is not a date", c.StartDate)
	}
	end, err := parseDate(c.EndDate)
	if err != nil {
		return phaseOver, fmt.Sprintf("the campaign's stored endDate %q is not a date", c.EndDate)
	}
	switch {
	case now.Before(start):
		return phaseBeforeStart, ""
	case now.Before(end.AddDate(0, 0, 1)):
		return phaseRunning, ""
	default:
		return phaseOver, "the campaign ended with its endDate " + c.EndDate
	}
}

// parseDate accepts only YYYY-MM-DD real calendar dates, as midnight UTC.
func parseDate(value string) (time.Time, error) {
	if len(value) != len(dateLayout) {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", value)
	}
	return time.Parse(dateLayout, value)
}

func utcDate(t time.Time) string { return t.UTC().Format(dateLayout) }

// checkSchedule returns what is wrong with a schedule on its own, whatever the campaign's phase.
func checkSchedule(d thingspace.Dates) []string {
	var problems []string
	_, startErr := parseDate(d.StartDate)
	if startErr != nil {
		problems = append(problems, fmt.Sprintf("startDate %q is not a YYYY-MM-DD calendar date", d.StartDate))
	}
	_, endErr := parseDate(d.EndDate)
	if endErr != nil {
		problems = append(problems, fmt.Sprintf("endDate %q is not a YYYY-MM-DD calendar date", d.EndDate))
	}
	if startErr == nil && endErr == nil && d.StartDate > d.EndDate {
		problems = append(problems, fmt.Sprintf("startDate %s is after endDate %s", d.StartDate, d.EndDate))
	}
	problems = append(problems, checkAfterDate("downloadAfterDate", d.DownloadAfterDate, d.EndDate, endErr == nil)...)
	problems = append(problems, checkAfterDate("installAfterDate", d.InstallAfterDate, d.EndDate, endErr == nil)...)
	problems = append(problems, checkWindows("downloadTimeWindowList", d.DownloadTimeWindowList)...)
	problems = append(problems, checkWindows("installTimeWindowList", d.InstallTimeWindowList)...)
	return problems
}

func checkAfterDate(field string, value *string, endDate string, endValid bool) []string {
	if value == nil {
		return nil
	}
	if _, err := parseDate(*value); err != nil {
		return []string{fmt.Sprintf("%s %q is not a YYYY-MM-DD calendar date", field, *value)}
	}
	if endValid && *value > endDate {
		return []string{fmt.Sprintf("%s %s is after endDate %s", field, *value, endDate)}
	}
	return nil
}

func checkWindows(field string, windows []thingspace.Window) []string {
	var problems []string
	for i, w := range windows {
		at := fmt.Sprintf("%s[%d]", field, i)
		startOK := w.StartTime >= 0 && w.StartTime <= 23
		endOK := w.EndTime >= 1 && w.EndTime <= 24
		if !startOK {
			problems = append(problems, fmt.Sprintf("%s.startTime %d is outside 0..23", at, w.StartTime))
		}
		if !endOK {
			problems = append(problems, fmt.Sprintf("%s.endTime %d is outside 1..24", at, w.EndTime))
		}
		if startOK && endOK && w.StartTime >= w.EndTime {
			problems = append(problems, fmt.Sprintf(
				"%s: startTime %d must be before endTime %d (a window across midnight is two windows)",
				at, w.StartTime, w.EndTime))
		}
	}
	return problems
}

// checkChange returns why ThingSpace would refuse to replace the campaign's schedule with
// desired at now; desired has passed checkSchedule.
func checkChange(current thingspace.Campaign, desired thingspace.Dates, now time.Time) []string {
	switch stage, why := phaseAt(current, now); stage {
	case phaseBeforeStart:
		return checkBeforeStart(current, desired, now)
	case phaseRunning:
		return checkWhileRunning(current, desired, now)
	default:
		if sameSchedule(scheduleOf(current), desired) {
			return nil
		}
		return []string{why + ": its dates and windows can no longer change"}
	}
}

func checkBeforeStart(current thingspace.Campaign, desired thingspace.Dates, now time.Time) []string {
	today := utcDate(now)
	if desired.StartDate != current.StartDate && desired.StartDate < today {
		return []string{fmt.Sprintf("startDate %s is in the past: a new start date must be today (%s UTC) or later",
			desired.StartDate, today)}
	}
	return nil
}

func checkWhileRunning(current thingspace.Campaign, desired thingspace.Dates, now time.Time) []string {
	var problems []string
	if desired.StartDate != current.StartDate {
		problems = append(problems, fmt.Sprintf("startDate cannot change after the campaign started on %s (sent %s)",
			current.StartDate, desired.StartDate))
	}
	problems = append(problems, checkAfterDateKept("downloadAfterDate", current.DownloadAfterDate, desired.DownloadAfterDate)...)
	problems = append(problems, checkAfterDateKept("installAfterDate", current.InstallAfterDate, desired.InstallAfterDate)...)
	if earliest := utcDate(now.Add(24 * time.Hour)); desired.EndDate != current.EndDate && desired.EndDate < earliest {
		problems = append(problems, fmt.Sprintf(
			"endDate %s is too soon: after the start the end date may only move to %s or later (now + 24 hours, UTC)",
			desired.EndDate, earliest))
	}
	problems = append(problems, checkWindowsKept("downloadTimeWindowList", current.DownloadTimeWindowList, desired.DownloadTimeWindowList)...)
	problems = append(problems, checkWindowsKept("installTimeWindowList", current.InstallTimeWindowList, desired.InstallTimeWindowList)...)
	return problems
}

func checkAfterDateKept(field string, current, desired *string) []string {
	if sameDate(current, desired) {
		return nil
	}
	return []string{fmt.Sprintf("%s cannot change after the campaign started (is %s, sent %s)",
		field, showDate(current), showDate(desired))}
}

// checkWindowsKept requires every existing window to be sent again exactly; a widened or
// narrowed window counts as removed.
func checkWindowsKept(field string, current, desired []thingspace.Window) []string {
	var problems []string
	for _, w := range current {
		if !slices.Contains(desired, w) {
			problems = append(problems, fmt.Sprintf(
				"%s: window {%d,%d} is missing; after the start windows may be added but not removed or changed",
				field, w.StartTime, w.EndTime))
		}
	}
	return problems
}

func sameDate(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func showDate(d *string) string {
	if d == nil {
		return "null"
	}
	return *d
}

// sameSchedule compares two schedules, windows in any order.
func sameSchedule(a, b thingspace.Dates) bool {
	return a.StartDate == b.StartDate && a.EndDate == b.EndDate &&
		sameDate(a.DownloadAfterDate, b.DownloadAfterDate) && sameDate(a.InstallAfterDate, b.InstallAfterDate) &&
		sameWindows(a.DownloadTimeWindowList, b.DownloadTimeWindowList) &&
		sameWindows(a.InstallTimeWindowList, b.InstallTimeWindowList)
}

func sameWindows(a, b []thingspace.Window) bool {
	return slices.Equal(sortedWindows(a), sortedWindows(b))
}

func sortedWindows(windows []thingspace.Window) []thingspace.Window {
	sorted := slices.Clone(windows)
	slices.SortFunc(sorted, func(x, y thingspace.Window) int {
		if x.StartTime != y.StartTime {
			return int(x.StartTime - y.StartTime)
		}
		return int(x.EndTime - y.EndTime)
	})
	return sorted
}
