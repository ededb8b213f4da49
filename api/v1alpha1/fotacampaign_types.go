package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Date is a calendar date in the form YYYY-MM-DD, read as a UTC day. ThingSpace dates carry no
// time or zone.
// +kubebuilder:validation:Format=date
// +kubebuilder:validation:MinLength=10
// +kubebuilder:validation:MaxLength=10
type Date string

// TimeWindow is a range of whole hours of the day (UTC) in which a device may act: a device acts
// when startTime <= current hour < endTime.
// +kubebuilder:validation:XValidation:rule="self.startTime < self.endTime",message="startTime must be earlier than endTime; a window cannot cross midnight: split it into two windows, e.g. {startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}"
type TimeWindow struct {
	// startTime is the first hour of the window, from 0 to 23.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=23
	// +required
	StartTime int32 `json:"startTime"`

	// endTime is the hour the window closes, from 1 to 24 (24 is midnight at the end of the day);
	// it must be later than startTime.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=24
	// +required
	EndTime int32 `json:"endTime"`
}

// Schedule is the part of a campaign that ThingSpace lets us change: its dates and time windows.
// Field names mirror the ThingSpace "change campaign dates" payload.
type Schedule struct {
	// startDate is the first day of the campaign (YYYY-MM-DD, UTC). The campaign starts at 00:00 UTC
	// of this day. It can change only before the campaign starts, and only to today or later.
	// +required
	StartDate Date `json:"startDate"`

	// endDate is the last day of the campaign (YYYY-MM-DD, UTC). The campaign ends at the end of
	// this day. Once the campaign has started it may only move to the UTC date of now + 24 h or
	// later.
	// +required
	EndDate Date `json:"endDate"`

	// downloadAfterDate is the day from which devices may download the package (YYYY-MM-DD, UTC).
	// Unset means as soon as possible. It cannot change once the campaign has started.
	// +optional
	DownloadAfterDate *Date `json:"downloadAfterDate,omitempty"`

	// downloadTimeWindowList lists the hours of the day (UTC) in which devices may download. Empty
	// means any time. Once the campaign has started windows may be added but none removed.
	// +kubebuilder:validation:MaxItems=24
	// +kubebuilder:validation:XValidation:rule="self.all(w, self.exists_one(x, x.startTime == w.startTime && x.endTime == w.endTime))",message="downloadTimeWindowList must not list the same window twice"
	// +listType=atomic
	// +optional
	DownloadTimeWindowList []TimeWindow `json:"downloadTimeWindowList,omitempty"`

	// installAfterDate is the day from which devices may install the package (YYYY-MM-DD, UTC).
	// Unset means as soon as possible. It cannot change once the campaign has started.
	// +optional
	InstallAfterDate *Date `json:"installAfterDate,omitempty"`

	// installTimeWindowList lists the hours of the day (UTC) in which devices may install. Empty
	// means any time. Once the campaign has started windows may be added but none removed.
	// +kubebuilder:validation:MaxItems=24
	// +kubebuilder:validation:XValidation:rule="self.all(w, self.exists_one(x, x.startTime == w.startTime && x.endTime == w.endTime))",message="installTimeWindowList must not list the same window twice"
	// +listType=atomic
	// +optional
	InstallTimeWindowList []TimeWindow `json:"installTimeWindowList,omitempty"`
}

// SecretReference names a Secret in the namespace of the FotaCampaign.
type SecretReference struct {
	// name is the name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`
}

// DistributionType is how ThingSpace delivers the software to the devices.
// +kubebuilder:validation:Enum=HTTP;OMA;LWM2M
type DistributionType string

// Software is the upgrade a campaign the operator schedules installs. Field values are
// ThingSpace's software names, as the ThingSpace portal lists them.
type Software struct {
	// name is ThingSpace's softwareName: the package the campaign installs.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	Name string `json:"name"`

	// from is ThingSpace's softwareFrom: the software the devices run before the upgrade.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	From string `json:"from"`

	// to is ThingSpace's softwareTo: the software the devices run after the upgrade.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	To string `json:"to"`

	// distributionType is how ThingSpace delivers the software: HTTP, OMA or LWM2M.
	// +required
	DistributionType DistributionType `json:"distributionType"`
}

