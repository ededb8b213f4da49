package controllers

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
)

// Actions of events: what the operator was doing when the event happened.
const (
	actionGetCampaign         = "GetCampaign"
	actionUpdateCampaignDates = "UpdateCampaignDates"
	actionValidateTransition  = "ValidateTransition"
	actionReadCredentials     = "ReadCredentials"
)

// actionDescriptions say in words what each ThingSpace call asked for.
var actionDescriptions = map[string]string{
	actionGetCampaign:         "the request for the campaign",
	actionUpdateCampaignDates: "the schedule",
}

// maxEventNote is the longest note the events.k8s.io API accepts.
const maxEventNote = 1024

// event records an event about obj. Notes carry schedules, field names and ThingSpace's error
// codes and messages (from which the ThingSpace client removes every secret), never a credential.
func (r *FotaCampaignReconciler) event(obj runtime.Object, eventType, reason, action, note string, args ...any) {
	r.recorder.Eventf(obj, nil, eventType, reason, action, "%s", text.Truncate(fmt.Sprintf(note, args...), maxEventNote))
}
