package campaign

import (
	"fmt"
	"strings"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
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
