package v1alpha1

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// outcome is what a test expects of an update: allowed, or rejected with one violation of rule.
type outcome struct {
	rule campaign.Rule // empty when the update is allowed
}

var allowed = outcome{}

func rejectedBy(rule campaign.Rule) outcome {
	return outcome{rule: rule}
}

func (o outcome) String() string {
	if o.rule == "" {
		return "allowed"
	}
	return "rejected by " + string(o.rule)
}

// phaseScenario is a campaign that ThingSpace holds with the reference schedule and a raw status,
// looked at a given instant.
type phaseScenario struct {
	name   string
	status string
	now    string
	closed bool
}

var phaseScenarios = []phaseScenario{
	{name: "Pending", status: "CampaignScheduled", now: beforeStart},
	{name: "InProgress", status: "CampaignScheduled", now: running},
	{name: "Ended by its dates", status: "CampaignScheduled", now: afterEnd, closed: true},
	{name: "Ended in ThingSpace before its end date", status: "CampaignEnded", now: running, closed: true},
	{name: "Cancelled before the start", status: "CampaignCancelled", now: beforeStart, closed: true},
	{name: "Aborted while running", status: "CampaignAborted", now: running, closed: true},
	{name: "Failed while running", status: "CampaignFailed", now: running, closed: true},
}

// scheduleChange is one change to one field of the reference schedule, with its expected outcome
// in the two open phases; a closed campaign rejects every one of them.
type scheduleChange struct {
	name       string
	field      string
	change     func(*fotav1alpha1.Schedule)
	pending    outcome
	inProgress outcome
}

var scheduleChanges = []scheduleChange{
	{"startDate moved later", "startDate",
		func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-27" },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"startDate moved earlier, still in the future", "startDate",
		func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-21" },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"startDate moved into the past", "startDate",
		func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-19" },
		rejectedBy(campaign.RuleStartDateInPast), rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"endDate moved later", "endDate",
		func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-24" },
		allowed, allowed},
	{"endDate moved earlier, to the UTC date of now + 24 h while running", "endDate",
		func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-26" },
		allowed, allowed},
	{"endDate moved earlier, sooner than now + 24 h while running", "endDate",
		func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-25" },
		allowed, rejectedBy(campaign.RuleEndDateTooSoon)},
	{"downloadAfterDate moved", "downloadAfterDate",
		func(s *fotav1alpha1.Schedule) { s.DownloadAfterDate = datePtr("2026-11-26") },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"downloadAfterDate unset", "downloadAfterDate",
		func(s *fotav1alpha1.Schedule) { s.DownloadAfterDate = nil },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"downloadTimeWindowList window added", "downloadTimeWindowList",
		func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{20, 21}) },
		allowed, allowed},
	{"downloadTimeWindowList window removed", "downloadTimeWindowList",
		func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = nil },
		allowed, rejectedBy(campaign.RuleWindowRemoved)},
	{"downloadTimeWindowList window widened", "downloadTimeWindowList",
		func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 5}) },
		allowed, rejectedBy(campaign.RuleWindowRemoved)},
	{"installAfterDate moved", "installAfterDate",
		func(s *fotav1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-27") },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"installAfterDate unset", "installAfterDate",
		func(s *fotav1alpha1.Schedule) { s.InstallAfterDate = nil },
		allowed, rejectedBy(campaign.RuleStartedFieldFrozen)},
	{"installTimeWindowList window added", "installTimeWindowList",
		func(s *fotav1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{22, 24}, [2]int32{5, 6}) },
		allowed, allowed},
	{"installTimeWindowList window removed", "installTimeWindowList",
		func(s *fotav1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{22, 24}) },
		allowed, rejectedBy(campaign.RuleWindowRemoved)},
}

func (c scheduleChange) expectedIn(p phaseScenario) outcome {
	switch {
	case p.closed:
		return rejectedBy(campaign.RuleCampaignClosed)
	case p.name == "Pending":
		return c.pending
	default:
		return c.inProgress
	}
}

// synced is a campaign whose spec ThingSpace holds, with the given raw status.
func synced(schedule fotav1alpha1.Schedule, status string) *fotav1alpha1.FotaCampaign {
	return withThingSpace(newCampaign("model-a-02to03", schedule), schedule, status)
}

