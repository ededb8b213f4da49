package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigMapKeyReference names one key of a ConfigMap in the namespace of the FotaRollout.
type ConfigMapKeyReference struct {
	// name is the name of the ConfigMap.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// key is the key of the ConfigMap's data that holds the device ids.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +required
	Key string `json:"key"`
}

// DevicesSource is where a part of the fleet's device ids comes from.
type DevicesSource struct {
	// configMapKeyRef names a key of a ConfigMap in the same namespace whose value lists device
	// ids (IMEIs) separated by whitespace or commas; a line whose first non-blank character is '#'
	// is a comment.
	// +required
	ConfigMapKeyRef ConfigMapKeyReference `json:"configMapKeyRef"`
}

// Wave is one step of a rollout: it grows the devices the rollout has reached to a size, given
// either as a number of devices or as a share of the fleet.
// +kubebuilder:validation:XValidation:rule="has(self.devices) != has(self.percent)",message="a wave sets exactly one of devices (a number of devices, e.g. a canary of 10) and percent (a share of the fleet)"
type Wave struct {
	// devices grows the rollout to this many devices, from 1 to 1000000 (capped at the fleet).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	// +optional
	Devices *int32 `json:"devices,omitempty"`

	// percent grows the rollout to this share of the fleet, from 1 to 100, rounded up to a whole
	// device.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	Percent *int32 `json:"percent,omitempty"`
}

// CampaignTemplate is what every wave's FotaCampaigns are made of, besides the account, the
// Secret, the software and their devices, which come from the rollout.
type CampaignTemplate struct {
	// durationDays is how many days each wave's campaigns run, from 1 to 90: a campaign starts on
	// the UTC date its wave starts and ends durationDays - 1 days later.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=90
	// +required
	DurationDays int32 `json:"durationDays"`

	// downloadTimeWindowList lists the hours of the day (UTC) in which devices may download, as
	// in a FotaCampaign. Empty means any time.
	// +kubebuilder:validation:MaxItems=24
	// +kubebuilder:validation:XValidation:rule="self.all(w, self.exists_one(x, x.startTime == w.startTime && x.endTime == w.endTime))",message="downloadTimeWindowList must not list the same window twice"
	// +listType=atomic
	// +optional
	DownloadTimeWindowList []TimeWindow `json:"downloadTimeWindowList,omitempty"`

	// installTimeWindowList lists the hours of the day (UTC) in which devices may install, as in a
	// FotaCampaign. Empty means any time.
	// +kubebuilder:validation:MaxItems=24
	// +kubebuilder:validation:XValidation:rule="self.all(w, self.exists_one(x, x.startTime == w.startTime && x.endTime == w.endTime))",message="installTimeWindowList must not list the same window twice"
	// +listType=atomic
	// +optional
	InstallTimeWindowList []TimeWindow `json:"installTimeWindowList,omitempty"`

	// abortPolicy, when set, makes the operator abort a wave campaign once enough of its devices
	// failed; such an abort halts the rollout.
	// +optional
	AbortPolicy *AbortPolicy `json:"abortPolicy,omitempty"`

	// deletionPolicy is what deleting a wave campaign (also by deleting the rollout) does to its
	// ThingSpace campaign: Orphan (the default) leaves it as it is, Cancel cancels or aborts it.
	// +kubebuilder:default=Orphan
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// displayTimeZone is an IANA time zone, e.g. Europe/Berlin, in which the wave campaigns'
	// status also shows their next download and install windows.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +optional
	DisplayTimeZone string `json:"displayTimeZone,omitempty"`
}

// Gate is when the next wave may start, judged on the wave before it.
type Gate struct {
	// successPercent is the share of a wave's devices that must have upgraded before the next
	// wave may start, from 1 to 100; 90 when unset.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=90
	// +optional
	SuccessPercent *int32 `json:"successPercent,omitempty"`

	// soakTime is how long to wait after a wave reached successPercent before the next one may
	// start, a Go duration such as 30m or 24h, from 0s (the default) to 720h.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^(0|([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('720h')",message="soakTime must be at most 720h (30 days)"
	// +kubebuilder:default="0s"
	// +optional
	SoakTime *metav1.Duration `json:"soakTime,omitempty"`
}

// Weekday is a day of the week, as its first three letters.
// +kubebuilder:validation:Enum=Mon;Tue;Wed;Thu;Fri;Sat;Sun
type Weekday string

// The days of the week.
const (
	Monday    Weekday = "Mon"
	Tuesday   Weekday = "Tue"
	Wednesday Weekday = "Wed"
	Thursday  Weekday = "Thu"
	Friday    Weekday = "Fri"
	Saturday  Weekday = "Sat"
	Sunday    Weekday = "Sun"
)

