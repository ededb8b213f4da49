package campaign

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Baseline is what ThingSpace holds for a campaign: the schedule a change starts from, and the
// status that, with the current time, decides which changes are allowed.
type Baseline struct {
	// Schedule is what ThingSpace holds: status.applied when set, otherwise the old object's spec.
	Schedule v1alpha1.Schedule
	// Status is ThingSpace's raw status string (status.campaign.status); it may be empty.
	Status string
}

// HasBaseline reports whether ThingSpace may hold anything for fc. A FotaCampaign that schedules
// its campaign and has recorded no campaign id has none: ThingSpace holds nothing yet, or refused
// the POST, so only the static rules apply and a refused schedule can be fixed by editing it.
func HasBaseline(fc *v1alpha1.FotaCampaign) bool {
	if fc.Spec.Software == nil || fc.Spec.CampaignID != "" || fc.Annotations[v1alpha1.AnnotationCampaignID] != "" {
		return true
	}
	return fc.Status.Campaign != nil && fc.Status.Campaign.ID != ""
}

// BaselineOf is the baseline of an existing FotaCampaign. status.applied is preferred over the
// spec because the spec may hold a change that was never pushed, and ThingSpace judges a change
// against what it holds. The returned schedule shares its window lists with fc; nothing in this
// package modifies them.
func BaselineOf(fc *v1alpha1.FotaCampaign) Baseline {
	baseline := Baseline{Schedule: fc.Spec.Schedule}
	if fc.Status.Applied != nil {
		baseline.Schedule = *fc.Status.Applied
	}
	if fc.Status.Campaign != nil {
		baseline.Status = fc.Status.Campaign.Status
	}
	return baseline
}

// PhaseAt is the phase at now of the campaign ThingSpace holds.
func (b Baseline) PhaseAt(now time.Time) v1alpha1.Phase {
	return PhaseAt(b.Schedule, b.Status, now)
}

// Rule names one transition rule. Its value is stable and kebab-case, fit for a metrics label.
type Rule string

const (
	// RuleStartDateInPast is broken by moving the start date of a pending campaign before today
	// (UTC).
	RuleStartDateInPast Rule = "start-date-in-past"
	// RuleStartedFieldFrozen is broken by changing the start date or an after-date of a running
	// campaign.
	RuleStartedFieldFrozen Rule = "started-field-frozen"
	// RuleEndDateTooSoon is broken by moving the end date of a running campaign before the UTC
	// date of now + 24 h.
	RuleEndDateTooSoon Rule = "end-date-too-soon"
	// RuleWindowRemoved is broken by no longer listing a window that a running campaign has.
	RuleWindowRemoved Rule = "window-removed"
	// RuleCampaignClosed is broken by any schedule change to an ended, cancelled, aborted or
	// failed campaign.
	RuleCampaignClosed Rule = "campaign-closed"
	// RuleMalformedDate is broken by a date that a rule must compare but that is not a YYYY-MM-DD
	// calendar date.
	RuleMalformedDate Rule = "malformed-date"
)

// Violation is one broken rule, with the error a user sees for it.
type Violation struct {
	Rule  Rule
	Error *field.Error
}

// JSON names of the schedule fields, as they appear in paths and messages.
const (
	fieldStartDate              = "startDate"
	fieldEndDate                = "endDate"
	fieldDownloadAfterDate      = "downloadAfterDate"
	fieldDownloadTimeWindowList = "downloadTimeWindowList"
	fieldInstallAfterDate       = "installAfterDate"
	fieldInstallTimeWindowList  = "installTimeWindowList"
)

var specPath = field.NewPath("spec")

// CheckTransition lists the rules that changing the schedule from the baseline to desired breaks
// at now, in the order of the spec's fields; none when the change is allowed. An unchanged
// schedule is allowed in every phase, so a campaign that ThingSpace already matches is never
// blocked.
func CheckTransition(baseline Baseline, desired v1alpha1.Schedule, now time.Time) []Violation {
	if Equal(baseline.Schedule, desired) {
		return nil
	}
	switch phase := baseline.PhaseAt(now); phase {
	case v1alpha1.PhasePending:
		return checkBeforeStart(baseline.Schedule, desired, now)
	case v1alpha1.PhaseInProgress:
		return checkAfterStart(baseline.Schedule, desired, now)
	default:
		return checkClosed(baseline, desired, phase, now)
	}
}

