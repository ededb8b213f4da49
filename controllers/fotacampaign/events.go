package fotacampaign

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/fota-operator/fota-operator/internal/text"
)

// Event reasons of their own; the others are the Synced reasons they report.
const (
	// EventPushed: ThingSpace accepted the schedule of the spec.
	EventPushed = "Pushed"
	// EventDriftDetected: ThingSpace's schedule changed outside the operator.
	EventDriftDetected = "DriftDetected"
	// EventCampaignScheduled: the operator scheduled the campaign in ThingSpace.
	EventCampaignScheduled = "CampaignScheduled"
	// EventCampaignAdopted: the operator found the campaign by its name in ThingSpace and manages it.
	EventCampaignAdopted = "CampaignAdopted"
	// EventDevicesUpdated: ThingSpace accepted a change of the campaign's devices.
	EventDevicesUpdated = "DevicesUpdated"
	// EventCampaignCancelled: the operator cancelled the campaign before its start (deletionPolicy Cancel).
	EventCampaignCancelled = "CampaignCancelled"
	// EventCampaignAborted: the operator aborted the running campaign (deletionPolicy Cancel).
	EventCampaignAborted = "CampaignAborted"
	// EventReleased: the object was deleted without a ThingSpace call, and the event says why.
	EventReleased = "Released"
)

// Actions of events: what the operator was doing when the event happened.
const (
	actionGetCampaign         = "GetCampaign"
	actionUpdateCampaignDates = "UpdateCampaignDates"
	actionListCampaigns       = "ListCampaigns"
	actionCreateCampaign      = "CreateCampaign"
	actionUpdateDevices       = "UpdateDevices"
	actionReadDeviceReport    = "ReadDeviceReport"
	actionDeleteCampaign      = "DeleteCampaign"
	actionAbortOnFailures     = "AbortOnFailures"
	actionValidateTransition  = "ValidateTransition"
	actionReadCredentials     = "ReadCredentials"
)

// actionDescriptions say in words what each ThingSpace call asked for.
var actionDescriptions = map[string]string{
	actionGetCampaign:         "the request for the campaign",
	actionUpdateCampaignDates: "the schedule",
	actionListCampaigns:       "the request for the account's campaigns",
	actionCreateCampaign:      "the request to schedule the campaign",
	actionUpdateDevices:       "the change of devices",
	actionReadDeviceReport:    "the request for the device report",
	actionDeleteCampaign:      "the cancellation",
	actionAbortOnFailures:     "the abort on failures",
}

// maxEventNote is the longest note the events.k8s.io API accepts.
const maxEventNote = 1024

// event records an event about obj. Notes carry schedules, field names and ThingSpace's error
// codes and messages (from which the ThingSpace client removes every secret), never a credential.
func (r *Reconciler) event(obj runtime.Object, eventType, reason, action, note string, args ...any) {
	r.recorder.Eventf(obj, nil, eventType, reason, action, "%s", text.Truncate(fmt.Sprintf(note, args...), maxEventNote))
}
