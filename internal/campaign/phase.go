package campaign

import (
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// dateLayout is the form of every ThingSpace date: a UTC day without a time.
const dateLayout = "2006-01-02"

// Start is the moment the campaign starts: 00:00 UTC of its start date. A start date that is not
// a YYYY-MM-DD date gives the zero time, so the campaign reads as started.
func Start(s v1alpha1.Schedule) time.Time {
	start, _ := parseDate(s.StartDate)
	return start
}

// End is the moment the campaign ends: the end of its end date, i.e. 00:00 UTC of the day after.
// An end date that is not a YYYY-MM-DD date gives the zero time, so a started campaign reads as
// ended and no rule lets a change through on a date nobody can read.
func End(s v1alpha1.Schedule) time.Time {
	end, ok := parseDate(s.EndDate)
	if !ok {
		return time.Time{}
	}
	return end.AddDate(0, 0, 1)
}

// PhaseAt is the phase of a campaign at now. A final ThingSpace status (cancelled, aborted,
// failed, ended) wins over the dates, since ThingSpace will not run such a campaign whatever its
// dates say; any other status, known or not, leaves the phase to the dates.
func PhaseAt(s v1alpha1.Schedule, thingSpaceStatus string, now time.Time) v1alpha1.Phase {
	if phase, final := phaseOfStatus(thingSpaceStatus); final {
		return phase
	}
	return phaseByDates(s, now)
}

// NextBoundary is the next moment after now at which the phase by dates changes: the start, or
// else the end. It is false when both have passed, as nothing then changes with time.
func NextBoundary(s v1alpha1.Schedule, now time.Time) (time.Time, bool) {
	for _, boundary := range []time.Time{Start(s), End(s)} {
		if boundary.After(now) {
			return boundary, true
		}
	}
	return time.Time{}, false
}

func phaseByDates(s v1alpha1.Schedule, now time.Time) v1alpha1.Phase {
	switch {
	case now.Before(Start(s)):
		return v1alpha1.PhasePending
	case now.Before(End(s)):
		return v1alpha1.PhaseInProgress
	default:
		return v1alpha1.PhaseEnded
	}
}

// finalStatuses maps ThingSpace's final statuses, lower-cased and without their "Campaign"
// prefix, to the phase they force. ThingSpace's examples spell statuses both with and without the
// prefix, and in varying case.
var finalStatuses = map[string]v1alpha1.Phase{
	"cancelled":     v1alpha1.PhaseCancelled,
	"canceled":      v1alpha1.PhaseCancelled,
	"aborted":       v1alpha1.PhaseAborted,
	"failed":        v1alpha1.PhaseFailed,
	"requestfailed": v1alpha1.PhaseFailed,
	"ended":         v1alpha1.PhaseEnded,
}

func phaseOfStatus(thingSpaceStatus string) (v1alpha1.Phase, bool) {
	phase, final := finalStatuses[normalStatus(thingSpaceStatus)]
	return phase, final
}

// IsClosedPhase reports whether a campaign in phase is closed for good: ended, cancelled,
// aborted or failed.
func IsClosedPhase(phase v1alpha1.Phase) bool {
	switch phase {
	case v1alpha1.PhaseEnded, v1alpha1.PhaseCancelled, v1alpha1.PhaseAborted, v1alpha1.PhaseFailed:
		return true
	}
	return false
}

// isClosed reports whether a phase allows no schedule change at all.
func isClosed(phase v1alpha1.Phase) bool {
	return phase != v1alpha1.PhasePending && phase != v1alpha1.PhaseInProgress
}

func parseDate(d v1alpha1.Date) (time.Time, bool) {
	t, err := time.Parse(dateLayout, string(d))
	return t, err == nil
}

// utcDay is the UTC calendar day that t falls on, at 00:00 UTC.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func formatDay(t time.Time) string {
	return t.UTC().Format(dateLayout)
}