// ReleaseWindow is a range of whole local hours, on some days of the week, in which a wave may
// start.
// +kubebuilder:validation:XValidation:rule="self.startTime < self.endTime",message="startTime must be earlier than endTime; a window cannot cross midnight: split it into two windows, e.g. {startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}"
type ReleaseWindow struct {
	// days are the days of the week on which the window opens, Mon to Sun; every day when unset.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=7
	// +listType=set
	// +optional
	Days []Weekday `json:"days,omitempty"`

	// startTime is the local hour the window opens, from 0 to 23.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=23
	// +required
	StartTime int32 `json:"startTime"`

	// endTime is the local hour the window closes, from 1 to 24 (24 is midnight at the end of the
	// day); it must be later than startTime.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=24
	// +required
	EndTime int32 `json:"endTime"`
}

// ReleaseWindows are the local times in which a new wave may start. A wave that runs goes on
// outside them; only the start of the next one waits.
type ReleaseWindows struct {
	// timeZone is the IANA time zone of the windows and the blackout dates, e.g. Europe/Berlin;
	// UTC when unset. Windows follow the zone's daylight-saving changes.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:default=UTC
	// +optional
	TimeZone string `json:"timeZone,omitempty"`

	// windows are the local hours in which a wave may start, 1 to 20.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	// +listType=atomic
	// +required
	Windows []ReleaseWindow `json:"windows"`

	// blackoutDates are local dates (YYYY-MM-DD) on which no wave starts, at most 100.
	// +kubebuilder:validation:MaxItems=100
	// +listType=set
	// +optional
	BlackoutDates []Date `json:"blackoutDates,omitempty"`
}

// FotaRolloutSpec is a firmware rollout to a fleet: the software, the devices, the waves that
// reach them step by step, and when each wave may start.
// +kubebuilder:validation:XValidation:rule="has(self.devices) || has(self.devicesFrom)",message="a rollout needs a fleet: set devices, devicesFrom or both"
// +kubebuilder:validation:XValidation:rule="!(has(oldSelf.abort) && oldSelf.abort) || (has(self.abort) && self.abort)",message="abort cannot go back to false: an aborted rollout cannot be resumed; create a new FotaRollout",fieldPath=".abort",reason=FieldValueForbidden
type FotaRolloutSpec struct {
	// accountName is the ThingSpace account that runs the wave campaigns, e.g. "0402196254-00001"
	// (leading zeros matter). It cannot change after creation.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="accountName is immutable: create a new FotaRollout for another account"
	// +required
	AccountName string `json:"accountName"`

	// credentialsSecretRef names the Secret, in the same namespace, that holds the ThingSpace
	// credentials of the wave campaigns (the keys of a FotaCampaign's Secret).
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	// software is the upgrade every wave campaign installs. It cannot change after creation.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="software is immutable: a rollout installs one upgrade; create a new FotaRollout for another"
	// +required
	Software Software `json:"software"`

	// devices lists device ids (IMEIs) of the fleet inline, at most 10000, none twice; larger
	// fleets go into ConfigMaps (devicesFrom). The fleet is devices and devicesFrom together.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10000
	// +listType=set
	// +optional
	Devices []DeviceID `json:"devices,omitempty"`

	// devicesFrom lists ConfigMap keys, in the same namespace, that hold device ids of the fleet.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +listType=atomic
	// +optional
	DevicesFrom []DevicesSource `json:"devicesFrom,omitempty"`

	// waves are the steps of the rollout, 1 to 20, in order: wave k grows the devices the rollout
	// has reached to its size. The last wave is always percent: 100. Waves that have started
	// cannot be removed or changed.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:XValidation:rule="has(self[size(self) - 1].percent) && self[size(self) - 1].percent == 100",message="the last wave must be percent: 100, so that the rollout reaches the whole fleet"
	// +listType=atomic
	// +required
	Waves []Wave `json:"waves"`

	// campaign is the template of every wave's FotaCampaigns. A change applies to the waves that
	// have not started.
	// +required
	Campaign CampaignTemplate `json:"campaign"`

	// gate is when the next wave may start: enough devices of the wave before it upgraded, and
	// the soak time passed.
	// +kubebuilder:default={}
	// +optional
	Gate Gate `json:"gate,omitempty"`

	// releaseWindows, when set, lets a wave start only inside one of its windows and never on a
	// blackout date.
	// +optional
	ReleaseWindows *ReleaseWindows `json:"releaseWindows,omitempty"`

	// approvedWaves is how many waves may start: waves after it wait until it is raised (a change
	// in Git). Unset means every wave is approved. Lowering it holds the waves that have not
	// started.
	// +kubebuilder:validation:Minimum=0
	// +optional
	ApprovedWaves *int32 `json:"approvedWaves,omitempty"`

	// paused, when true, starts no new wave; the waves that run go on.
	// +optional
	Paused bool `json:"paused,omitempty"`

	// abort, when true, starts no new wave and cancels every wave campaign that is not closed
	// (spec.cancel on each). It cannot go back to false.
	// +optional
	Abort bool `json:"abort,omitempty"`
}