// DeviceID is a device's IMEI (or other ThingSpace device id): 1 to 32 letters and digits.
// +kubebuilder:validation:Pattern=`^[0-9A-Za-z]{1,32}$`
// +kubebuilder:validation:MaxLength=32
type DeviceID string

// DeletionPolicy says what deleting a FotaCampaign does to its ThingSpace campaign.
// +kubebuilder:validation:Enum=Orphan;Cancel
type DeletionPolicy string

const (
	// DeletionPolicyOrphan leaves the campaign in ThingSpace as it is.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
	// DeletionPolicyCancel cancels the campaign before its start, or aborts it while it runs.
	DeletionPolicyCancel DeletionPolicy = "Cancel"
)

// AbortPolicy is when the operator aborts a running campaign because too many devices failed.
type AbortPolicy struct {
	// failedPercent aborts the campaign when failed / (succeeded + failed) reaches this percentage,
	// from 1 to 100.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +required
	FailedPercent int32 `json:"failedPercent"`

	// minFinishedDevices is how many devices must have finished (succeeded or failed) before
	// failedPercent is judged, so that the first failure of a campaign does not abort it; at
	// least 1.
	// +kubebuilder:validation:Minimum=1
	// +required
	MinFinishedDevices int32 `json:"minFinishedDevices"`
}

// FotaCampaignSpec is the ThingSpace FOTA campaign a FotaCampaign manages (campaignId) or schedules
// (software and devices), and the schedule it should have.
// +kubebuilder:validation:XValidation:rule="has(self.campaignId) != has(self.software)",message="set exactly one of campaignId (to manage a campaign that exists in ThingSpace) and software (to have the operator schedule a new one)"
// +kubebuilder:validation:XValidation:rule="!has(self.software) || has(self.devices)",message="devices is required with software: list the IMEIs of the devices the new campaign upgrades",fieldPath=".devices"
// +kubebuilder:validation:XValidation:rule="!has(self.campaignName) || has(self.software)",message="campaignName names a campaign the operator schedules: set it only together with software",fieldPath=".campaignName"
// +kubebuilder:validation:XValidation:rule="has(self.campaignId) == has(oldSelf.campaignId)",message="campaignId cannot be added or removed after creation: create a new FotaCampaign for another campaign"
// +kubebuilder:validation:XValidation:rule="has(self.campaignName) == has(oldSelf.campaignName)",message="campaignName cannot be added or removed after creation: ThingSpace cannot rename a campaign; create a new FotaCampaign to schedule another"
// +kubebuilder:validation:XValidation:rule="has(self.software) == has(oldSelf.software)",message="software cannot be added or removed after creation: create a new FotaCampaign to schedule another campaign"
// +kubebuilder:validation:XValidation:rule="!(has(oldSelf.cancel) && oldSelf.cancel) || (has(self.cancel) && self.cancel)",message="cancel cannot go back to false: a cancelled campaign cannot be resumed; schedule a new one",fieldPath=".cancel",reason=FieldValueForbidden
// +kubebuilder:validation:XValidation:rule="self.startDate <= self.endDate",message="endDate must be on or after startDate",fieldPath=".endDate"
// +kubebuilder:validation:XValidation:rule="!has(self.downloadAfterDate) || self.downloadAfterDate <= self.endDate",message="downloadAfterDate must be on or before endDate",fieldPath=".downloadAfterDate"
// +kubebuilder:validation:XValidation:rule="!has(self.installAfterDate) || self.installAfterDate <= self.endDate",message="installAfterDate must be on or before endDate",fieldPath=".installAfterDate"
type FotaCampaignSpec struct {
	// accountName is the ThingSpace account that owns the campaign, e.g. "0402196254-00001"
	// (leading zeros matter): letters, digits, '.', '_' and '-', starting with a letter or digit.
	// It cannot change after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="accountName is immutable: create a new FotaCampaign for another account"
	// +required
	AccountName string `json:"accountName"`

	// campaignId is the ThingSpace campaign (upgrade) identifier, the "id" ThingSpace returned when
	// the campaign was scheduled: letters, digits, '.', '_' and '-', starting with a letter or
	// digit. Set it to manage a campaign that exists in ThingSpace; leave it unset, and set
	// software and devices instead, to have the operator schedule a new campaign. It cannot be
	// added, removed or changed after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="campaignId is immutable: create a new FotaCampaign for another campaign"
	// +optional
	CampaignID string `json:"campaignId,omitempty"`

	// campaignName is the name of the campaign the operator schedules, 1 to 64 characters; it is
	// how the operator finds the campaign again in ThingSpace, so no two FotaCampaigns of the
	// account should share it. Unset means "<namespace>.<name>" (cut to 64 characters with a
	// short hash when longer). Only with software; it cannot be added, removed or changed after
	// creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="campaignName is immutable: ThingSpace cannot rename a campaign; create a new FotaCampaign to schedule another"
	// +optional
	CampaignName string `json:"campaignName,omitempty"`

	// software is the upgrade of a campaign the operator schedules; required when campaignId is
	// unset, together with devices. It cannot be added, removed or changed after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="software is immutable: ThingSpace cannot change the software of a campaign; create a new FotaCampaign to schedule another"
	// +optional
	Software *Software `json:"software,omitempty"`

	// devices lists the IMEIs of the campaign's devices, 1 to 10000, none twice. Required with
	// software; with campaignId it is optional, and unset means the operator leaves the
	// campaign's devices as they are. ThingSpace lets devices change only until it has scheduled
	// the campaign (status CampaignRequestPending or CampaignRequestQueued).
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10000
	// +listType=set
	// +optional
	Devices []DeviceID `json:"devices,omitempty"`

	// deletionPolicy is what deleting this FotaCampaign does to the ThingSpace campaign: Orphan
	// (the default) leaves it as it is; Cancel cancels it before its start and aborts it while it
	// runs (devices may already be upgraded). It may change at any time, also while the object is
	// being deleted.
	// +kubebuilder:default=Orphan
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// abortPolicy, when set, makes the operator abort the running campaign once enough devices
	// failed: a firmware that fails on many devices stops before it reaches the whole fleet.
	// +optional
	AbortPolicy *AbortPolicy `json:"abortPolicy,omitempty"`

	// displayTimeZone is an IANA time zone, e.g. America/Chicago, in which the status also shows
	// the next download and install windows. ThingSpace's windows stay in UTC.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +optional
	DisplayTimeZone string `json:"displayTimeZone,omitempty"`

	// credentialsSecretRef names the Secret, in the same namespace, that holds the ThingSpace
	// credentials: either the keys accessToken and sessionToken, or clientId and clientSecret
	// (instead of accessToken) and username and password (instead of sessionToken).
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	Schedule `json:",inline"`

	// suspend, when true, stops every ThingSpace call for this campaign; the spec is pushed again
	// once it is false. It can change in every phase.
	// +optional
	Suspend *bool `json:"suspend,omitempty"`

	// cancel, when true, cancels the campaign in ThingSpace (one DELETE: a campaign that has not
	// started is cancelled, one that runs is aborted) and keeps the object as the record. It
	// cannot go back to false: a cancelled campaign cannot be resumed; schedule a new one.
	// suspend: true holds the call.
	// +kubebuilder:default=false
	// +optional
	Cancel *bool `json:"cancel,omitempty"`
}