// ValidateTransition is the errors of CheckTransition, for callers that only report them; nil
// when the change is allowed.
func ValidateTransition(baseline Baseline, desired v1alpha1.Schedule, now time.Time) field.ErrorList {
	return ErrorsOf(CheckTransition(baseline, desired, now))
}

// ErrorsOf is the errors of violations, in their order; nil when there are none.
func ErrorsOf(violations []Violation) field.ErrorList {
	if len(violations) == 0 {
		return nil
	}
	errs := make(field.ErrorList, 0, len(violations))
	for _, v := range violations {
		errs = append(errs, v.Error)
	}
	return errs
}

func checkBeforeStart(baseline, desired v1alpha1.Schedule, now time.Time) []Violation {
	if desired.StartDate == baseline.StartDate {
		return nil
	}
	path := specPath.Child(fieldStartDate)
	start, ok := parseDate(desired.StartDate)
	if !ok {
		return []Violation{malformedDate(path, desired.StartDate)}
	}
	today := utcDay(now)
	if start.Before(today) {
		return []Violation{{
			Rule: RuleStartDateInPast,
			Error: field.Invalid(path, string(desired.StartDate), fmt.Sprintf(
				"the start date may only move to today (%s, UTC) or later", formatDay(today))),
		}}
	}
	return nil
}

func checkAfterStart(baseline, desired v1alpha1.Schedule, now time.Time) []Violation {
	started := string(baseline.StartDate)
	var violations []Violation
	for _, c := range changedFields(baseline, desired) {
		switch c.name {
		case fieldEndDate:
			violations = append(violations, checkEndDateAfterStart(desired.EndDate, started, now)...)
		case fieldDownloadTimeWindowList:
			violations = append(violations, removedWindows(c.path(),
				baseline.DownloadTimeWindowList, desired.DownloadTimeWindowList, started)...)
		case fieldInstallTimeWindowList:
			violations = append(violations, removedWindows(c.path(),
				baseline.InstallTimeWindowList, desired.InstallTimeWindowList, started)...)
		default: // startDate and the after-dates
			violations = append(violations, frozenAfterStart(c, started))
		}
	}
	return violations
}

func checkEndDateAfterStart(desiredEnd v1alpha1.Date, started string, now time.Time) []Violation {
	path := specPath.Child(fieldEndDate)
	end, ok := parseDate(desiredEnd)
	if !ok {
		return []Violation{malformedDate(path, desiredEnd)}
	}
	// ThingSpace asks for an end no earlier than now + 24 h; with date-only end dates the
	// operator reads that as the UTC date of now + 24 h.
	earliest := utcDay(now.Add(24 * time.Hour))
	if end.Before(earliest) {
		return []Violation{{
			Rule: RuleEndDateTooSoon,
			Error: field.Invalid(path, string(desiredEnd), fmt.Sprintf(
				"the campaign started on %s; after the start the end date may only move to %s or later (now + 24 h, UTC)",
				started, formatDay(earliest))),
		}}
	}
	return nil
}

// removedWindows reports each baseline window that desired no longer lists. A window whose hours
// changed counts as removed: whether ThingSpace lets a started campaign widen a window is not
// documented, and adding the extra hours as another window is always allowed.
func removedWindows(path *field.Path, baseline, desired []v1alpha1.TimeWindow, started string) []Violation {
	var violations []Violation
	for i, w := range baseline {
		if containsWindow(desired, w) || containsWindow(baseline[:i], w) {
			continue
		}
		detail := fmt.Sprintf(
			"window %s is part of the campaign that started on %s and cannot be removed; after the start ThingSpace only allows adding windows",
			formatWindow(w), started)
		if widened, ok := windowCovering(desired, w); ok {
			detail += fmt.Sprintf(" (to widen it to %s, keep %s and add the extra hours as another window)",
				formatWindow(widened), formatWindow(w))
		}
		violations = append(violations, Violation{Rule: RuleWindowRemoved, Error: field.Forbidden(path, detail)})
	}
	return violations
}

