package campaign

import (
	"slices"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Admission is the answer to a FotaCampaign create or update: the rules it breaks, which refuse
// it, and the soft issues worth a warning when it passes. The admission webhook sends it to the
// API server, and `kubectl fota check` prints it for a manifest, so both answer alike.
type Admission struct {
	// Violations are the broken rules, in the order of the spec's fields; any refuses the request.
	Violations []Violation
	// Warnings are the soft issues of an admitted request; none when it is refused.
	Warnings []string
}

// Refused reports whether the request breaks a rule.
func (a Admission) Refused() bool {
	return len(a.Violations) > 0
}

// AdmitCreate judges a new campaign at now. Only its display time zone is checked here: the
// schema has already checked the fields, and a new object has no baseline to move away from. Its
// warnings say when the schedule describes a campaign that has already started or ended, since
// the stricter rules apply from then on.
func AdmitCreate(fc *v1alpha1.FotaCampaign, now time.Time) Admission {
	if violations := CheckTimeZone(fc.Spec.DisplayTimeZone); len(violations) > 0 {
		return Admission{Violations: violations}
	}
	return Admission{Warnings: Warnings(fc.Spec.Schedule, now)}
}

// AdmitUpdate judges the change from oldFC to newFC at now. The transition rules judge the change
// against what ThingSpace holds (BaselineOf: status.applied and status.campaign.status, else the
// old spec), not against the old spec, because ThingSpace does the same. A FotaCampaign that
// schedules its campaign and has recorded no id has no baseline (HasBaseline), so a schedule
// ThingSpace refused can be fixed by editing it. An update that leaves the schedule and the
// devices as they were (metadata, suspend, deletionPolicy, a finalizer) always passes, so no
// campaign can get stuck on an object it cannot edit, also while it is being deleted.
func AdmitUpdate(oldFC, newFC *v1alpha1.FotaCampaign, now time.Time) Admission {
	scheduleChanged := !Equal(oldFC.Spec.Schedule, newFC.Spec.Schedule)
	var violations []Violation
	if HasBaseline(oldFC) {
		baseline := BaselineOf(oldFC)
		if scheduleChanged {
			violations = CheckTransition(baseline, newFC.Spec.Schedule, now)
		}
		violations = append(violations, CheckDevicesChange(baseline.Status, oldFC.Spec.Devices, newFC.Spec.Devices)...)
	}
	if newFC.Spec.DisplayTimeZone != oldFC.Spec.DisplayTimeZone {
		violations = append(violations, CheckTimeZone(newFC.Spec.DisplayTimeZone)...)
	}
	if len(violations) > 0 {
		return Admission{Violations: violations}
	}
	if !scheduleChanged {
		return Admission{}
	}
	return Admission{Warnings: introducedWarnings(oldFC.Spec.Schedule, newFC.Spec.Schedule, now)}
}

// introducedWarnings is the warnings of the new schedule that the old one did not already have: a
// soft issue the user accepted before (an overlap, a campaign adopted while running) is not
// repeated on every later edit.
func introducedWarnings(oldSchedule, newSchedule v1alpha1.Schedule, now time.Time) []string {
	known := Warnings(oldSchedule, now)
	var warnings []string
	for _, w := range Warnings(newSchedule, now) {
		if !slices.Contains(known, w) {
			warnings = append(warnings, w)
		}
	}
	return warnings
}