// Phase is where a campaign stands in its life.
// +kubebuilder:validation:Enum=Pending;InProgress;Ended;Cancelled;Aborted;Failed
type Phase string

const (
	// PhasePending is a campaign before 00:00 UTC of its start date.
	PhasePending Phase = "Pending"
	// PhaseInProgress is a campaign between its start and the end of its end date.
	PhaseInProgress Phase = "InProgress"
	// PhaseEnded is a campaign after the end of its end date, or one ThingSpace reports ended.
	PhaseEnded Phase = "Ended"
	// PhaseCancelled is a campaign that ThingSpace reports cancelled.
	PhaseCancelled Phase = "Cancelled"
	// PhaseAborted is a campaign that ThingSpace reports aborted.
	PhaseAborted Phase = "Aborted"
	// PhaseFailed is a campaign that ThingSpace reports failed.
	PhaseFailed Phase = "Failed"
)

// Condition types of a FotaCampaign.
const (
	// ConditionSynced is True when ThingSpace holds exactly the spec of the observed generation.
	ConditionSynced = "Synced"
	// ConditionReady is True when the campaign is synced and in a healthy ThingSpace state.
	ConditionReady = "Ready"
	// ConditionTimeZoneShift is True when a daylight-saving change of displayTimeZone falls inside
	// the campaign, so the local hours of its UTC windows move during it.
	ConditionTimeZoneShift = "TimeZoneShift"
)

