package campaign

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/text"
)

// Device states, the values of the state label of fota_campaign_devices.
const (
	DeviceSucceeded = "succeeded"
	DeviceFailed    = "failed"
	DeviceRejected  = "rejected"
	DeviceCancelled = "cancelled"
	DevicePending   = "pending"
)

// DeviceStates lists every device state, in the order the status shows them.
var DeviceStates = []string{DeviceSucceeded, DeviceFailed, DeviceRejected, DeviceCancelled, DevicePending}

// maxFailureReasons is how many reasons the status lists.
const maxFailureReasons = 5

// maxDistinctReasons bounds the reasons a tally remembers, so that a report whose every device
// gives another reason costs the operator a bounded amount of memory; the rest are counted
// under otherReasons.
const maxDistinctReasons = 1000

// maxReasonLength is the longest reason the status shows (failureReasons[].reason's maxLength).
const maxReasonLength = 256

const (
	otherReasons      = "(other reasons)"
	unspecifiedReason = "(no reason given)"
)

// DeviceState classifies a device's ThingSpace status: UpgradeSuccess succeeded; any status
// containing "fail" failed; DeviceRejected was rejected; a cancelled or aborted campaign's
// devices were cancelled; everything else (Accepted, UpgradePending, unknown values) is pending.
func DeviceState(thingSpaceStatus string) string {
	status := strings.ToLower(strings.TrimSpace(thingSpaceStatus))
	switch {
	case status == "upgradesuccess":
		return DeviceSucceeded
	case strings.Contains(status, "fail"):
		return DeviceFailed
	case status == "devicerejected":
		return DeviceRejected
	}
	switch strings.TrimPrefix(status, "campaign") {
	case "cancelled", "canceled", "aborted":
		return DeviceCancelled
	}
	return DevicePending
}

// Tally counts a device report one device at a time: counts and reasons, never the devices.
type Tally struct {
	counts  map[string]int32
	reasons map[string]int32
}

// NewTally starts an empty tally.
func NewTally() *Tally {
	return &Tally{counts: map[string]int32{}, reasons: map[string]int32{}}
}

// Add counts one device with its ThingSpace status and resultReason.
func (t *Tally) Add(thingSpaceStatus, resultReason string) {
	state := DeviceState(thingSpaceStatus)
	t.counts[state]++
	if state != DeviceFailed && state != DeviceRejected {
		return
	}
	reason := text.Truncate(strings.TrimSpace(resultReason), maxReasonLength)
	if reason == "" {
		reason = unspecifiedReason
	}
	if _, known := t.reasons[reason]; !known && len(t.reasons) >= maxDistinctReasons {
		reason = otherReasons
	}
	t.reasons[reason]++
}

// Progress is the tally as the status shows it. The caller sets LastReadTime.
func (t *Tally) Progress() v1alpha1.DeviceProgress {
	p := v1alpha1.DeviceProgress{
		Succeeded:      t.counts[DeviceSucceeded],
		Failed:         t.counts[DeviceFailed],
		Rejected:       t.counts[DeviceRejected],
		Cancelled:      t.counts[DeviceCancelled],
		Pending:        t.counts[DevicePending],
		FailureReasons: t.topReasons(),
	}
	p.Total = p.Succeeded + p.Failed + p.Rejected + p.Cancelled + p.Pending
	p.Upgraded = fmt.Sprintf("%d/%d", p.Succeeded, p.Total)
	return p
}

// topReasons is the most frequent reasons, most frequent first, ties in alphabetical order.
func (t *Tally) topReasons() []v1alpha1.FailureReason {
	reasons := make([]v1alpha1.FailureReason, 0, len(t.reasons))
	for reason, count := range t.reasons {
		reasons = append(reasons, v1alpha1.FailureReason{Reason: reason, Count: count})
	}
	slices.SortFunc(reasons, func(a, b v1alpha1.FailureReason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	if len(reasons) > maxFailureReasons {
		reasons = reasons[:maxFailureReasons]
	}
	if len(reasons) == 0 {
		return nil
	}
	return reasons
}

// StateCounts is the progress by device state, as fota_campaign_devices reports it.
func StateCounts(p v1alpha1.DeviceProgress) map[string]int32 {
	return map[string]int32{
		DeviceSucceeded: p.Succeeded,
		DeviceFailed:    p.Failed,
		DeviceRejected:  p.Rejected,
		DeviceCancelled: p.Cancelled,
		DevicePending:   p.Pending,
	}
}

// AbortDue reports whether a campaign with this progress meets its abort policy: at least
// minFinishedDevices finished (succeeded or failed) and failed / finished at least failedPercent.
func AbortDue(policy *v1alpha1.AbortPolicy, p v1alpha1.DeviceProgress) bool {
	if policy == nil {
		return false
	}
	finished := int64(p.Succeeded) + int64(p.Failed)
	return finished > 0 && finished >= int64(policy.MinFinishedDevices) &&
		int64(p.Failed)*100 >= int64(policy.FailedPercent)*finished
}

// AbortSummary says in words why a campaign met its abort policy, for the event and the condition.
func AbortSummary(policy *v1alpha1.AbortPolicy, p v1alpha1.DeviceProgress) string {
	finished := p.Succeeded + p.Failed
	return fmt.Sprintf("%d of %d finished devices failed (%.1f%%), at or above abortPolicy.failedPercent %d%% with at least %d finished",
		p.Failed, finished, 100*float64(p.Failed)/float64(max(finished, 1)), policy.FailedPercent, policy.MinFinishedDevices)
}
