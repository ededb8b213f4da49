package status

import (
	"fmt"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// writeSchedule writes the schedule ThingSpace holds (status.applied), which is what devices
// follow, and names the fields in which the spec still differs from it.
func writeSchedule(s *screen, fc *v1alpha1.FotaCampaign) {
	schedule := campaign.BaselineOf(fc).Schedule
	if fc.Status.Applied != nil {
		s.linef("Schedule (as ThingSpace holds it; hours in UTC):")
	} else {
		s.linef("Schedule (the spec's; ThingSpace has not confirmed it yet; hours in UTC):")
	}
	fields := [][2]string{
		{"  Dates", fmt.Sprintf("%s to %s", schedule.StartDate, schedule.EndDate)},
		{"  Download", allowed(schedule.DownloadAfterDate, schedule.DownloadTimeWindowList)},
		{"  Install", allowed(schedule.InstallAfterDate, schedule.InstallTimeWindowList)},
	}
	if fc.Status.Applied != nil {
		if changed := campaign.ChangedFields(*fc.Status.Applied, fc.Spec.Schedule); len(changed) > 0 {
			fields = append(fields, [2]string{"  Not applied", "the spec differs in " +
				strings.Join(changed, ", ") + "; the Synced condition says why"})
		}
	}
	s.fields(fields)
}

// allowed says from when and in which hours devices may act.
func allowed(after *v1alpha1.Date, windows []v1alpha1.TimeWindow) string {
	from := "from the start date"
	if after != nil {
		from = "from " + string(*after)
	}
	if len(windows) == 0 {
		return from + ", any hour"
	}
	hours := make([]string, 0, len(windows))
	for _, w := range windows {
		hours = append(hours, fmt.Sprintf("%02d:00-%02d:00", w.StartTime, w.EndTime))
	}
	return from + ", " + strings.Join(hours, ", ")
}

// writeNextWindows writes the current or next download and install intervals, in UTC and, with
// displayTimeZone, in local time as the operator wrote it.
func writeNextWindows(s *screen, fc *v1alpha1.FotaCampaign, now time.Time) {
	s.linef("Next windows:")
	s.fields([][2]string{
		{"  Download", nextWindow(fc.Status.NextDownloadWindow, now)},
		{"  Install", nextWindow(fc.Status.NextInstallWindow, now)},
	})
}

func nextWindow(w *v1alpha1.ActionWindow, now time.Time) string {
	if w == nil {
		return "none left"
	}
	text := utcInterval(w.Start.Time, w.End.Time)
	if now.Before(w.Start.Time) {
		text += ", opens " + relative(w.Start.Time, now)
	} else {
		text += ", open now, closes " + relative(w.End.Time, now)
	}
	if w.Local != "" {
		text += "; local " + w.Local
	}
	return text
}

// writeDevices writes the device report: a bar of upgraded devices, every count, the abort
// policy against the counts, and the most frequent failure reasons.
func writeDevices(s *screen, fc *v1alpha1.FotaCampaign, now time.Time) {
	devices := fc.Status.Devices
	if devices == nil {
		s.linef("Devices: the device report has not been read yet")
		return
	}
	s.linef("Devices (report read %s):", ago(devices.LastReadTime, now))
	fields := [][2]string{
		{"  Upgraded", bar(devices.Succeeded, devices.Total) + " " + share(devices.Succeeded, devices.Total)},
		{"  Counts", fmt.Sprintf("succeeded %d, failed %d, rejected %d, cancelled %d, pending %d",
			devices.Succeeded, devices.Failed, devices.Rejected, devices.Cancelled, devices.Pending)},
	}
	if policy := fc.Spec.AbortPolicy; policy != nil {
		fields = append(fields, [2]string{"  Abort policy", abortPolicy(policy, *devices)})
	}
	s.fields(fields)
	writeFailureReasons(s, devices.FailureReasons)
}

// abortPolicy sets the policy's thresholds against the counts, so that a user sees how close the
// campaign is to an abort.
func abortPolicy(policy *v1alpha1.AbortPolicy, devices v1alpha1.DeviceProgress) string {
	finished := devices.Succeeded + devices.Failed
	return fmt.Sprintf("abort at %d%% failed once %d devices finished; now %d of %d finished failed (%d%%)",
		policy.FailedPercent, policy.MinFinishedDevices, devices.Failed, finished, percent(devices.Failed, finished))
}

func writeFailureReasons(s *screen, reasons []v1alpha1.FailureReason) {
	if len(reasons) == 0 {
		return
	}
	s.linef("  Top failure reasons:")
	rows := make([][]string, 0, len(reasons))
	for _, r := range reasons {
		rows = append(rows, []string{fmt.Sprintf("    %d", r.Count), r.Reason})
	}
	s.table(rows)
}