func validatorAt(t fataler, now string) *FotaCampaignValidator {
	return &FotaCampaignValidator{Clock: clocktesting.NewFakePassiveClock(at(t, now))}
}

func TestValidateUpdateTransitionMatrix(t *testing.T) {
	for _, phase := range phaseScenarios {
		for _, change := range scheduleChanges {
			want := change.expectedIn(phase)
			t.Run(fmt.Sprintf("%s/%s: %s", phase.name, change.name, want), func(t *testing.T) {
				oldFC := synced(referenceSchedule(), phase.status)
				newFC := withSchedule(oldFC, change.change)
				checkUpdate(t, validatorAt(t, phase.now), oldFC, newFC, want, "spec."+change.field)
			})
		}
	}
}

func TestValidateUpdateAtPhaseBoundaries(t *testing.T) {
	removeDownloadWindow := func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = nil }
	tests := []struct {
		name   string
		now    string
		change func(*fotav1alpha1.Schedule)
		field  string
		want   outcome
	}{
		{"one nanosecond before 00:00 UTC of the start date: still Pending, a window may go",
			"2026-11-22T23:59:59.999999999Z", removeDownloadWindow, "downloadTimeWindowList", allowed},
		{"exactly 00:00 UTC of the start date: InProgress, the window must stay",
			"2026-11-23T00:00:00Z", removeDownloadWindow, "downloadTimeWindowList", rejectedBy(campaign.RuleWindowRemoved)},
		{"one nanosecond before the day after the end date: still InProgress, the end may move",
			"2026-11-30T23:59:59.999999999Z", func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-01" }, "endDate", allowed},
		{"exactly 00:00 UTC of the day after the end date: Ended, the end is final",
			"2026-12-01T00:00:00Z", func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-02" }, "endDate",
			rejectedBy(campaign.RuleCampaignClosed)},
		{"last nanosecond of 2026-11-25: now + 24 h is still on 2026-11-26, so that end is allowed",
			"2026-11-25T23:59:59.999999999Z", func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-26" }, "endDate", allowed},
		{"00:00 UTC on 2026-11-26: now + 24 h is on 2026-11-27, so an end on 2026-11-26 is too soon",
			"2026-11-26T00:00:00Z", func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-26" }, "endDate",
			rejectedBy(campaign.RuleEndDateTooSoon)},
		{"last nanosecond of 2026-11-20: a start moved to that day is today, allowed",
			"2026-11-20T23:59:59.999999999Z", func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-20" }, "startDate", allowed},
		{"00:00 UTC on 2026-11-21: a start moved to 2026-11-20 is in the past",
			"2026-11-21T00:00:00Z", func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-20" }, "startDate",
			rejectedBy(campaign.RuleStartDateInPast)},
		{"a clock in another zone is read in UTC: 20:00 at -05:00 on 2026-11-22 is after the start",
			"2026-11-22T20:00:00-05:00", removeDownloadWindow, "downloadTimeWindowList", rejectedBy(campaign.RuleWindowRemoved)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldFC := synced(referenceSchedule(), "CampaignScheduled")
			newFC := withSchedule(oldFC, tt.change)
			checkUpdate(t, validatorAt(t, tt.now), oldFC, newFC, tt.want, "spec."+tt.field)
		})
	}
}

func TestValidateUpdateFollowsTheClock(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(at(t, "2026-11-22T23:00:00Z"))
	validator := &FotaCampaignValidator{Clock: clk}
	oldFC := synced(referenceSchedule(), "CampaignScheduled")
	newFC := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) { s.InstallTimeWindowList = nil })

	if _, err := validator.ValidateUpdate(context.Background(), oldFC, newFC); err != nil {
		t.Fatalf("an hour before the start the window may go, got %v", err)
	}
	clk.SetTime(at(t, "2026-11-23T00:00:00Z"))
	_, err := validator.ValidateUpdate(context.Background(), oldFC, newFC)
	assertInvalid(t, err, newFC.Name, "spec.installTimeWindowList")
}