// windowCovering finds a window of list that contains all hours of w, i.e. w widened.
func windowCovering(list []v1alpha1.TimeWindow, w v1alpha1.TimeWindow) (v1alpha1.TimeWindow, bool) {
	for _, candidate := range list {
		if candidate.StartTime <= w.StartTime && candidate.EndTime >= w.EndTime {
			return candidate, true
		}
	}
	return v1alpha1.TimeWindow{}, false
}

func frozenAfterStart(c fieldChange, started string) Violation {
	return Violation{
		Rule: RuleStartedFieldFrozen,
		Error: field.Forbidden(c.path(), fmt.Sprintf(
			"%s cannot change from %s to %s: the campaign started on %s; after the start ThingSpace only allows moving the end date and adding windows",
			c.name, c.from, c.to, started)),
	}
}

func checkClosed(baseline Baseline, desired v1alpha1.Schedule, phase v1alpha1.Phase, now time.Time) []Violation {
	reason := closedReason(baseline, phase, now)
	changes := changedFields(baseline.Schedule, desired)
	violations := make([]Violation, 0, len(changes))
	for _, c := range changes {
		violations = append(violations, Violation{
			Rule: RuleCampaignClosed,
			Error: field.Forbidden(c.path(), fmt.Sprintf("%s cannot change from %s to %s: %s",
				c.name, c.from, c.to, reason)),
		})
	}
	return violations
}

// closedReason says why a closed campaign is closed: its dates, or ThingSpace's status.
func closedReason(baseline Baseline, phase v1alpha1.Phase, now time.Time) string {
	if phase == v1alpha1.PhaseEnded && phaseByDates(baseline.Schedule, now) == v1alpha1.PhaseEnded {
		return fmt.Sprintf("the campaign ended on %s; ThingSpace allows no schedule change after the end",
			baseline.Schedule.EndDate)
	}
	return fmt.Sprintf("the campaign is %s in ThingSpace; no schedule change is possible", phase)
}

func malformedDate(path *field.Path, d v1alpha1.Date) Violation {
	return Violation{
		Rule:  RuleMalformedDate,
		Error: field.Invalid(path, string(d), "must be a calendar date in the form YYYY-MM-DD"),
	}
}

// fieldChange is one schedule field that differs between the baseline and the desired schedule,
// with both values written the way a user reads them.
type fieldChange struct {
	name     string
	from, to string
}

func (c fieldChange) path() *field.Path {
	return specPath.Child(c.name)
}

// changedFields lists the fields that differ, in the order of the spec. It compares exactly as
// Equal does, so two schedules are Equal if and only if it returns nothing.
func changedFields(baseline, desired v1alpha1.Schedule) []fieldChange {
	var changes []fieldChange
	note := func(name string, same bool, from, to string) {
		if !same {
			changes = append(changes, fieldChange{name: name, from: from, to: to})
		}
	}
	note(fieldStartDate, baseline.StartDate == desired.StartDate,
		string(baseline.StartDate), string(desired.StartDate))
	note(fieldEndDate, baseline.EndDate == desired.EndDate,
		string(baseline.EndDate), string(desired.EndDate))
	note(fieldDownloadAfterDate, sameOptionalDate(baseline.DownloadAfterDate, desired.DownloadAfterDate),
		formatOptionalDate(baseline.DownloadAfterDate), formatOptionalDate(desired.DownloadAfterDate))
	note(fieldDownloadTimeWindowList, sameWindowSet(baseline.DownloadTimeWindowList, desired.DownloadTimeWindowList),
		formatWindows(baseline.DownloadTimeWindowList), formatWindows(desired.DownloadTimeWindowList))
	note(fieldInstallAfterDate, sameOptionalDate(baseline.InstallAfterDate, desired.InstallAfterDate),
		formatOptionalDate(baseline.InstallAfterDate), formatOptionalDate(desired.InstallAfterDate))
	note(fieldInstallTimeWindowList, sameWindowSet(baseline.InstallTimeWindowList, desired.InstallTimeWindowList),
		formatWindows(baseline.InstallTimeWindowList), formatWindows(desired.InstallTimeWindowList))
	return changes
}
