package status

import (
	"fmt"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// renderCampaign is the screen of a FotaCampaign at now: who it is, the schedule ThingSpace
// holds, the next windows, the devices and the conditions.
func renderCampaign(fc *v1alpha1.FotaCampaign, now time.Time) string {
	var s screen
	s.linef("FotaCampaign %s/%s", fc.Namespace, fc.Name)
	s.fields(campaignFields(fc, now))
	sections := []func(*screen){
		func(s *screen) { writeSchedule(s, fc) },
		func(s *screen) { writeNextWindows(s, fc, now) },
		func(s *screen) { writeDevices(s, fc, now) },
		func(s *screen) { writeConditions(s, fc.Status.Conditions, now) },
	}
	for _, section := range sections {
		s.linef("")
		section(&s)
	}
	return s.text()
}

// campaignFields are the header lines of a campaign's screen.
func campaignFields(fc *v1alpha1.FotaCampaign, now time.Time) [][2]string {
	fields := [][2]string{
		{"Phase", campaignPhase(fc, now)},
		{"Account", fc.Spec.AccountName},
		{"ThingSpace", thingSpaceCampaign(fc)},
	}
	if info := fc.Status.Campaign; info != nil && info.CampaignName != "" {
		fields = append(fields, [2]string{"Name", info.CampaignName})
	}
	if software := softwareOf(fc); software != "" {
		fields = append(fields, [2]string{"Software", software})
	}
	if rollout := fc.Labels[v1alpha1.LabelRollout]; rollout != "" {
		fields = append(fields, [2]string{"Rollout", fmt.Sprintf("%s, wave %s", rollout, orDefault(fc.Labels[v1alpha1.LabelWave], "-"))})
	}
	if held := heldBy(fc); held != "" {
		fields = append(fields, [2]string{"Held", held})
	}
	// A stale read is the first sign of a credentials or network problem.
	return append(fields,
		[2]string{"Observed", observed(fc.Generation, fc.Status.ObservedGeneration)},
		[2]string{"Last read", ago(fc.Status.LastObservedTime, now)},
		[2]string{"Last push", ago(fc.Status.LastPushedTime, now)},
	)
}

// campaignPhase is the phase with where the campaign stands in its dates, which a phase alone
// does not say ("day 2 of 7").
func campaignPhase(fc *v1alpha1.FotaCampaign, now time.Time) string {
	phase := string(fc.Status.Phase)
	if phase == "" {
		return "unknown: the operator has not read the campaign from ThingSpace yet"
	}
	schedule := campaign.BaselineOf(fc).Schedule
	start, end := campaign.Start(schedule), campaign.End(schedule)
	switch fc.Status.Phase {
	case v1alpha1.PhasePending:
		return fmt.Sprintf("%s (starts %s UTC, %s)", phase, start.Format("2006-01-02 15:04"), relative(start, now))
	case v1alpha1.PhaseInProgress:
		day := int(now.Sub(start)/(24*time.Hour)) + 1
		days := int(end.Sub(start) / (24 * time.Hour))
		// end is midnight after endDate: name the date a user wrote, not the next one.
		return fmt.Sprintf("%s (day %d of %d, until the end of %s UTC, %s)", phase, day, days, schedule.EndDate, relative(end, now))
	}
	return phase
}

// thingSpaceCampaign is the campaign's id and ThingSpace's own status string.
func thingSpaceCampaign(fc *v1alpha1.FotaCampaign) string {
	id := fc.Spec.CampaignID
	status := ""
	if info := fc.Status.Campaign; info != nil {
		id = orDefault(info.ID, id)
		status = info.Status
	}
	id = orDefault(id, fc.Annotations[v1alpha1.AnnotationCampaignID])
	switch {
	case id == "":
		return "not scheduled yet"
	case status == "":
		return id + " (status not read yet)"
	}
	return id + " (" + status + ")"
}

// softwareOf is the upgrade, as ThingSpace reports it or, before that, as the spec asks for it.
func softwareOf(fc *v1alpha1.FotaCampaign) string {
	if info := fc.Status.Campaign; info != nil && info.SoftwareTo != "" {
		return fmt.Sprintf("%s -> %s (%s)", orDefault(info.SoftwareFrom, "-"), info.SoftwareTo, orDefault(info.DistributionType, "-"))
	}
	if s := fc.Spec.Software; s != nil {
		return fmt.Sprintf("%s -> %s (%s)", s.From, s.To, s.DistributionType)
	}
	return ""
}

// heldBy says what in the spec stops the operator's calls, as a user set it.
func heldBy(fc *v1alpha1.FotaCampaign) string {
	var held []string
	if fc.Spec.Suspend != nil && *fc.Spec.Suspend {
		held = append(held, "spec.suspend is true: no ThingSpace call")
	}
	if fc.Spec.Cancel != nil && *fc.Spec.Cancel {
		held = append(held, "spec.cancel is true: the campaign is cancelled or aborted")
	}
	return strings.Join(held, "; ")
}

// observed says whether the conditions speak of the spec as it stands.
func observed(generation, observedGeneration int64) string {
	text := fmt.Sprintf("generation %d of %d", observedGeneration, generation)
	if observedGeneration < generation {
		text += " (the conditions do not speak of the latest spec yet)"
	}
	return text
}
