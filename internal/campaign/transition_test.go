package campaign

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// Moments relative to campaignSchedule (2026-11-23 to the end of 2026-11-30).
const (
	beforeStart = "2026-11-20T12:00:00Z" // Pending; today is 2026-11-20
	running     = "2026-11-25T10:00:00Z" // InProgress; now + 24 h is on 2026-11-26
	afterEnd    = "2026-12-02T00:00:00Z" // Ended by dates
)

// wantViolation is what a test expects of one violation.
type wantViolation struct {
	rule Rule
	path string
	kind field.ErrorType
}

func startDateInPast() wantViolation {
	return wantViolation{RuleStartDateInPast, "spec.startDate", field.ErrorTypeInvalid}
}

func endDateTooSoon() wantViolation {
	return wantViolation{RuleEndDateTooSoon, "spec.endDate", field.ErrorTypeInvalid}
}

func frozen(name string) wantViolation {
	return wantViolation{RuleStartedFieldFrozen, "spec." + name, field.ErrorTypeForbidden}
}

func windowRemoved(list string) wantViolation {
	return wantViolation{RuleWindowRemoved, "spec." + list, field.ErrorTypeForbidden}
}

func closed(name string) wantViolation {
	return wantViolation{RuleCampaignClosed, "spec." + name, field.ErrorTypeForbidden}
}

func malformed(name string) wantViolation {
	return wantViolation{RuleMalformedDate, "spec." + name, field.ErrorTypeInvalid}
}

type transitionCase struct {
	name     string
	baseline Baseline
	desired  v1alpha1.Schedule
	now      string
	want     []wantViolation
}

func runTransitionCases(t *testing.T, tests []transitionCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckTransition(tt.baseline, tt.desired, utc(t, tt.now))
			assertViolations(t, got, tt.want)
		})
	}
}

func assertViolations(t *testing.T, got []Violation, want []wantViolation) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d violations, want %d:\n%s", len(got), len(want), formatViolations(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Rule != w.rule || g.Error == nil || g.Error.Field != w.path || g.Error.Type != w.kind {
			t.Errorf("violation %d = %s, want rule %s, %s at %s", i, formatViolation(g), w.rule, w.kind, w.path)
		}
	}
}

func formatViolations(vs []Violation) string {
	lines := make([]string, 0, len(vs))
	for _, v := range vs {
		lines = append(lines, "  "+formatViolation(v))
	}
	return strings.Join(lines, "\n")
}

func formatViolation(v Violation) string {
	if v.Error == nil {
		return fmt.Sprintf("%s: <nil error>", v.Rule)
	}
	return fmt.Sprintf("%s: %s", v.Rule, v.Error.Error())
}

func scheduled() Baseline {
	return Baseline{Schedule: campaignSchedule(), Status: "CampaignScheduled"}
}

func baselineWith(change func(*v1alpha1.Schedule)) Baseline {
	return Baseline{Schedule: modified(change), Status: "CampaignScheduled"}
}