// AnnotationCampaignID records the id of a campaign the operator scheduled. It is the durable
// record that the campaign exists: it survives a lost status, a backup restore and a kubectl
// replace, and with it present the operator never schedules again.
const AnnotationCampaignID = "fota.thingspace.io/campaign-id"

// AnnotationAbortOnFailures records, before the operator sends the DELETE that aborts a campaign
// for its abortPolicy, the counts that call for it. It is the durable record of why: a reconcile
// after a crash between the DELETE and the status write still reports AbortedOnFailures. The
// operator removes it when a later report no longer meets the policy before the DELETE went out.
const AnnotationAbortOnFailures = "fota.thingspace.io/abort-on-failures"

// AnnotationSchedulePending records, before the operator sends the POST that schedules a
// campaign, that the POST may have gone out. It stays until ThingSpace's answer is recorded (the
// id in AnnotationCampaignID, or a refusal): while it stands the operator never sends another
// POST on its own, since ThingSpace has no idempotency key and a second POST would upgrade real
// devices twice. Its value is JSON: the generation, when the POST went out, and how often the
// operator has looked for the campaign by name since.
const AnnotationSchedulePending = "fota.thingspace.io/schedule-pending"

// AnnotationScheduleAgain allows one more POST after a POST of unknown outcome, when a user sets it
// to the object's current generation (Synced=False/ScheduleUnknown), once the user has checked that
// ThingSpace holds no campaign of the name.
const AnnotationScheduleAgain = "fota.thingspace.io/schedule-again"

// AnnotationRejectedCredentials records a salted, slow fingerprint of the credential values
// ThingSpace rejected for this FotaCampaign (never the values). A manager that starts, or takes
// over as leader, does not try values whose fingerprint a FotaCampaign records: every failed login
// brings the account closer to a lockout. The operator removes it once ThingSpace accepts the
// Secret's values.
const AnnotationRejectedCredentials = "fota.thingspace.io/rejected-credentials"

// LabelCampaignNameHash carries a hash of the account and campaign name a scheduling FotaCampaign
// claims, written before its first ThingSpace call, so that the operator reads every claimant of
// one name from the API server with one label-selected list.
const LabelCampaignNameHash = "fota.thingspace.io/campaign-name-hash"

// FinalizerCancelCampaign holds a FotaCampaign with deletionPolicy Cancel until ThingSpace has
// cancelled or aborted its campaign.
const FinalizerCancelCampaign = "fota.thingspace.io/cancel-campaign"

