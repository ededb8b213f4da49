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

// FotaCampaignSpec is the schedule that a ThingSpace FOTA campaign should have.
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
	// digit. It cannot change after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="campaignId is immutable: create a new FotaCampaign for another campaign"
	// +required
	CampaignID string `json:"campaignId"`

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
	// ConditionSynced is True when ThingSpace holds exactly the schedule of the observed generation.
	ConditionSynced = "Synced"
	// ConditionReady is True when the campaign is synced and in a healthy ThingSpace state.
	ConditionReady = "Ready"
)

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
	// ReasonCampaignFailed: ThingSpace reports the campaign failed.
	ReasonCampaignFailed = "CampaignFailed"
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

	// conditions are Synced (ThingSpace holds the spec of observedGeneration) and Ready (synced
	// and healthy).
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
}

// FotaCampaign declares the dates and download/install time windows of a Verizon ThingSpace FOTA
// campaign. The operator keeps ThingSpace equal to the spec, within the changes ThingSpace allows
// for the campaign's phase.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fc,categories=fota
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.accountName`
// +kubebuilder:printcolumn:name="Campaign",type=string,JSONPath=`.spec.campaignId`
// +kubebuilder:printcolumn:name="Start",type=string,JSONPath=`.spec.startDate`
// +kubebuilder:printcolumn:name="End",type=string,JSONPath=`.spec.endDate`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
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
