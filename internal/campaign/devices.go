package campaign

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// RuleDevicesFrozen is broken by changing spec.devices once ThingSpace has scheduled the campaign.
const RuleDevicesFrozen Rule = "devices-frozen"

// CheckDevicesChange lists the rule that changing the devices from old to desired breaks when
// ThingSpace holds the campaign in thingSpaceStatus; none when the lists hold the same devices, or
// when ThingSpace still lets them change. An empty status (the campaign was never read, or not
// scheduled yet) allows the change: the operator checks again against what ThingSpace reports.
// Unset devices means "leave the devices as they are", so unsetting them is always allowed.
func CheckDevicesChange(thingSpaceStatus string, old, desired []v1alpha1.DeviceID) []Violation {
	if desired == nil || sameDevices(old, desired) || thingSpaceStatus == "" || DevicesChangeable(thingSpaceStatus) {
		return nil
	}
	return []Violation{devicesFrozen(thingSpaceStatus)}
}

// DevicesFrozen is the violation of a device change the controller found against ThingSpace's
// device report while the campaign's status allows none.
func DevicesFrozen(thingSpaceStatus string) Violation {
	return devicesFrozen(thingSpaceStatus)
}

func devicesFrozen(thingSpaceStatus string) Violation {
	return Violation{
		Rule: RuleDevicesFrozen,
		Error: field.Forbidden(specPath.Child("devices"), fmt.Sprintf(
			"the campaign is %s in ThingSpace: devices can only be added or removed until ThingSpace has scheduled it (CampaignRequestPending or CampaignRequestQueued); schedule another campaign for other devices",
			thingSpaceStatus)),
	}
}

func sameDevices(a, b []v1alpha1.DeviceID) bool {
	if len(a) != len(b) {
		return false
	}
	sortedA, sortedB := slices.Clone(a), slices.Clone(b)
	slices.Sort(sortedA)
	slices.Sort(sortedB)
	return slices.Equal(sortedA, sortedB)
}

// DeviceDiff is the difference between the devices a spec wants and the devices ThingSpace
// reports, built one reported device at a time so that the report is never held whole.
type DeviceDiff struct {
	wanted   map[v1alpha1.DeviceID]bool // desired device -> reported yet
	order    []v1alpha1.DeviceID
	toRemove []string
	unwanted map[string]bool
}

// NewDeviceDiff starts a diff against the desired devices.
func NewDeviceDiff(desired []v1alpha1.DeviceID) *DeviceDiff {
	d := &DeviceDiff{wanted: make(map[v1alpha1.DeviceID]bool, len(desired)), order: desired, unwanted: map[string]bool{}}
	for _, id := range desired {
		d.wanted[id] = false
	}
	return d
}

// Reported notes one device of ThingSpace's report.
func (d *DeviceDiff) Reported(deviceID string) {
	id := v1alpha1.DeviceID(deviceID)
	if _, wanted := d.wanted[id]; wanted {
		d.wanted[id] = true
		return
	}
	if !d.unwanted[deviceID] {
		d.unwanted[deviceID] = true
		d.toRemove = append(d.toRemove, deviceID)
	}
}

// Append is the desired devices ThingSpace did not report, in the spec's order.
func (d *DeviceDiff) Append() []string {
	var missing []string
	for _, id := range d.order {
		if !d.wanted[id] {
			missing = append(missing, string(id))
		}
	}
	return missing
}

// Remove is the reported devices the spec does not want, in the report's order.
func (d *DeviceDiff) Remove() []string {
	return d.toRemove
}

// InSync reports whether ThingSpace reported exactly the desired devices.
func (d *DeviceDiff) InSync() bool {
	return len(d.Append()) == 0 && len(d.toRemove) == 0
}