// Condition reasons of a FotaCampaign.
const (
	// ReasonSynced: ThingSpace holds the schedule of the spec.
	ReasonSynced = "Synced"
	// ReasonReady: the campaign is synced and healthy.
	ReasonReady = "Ready"
	// ReasonSuspended: spec.suspend is true, so the operator makes no ThingSpace call.
	ReasonSuspended = "Suspended"
	// ReasonCredentialsNotFound: the Secret, or a key it needs, is missing.
	ReasonCredentialsNotFound = "CredentialsNotFound"
	// ReasonCredentialsRejected: ThingSpace refused the tokens or the login.
	ReasonCredentialsRejected = "CredentialsRejected"
	// ReasonTransitionNotAllowed: ThingSpace does not allow this change in the campaign's phase.
	ReasonTransitionNotAllowed = "TransitionNotAllowed"
	// ReasonThingSpaceRejected: ThingSpace answered 400; the message carries its error code.
	ReasonThingSpaceRejected = "ThingSpaceRejected"
	// ReasonThingSpaceUnavailable: a 5xx, a timeout or a connection error; retried with backoff.
	ReasonThingSpaceUnavailable = "ThingSpaceUnavailable"
	// ReasonRateLimited: ThingSpace answered 429; retried after its Retry-After.
	ReasonRateLimited = "RateLimited"
	// ReasonNotSynced: Ready is False because Synced is not True.
	ReasonNotSynced = "NotSynced"
	// ReasonCampaignCancelled: ThingSpace reports the campaign cancelled.
	ReasonCampaignCancelled = "CampaignCancelled"
	// ReasonCampaignAborted: ThingSpace reports the campaign aborted.
	ReasonCampaignAborted = "CampaignAborted"
	// ReasonCampaignFailed: ThingSpace reports the campaign failed, or refused the request to
	// schedule it.
	ReasonCampaignFailed = "CampaignFailed"
	// ReasonConflict: another FotaCampaign owns the campaign, or ThingSpace holds a campaign of the
	// same name that is not this one; the operator makes no ThingSpace write.
	ReasonConflict = "Conflict"
	// ReasonCampaignNameUsed: ThingSpace holds a closed campaign of the same name and software, so
	// the firmware was already rolled out, cancelled or aborted under this name; the operator
	// schedules nothing until spec.campaignName changes.
	ReasonCampaignNameUsed = "CampaignNameUsed"
	// ReasonScheduleUnknown: a POST got no answer the operator can trust, and three searches by
	// name found no campaign; the operator sends no other POST until the user sets
	// AnnotationScheduleAgain to the current generation.
	ReasonScheduleUnknown = "ScheduleUnknown"
	// ReasonRequestPending: ThingSpace accepted the request to schedule the campaign and is still
	// checking it.
	ReasonRequestPending = "RequestPending"
	// ReasonAbortedOnFailures: the operator aborted the campaign because its abortPolicy was met.
	ReasonAbortedOnFailures = "AbortedOnFailures"
	// ReasonTimeZoneShift: a daylight-saving change of displayTimeZone falls inside the campaign.
	ReasonTimeZoneShift = "TimeZoneShift"
	// ReasonNoTimeZoneShift: the local hours of the windows stay the same during the campaign.
	ReasonNoTimeZoneShift = "NoTimeZoneShift"
	// ReasonCancelled: spec.cancel is true, and the campaign is cancelled or aborted in ThingSpace,
	// or about to be.
	ReasonCancelled = "Cancelled"
	// ReasonUnknownTimeZone: displayTimeZone is not an IANA time zone (the webhook refuses one;
	// this shows when it is off).
	ReasonUnknownTimeZone = "UnknownTimeZone"
)

// CampaignInfo is ThingSpace's own description of the campaign, as its last reply gave it.
type CampaignInfo struct {
	// id is the campaign identifier.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	ID string `json:"id,omitempty"`
	// campaignName is the campaign's name in ThingSpace.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	CampaignName string `json:"campaignName,omitempty"`
	// softwareName is the software the campaign installs.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	SoftwareName string `json:"softwareName,omitempty"`
	// distributionType is HTTP, OMA or LWM2M.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	DistributionType string `json:"distributionType,omitempty"`
	// make is the device make the campaign applies to.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Make string `json:"make,omitempty"`
	// model is the device model the campaign applies to.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Model string `json:"model,omitempty"`
	// softwareFrom is the software the devices run before the upgrade.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	SoftwareFrom string `json:"softwareFrom,omitempty"`
	// softwareTo is the software the devices run after the upgrade.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	SoftwareTo string `json:"softwareTo,omitempty"`
	// status is ThingSpace's raw status string, e.g. CampaignScheduled.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Status string `json:"status,omitempty"`
}

// FotaCampaignStatus is what the operator last learned from ThingSpace.
type FotaCampaignStatus struct {
	// observedGeneration is the generation whose outcome the conditions report.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase is where the campaign stands: Pending, InProgress, Ended, Cancelled, Aborted or Failed.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// conditions are Synced (ThingSpace holds the spec of observedGeneration), Ready (synced
	// and healthy) and, with displayTimeZone, TimeZoneShift.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// applied is the schedule ThingSpace last confirmed, in a GET or PUT reply, with the fields of
	// spec's schedule (startDate, endDate, downloadAfterDate, downloadTimeWindowList,
	// installAfterDate, installTimeWindowList). It is kept as ThingSpace holds it, without the
	// spec's validation: a schedule changed outside the operator may hold what a spec may not
	// (a window across midnight, say), and the status must still show it.
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	// +optional
	Applied *Schedule `json:"applied,omitempty"`

	// campaign is ThingSpace's own description of the campaign.
	// +optional
	Campaign *CampaignInfo `json:"campaign,omitempty"`

	// lastObservedTime is when the operator last read the campaign from ThingSpace.
	// +optional
	LastObservedTime *metav1.Time `json:"lastObservedTime,omitempty"`

	// lastPushedTime is when ThingSpace last accepted a schedule from the operator.
	// +optional
	LastPushedTime *metav1.Time `json:"lastPushedTime,omitempty"`

	// devices is the campaign's device progress from ThingSpace's device report; absent until
	// the report was first read.
	// +optional
	Devices *DeviceProgress `json:"devices,omitempty"`

	// nextDownloadWindow is the current or next interval in which devices may download, from the
	// schedule ThingSpace holds; absent when none remains.
	// +optional
	NextDownloadWindow *ActionWindow `json:"nextDownloadWindow,omitempty"`

	// nextInstallWindow is the current or next interval in which devices may install; absent
	// when none remains.
	// +optional
	NextInstallWindow *ActionWindow `json:"nextInstallWindow,omitempty"`
}

