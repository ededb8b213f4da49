package fotacampaign

import (
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// recordWindows puts the current or next download and install windows of what ThingSpace holds
// into the status, with their local text and the TimeZoneShift condition when the spec names a
// display time zone. They change only when a window ends (the reconcile is requeued for that
// instant), so at rest a campaign costs a few status writes a day, not one per poll.
func (r *Reconciler) recordWindows(fc *fotav1alpha1.FotaCampaign, now time.Time) {
	applied := fc.Status.Applied
	if applied == nil || campaign.IsClosedPhase(fc.Status.Phase) {
		fc.Status.NextDownloadWindow, fc.Status.NextInstallWindow = nil, nil
		meta.RemoveStatusCondition(&fc.Status.Conditions, fotav1alpha1.ConditionTimeZoneShift)
		return
	}
	loc, zoneErr := r.zones.load(fc.Spec.DisplayTimeZone)
	download, downloadFound := campaign.NextDownloadWindow(*applied, now)
	install, installFound := campaign.NextInstallWindow(*applied, now)
	fc.Status.NextDownloadWindow = actionWindow(download, downloadFound, loc)
	fc.Status.NextInstallWindow = actionWindow(install, installFound, loc)
	if fc.Spec.DisplayTimeZone == "" {
		meta.RemoveStatusCondition(&fc.Status.Conditions, fotav1alpha1.ConditionTimeZoneShift)
		return
	}
	meta.SetStatusCondition(&fc.Status.Conditions, zoneShiftCondition(fc, *applied, loc, zoneErr, now))
}

// actionWindow is the status' window of a found interval, with its local text in loc when loc is
// set; nil when no interval was found.
func actionWindow(iv campaign.Interval, found bool, loc *time.Location) *fotav1alpha1.ActionWindow {
	if !found {
		return nil
	}
	window := &fotav1alpha1.ActionWindow{Start: metav1Time(iv.Start), End: metav1Time(iv.End)}
	if loc != nil {
		window.Local = campaign.LocalText(iv, loc)
	}
	return window
}

// zoneShiftCondition warns when a daylight-saving change of the display time zone falls inside
// the campaign: the local hours of its UTC windows move then.
func zoneShiftCondition(fc *fotav1alpha1.FotaCampaign, applied fotav1alpha1.Schedule, loc *time.Location, zoneErr error, now time.Time) metav1.Condition {
	condition := metav1.Condition{
		Type:               fotav1alpha1.ConditionTimeZoneShift,
		Status:             metav1.ConditionFalse,
		ObservedGeneration: fc.Generation,
		LastTransitionTime: metav1Time(now),
		Reason:             fotav1alpha1.ReasonNoTimeZoneShift,
	}
	name := fc.Spec.DisplayTimeZone
	if zoneErr != nil {
		condition.Reason = fotav1alpha1.ReasonUnknownTimeZone
		condition.Message = fmt.Sprintf("spec.displayTimeZone %q is not an IANA time zone, so the status shows UTC only", name)
		return condition
	}
	shift, found := campaign.FirstZoneShift(applied, loc)
	if !found {
		condition.Message = fmt.Sprintf("the offset of %s from UTC stays the same from the start to the end of the campaign", name)
		return condition
	}
	condition.Status = metav1.ConditionTrue
	condition.Reason = fotav1alpha1.ReasonTimeZoneShift
	condition.Message = fmt.Sprintf("%s changes from %s to %s on %s, during the campaign: from then on its UTC windows fall %s in local time",
		name, shift.From, shift.To, shift.At.In(loc).Format("2006-01-02 15:04 MST"), localMove(shift.By))
	return condition
}

// localMove says how the local hours of a UTC window move when the zone's offset changes by d:
// clocks going forward make the same UTC hour later in local time.
func localMove(d time.Duration) string {
	direction := "later"
	if d < 0 {
		direction, d = "earlier", -d
	}
	if d == time.Hour {
		return "one hour " + direction
	}
	return d.String() + " " + direction
}

// zoneCache loads each time zone once: loading one parses the zone database.
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]zoneEntry
}

type zoneEntry struct {
	loc *time.Location
	err error
}

func newZoneCache() *zoneCache {
	return &zoneCache{zones: map[string]zoneEntry{}}
}

// load returns the zone of an IANA name; nil without an error for an empty name.
func (z *zoneCache) load(name string) (*time.Location, error) {
	if name == "" {
		return nil, nil
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	entry, ok := z.zones[name]
	if !ok {
		entry.loc, entry.err = campaign.LoadTimeZone(name)
		z.zones[name] = entry
	}
	return entry.loc, entry.err
}