func TestValidateUpdateJudgesAgainstWhatThingSpaceHolds(t *testing.T) {
	reference := referenceSchedule()
	withExtraWindow := scheduleWith(func(s *fotav1alpha1.Schedule) {
		s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{10, 12})
	})
	tests := []struct {
		name       string
		spec       fotav1alpha1.Schedule  // the old object's spec
		applied    *fotav1alpha1.Schedule // what ThingSpace holds; nil before the first observation
		status     string
		change     func(*fotav1alpha1.Schedule)
		now        string
		wantFields []string
	}{
		{
			name:    "a window added to the spec but never pushed may be taken out again: ThingSpace never had it",
			spec:    withExtraWindow,
			applied: &reference,
			change:  func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{3, 4}) },
			now:     running,
		},
		{
			name:       "a window ThingSpace holds may not go, though the old spec lists another one",
			spec:       withExtraWindow,
			applied:    &reference,
			change:     func(s *fotav1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{10, 12}) },
			now:        running,
			wantFields: []string{"spec.downloadTimeWindowList"},
		},
		{
			name:       "the phase comes from what ThingSpace holds: ended on its applied end date though the spec says later",
			spec:       reference,
			applied:    new(scheduleWith(func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-24" })),
			change:     func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-10" },
			now:        running,
			wantFields: []string{"spec.endDate"},
		},
		{
			name:       "a start moved in the spec but never pushed before the campaign started is frozen now",
			spec:       scheduleWith(func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-26" }),
			applied:    &reference,
			change:     func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-10" },
			now:        running,
			wantFields: []string{"spec.startDate"},
		},
		{
			name:       "without status.applied the old spec is the baseline",
			spec:       reference,
			change:     func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-26" },
			now:        running,
			wantFields: []string{"spec.startDate"},
		},
		{
			name:       "ThingSpace's status wins over the dates: a cancelled campaign dated in the future is closed",
			spec:       reference,
			applied:    &reference,
			status:     "campaigncancelled",
			change:     func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-10" },
			now:        beforeStart,
			wantFields: []string{"spec.endDate"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldFC := newCampaign("model-a-02to03", tt.spec)
			if tt.applied != nil {
				oldFC = withThingSpace(oldFC, *tt.applied, tt.status)
			}
			newFC := withSchedule(oldFC, tt.change)

			_, err := validatorAt(t, tt.now).ValidateUpdate(context.Background(), oldFC, newFC)

			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("update rejected: %v", err)
				}
				return
			}
			assertInvalid(t, err, newFC.Name, tt.wantFields...)
		})
	}
}

func TestValidateUpdateNeverBlocksAnUnchangedSchedule(t *testing.T) {
	changes := []struct {
		name   string
		change func(*fotav1alpha1.FotaCampaign)
	}{
		{"a label added", func(fc *fotav1alpha1.FotaCampaign) { fc.Labels = map[string]string{"team": "fleet"} }},
		{"an annotation added", func(fc *fotav1alpha1.FotaCampaign) {
			fc.Annotations = map[string]string{"argocd.argoproj.io/sync-wave": "1"}
		}},
		{"suspend set", func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.Suspend = new(true) }},
		{"a finalizer removed from a campaign being deleted", func(fc *fotav1alpha1.FotaCampaign) {
			fc.DeletionTimestamp = &metav1.Time{}
			fc.Finalizers = nil
		}},
		{"the status changed", func(fc *fotav1alpha1.FotaCampaign) { fc.Status.Phase = fotav1alpha1.PhaseEnded }},
		{"the windows listed in another order, which ThingSpace ignores", func(fc *fotav1alpha1.FotaCampaign) {
			slices.Reverse(fc.Spec.DownloadTimeWindowList)
		}},
		{"an empty window list instead of none", func(fc *fotav1alpha1.FotaCampaign) {
			fc.Spec.InstallTimeWindowList = []fotav1alpha1.TimeWindow{}
		}},
	}
	// The old spec differs from what ThingSpace holds in ways only Pending allows (a moved start, a
	// dropped window) and has soft issues (overlapping windows, an after-date before the start), so
	// any rule or warning applied to an unchanged schedule would show.
	spec := scheduleWith(func(s *fotav1alpha1.Schedule) {
		s.StartDate = "2026-11-22"
		s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{3, 6})
		s.InstallAfterDate = datePtr("2026-11-21")
		s.InstallTimeWindowList = nil
	})
	for _, phase := range phaseScenarios {
		for _, change := range changes {
			t.Run(fmt.Sprintf("%s/%s: allowed without warning", phase.name, change.name), func(t *testing.T) {
				oldFC := withThingSpace(newCampaign("model-a-02to03", spec), referenceSchedule(), phase.status)
				oldFC.Finalizers = []string{"fota.thingspace.io/finalizer"}
				newFC := oldFC.DeepCopy()
				change.change(newFC)
				violationsBefore := sumOf(t, rejectionsTotal)

				warnings, err := validatorAt(t, phase.now).ValidateUpdate(context.Background(), oldFC, newFC)

				if err != nil {
					t.Fatalf("update rejected: %v", err)
				}
				if len(warnings) != 0 {
					t.Errorf("warnings = %q, want none", warnings)
				}
				assertDelta(t, "violations of any rule", violationsBefore, sumOf(t, rejectionsTotal), 0)
			})
		}
	}
}