// RolloutPhase is where a rollout stands.
// +kubebuilder:validation:Enum=Progressing;Paused;WaitingForApproval;WaitingForWindow;Completed;Failed;Aborted
type RolloutPhase string

const (
	// RolloutPhaseProgressing is a rollout whose current wave runs or soaks, or whose next wave
	// starts now.
	RolloutPhaseProgressing RolloutPhase = "Progressing"
	// RolloutPhasePaused is a rollout with spec.paused true: no new wave starts.
	RolloutPhasePaused RolloutPhase = "Paused"
	// RolloutPhaseWaitingForApproval is a rollout whose next wave could start but is beyond
	// spec.approvedWaves.
	RolloutPhaseWaitingForApproval RolloutPhase = "WaitingForApproval"
	// RolloutPhaseWaitingForWindow is a rollout whose next wave could start but not now: outside
	// its release windows or on a blackout date.
	RolloutPhaseWaitingForWindow RolloutPhase = "WaitingForWindow"
	// RolloutPhaseCompleted is a rollout whose every wave started and whose last wave is done.
	RolloutPhaseCompleted RolloutPhase = "Completed"
	// RolloutPhaseFailed is a rollout halted by a wave that closed below successPercent or failed
	// to schedule.
	RolloutPhaseFailed RolloutPhase = "Failed"
	// RolloutPhaseAborted is a rollout halted by spec.abort or by a wave campaign aborted on
	// failures.
	RolloutPhaseAborted RolloutPhase = "Aborted"
)

// WaveState is where one started wave stands.
// +kubebuilder:validation:Enum=Running;Soaking;Succeeded;Failed;Aborted;Skipped
type WaveState string

const (
	// WaveStateRunning is a wave whose devices have not reached successPercent yet.
	WaveStateRunning WaveState = "Running"
	// WaveStateSoaking is a wave that reached successPercent and waits out soakTime.
	WaveStateSoaking WaveState = "Soaking"
	// WaveStateSucceeded is a wave that passed its gate.
	WaveStateSucceeded WaveState = "Succeeded"
	// WaveStateFailed is a wave that closed below successPercent or failed to schedule.
	WaveStateFailed WaveState = "Failed"
	// WaveStateAborted is a wave a campaign of which was aborted on failures, or whose rollout was
	// aborted.
	WaveStateAborted WaveState = "Aborted"
	// WaveStateSkipped is a wave that had no devices to take.
	WaveStateSkipped WaveState = "Skipped"
)

// Ready reasons of a FotaRollout. Ready is True only with ReasonRolloutCompleted.
const (
	// ReasonRolloutCompleted: every wave started and the last one is done.
	ReasonRolloutCompleted = "Completed"
	// ReasonWaveRunning: the current wave has not reached successPercent yet, or the next wave
	// starts now.
	ReasonWaveRunning = "WaveRunning"
	// ReasonSoaking: the current wave reached successPercent and waits out soakTime.
	ReasonSoaking = "Soaking"
	// ReasonRolloutPaused: spec.paused is true.
	ReasonRolloutPaused = "Paused"
	// ReasonWaitingForApproval: the next wave is beyond spec.approvedWaves.
	ReasonWaitingForApproval = "WaitingForApproval"
	// ReasonWaitingForWindow: the next wave waits for a release window.
	ReasonWaitingForWindow = "WaitingForWindow"
	// ReasonWaveFailed: a wave closed below successPercent or failed to schedule.
	ReasonWaveFailed = "WaveFailed"
	// ReasonWaveAbortedOnFailures: a wave campaign was aborted by its abortPolicy.
	ReasonWaveAbortedOnFailures = "WaveAbortedOnFailures"
	// ReasonRolloutAborted: spec.abort is true.
	ReasonRolloutAborted = "Aborted"
	// ReasonDevicesNotFound: a ConfigMap or key of spec.devicesFrom is missing.
	ReasonDevicesNotFound = "DevicesNotFound"
	// ReasonInvalidDevices: the fleet holds an entry that is no device id, or has no device or
	// too many.
	ReasonInvalidDevices = "InvalidDevices"
)

// LabelRollout is the label of a wave campaign that names the FotaRollout it belongs to.
const LabelRollout = "fota.thingspace.io/rollout"

// LabelWave is the label of a wave campaign that holds the number of its wave, from 1.
const LabelWave = "fota.thingspace.io/wave"

// AnnotationLastChunk marks the last FotaCampaign of a wave, written after every other chunk of
// the wave: a wave whose campaigns lack it was cut short (the operator stopped between two chunk
// writes), and the rollout creates its remaining chunks before anything else.
const AnnotationLastChunk = "fota.thingspace.io/last-chunk"

