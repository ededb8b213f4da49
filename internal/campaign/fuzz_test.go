package campaign

import (
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// fuzzAnchor is the day fuzzed dates and times are counted from.
var fuzzAnchor = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// fuzzNowRange is the span of fuzzed times, centred on fuzzAnchor, wide enough for every fuzzed
// schedule to be seen before its start, while it runs and after its end.
const fuzzNowRange = 400 * 24 * time.Hour

// scheduleDecoder turns fuzz bytes into a schedule; once the bytes run out every read is zero.
type scheduleDecoder struct {
	data []byte
}

func (d *scheduleDecoder) next() byte {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return b
}

func (d *scheduleDecoder) offsetDate(from time.Time) v1alpha1.Date {
	return v1alpha1.Date(from.AddDate(0, 0, int(int8(d.next()))).Format(dateLayout))
}

// optionalDate reads an after-date: an even byte leaves it unset, an odd one sets it to a day near
// the start date.
func (d *scheduleDecoder) optionalDate(start time.Time) *v1alpha1.Date {
	b := d.next()
	if b%2 == 0 {
		return nil
	}
	date := v1alpha1.Date(start.AddDate(0, 0, int(int8(b))>>1).Format(dateLayout))
	return &date
}

// windows reads up to four windows with arbitrary hours, including ones the schema would reject:
// the rules must not depend on the schema having run.
func (d *scheduleDecoder) windows() []v1alpha1.TimeWindow {
	var list []v1alpha1.TimeWindow
	for range d.next() % 5 {
		list = append(list, v1alpha1.TimeWindow{StartTime: int32(d.next() % 25), EndTime: int32(d.next() % 26)})
	}
	return list
}

func decodeSchedule(data []byte) v1alpha1.Schedule {
	d := &scheduleDecoder{data: data}
	startDate := d.offsetDate(fuzzAnchor)
	start, _ := parseDate(startDate)
	return v1alpha1.Schedule{
		StartDate:              startDate,
		EndDate:                d.offsetDate(start),
		DownloadAfterDate:      d.optionalDate(start),
		DownloadTimeWindowList: d.windows(),
		InstallAfterDate:       d.optionalDate(start),
		InstallTimeWindowList:  d.windows(),
	}
}

func fuzzNow(minutes int64) time.Time {
	span := int64(fuzzNowRange / time.Minute)
	offset := ((minutes % span) + span) % span
	return fuzzAnchor.Add(-fuzzNowRange/2 + time.Duration(offset)*time.Minute)
}

// withoutWindow is list minus every copy of w.
func withoutWindow(list []v1alpha1.TimeWindow, w v1alpha1.TimeWindow) []v1alpha1.TimeWindow {
	return slices.DeleteFunc(slices.Clone(list), func(listed v1alpha1.TimeWindow) bool { return listed == w })
}

func reversedWindows(s v1alpha1.Schedule) v1alpha1.Schedule {
	s.DownloadTimeWindowList = slices.Clone(s.DownloadTimeWindowList)
	slices.Reverse(s.DownloadTimeWindowList)
	s.InstallTimeWindowList = slices.Clone(s.InstallTimeWindowList)
	slices.Reverse(s.InstallTimeWindowList)
	return s
}

func FuzzValidateTransition(f *testing.F) {
	// Seeds: baseline 2026-11-23 to 2026-11-30 with windows {3,4} and {5,6}, seen before the
	// start, while running and after the end, under several ThingSpace statuses. Bytes, in order:
	// start (days from fuzzAnchor), end (days from start), downloadAfterDate, number of download
	// windows and their hours, installAfterDate, number of install windows and their hours.
	baseline := []byte{22, 7, 1, 1, 3, 4, 3, 1, 5, 6}
	minutesFromRangeStart := func(at string) int64 {
		t, _ := time.Parse(time.RFC3339, at)
		return int64(t.Sub(fuzzAnchor.Add(-fuzzNowRange/2)) / time.Minute)
	}
	f.Add("CampaignScheduled", minutesFromRangeStart(beforeStart), baseline, []byte{19, 7, 1, 1, 3, 4, 3, 1, 5, 6}, "")
	f.Add("CampaignScheduled", minutesFromRangeStart(running), baseline, []byte{22, 9, 1, 2, 3, 4, 9, 10, 3, 1, 5, 6}, "")
	f.Add("CampaignScheduled", minutesFromRangeStart(running), baseline, []byte{22, 7, 1, 1, 3, 5, 3, 1, 5, 6}, "2026-11-25")
	f.Add("", minutesFromRangeStart("2026-11-23T00:00:00Z"), baseline, []byte{23, 7}, "")
	f.Add("", minutesFromRangeStart("2026-11-25T23:30:00Z"), baseline, baseline, "2026-11-26")
	f.Add("CampaignScheduled", minutesFromRangeStart(afterEnd), baseline, []byte{22, 7, 1, 2, 3, 4, 9, 10, 3, 1, 5, 6}, "")
	f.Add("CampaignEnded", minutesFromRangeStart(running), baseline, []byte{22, 8}, "")
	f.Add("campaigncancelled", minutesFromRangeStart(beforeStart), baseline, baseline, "2026-12-24")
	f.Add("RequestFailed", minutesFromRangeStart(afterEnd), baseline, []byte{}, "not-a-date")
	f.Add("CampaignAborted", int64(-1), []byte{}, []byte{0xff, 0x80, 0xff, 0xff, 4, 24, 25, 0, 0}, "")

	f.Fuzz(func(t *testing.T, status string, nowMinutes int64, baselineData, desiredData []byte, desiredEndDate string) {
		now := fuzzNow(nowMinutes)
		baseline := Baseline{Schedule: decodeSchedule(baselineData), Status: status}
		desired := decodeSchedule(desiredData)
		if desiredEndDate != "" {
			desired.EndDate = v1alpha1.Date(desiredEndDate)
		}
		phase := PhaseAt(baseline.Schedule, baseline.Status, now)

		violations := CheckTransition(baseline, desired, now)
		checkWellFormed(t, violations, ValidateTransition(baseline, desired, now))
		checkIdenticalAllowed(t, baseline, now)
		if Equal(baseline.Schedule, desired) && len(violations) > 0 {
			t.Errorf("a schedule equal to the baseline was rejected in phase %s: %s", phase, formatViolations(violations))
		}
		switch {
		case phase == v1alpha1.PhasePending:
			checkOnlyStartDateRulesBeforeStart(t, violations)
		case phase == v1alpha1.PhaseInProgress:
			checkWindowRemovalRejected(t, baseline, desired, now)
		case isClosed(phase):
			checkNothingAllowedWhenClosed(t, baseline, desired, violations, phase)
		default:
			t.Errorf("PhaseAt gave unknown phase %q", phase)
		}
	})
}

func checkWellFormed(t *testing.T, violations []Violation, errs field.ErrorList) {
	t.Helper()
	if len(errs) != len(violations) {
		t.Errorf("ValidateTransition gave %d errors for %d violations", len(errs), len(violations))
	}
	for _, v := range violations {
		if v.Rule == "" || v.Error == nil || !strings.HasPrefix(v.Error.Field, "spec.") {
			t.Errorf("malformed violation: %s", formatViolation(v))
		}
	}
}

func checkIdenticalAllowed(t *testing.T, baseline Baseline, now time.Time) {
	t.Helper()
	if vs := CheckTransition(baseline, baseline.Schedule, now); len(vs) > 0 {
		t.Errorf("the baseline itself was rejected: %s", formatViolations(vs))
	}
	if vs := CheckTransition(baseline, reversedWindows(baseline.Schedule), now); len(vs) > 0 {
		t.Errorf("the baseline with its windows re-ordered was rejected: %s", formatViolations(vs))
	}
}

func checkOnlyStartDateRulesBeforeStart(t *testing.T, violations []Violation) {
	t.Helper()
	for _, v := range violations {
		if v.Error.Field != "spec.startDate" || (v.Rule != RuleStartDateInPast && v.Rule != RuleMalformedDate) {
			t.Errorf("before the start only the start date is checked, got %s", formatViolation(v))
		}
	}
}

// checkWindowRemovalRejected drops the first baseline window of each list from the desired
// schedule (keeping whatever else desired lists) and expects the removal to be rejected.
func checkWindowRemovalRejected(t *testing.T, baseline Baseline, desired v1alpha1.Schedule, now time.Time) {
	t.Helper()
	lists := []struct {
		path     string
		baseline []v1alpha1.TimeWindow
		set      func(*v1alpha1.Schedule, []v1alpha1.TimeWindow)
		desired  []v1alpha1.TimeWindow
	}{
		{"spec.downloadTimeWindowList", baseline.Schedule.DownloadTimeWindowList,
			func(s *v1alpha1.Schedule, l []v1alpha1.TimeWindow) { s.DownloadTimeWindowList = l }, desired.DownloadTimeWindowList},
		{"spec.installTimeWindowList", baseline.Schedule.InstallTimeWindowList,
			func(s *v1alpha1.Schedule, l []v1alpha1.TimeWindow) { s.InstallTimeWindowList = l }, desired.InstallTimeWindowList},
	}
	for _, list := range lists {
		if len(list.baseline) == 0 {
			continue
		}
		removed := list.baseline[0]
		shrunk := baseline.Schedule
		list.set(&shrunk, withoutWindow(slices.Concat(list.baseline, list.desired), removed))
		violations := CheckTransition(baseline, shrunk, now)
		if !slices.ContainsFunc(violations, func(v Violation) bool {
			return v.Rule == RuleWindowRemoved && v.Error.Field == list.path
		}) {
			t.Errorf("removing window %s from %s after the start was allowed: %s",
				formatWindow(removed), list.path, formatViolations(violations))
		}
	}
}

func checkNothingAllowedWhenClosed(t *testing.T, baseline Baseline, desired v1alpha1.Schedule, violations []Violation, phase v1alpha1.Phase) {
	t.Helper()
	if !Equal(baseline.Schedule, desired) && len(violations) == 0 {
		t.Errorf("a change to a %s campaign was allowed: %s -> %s", phase, describe(baseline.Schedule), describe(desired))
	}
	for _, v := range violations {
		if v.Rule != RuleCampaignClosed {
			t.Errorf("a %s campaign reported %s, want only %s", phase, formatViolation(v), RuleCampaignClosed)
		}
	}
}