func TestValidateUpdateReportsEveryViolationAtOnce(t *testing.T) {
	oldFC := synced(referenceSchedule(), "CampaignScheduled")
	newFC := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) {
		s.StartDate = "2026-11-24"
		s.EndDate = "2026-11-25"
		s.DownloadTimeWindowList = nil
		s.InstallAfterDate = datePtr("2026-11-26")
		s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{7, 8})
	})

	_, err := validatorAt(t, running).ValidateUpdate(context.Background(), oldFC, newFC)

	assertInvalid(t, err, newFC.Name,
		"spec.startDate", "spec.endDate", "spec.downloadTimeWindowList", "spec.installAfterDate")
}

func TestValidateUpdateRejectionReadsAsKubectlPrintsIt(t *testing.T) {
	oldFC := synced(referenceSchedule(), "CampaignScheduled")
	newFC := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-11-25" })

	_, err := validatorAt(t, "2026-11-26T10:00:00Z").ValidateUpdate(context.Background(), oldFC, newFC)

	want := `FotaCampaign.fota.thingspace.io "model-a-02to03" is invalid: spec.endDate: Invalid value: "2026-11-25": ` +
		`the campaign started on 2026-11-23; after the start the end date may only move to 2026-11-27 or later (now + 24 h, UTC)`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

func TestValidateUpdateWarnsOnlyAboutWhatTheChangeIntroduces(t *testing.T) {
	overlapping := func(s *fotav1alpha1.Schedule) {
		s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{3, 6})
	}
	tests := []struct {
		name   string
		oldFC  *fotav1alpha1.FotaCampaign
		change func(*fotav1alpha1.Schedule)
		now    string
		want   []string
	}{
		{
			name:   "a start moved to today says the campaign has started",
			oldFC:  synced(referenceSchedule(), "CampaignScheduled"),
			change: func(s *fotav1alpha1.Schedule) { s.StartDate = "2026-11-20" },
			now:    beforeStart,
			want: []string{
				"startDate 2026-11-20 is today (UTC): the campaign has already started, and the in-progress rules will apply",
			},
		},
		{
			name:   "a window that overlaps another is named",
			oldFC:  synced(referenceSchedule(), "CampaignScheduled"),
			change: overlapping,
			now:    running,
			want:   []string{"downloadTimeWindowList: windows {3,4} and {3,6} overlap"},
		},
		{
			name:   "an overlap the old spec already had is not repeated when the end moves",
			oldFC:  synced(scheduleWith(overlapping), "CampaignScheduled"),
			change: func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-10" },
			now:    running,
		},
		{
			name:   "a running campaign whose end moves is not told again that it started in the past",
			oldFC:  synced(referenceSchedule(), "CampaignScheduled"),
			change: func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-10" },
			now:    running,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newFC := withSchedule(tt.oldFC, tt.change)

			warnings, err := validatorAt(t, tt.now).ValidateUpdate(context.Background(), tt.oldFC, newFC)

			if err != nil {
				t.Fatalf("update rejected: %v", err)
			}
			if !slices.Equal(warnings, tt.want) {
				t.Errorf("warnings = %q\nwant       %q", warnings, tt.want)
			}
		})
	}
}

