package campaign

import (
	"fmt"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Warnings lists the soft issues of a schedule at now: things ThingSpace accepts but a user most
// likely did not mean, worth an admission warning. Dates that do not parse are left to the schema,
// which rejects them with a better message.
func Warnings(desired v1alpha1.Schedule, now time.Time) []string {
	var warnings []string
	if w, ok := phaseWarning(desired, now); ok {
		warnings = append(warnings, w)
	}
	warnings = append(warnings, afterDateWarnings(desired)...)
	warnings = append(warnings, overlapWarnings(fieldDownloadTimeWindowList, desired.DownloadTimeWindowList)...)
	warnings = append(warnings, overlapWarnings(fieldInstallTimeWindowList, desired.InstallTimeWindowList)...)
	return warnings
}

// phaseWarning warns when a schedule describes a campaign that has already started or ended,
// because the stricter rules of that phase then govern every later change.
func phaseWarning(desired v1alpha1.Schedule, now time.Time) (string, bool) {
	start, startOK := parseDate(desired.StartDate)
	_, endOK := parseDate(desired.EndDate)
	if !startOK || !endOK {
		return "", false
	}
	switch phaseByDates(desired, now) {
	case v1alpha1.PhaseEnded:
		return fmt.Sprintf("endDate %s is in the past: the campaign has ended, and ThingSpace allows no schedule change after the end",
			desired.EndDate), true
	case v1alpha1.PhaseInProgress:
		if start.Equal(utcDay(now)) {
			return fmt.Sprintf("startDate %s is today (UTC): the campaign has already started, and the in-progress rules will apply",
				desired.StartDate), true
		}
		return fmt.Sprintf("startDate %s is in the past: this adopts a running campaign, and the in-progress rules will apply",
			desired.StartDate), true
	default:
		return "", false
	}
}

// afterDateWarnings warns about after-dates before the start date: devices only act inside the
// campaign, so such a date has the same effect as none and is likely a typo.
func afterDateWarnings(desired v1alpha1.Schedule) []string {
	start, ok := parseDate(desired.StartDate)
	if !ok {
		return nil
	}
	var warnings []string
	for _, afterDate := range []struct {
		name string
		date *v1alpha1.Date
	}{
		{fieldDownloadAfterDate, desired.DownloadAfterDate},
		{fieldInstallAfterDate, desired.InstallAfterDate},
	} {
		if afterDate.date == nil {
			continue
		}
		if after, ok := parseDate(*afterDate.date); ok && after.Before(start) {
			warnings = append(warnings, fmt.Sprintf(
				"%s %s is before startDate %s: devices act only once the campaign starts, so it has no effect",
				afterDate.name, *afterDate.date, desired.StartDate))
		}
	}
	return warnings
}

// overlapWarnings warns about windows of one list that share hours: ThingSpace accepts them, but
// they usually mean a typo or a window that was meant to replace another.
func overlapWarnings(listName string, windows []v1alpha1.TimeWindow) []string {
	var warnings []string
	for i, a := range windows {
		for _, b := range windows[i+1:] {
			if a.StartTime < b.EndTime && b.StartTime < a.EndTime {
				warnings = append(warnings, fmt.Sprintf("%s: windows %s and %s overlap",
					listName, formatWindow(a), formatWindow(b)))
			}
		}
	}
	return warnings
}