func TestCheckTransitionPending(t *testing.T) {
	runTransitionCases(t, []transitionCase{
		{"startDate moved later: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-27" }), beforeStart, nil},
		{"startDate moved earlier to today (UTC): allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-20" }), beforeStart, nil},
		{"startDate moved to yesterday: rejected, a start may not move into the past", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-19" }), beforeStart,
			[]wantViolation{startDateInPast()}},
		{"startDate moved to a date that is not a calendar date: rejected as malformed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-31" }), beforeStart,
			[]wantViolation{malformed("startDate")}},
		{"startDate unchanged while other fields change: no start-date rule applies", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-24" }), beforeStart, nil},
		{"endDate moved earlier: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-24" }), beforeStart, nil},
		{"endDate moved later: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-24" }), beforeStart, nil},
		{"downloadAfterDate moved: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = datePtr("2026-11-25") }), beforeStart, nil},
		{"downloadAfterDate unset: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }), beforeStart, nil},
		{"downloadTimeWindowList window removed: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = nil }), beforeStart, nil},
		{"downloadTimeWindowList window widened: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 5}) }), beforeStart, nil},
		{"installAfterDate set where unset: allowed before the start",
			baselineWith(func(s *v1alpha1.Schedule) { s.InstallAfterDate = nil }),
			campaignSchedule(), beforeStart, nil},
		{"installTimeWindowList replaced: allowed before the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{20, 22}) }), beforeStart, nil},
		{"every field changed at once, start today: allowed before the start", scheduled(),
			v1alpha1.Schedule{StartDate: "2026-11-20", EndDate: "2026-11-21", DownloadAfterDate: datePtr("2026-11-21"),
				InstallTimeWindowList: windows([2]int32{0, 1})}, beforeStart, nil},
	})
}

func TestCheckTransitionInProgress(t *testing.T) {
	twoWindows := baselineWith(func(s *v1alpha1.Schedule) {
		s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{10, 12})
	})
	runTransitionCases(t, []transitionCase{
		{"startDate moved later: rejected, the start is frozen after it", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-27" }), running,
			[]wantViolation{frozen("startDate")}},
		{"startDate moved earlier: rejected, the start is frozen after it", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-22" }), running,
			[]wantViolation{frozen("startDate")}},
		{"endDate moved later: allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-24" }), running, nil},
		{"endDate moved earlier to the UTC date of now + 24 h: allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-26" }), running, nil},
		{"endDate moved to today: rejected, sooner than now + 24 h", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-25" }), running,
			[]wantViolation{endDateTooSoon()}},
		{"endDate moved to a date that is not a calendar date: rejected as malformed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-02-30" }), running,
			[]wantViolation{malformed("endDate")}},
		{"endDate unchanged though sooner than now + 24 h, a window added: allowed",
			baselineWith(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-25" }),
			modified(func(s *v1alpha1.Schedule) {
				s.EndDate = "2026-11-25"
				s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{20, 21})
			}), running, nil},
		{"downloadAfterDate moved: rejected, frozen after the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = datePtr("2026-11-26") }), running,
			[]wantViolation{frozen("downloadAfterDate")}},
		{"downloadAfterDate unset: rejected, unsetting is a change", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }), running,
			[]wantViolation{frozen("downloadAfterDate")}},
		{"downloadAfterDate set where unset: rejected, setting is a change",
			baselineWith(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }),
			campaignSchedule(), running,
			[]wantViolation{frozen("downloadAfterDate")}},
		{"downloadTimeWindowList window added: allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{20, 21}) }), running, nil},
		{"downloadTimeWindowList re-ordered with a window added: allowed", twoWindows,
			modified(func(s *v1alpha1.Schedule) {
				s.DownloadTimeWindowList = windows([2]int32{20, 21}, [2]int32{10, 12}, [2]int32{3, 4})
			}), running, nil},
		{"downloadTimeWindowList window added to an empty list: allowed",
			baselineWith(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = nil }),
			campaignSchedule(), running, nil},
		{"downloadTimeWindowList window removed: rejected", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = nil }), running,
			[]wantViolation{windowRemoved("downloadTimeWindowList")}},
		{"downloadTimeWindowList window widened: rejected, a changed pair counts as a removal", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 5}) }), running,
			[]wantViolation{windowRemoved("downloadTimeWindowList")}},
		{"downloadTimeWindowList both windows removed: one violation per window", twoWindows,
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{0, 1}) }), running,
			[]wantViolation{windowRemoved("downloadTimeWindowList"), windowRemoved("downloadTimeWindowList")}},
		{"downloadTimeWindowList window ThingSpace listed twice removed: reported once",
			baselineWith(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{3, 4}) }),
			modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = nil }), running,
			[]wantViolation{windowRemoved("downloadTimeWindowList")}},
		{"installAfterDate moved: rejected, frozen after the start", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-26") }), running,
			[]wantViolation{frozen("installAfterDate")}},
		{"installAfterDate unset: rejected, unsetting is a change", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallAfterDate = nil }), running,
			[]wantViolation{frozen("installAfterDate")}},
		{"installTimeWindowList window added: allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{22, 24}, [2]int32{5, 6}) }), running, nil},
		{"installTimeWindowList window removed: rejected", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{22, 24}) }), running,
			[]wantViolation{windowRemoved("installTimeWindowList")}},
		{"several illegal changes: one violation each, in the order of the spec", scheduled(),
			v1alpha1.Schedule{StartDate: "2026-11-24", EndDate: "2026-11-25", DownloadAfterDate: datePtr("2026-11-23"),
				InstallAfterDate: datePtr("2026-11-24")}, running,
			[]wantViolation{frozen("startDate"), endDateTooSoon(), windowRemoved("downloadTimeWindowList"),
				windowRemoved("installTimeWindowList")}},
		{"legal and illegal changes together: only the illegal one is reported", scheduled(),
			modified(func(s *v1alpha1.Schedule) {
				s.EndDate = "2026-12-24"
				s.InstallAfterDate = datePtr("2026-11-26")
			}), running,
			[]wantViolation{frozen("installAfterDate")}},
		{"no ThingSpace status yet: the dates decide, so the in-progress rules apply",
			Baseline{Schedule: campaignSchedule()},
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-27" }), running,
			[]wantViolation{frozen("startDate")}},
	})
}

