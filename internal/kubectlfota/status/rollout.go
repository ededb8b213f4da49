package status

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// renderRollout is the screen of a FotaRollout at now: where it stands and what its next wave
// waits for, its rules, the tree of its waves and their campaigns, and its conditions.
// campaigns are the rollout's wave campaigns, as fetchRollout lists them.
func renderRollout(fr *v1alpha1.FotaRollout, campaigns []v1alpha1.FotaCampaign, now time.Time) string {
	var s screen
	s.linef("FotaRollout %s/%s", fr.Namespace, fr.Name)
	s.fields(rolloutFields(fr, now))
	s.linef("")
	writeWaves(&s, fr, campaigns, now)
	s.linef("")
	writeConditions(&s, fr.Status.Conditions, now)
	return s.text()
}

// rolloutFields are the header lines of a rollout's screen, the answer to "what now?" first.
func rolloutFields(fr *v1alpha1.FotaRollout, now time.Time) [][2]string {
	status := fr.Status
	fields := [][2]string{
		{"Phase", orDefault(string(status.Phase), "unknown: the operator has not reported on this rollout yet")},
		{"Next", waitsFor(fr, now)},
		{"Account", fr.Spec.AccountName},
		{"Software", fmt.Sprintf("%s -> %s (%s)", fr.Spec.Software.From, fr.Spec.Software.To, fr.Spec.Software.DistributionType)},
		{"Wave", fmt.Sprintf("%d of %d started", status.CurrentWave, len(fr.Spec.Waves))},
	}
	fields = append(fields, deviceFields(status)...)
	fields = append(fields,
		[2]string{"Gate", gate(fr.Spec.Gate)},
		[2]string{"Approval", approval(fr.Spec.ApprovedWaves)},
		[2]string{"Release", release(fr.Spec.ReleaseWindows)},
	)
	return append(fields, [2]string{"Observed", observed(fr.Generation, status.ObservedGeneration)})
}

// deviceFields are the fleet and the devices of the started waves.
func deviceFields(status v1alpha1.FotaRolloutStatus) [][2]string {
	if status.FleetSize == 0 {
		return [][2]string{{"Fleet", "not read yet"}}
	}
	fleet := [2]string{"Fleet", fmt.Sprintf("%d devices", status.FleetSize)}
	devices := status.Devices
	if devices == nil {
		return [][2]string{fleet}
	}
	return [][2]string{fleet,
		{"Upgraded", bar(devices.Succeeded, status.FleetSize) + " " + share(devices.Succeeded, status.FleetSize) + " of the fleet"},
		{"Started waves", fmt.Sprintf("%d devices: succeeded %d, failed %d, rejected %d, cancelled %d, pending %d",
			devices.Total, devices.Succeeded, devices.Failed, devices.Rejected, devices.Cancelled, devices.Pending)},
	}
}

func gate(g v1alpha1.Gate) string {
	successPercent, soakTime := rollout.GateOf(g)
	soak := "no soak"
	if soakTime > 0 {
		soak = "soak " + duration.HumanDuration(soakTime)
	}
	return fmt.Sprintf("successPercent %d%%, %s", successPercent, soak)
}

func approval(approvedWaves *int32) string {
	if approvedWaves == nil {
		return "every wave (spec.approvedWaves unset)"
	}
	return fmt.Sprintf("waves up to %d (spec.approvedWaves)", *approvedWaves)
}

// release writes the release windows as a person reads a calendar: "Mon,Tue 09:00-16:00".
func release(rw *v1alpha1.ReleaseWindows) string {
	if rw == nil {
		return "any time (no spec.releaseWindows)"
	}
	windows := make([]string, 0, len(rw.Windows))
	for _, w := range rw.Windows {
		days := "every day"
		if len(w.Days) > 0 {
			days = joinDays(w.Days)
		}
		windows = append(windows, fmt.Sprintf("%s %02d:00-%02d:00", days, w.StartTime, w.EndTime))
	}
	text := strings.Join(windows, ", ") + " " + orDefault(rw.TimeZone, "UTC")
	if len(rw.BlackoutDates) > 0 {
		dates := make([]string, 0, len(rw.BlackoutDates))
		for _, d := range rw.BlackoutDates {
			dates = append(dates, string(d))
		}
		text += "; not on " + strings.Join(dates, ", ")
	}
	return text
}

func joinDays(days []v1alpha1.Weekday) string {
	names := make([]string, 0, len(days))
	for _, d := range days {
		names = append(names, string(d))
	}
	return strings.Join(names, ",")
}