// DeviceProgress counts the campaign's devices by their ThingSpace status.
type DeviceProgress struct {
	// total is the number of devices in the report.
	// +optional
	Total int32 `json:"total"`
	// succeeded counts devices with status UpgradeSuccess.
	// +optional
	Succeeded int32 `json:"succeeded"`
	// failed counts devices whose status contains "fail" (UpgradeFailed, UpgradedFailed, Failure).
	// +optional
	Failed int32 `json:"failed"`
	// rejected counts devices ThingSpace rejected (DeviceRejected).
	// +optional
	Rejected int32 `json:"rejected"`
	// cancelled counts devices of a cancelled or aborted campaign (CampaignCancelled,
	// CampaignAborted, Cancelled, Aborted).
	// +optional
	Cancelled int32 `json:"cancelled"`
	// pending counts every other device (Accepted, UpgradePending, unknown statuses).
	// +optional
	Pending int32 `json:"pending"`
	// upgraded is succeeded/total, e.g. 120/500, for the Upgraded column.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Upgraded string `json:"upgraded,omitempty"`
	// failureReasons are the five most frequent resultReasons of failed and rejected devices,
	// most frequent first.
	// +kubebuilder:validation:MaxItems=5
	// +listType=atomic
	// +optional
	FailureReasons []FailureReason `json:"failureReasons,omitempty"`
	// lastReadTime is when the device report was last read.
	// +optional
	LastReadTime *metav1.Time `json:"lastReadTime,omitempty"`
}

// FailureReason is one resultReason of failed or rejected devices, with how many devices gave it.
type FailureReason struct {
	// reason is ThingSpace's resultReason, e.g. RovaClientDownloadFailed.
	// +kubebuilder:validation:MaxLength=256
	// +required
	Reason string `json:"reason"`
	// count is how many failed or rejected devices gave this reason.
	// +required
	Count int32 `json:"count"`
}

// ActionWindow is an interval in which devices may download or install, in UTC.
type ActionWindow struct {
	// start is when the interval opens.
	// +required
	Start metav1.Time `json:"start"`
	// end is when the interval closes.
	// +required
	End metav1.Time `json:"end"`
	// local is the interval in spec.displayTimeZone, e.g. "2026-12-01 21:00 - 22:00 CST"; only
	// with displayTimeZone.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Local string `json:"local,omitempty"`
}

// FotaCampaign declares a Verizon ThingSpace FOTA campaign: the campaign it manages or schedules,
// its dates and download/install time windows, its devices, and what deleting it does. The
// operator keeps ThingSpace equal to the spec, within the changes ThingSpace allows for the
// campaign's phase.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fc,categories=fota
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.accountName`
// +kubebuilder:printcolumn:name="Campaign",type=string,JSONPath=`.status.campaign.id`
// +kubebuilder:printcolumn:name="Start",type=string,JSONPath=`.spec.startDate`
// +kubebuilder:printcolumn:name="End",type=string,JSONPath=`.spec.endDate`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Upgraded",type=string,JSONPath=`.status.devices.upgraded`
// +kubebuilder:printcolumn:name="Next Download",type=string,JSONPath=`.status.nextDownloadWindow.start`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FotaCampaign struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the schedule the campaign should have.
	// +required
	Spec FotaCampaignSpec `json:"spec"`

	// status is what the operator last learned from ThingSpace.
	// +optional
	Status FotaCampaignStatus `json:"status,omitempty"`
}

// FotaCampaignList is a list of FotaCampaigns.
// +kubebuilder:object:root=true
type FotaCampaignList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FotaCampaign `json:"items"`
}