func TestCheckTransitionAtPhaseBoundaries(t *testing.T) {
	runTransitionCases(t, []transitionCase{
		{"one nanosecond before 00:00 UTC of the start date: the start may still move", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-24" }), "2026-11-22T23:59:59.999999999Z", nil},
		{"exactly 00:00 UTC of the start date: the start is frozen", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-24" }), "2026-11-23T00:00:00Z",
			[]wantViolation{frozen("startDate")}},
		{"one nanosecond before the day after the end date: a window may still be added", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{7, 8}) }),
			"2026-11-30T23:59:59.999999999Z", nil},
		{"one nanosecond before the day after the end date: the end may move to the next day", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-01" }),
			"2026-11-30T23:59:59.999999999Z", nil},
		{"exactly 00:00 UTC of the day after the end date: the campaign has ended", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{7, 8}) }),
			"2026-12-01T00:00:00Z", []wantViolation{closed("installTimeWindowList")}},
		{"23:30 UTC: now + 24 h falls on 2026-11-26, so an end on 2026-11-26 is allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-26" }), "2026-11-25T23:30:00Z", nil},
		{"23:30 UTC: an end today is too soon", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-25" }), "2026-11-25T23:30:00Z",
			[]wantViolation{endDateTooSoon()}},
		{"00:30 UTC: now + 24 h falls on 2026-11-27, so an end on 2026-11-26 is too soon", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-26" }), "2026-11-26T00:30:00Z",
			[]wantViolation{endDateTooSoon()}},
		{"00:30 UTC: an end on 2026-11-27, the date of now + 24 h, is allowed", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-27" }), "2026-11-26T00:30:00Z", nil},
		{"a now given in another zone is read in UTC: 20:30 at -05:00 is 01:30 UTC the next day", scheduled(),
			modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-26" }), "2026-11-25T20:30:00-05:00",
			[]wantViolation{endDateTooSoon()}},
	})
}

// closedScenario is a baseline and a time at which the campaign allows no change.
type closedScenario struct {
	name   string
	status string
	now    string
}

var closedScenarios = []closedScenario{
	{"Ended by its dates", "CampaignScheduled", afterEnd},
	{"Ended in ThingSpace before its end date", "CampaignEnded", running},
	{"Cancelled before the start", "CampaignCancelled", beforeStart},
	{"Aborted while running", "CampaignAborted", running},
	{"Failed while running", "CampaignFailed", running},
	{"Failed request before the start", "RequestFailed", beforeStart},
}