// FieldManagerRollout is the field manager of the rollout controller's server-side applies of
// wave campaigns.
const FieldManagerRollout = "fota-rollout"

// RolloutDevices counts the devices of the started waves by their ThingSpace status.
type RolloutDevices struct {
	// total is the number of devices of the started waves.
	// +optional
	Total int32 `json:"total"`
	// succeeded counts devices with status UpgradeSuccess.
	// +optional
	Succeeded int32 `json:"succeeded"`
	// failed counts devices whose upgrade failed.
	// +optional
	Failed int32 `json:"failed"`
	// rejected counts devices ThingSpace rejected.
	// +optional
	Rejected int32 `json:"rejected"`
	// cancelled counts devices of cancelled or aborted campaigns.
	// +optional
	Cancelled int32 `json:"cancelled"`
	// pending counts every other device of the started waves.
	// +optional
	Pending int32 `json:"pending"`
	// upgraded is succeeded/fleetSize, e.g. 1000/100000, for the Upgraded column.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Upgraded string `json:"upgraded,omitempty"`
}

// WaveStatus is one wave that started or was skipped.
type WaveStatus struct {
	// wave is the wave's number, from 1.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	// +required
	Wave int32 `json:"wave"`
	// devices is how many devices the wave took.
	// +optional
	Devices int32 `json:"devices"`
	// campaigns are the names of the wave's FotaCampaigns, in order.
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=253
	// +listType=atomic
	// +optional
	Campaigns []string `json:"campaigns,omitempty"`
	// startTime is when the wave started.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
	// succeededTime is when the wave was first seen at successPercent; soakTime counts from it.
	// +optional
	SucceededTime *metav1.Time `json:"succeededTime,omitempty"`
	// state is Running, Soaking, Succeeded, Failed, Aborted or Skipped.
	// +optional
	State WaveState `json:"state,omitempty"`
	// succeeded counts the wave's devices that upgraded.
	// +optional
	Succeeded int32 `json:"succeeded"`
	// failed counts the wave's devices that failed.
	// +optional
	Failed int32 `json:"failed"`
}

// FotaRolloutStatus is where the rollout stands, read back from its wave campaigns.
type FotaRolloutStatus struct {
	// observedGeneration is the generation whose outcome the conditions report.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase is Progressing, Paused, WaitingForApproval, WaitingForWindow, Completed, Failed or
	// Aborted.
	// +optional
	Phase RolloutPhase `json:"phase,omitempty"`

	// currentWave is the last wave started (or skipped); 0 before the first.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=20
	// +optional
	CurrentWave int32 `json:"currentWave,omitempty"`

	// waveText is currentWave/number of waves, e.g. 2/3, for the Wave column.
	// +kubebuilder:validation:MaxLength=16
	// +optional
	WaveText string `json:"waveText,omitempty"`

	// fleetSize is the number of distinct devices of devices and devicesFrom when last read.
	// +optional
	FleetSize int32 `json:"fleetSize,omitempty"`

	// devices counts the devices of the started waves by their ThingSpace status.
	// +optional
	Devices *RolloutDevices `json:"devices,omitempty"`

	// nextReleaseTime is when the next release window opens, with phase WaitingForWindow.
	// +optional
	NextReleaseTime *metav1.Time `json:"nextReleaseTime,omitempty"`

	// waves has one entry per wave started or skipped, in order; none for waves still to come.
	// +kubebuilder:validation:MaxItems=20
	// +listType=map
	// +listMapKey=wave
	// +optional
	Waves []WaveStatus `json:"waves,omitempty"`

	// conditions are Ready (True only when Completed; its reason says why not).
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// FotaRollout rolls one firmware upgrade out to a fleet in waves: each wave's devices go into
// FotaCampaigns that the operator creates, and the next wave starts when the one before it has
// upgraded enough devices, its soak time passed, it is approved and a release window is open.
// The rollout itself never calls ThingSpace.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fr,categories=fota
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 50",message="metadata.name must be at most 50 characters: the wave campaigns are named <rollout>-w<wave>-<chunk>"
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Wave",type=string,JSONPath=`.status.waveText`
// +kubebuilder:printcolumn:name="Upgraded",type=string,JSONPath=`.status.devices.upgraded`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.devices.failed`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FotaRollout struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the rollout: software, fleet, waves, gate and release windows.
	// +required
	Spec FotaRolloutSpec `json:"spec"`

	// status is where the rollout stands.
	// +optional
	Status FotaRolloutStatus `json:"status,omitempty"`
}

// FotaRolloutList is a list of FotaRollouts.
// +kubebuilder:object:root=true
type FotaRolloutList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FotaRollout `json:"items"`
}