// writeWaves writes every wave of the spec with, under each started one, its campaigns.
func writeWaves(s *screen, fr *v1alpha1.FotaRollout, campaigns []v1alpha1.FotaCampaign, now time.Time) {
	s.linef("Waves:")
	rows := [][]string{{"  WAVE / CAMPAIGN", "STATE", "DEVICES", "UPGRADED", "FAILED", "INFO"}}
	byWave := campaignsByWave(campaigns)
	for k := range fr.Spec.Waves {
		number := int32(k + 1)
		name := "  " + waveName(fr, number)
		started := waveStatusOf(fr, number)
		switch {
		case started != nil:
			rows = append(rows, []string{name, string(started.State), strconv.Itoa(int(started.Devices)),
				share(started.Succeeded, started.Devices), strconv.Itoa(int(started.Failed)), waveInfo(fr, started, now)})
			rows = append(rows, campaignRows(started.Campaigns, byWave[number])...)
		case len(byWave[number]) > 0:
			rows = append(rows, []string{name, "Starting", "-", "-", "-", "its campaigns exist; the rollout's status has not caught up"})
			rows = append(rows, campaignRows(nil, byWave[number])...)
		default:
			rows = append(rows, []string{name, notStartedState(fr, number), "-", "-", "-", "not started"})
		}
	}
	s.table(rows)
}

// notStartedState marks the wave the rollout decides on next, so that the tree points at it.
func notStartedState(fr *v1alpha1.FotaRollout, number int32) string {
	if number == fr.Status.CurrentWave+1 {
		return "Next"
	}
	return "-"
}

// waveInfo says when a wave started and where its gate stands.
func waveInfo(fr *v1alpha1.FotaRollout, wave *v1alpha1.WaveStatus, now time.Time) string {
	info := "started " + ago(wave.StartTime, now)
	if wave.SucceededTime == nil {
		return info
	}
	if wave.State == v1alpha1.WaveStateSoaking {
		_, soakTime := rollout.GateOf(fr.Spec.Gate)
		return info + "; soaks until " + wave.SucceededTime.Add(soakTime).UTC().Format(time.RFC3339)
	}
	return info + "; reached successPercent " + ago(wave.SucceededTime, now)
}

// campaignRows are a wave's campaigns as branches: those the status names, in its order, then
// any other the cluster holds for the wave (the status may lag behind a wave's start).
func campaignRows(named []string, found map[string]*v1alpha1.FotaCampaign) [][]string {
	names := slices.Clone(named)
	var others []string
	for name := range found {
		if !slices.Contains(named, name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	names = append(names, others...)
	rows := make([][]string, 0, len(names))
	for i, name := range names {
		branch := "  ├─ "
		if i == len(names)-1 {
			branch = "  └─ "
		}
		fc, ok := found[name]
		if !ok {
			rows = append(rows, []string{branch + name, "NotFound", "-", "-", "-", "named by the rollout's status, absent from the cluster"})
			continue
		}
		rows = append(rows, append([]string{branch + name}, campaignCells(fc)...))
	}
	return rows
}

// campaignCells are a wave campaign's phase, counts and ThingSpace status, with the Ready
// reason when it is not Ready: that is where a stuck wave shows why.
func campaignCells(fc *v1alpha1.FotaCampaign) []string {
	devices := int32(len(fc.Spec.Devices))
	upgraded, failed := "-", "-"
	if p := fc.Status.Devices; p != nil {
		devices = p.Total
		upgraded, failed = share(p.Succeeded, p.Total), strconv.Itoa(int(p.Failed))
	}
	info := "not scheduled yet"
	if c := fc.Status.Campaign; c != nil && c.Status != "" {
		info = c.Status
	}
	if ready := meta.FindStatusCondition(fc.Status.Conditions, v1alpha1.ConditionReady); ready != nil && ready.Status != "True" {
		info += "; Ready " + string(ready.Status) + ": " + ready.Reason
	}
	return []string{orDefault(string(fc.Status.Phase), "-"), strconv.Itoa(int(devices)), upgraded, failed, info}
}

// campaignsByWave groups the campaigns by their wave label, then by name.
func campaignsByWave(campaigns []v1alpha1.FotaCampaign) map[int32]map[string]*v1alpha1.FotaCampaign {
	byWave := map[int32]map[string]*v1alpha1.FotaCampaign{}
	for i := range campaigns {
		fc := &campaigns[i]
		wave, err := strconv.ParseInt(fc.Labels[v1alpha1.LabelWave], 10, 32)
		if err != nil {
			continue // not a wave campaign the operator made: it has no place in the tree
		}
		if byWave[int32(wave)] == nil {
			byWave[int32(wave)] = map[string]*v1alpha1.FotaCampaign{}
		}
		byWave[int32(wave)][fc.Name] = fc
	}
	return byWave
}

// waveStatusOf is the status of wave number, nil when it has not started.
func waveStatusOf(fr *v1alpha1.FotaRollout, number int32) *v1alpha1.WaveStatus {
	for i := range fr.Status.Waves {
		if fr.Status.Waves[i].Wave == number {
			return &fr.Status.Waves[i]
		}
	}
	return nil
}

// waveName is "wave 2 (percent: 10)": the number and the size the spec gives it.
func waveName(fr *v1alpha1.FotaRollout, number int32) string {
	name := fmt.Sprintf("wave %d", number)
	if number < 1 || int(number) > len(fr.Spec.Waves) {
		return name
	}
	switch w := fr.Spec.Waves[number-1]; {
	case w.Devices != nil:
		return fmt.Sprintf("%s (devices: %d)", name, *w.Devices)
	case w.Percent != nil:
		return fmt.Sprintf("%s (percent: %d)", name, *w.Percent)
	}
	return name
}