func TestCheckTransitionClosed(t *testing.T) {
	changes := []struct {
		name   string
		field  string
		change func(*v1alpha1.Schedule)
	}{
		{"startDate moved later", "startDate", func(s *v1alpha1.Schedule) { s.StartDate = "2026-12-24" }},
		{"endDate moved later", "endDate", func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-24" }},
		{"downloadAfterDate unset", "downloadAfterDate", func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }},
		{"downloadTimeWindowList window added", "downloadTimeWindowList",
			func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{9, 10}) }},
		{"installAfterDate moved", "installAfterDate", func(s *v1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-25") }},
		{"installTimeWindowList window removed", "installTimeWindowList", func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = nil }},
	}
	var tests []transitionCase
	for _, scenario := range closedScenarios {
		baseline := Baseline{Schedule: campaignSchedule(), Status: scenario.status}
		var allFields []wantViolation
		for _, c := range changes {
			tests = append(tests, transitionCase{
				name:     fmt.Sprintf("%s/%s: rejected, a closed campaign allows no change", scenario.name, c.name),
				baseline: baseline,
				desired:  modified(c.change),
				now:      scenario.now,
				want:     []wantViolation{closed(c.field)},
			})
			allFields = append(allFields, closed(c.field))
		}
		tests = append(tests, transitionCase{
			name:     scenario.name + "/every field changed: one violation per field",
			baseline: baseline,
			desired: modified(func(s *v1alpha1.Schedule) {
				for _, c := range changes {
					c.change(s)
				}
			}),
			now:  scenario.now,
			want: allFields,
		})
	}
	runTransitionCases(t, tests)
}

func TestCheckTransitionAllowsAnUnchangedScheduleInEveryPhase(t *testing.T) {
	baseline := campaignSchedule()
	baseline.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{10, 12})
	reordered := baseline
	reordered.DownloadTimeWindowList = windows([2]int32{10, 12}, [2]int32{3, 4})
	bare := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30"}
	bareWithEmptyLists := bare
	bareWithEmptyLists.DownloadTimeWindowList = []v1alpha1.TimeWindow{}
	bareWithEmptyLists.InstallTimeWindowList = []v1alpha1.TimeWindow{}

	scenarios := append([]closedScenario{
		{"Pending", "CampaignScheduled", beforeStart},
		{"InProgress", "CampaignScheduled", running},
	}, closedScenarios...)
	var tests []transitionCase
	for _, scenario := range scenarios {
		tests = append(tests,
			transitionCase{scenario.name + "/identical schedule: allowed", Baseline{baseline, scenario.status},
				baseline, scenario.now, nil},
			transitionCase{scenario.name + "/re-ordered windows: allowed, order is not a change", Baseline{baseline, scenario.status},
				reordered, scenario.now, nil},
			transitionCase{scenario.name + "/empty lists instead of none: allowed, nil equals empty", Baseline{bare, scenario.status},
				bareWithEmptyLists, scenario.now, nil},
		)
	}
	runTransitionCases(t, tests)
}