func TestValidateCreateAdmitsEveryCampaignWithItsWarnings(t *testing.T) {
	tests := []struct {
		name string
		now  string
		want []string
	}{
		{"a campaign that starts later: no warning", beforeStart, nil},
		{"a start date in the past adopts a running campaign", running, []string{
			"startDate 2026-11-23 is in the past: this adopts a running campaign, and the in-progress rules will apply",
		}},
		{"an end date in the past: the campaign can never change", afterEnd, []string{
			"endDate 2026-11-30 is in the past: the campaign has ended, and ThingSpace allows no schedule change after the end",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowedBefore := admissions(operationCreate, resultAllowed)

			warnings, err := validatorAt(t, tt.now).ValidateCreate(context.Background(),
				newCampaign("model-a-02to03", referenceSchedule()))

			if err != nil {
				t.Fatalf("create rejected: %v", err)
			}
			if !slices.Equal(warnings, tt.want) {
				t.Errorf("warnings = %q\nwant       %q", warnings, tt.want)
			}
			assertDelta(t, "allowed creates", allowedBefore, admissions(operationCreate, resultAllowed), 1)
		})
	}
}

func TestValidateDeleteAdmitsEveryCampaign(t *testing.T) {
	for _, phase := range phaseScenarios {
		t.Run(phase.name+": allowed", func(t *testing.T) {
			warnings, err := validatorAt(t, phase.now).ValidateDelete(context.Background(),
				synced(referenceSchedule(), phase.status))
			if err != nil || len(warnings) != 0 {
				t.Fatalf("delete answered %q, %v; want allowed without warning", warnings, err)
			}
		})
	}
}

func TestValidatorWithoutClockUsesTheRealTime(t *testing.T) {
	// A campaign of the year 2000 has ended by any real clock, though not by the zero time.
	schedule := fotav1alpha1.Schedule{StartDate: "2000-01-01", EndDate: "2000-01-02"}
	oldFC := synced(schedule, "CampaignScheduled")
	newFC := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) { s.EndDate = "2000-01-03" })

	_, err := (&FotaCampaignValidator{}).ValidateUpdate(context.Background(), oldFC, newFC)

	assertInvalid(t, err, newFC.Name, "spec.endDate")
	if cause := apiStatus(t, err).Details.Causes[0]; cause.Type != metav1.CauseTypeForbidden {
		t.Errorf("cause = %+v, want the Forbidden error of a closed campaign", cause)
	}
}

// checkUpdate runs one update through the validator and checks its answer and its metrics: an
// allowed update counts as allowed and adds no violation; a rejected one is an Invalid error with
// one cause at field and counts one violation of the expected rule.
func checkUpdate(t *testing.T, validator *FotaCampaignValidator, oldFC, newFC *fotav1alpha1.FotaCampaign, want outcome, field string) {
	t.Helper()
	allowedBefore := admissions(operationUpdate, resultAllowed)
	rejectedBefore := admissions(operationUpdate, resultRejected)
	violationsBefore := sumOf(t, rejectionsTotal)
	ruleBefore := rejections(want.rule)

	_, err := validator.ValidateUpdate(context.Background(), oldFC, newFC)

	if want == allowed {
		if err != nil {
			t.Fatalf("update rejected: %v", err)
		}
		assertDelta(t, "allowed updates", allowedBefore, admissions(operationUpdate, resultAllowed), 1)
		assertDelta(t, "violations of any rule", violationsBefore, sumOf(t, rejectionsTotal), 0)
		return
	}
	assertInvalid(t, err, newFC.Name, field)
	assertDelta(t, "rejected updates", rejectedBefore, admissions(operationUpdate, resultRejected), 1)
	assertDelta(t, "violations of "+string(want.rule), ruleBefore, rejections(want.rule), 1)
	assertDelta(t, "violations of any rule", violationsBefore, sumOf(t, rejectionsTotal), 1)
}

// assertInvalid checks that err is the 422 Invalid error of the FotaCampaign name, with one cause
// per wanted field, in that order.
func assertInvalid(t *testing.T, err error, name string, wantFields ...string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("error = %v, want an Invalid status error", err)
	}
	status := apiStatus(t, err)
	details := status.Details
	if details == nil || details.Group != fotav1alpha1.GroupVersion.Group || details.Kind != "FotaCampaign" || details.Name != name {
		t.Fatalf("details = %+v, want FotaCampaign.%s %q", details, fotav1alpha1.GroupVersion.Group, name)
	}
	var fields []string
	for _, cause := range details.Causes {
		if cause.Message == "" {
			t.Errorf("cause for %s has no message", cause.Field)
		}
		fields = append(fields, cause.Field)
	}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("fields = %q, want %q; error: %v", fields, wantFields, err)
	}
}

