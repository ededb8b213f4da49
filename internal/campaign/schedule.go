package campaign

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// Equal reports whether two schedules are the same for ThingSpace. Window lists are compared as
// sets, because ThingSpace gives the order no meaning and may return windows in another order
// than it was sent; a nil list equals an empty one, and an unset after-date equals only an unset
// one.
func Equal(a, b v1alpha1.Schedule) bool {
	return a.StartDate == b.StartDate &&
		a.EndDate == b.EndDate &&
		sameOptionalDate(a.DownloadAfterDate, b.DownloadAfterDate) &&
		sameWindowSet(a.DownloadTimeWindowList, b.DownloadTimeWindowList) &&
		sameOptionalDate(a.InstallAfterDate, b.InstallAfterDate) &&
		sameWindowSet(a.InstallTimeWindowList, b.InstallTimeWindowList)
}

// ChangedFields names the schedule fields in which b differs from a, by their JSON names and in
// the order of the spec. It compares exactly as Equal does, so it names none if and only if the
// schedules are Equal.
func ChangedFields(a, b v1alpha1.Schedule) []string {
	changes := changedFields(a, b)
	if len(changes) == 0 {
		return nil
	}
	names := make([]string, 0, len(changes))
	for _, c := range changes {
		names = append(names, c.name)
	}
	return names
}

// Payload is the body of the dates PUT for a schedule. ThingSpace wants the whole schedule on
// every call, so every key is present: an unset after-date is a nil pointer (JSON null) and an
// unset window list a non-nil empty slice (JSON []).
func Payload(s v1alpha1.Schedule) thingspace.Dates {
	return thingspace.Dates{
		StartDate:              string(s.StartDate),
		EndDate:                string(s.EndDate),
		DownloadAfterDate:      optionalDateString(s.DownloadAfterDate),
		DownloadTimeWindowList: wireWindows(s.DownloadTimeWindowList),
		InstallAfterDate:       optionalDateString(s.InstallAfterDate),
		InstallTimeWindowList:  wireWindows(s.InstallTimeWindowList),
	}
}

// FromCampaign is the schedule ThingSpace holds, in the form of the API: dates cut to YYYY-MM-DD
// when ThingSpace appends a time to them, an empty after-date as unset and an empty window list as
// nil, so that the result compares equal to a spec that leaves those fields out.
func FromCampaign(c thingspace.Campaign) v1alpha1.Schedule {
	return v1alpha1.Schedule{
		StartDate:              normalizeDate(c.StartDate),
		EndDate:                normalizeDate(c.EndDate),
		DownloadAfterDate:      normalizeOptionalDate(c.DownloadAfterDate),
		DownloadTimeWindowList: apiWindows(c.DownloadTimeWindowList),
		InstallAfterDate:       normalizeOptionalDate(c.InstallAfterDate),
		InstallTimeWindowList:  apiWindows(c.InstallTimeWindowList),
	}
}

// InfoFromCampaign is status.campaign for a GET or PUT reply: ThingSpace's own description of the
// campaign, with its raw status string kept as it is.
func InfoFromCampaign(c thingspace.Campaign) v1alpha1.CampaignInfo {
	return v1alpha1.CampaignInfo{
		ID:               c.ID,
		CampaignName:     c.CampaignName,
		SoftwareName:     c.SoftwareName,
		DistributionType: c.DistributionType,
		Make:             c.Make,
		Model:            c.Model,
		SoftwareFrom:     c.SoftwareFrom,
		SoftwareTo:       c.SoftwareTo,
		Status:           c.Status,
	}
}

func sameOptionalDate(a, b *v1alpha1.Date) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameWindowSet(a, b []v1alpha1.TimeWindow) bool {
	return containsAll(a, b) && containsAll(b, a)
}

// containsAll reports whether every window of want is listed in have.
func containsAll(have, want []v1alpha1.TimeWindow) bool {
	for _, w := range want {
		if !containsWindow(have, w) {
			return false
		}
	}
	return true
}

func containsWindow(list []v1alpha1.TimeWindow, w v1alpha1.TimeWindow) bool {
	for _, listed := range list {
		if listed == w {
			return true
		}
	}
	return false
}

func optionalDateString(d *v1alpha1.Date) *string {
	if d == nil {
		return nil
	}
	s := string(*d)
	return &s
}

func wireWindows(list []v1alpha1.TimeWindow) []thingspace.Window {
	wire := make([]thingspace.Window, 0, len(list))
	for _, w := range list {
		wire = append(wire, thingspace.Window{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	return wire
}

func apiWindows(list []thingspace.Window) []v1alpha1.TimeWindow {
	if len(list) == 0 {
		return nil
	}
	windows := make([]v1alpha1.TimeWindow, 0, len(list))
	for _, w := range list {
		windows = append(windows, v1alpha1.TimeWindow{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	return windows
}

// timeSuffix matches what may follow the date when ThingSpace returns a timestamp instead of a
// plain date, e.g. "T00:00:00Z", " 00:00:00" or "T00:00:00.000+0000".
var timeSuffix = regexp.MustCompile(`^[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$`)

// normalizeDate keeps the date part of a timestamp. Anything else is kept as it is, so that an
// unexpected value shows up as a difference instead of being silently reinterpreted.
func normalizeDate(s string) v1alpha1.Date {
	s = strings.TrimSpace(s)
	if len(s) > len(dateLayout) && timeSuffix.MatchString(s[len(dateLayout):]) {
		s = s[:len(dateLayout)]
	}
	return v1alpha1.Date(s)
}

func normalizeOptionalDate(s *string) *v1alpha1.Date {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	d := normalizeDate(*s)
	return &d
}

// formatWindow writes a window the way users see it in messages: {3,4}.
func formatWindow(w v1alpha1.TimeWindow) string {
	return fmt.Sprintf("{%d,%d}", w.StartTime, w.EndTime)
}

func formatWindows(list []v1alpha1.TimeWindow) string {
	parts := make([]string, 0, len(list))
	for _, w := range list {
		parts = append(parts, formatWindow(w))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func formatOptionalDate(d *v1alpha1.Date) string {
	if d == nil {
		return "unset"
	}
	return string(*d)
}