func TestTransitionMessagesNameTheRuleTheValueAndTheBound(t *testing.T) {
	tests := []struct {
		name     string
		baseline Baseline
		desired  v1alpha1.Schedule
		now      string
		want     string
	}{
		{
			name:     "end date too soon names the start and the earliest end",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-11-25" }),
			now:      "2026-11-26T10:00:00Z",
			want:     `spec.endDate: Invalid value: "2026-11-25": the campaign started on 2026-11-23; after the start the end date may only move to 2026-11-27 or later (now + 24 h, UTC)`,
		},
		{
			name:     "a removed window is named with its hours",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = nil }),
			now:      running,
			want:     `spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that started on 2026-11-23 and cannot be removed; after the start ThingSpace only allows adding windows`,
		},
		{
			name:     "a widened window says how to widen it legally",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 5}) }),
			now:      running,
			want:     `spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that started on 2026-11-23 and cannot be removed; after the start ThingSpace only allows adding windows (to widen it to {3,5}, keep {3,4} and add the extra hours as another window)`,
		},
		{
			name:     "a start date in the past names today",
			baseline: baselineWith(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-28" }),
			desired:  modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-20" }),
			now:      running,
			want:     `spec.startDate: Invalid value: "2026-11-20": the start date may only move to today (2026-11-25, UTC) or later`,
		},
		{
			name:     "a frozen after-date names both values",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-26") }),
			now:      running,
			want:     `spec.installAfterDate: Forbidden: installAfterDate cannot change from 2026-11-24 to 2026-11-26: the campaign started on 2026-11-23; after the start ThingSpace only allows moving the end date and adding windows`,
		},
		{
			name:     "an ended campaign names its end",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-10" }),
			now:      afterEnd,
			want:     `spec.endDate: Forbidden: endDate cannot change from 2026-11-30 to 2026-12-10: the campaign ended on 2026-11-30; ThingSpace allows no schedule change after the end`,
		},
		{
			name:     "a cancelled campaign names its ThingSpace phase",
			baseline: Baseline{Schedule: campaignSchedule(), Status: "CampaignCancelled"},
			desired:  modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }),
			now:      beforeStart,
			want:     `spec.downloadAfterDate: Forbidden: downloadAfterDate cannot change from 2026-11-23 to unset: the campaign is Cancelled in ThingSpace; no schedule change is possible`,
		},
		{
			name:     "a campaign ThingSpace ended early names its ThingSpace phase, not its dates",
			baseline: Baseline{Schedule: campaignSchedule(), Status: "CampaignEnded"},
			desired:  modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = nil }),
			now:      running,
			want:     `spec.installTimeWindowList: Forbidden: installTimeWindowList cannot change from [{5,6}] to []: the campaign is Ended in ThingSpace; no schedule change is possible`,
		},
		{
			name:     "a malformed date says which form is expected",
			baseline: scheduled(),
			desired:  modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-1" }),
			now:      running,
			want:     `spec.endDate: Invalid value: "2026-12-1": must be a calendar date in the form YYYY-MM-DD`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateTransition(tt.baseline, tt.desired, utc(t, tt.now))
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
			}
			if got := errs[0].Error(); got != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestValidateTransitionReturnsTheErrorsOfCheckTransition(t *testing.T) {
	desired := v1alpha1.Schedule{StartDate: "2026-11-24", EndDate: "2026-11-25"}
	now := utc(t, running)
	violations := CheckTransition(scheduled(), desired, now)
	errs := ValidateTransition(scheduled(), desired, now)
	if len(violations) == 0 || len(errs) != len(violations) {
		t.Fatalf("got %d errors for %d violations", len(errs), len(violations))
	}
	for i := range errs {
		if errs[i].Error() != violations[i].Error.Error() {
			t.Errorf("error %d is %q, want the violation's %q", i, errs[i].Error(), violations[i].Error.Error())
		}
	}
	if errs := ValidateTransition(scheduled(), campaignSchedule(), now); errs != nil {
		t.Errorf("an allowed change gave errors %v, want none", errs)
	}
}

func TestBaselineOf(t *testing.T) {
	spec := modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-24" })
	applied := campaignSchedule()
	tests := []struct {
		name string
		fc   v1alpha1.FotaCampaign
		want Baseline
	}{
		{
			name: "status.applied wins over the spec: the spec may hold a change never pushed",
			fc: v1alpha1.FotaCampaign{
				Spec: v1alpha1.FotaCampaignSpec{Schedule: spec},
				Status: v1alpha1.FotaCampaignStatus{Applied: &applied,
					Campaign: &v1alpha1.CampaignInfo{Status: "CampaignScheduled"}},
			},
			want: Baseline{Schedule: applied, Status: "CampaignScheduled"},
		},
		{
			name: "without status.applied the old spec is the baseline and the status is empty",
			fc:   v1alpha1.FotaCampaign{Spec: v1alpha1.FotaCampaignSpec{Schedule: spec}},
			want: Baseline{Schedule: spec},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BaselineOf(&tt.fc)
			if !Equal(got.Schedule, tt.want.Schedule) || got.Schedule.EndDate != tt.want.Schedule.EndDate || got.Status != tt.want.Status {
				t.Errorf("BaselineOf = %s status %q, want %s status %q",
					describe(got.Schedule), got.Status, describe(tt.want.Schedule), tt.want.Status)
			}
		})
	}
}
