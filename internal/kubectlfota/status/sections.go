package status

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// writeSchedule writes the schedule ThingSpace holds (status.applied), which is what devices
// follow, and names the fields in which the spec still differs from it.
func writeSchedule(out io.Writer, fc *v1alpha1.FotaCampaign) {
	schedule := scheduleOf(fc)
	if fc.Status.Applied != nil {
		fmt.Fprintln(out, "Schedule (as ThingSpace holds it; hours in UTC):")
	} else {
		fmt.Fprintln(out, "Schedule (the spec's; ThingSpace has not confirmed it yet; hours in UTC):")
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
	writeFields(out, fields)
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
func writeNextWindows(out io.Writer, fc *v1alpha1.FotaCampaign, now time.Time) {
	fmt.Fprintln(out, "Next windows:")
	writeFields(out, [][2]string{
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
func writeDevices(out io.Writer, fc *v1alpha1.FotaCampaign, now time.Time) {
	devices := fc.Status.Devices
	if devices == nil {
		fmt.Fprintln(out, "Devices: the device report has not been read yet")
		return
	}
	fmt.Fprintf(out, "Devices (report read %s):\n", ago(devices.LastReadTime, now))
	fields := [][2]string{
		{"  Upgraded", bar(devices.Succeeded, devices.Total) + " " + share(devices.Succeeded, devices.Total)},
		{"  Counts", fmt.Sprintf("succeeded %d, failed %d, rejected %d, cancelled %d, pending %d",
			devices.Succeeded, devices.Failed, devices.Rejected, devices.Cancelled, devices.Pending)},
	}
	if policy := fc.Spec.AbortPolicy; policy != nil {
		fields = append(fields, [2]string{"  Abort policy", abortPolicy(policy, *devices)})
	}
	writeFields(out, fields)
	writeFailureReasons(out, devices.FailureReasons)
}

// abortPolicy sets the policy's thresholds against the counts, so that a user sees how close the
// campaign is to an abort.
func abortPolicy(policy *v1alpha1.AbortPolicy, devices v1alpha1.DeviceProgress) string {
	finished := devices.Succeeded + devices.Failed
	return fmt.Sprintf("abort at %d%% failed once %d devices finished; now %d of %d finished failed (%d%%)",
		policy.FailedPercent, policy.MinFinishedDevices, devices.Failed, finished, percent(devices.Failed, finished))
}

func writeFailureReasons(out io.Writer, reasons []v1alpha1.FailureReason) {
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintln(out, "  Top failure reasons:")
	table := newTable(out)
	for _, r := range reasons {
		row(table, fmt.Sprintf("    %d", r.Count), r.Reason)
	}
	_ = table.Flush() // see writeConditions
}

// trimLines drops the spaces that aligning leaves at the end of a line whose last cell is empty.
func trimLines(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " ")
	}
	return strings.Join(lines, "\n")
}