func apiStatus(t *testing.T, err error) metav1.Status {
	t.Helper()
	var statusErr apierrors.APIStatus
	if !errors.As(err, &statusErr) {
		t.Fatalf("error = %v, want a Kubernetes API status error", err)
	}
	return statusErr.Status()
}

func admissions(operation, result string) float64 {
	return testutil.ToFloat64(admissionsTotal.WithLabelValues(operation, result))
}

func rejections(rule campaign.Rule) float64 {
	return testutil.ToFloat64(rejectionsTotal.WithLabelValues(string(rule)))
}

// sumOf adds up every series of a counter vector.
func sumOf(t *testing.T, vec *prometheus.CounterVec) float64 {
	t.Helper()
	registry := prometheus.NewRegistry()
	registry.MustRegister(vec)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	var sum float64
	for _, family := range families {
		for _, m := range family.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func assertDelta(t *testing.T, what string, before, after, want float64) {
	t.Helper()
	if after-before != want {
		t.Errorf("%s went from %v to %v, want an increase of %v", what, before, after, want)
	}
}

// TestValidateUpdateOfASchedulingObjectWithoutIdHasNoBaseline: ThingSpace holds nothing for a
// FotaCampaign that schedules its campaign and has recorded no id (its POST was refused, or has
// not gone out), so a start date already past in the old spec, and a window taken out, can be
// fixed; once an id is recorded the running campaign's rules apply again.
func TestValidateUpdateOfASchedulingObjectWithoutIdHasNoBaseline(t *testing.T) {
	scheduling := func(recordID func(*fotav1alpha1.FotaCampaign)) *fotav1alpha1.FotaCampaign {
		fc := newCampaign("wave1", referenceSchedule())
		fc.Spec.CampaignID = ""
		fc.Spec.Software = &fotav1alpha1.Software{Name: "FOTA_A_02To03", From: "FOTA_A_00To01", To: "FOTA_A_02To03", DistributionType: "HTTP"}
		fc.Spec.Devices = []fotav1alpha1.DeviceID{"990013907835573"}
		if recordID != nil {
			recordID(fc)
		}
		return fc
	}
	fix := func(s *fotav1alpha1.Schedule) {
		s.StartDate, s.DownloadTimeWindowList = "2026-11-27", nil
	}
	tests := map[string]struct {
		old        *fotav1alpha1.FotaCampaign
		wantFields []string
	}{
		"no id recorded: only the static rules apply": {old: scheduling(nil)},
		"no id recorded, and the refused POST left a status without a campaign": {old: func() *fotav1alpha1.FotaCampaign {
			fc := scheduling(nil)
			fc.Status.Conditions = []metav1.Condition{{Type: fotav1alpha1.ConditionSynced, Status: metav1.ConditionFalse, Reason: fotav1alpha1.ReasonThingSpaceRejected}}
			return fc
		}()},
		"the id recorded in the annotation: the running campaign's rules": {
			old: scheduling(func(fc *fotav1alpha1.FotaCampaign) {
				fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: "60b5d639-ccdc-4db8-8824-069bd94c95bf"}
			}),
			wantFields: []string{"spec.startDate", "spec.downloadTimeWindowList"},
		},
		"the id recorded in the status: the running campaign's rules": {
			old: func() *fotav1alpha1.FotaCampaign {
				fc := scheduling(nil)
				return withThingSpace(fc, fc.Spec.Schedule, "CampaignScheduled")
			}(),
			wantFields: []string{"spec.startDate", "spec.downloadTimeWindowList"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if tt.old.Status.Campaign != nil {
				tt.old.Status.Campaign.ID = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
			}
			_, err := validatorAt(t, running).ValidateUpdate(context.Background(), tt.old, withSchedule(tt.old, fix))
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("update refused: %v; want only the static rules", err)
				}
				return
			}
			assertInvalid(t, err, tt.old.Name, tt.wantFields...)
		})
	}
}
