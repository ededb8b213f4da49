package rollout

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// MaxNameLength is the longest name of a FotaRollout: its wave campaigns are named
// "<rollout>-w<k>-<j>" (CampaignName), at most 8 characters more with 20 waves of 100 chunks,
// and stay short enough for any tool that labels them by name.
const MaxNameLength = 50

var (
	namePath            = field.NewPath("metadata", "name")
	specPath            = field.NewPath("spec")
	wavesPath           = specPath.Child("waves")
	abortPath           = specPath.Child("abort")
	releaseZonePath     = specPath.Child("releaseWindows", "timeZone")
	displayTimeZonePath = specPath.Child("campaign", "displayTimeZone")
)

// CheckCreate lists what a new rollout breaks of the rules the schema cannot express: its name
// is at most MaxNameLength characters, waves of the same kind that follow each other grow, and
// its time zones are IANA zones. Nil when it breaks none.
func CheckCreate(fr *v1alpha1.FotaRollout) field.ErrorList {
	var errs field.ErrorList
	if len(fr.Name) > MaxNameLength {
		errs = append(errs, field.Invalid(namePath, fr.Name, fmt.Sprintf(
			"must be at most %d characters: the wave campaigns are named <rollout>-w<wave>-<chunk>, which must stay valid names",
			MaxNameLength)))
	}
	errs = append(errs, checkGrowth(fr.Spec.Waves)...)
	errs = append(errs, checkZones(nil, &fr.Spec)...)
	return errs
}

// CheckUpdate lists what changing oldFR to newFR breaks: the waves that have started
// (oldFR.status.currentWave) are removed or changed, changed waves of the same kind that follow
// each other do not grow, abort goes from true to false, or a changed time zone is no IANA zone.
// Nil when it breaks none. A change that leaves the waves, abort and the zones as they were
// (metadata, pause, approval, a finalizer) always passes, so no rollout gets stuck on an object
// it cannot edit.
func CheckUpdate(oldFR, newFR *v1alpha1.FotaRollout) field.ErrorList {
	var errs field.ErrorList
	if !slices.EqualFunc(oldFR.Spec.Waves, newFR.Spec.Waves, sameWave) {
		errs = append(errs, checkStartedWaves(int(oldFR.Status.CurrentWave), oldFR.Spec.Waves, newFR.Spec.Waves)...)
		errs = append(errs, checkGrowth(newFR.Spec.Waves)...)
	}
	if oldFR.Spec.Abort && !newFR.Spec.Abort {
		errs = append(errs, field.Forbidden(abortPath,
			"abort cannot go back to false: an aborted rollout cannot be resumed; create a new FotaRollout"))
	}
	errs = append(errs, checkZones(&oldFR.Spec, &newFR.Spec)...)
	return errs
}

// checkStartedWaves refuses to remove or change the first started waves of old.
func checkStartedWaves(started int, old, desired []v1alpha1.Wave) field.ErrorList {
	started = min(started, len(old))
	if started == 0 {
		return nil
	}
	var errs field.ErrorList
	if len(desired) < started {
		errs = append(errs, field.Forbidden(wavesPath, fmt.Sprintf(
			"%s started and cannot be removed; the spec lists %d: add or change only the waves after wave %d",
			wavesRange(started), len(desired), started)))
	}
	for i := range min(started, len(desired)) {
		if !sameWave(old[i], desired[i]) {
			errs = append(errs, field.Forbidden(wavesPath.Index(i), fmt.Sprintf(
				"wave %d started as %s and cannot change to %s; change only the waves after wave %d, which have not started",
				i+1, describeWave(old[i]), describeWave(desired[i]), started)))
		}
	}
	return errs
}

func wavesRange(started int) string {
	if started == 1 {
		return "wave 1 has"
	}
	return fmt.Sprintf("waves 1 to %d have", started)
}

// checkGrowth refuses a wave that is not larger than the wave before it when both are of the same
// kind: it would take no devices. Waves of different kinds cannot be compared without the fleet.
func checkGrowth(waves []v1alpha1.Wave) field.ErrorList {
	var errs field.ErrorList
	for i := 1; i < len(waves); i++ {
		prev, cur := waves[i-1], waves[i]
		grows := true
		switch {
		case prev.Devices != nil && cur.Devices != nil:
			grows = *cur.Devices > *prev.Devices
		case prev.Percent != nil && cur.Percent != nil:
			grows = *cur.Percent > *prev.Percent
		}
		if !grows {
			errs = append(errs, field.Invalid(wavesPath.Index(i), describeWave(cur), fmt.Sprintf(
				"wave %d must be larger than wave %d (%s): a wave grows the rollout to its size, so waves of the same kind that follow each other must grow",
				i+1, i, describeWave(prev))))
		}
	}
	return errs
}

// checkZones refuses a time zone that is not an IANA zone, of a new spec, or of an updated spec
// where it changed: a zone that the operator's zone database stopped knowing must not block other
// edits.
func checkZones(old, desired *v1alpha1.FotaRolloutSpec) field.ErrorList {
	var errs field.ErrorList
	if zone := releaseZone(desired); zone != "" && (old == nil || zone != releaseZone(old)) {
		if _, err := LoadReleaseZone(zone); err != nil {
			errs = append(errs, unknownZone(releaseZonePath, zone))
		}
	}
	if zone := desired.Campaign.DisplayTimeZone; zone != "" && (old == nil || zone != old.Campaign.DisplayTimeZone) {
		if _, err := campaign.LoadTimeZone(zone); err != nil {
			errs = append(errs, unknownZone(displayTimeZonePath, zone))
		}
	}
	return errs
}

func releaseZone(spec *v1alpha1.FotaRolloutSpec) string {
	if spec.ReleaseWindows == nil {
		return ""
	}
	return spec.ReleaseWindows.TimeZone
}

func unknownZone(path *field.Path, zone string) *field.Error {
	return field.Invalid(path, zone, "must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC")
}

func sameWave(a, b v1alpha1.Wave) bool {
	return sameCount(a.Devices, b.Devices) && sameCount(a.Percent, b.Percent)
}

func sameCount(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// describeWave is a wave as its YAML reads, e.g. "devices: 10" or "percent: 50".
func describeWave(w v1alpha1.Wave) string {
	switch {
	case w.Devices != nil && w.Percent != nil:
		return fmt.Sprintf("devices: %d, percent: %d", *w.Devices, *w.Percent)
	case w.Devices != nil:
		return fmt.Sprintf("devices: %d", *w.Devices)
	case w.Percent != nil:
		return fmt.Sprintf("percent: %d", *w.Percent)
	}
	return "an empty wave"
}
