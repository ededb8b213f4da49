package fotacampaign

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// deviceReport is what one read of the device report taught: the progress, and the difference
// with spec.devices when the spec manages them.
type deviceReport struct {
	progress fotav1alpha1.DeviceProgress
	diff     *campaign.DeviceDiff
}

// readDeviceReport reads the device report when it is due, streaming its pages into counts (and
// the device difference), never holding the campaign's device list.
func (r *Reconciler) readDeviceReport(ctx context.Context, c *managed, now time.Time) *outcome {
	if !r.reportDue(c, now) {
		return nil
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Reading the device report", "account", c.account(), "campaignID", c.id)
	tally := campaign.NewTally()
	var diff *campaign.DeviceDiff
	if c.fc.Spec.Devices != nil {
		diff = campaign.NewDeviceDiff(c.fc.Spec.Devices)
	}
	err := r.ThingSpace.DeviceReport(ctx, c.creds, c.account(), c.id, func(device thingspace.Device) error {
		tally.Add(device.Status, device.ResultReason)
		if diff != nil {
			diff.Reported(device.DeviceID)
		}
		return nil
	})
	closed := campaign.IsClosedPhase(c.baseline().PhaseAt(now))
	if err != nil {
		// The final read of a closed campaign is due until it succeeds, even once the status
		// says closed.
		c.state.finalReportDue = closed
		return r.failed(ctx, c.fc, c.state, actionReadDeviceReport, err, now)
	}
	c.state.finalReportDue = false
	c.report = &deviceReport{progress: tally.Progress(), diff: diff}
	c.state.lastReport = now
	if diff != nil {
		c.state.devicesChecked = c.fc.Generation
	}
	recordProgress(c.fc, c.report.progress, now)
	return nil
}

// reportDue says whether the device report must be read now: while ThingSpace checks or queues
// the campaign, at each read of it (to show the devices it rejected); while the campaign runs,
// every progress interval, and at once when an abort was recorded; once more when it has closed (the final counts), then never again;
// and once per generation whose devices were not compared with the report yet.
func (r *Reconciler) reportDue(c *managed, now time.Time) bool {
	baseline := c.baseline()
	phase := baseline.PhaseAt(now)
	switch {
	case campaign.IsClosedPhase(phase):
		return !campaign.IsClosedPhase(c.previousPhase) || c.state.finalReportDue
	case campaign.DevicesChangeable(baseline.Status):
		return c.observed || c.devicesUnchecked()
	case phase == fotav1alpha1.PhaseInProgress:
		return c.devicesUnchecked() || abortRecorded(c.fc) || c.state.lastReport.IsZero() ||
			!now.Before(c.state.lastReport.Add(r.ProgressInterval))
	default:
		return c.devicesUnchecked()
	}
}

// devicesUnchecked reports whether the spec manages devices and this generation's were not
// compared with the report yet.
func (c *managed) devicesUnchecked() bool {
	return c.fc.Spec.Devices != nil && c.state.devicesChecked != c.fc.Generation
}

// recordProgress puts the device progress into the status. lastReadTime only travels with counts
// that changed: writing it on every read would be a heartbeat write.
func recordProgress(fc *fotav1alpha1.FotaCampaign, progress fotav1alpha1.DeviceProgress, now time.Time) {
	if previous := fc.Status.Devices; previous != nil {
		unchanged := *previous
		unchanged.LastReadTime = nil
		if equality.Semantic.DeepEqual(unchanged, progress) {
			return
		}
	}
	progress.LastReadTime = ptr.To(metav1Time(now))
	fc.Status.Devices = &progress
}

// abortOnFailures aborts a running campaign whose fresh device report meets its abortPolicy, in
// two reconciles: the first records the counts in the abort-on-failures annotation and stops, so
// that the reason survives a crash after the call; the next, on a report read again, sends one
// DELETE. Then the campaign is never touched again. A report that no longer meets the policy
// withdraws a record whose DELETE has not gone out.
func (r *Reconciler) abortOnFailures(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.report == nil || c.baseline().PhaseAt(now) != fotav1alpha1.PhaseInProgress {
		return nil
	}
	policy := c.fc.Spec.AbortPolicy
	if policy == nil || !campaign.AbortDue(policy, c.report.progress) {
		withdrawAbort(ctx, c.fc)
		return nil
	}
	summary := campaign.AbortSummary(policy, c.report.progress)
	if !abortRecorded(c.fc) {
		return recordAbort(ctx, c.fc, summary)
	}
	if stop := r.observeNow(ctx, c, now); stop != nil {
		return stop
	}
	if c.baseline().PhaseAt(now) != fotav1alpha1.PhaseInProgress {
		// Closed since the report was read: there is nothing left to abort.
		return nil
	}
	ctrl.LoggerFrom(ctx).Info("Aborting campaign on failures", "account", c.account(), "campaignID", c.id,
		"failed", c.report.progress.Failed, "succeeded", c.report.progress.Succeeded)
	if err := r.ThingSpace.DeleteCampaign(ctx, c.creds, c.account(), c.id); err != nil {
		return r.failed(ctx, c.fc, c.state, actionAbortOnFailures, err, now)
	}
	c.fc.Status.Campaign.Status = thingSpaceAborted
	r.event(c.fc, corev1.EventTypeWarning, fotav1alpha1.ReasonAbortedOnFailures, actionAbortOnFailures,
		"Aborted the campaign in ThingSpace: %s", summary)
	out := syncedOutcome()
	out.abortedOnFailures = true
	out.abortSummary = summary
	return &out
}

func abortRecorded(fc *fotav1alpha1.FotaCampaign) bool {
	return fc.Annotations[fotav1alpha1.AnnotationAbortOnFailures] != ""
}

// recordAbort puts summary in the abort-on-failures annotation and stops the reconcile; the
// metadata is written before the status, and the next reconcile follows at once.
func recordAbort(ctx context.Context, fc *fotav1alpha1.FotaCampaign, summary string) *outcome {
	ctrl.LoggerFrom(ctx).Info("Recording the abort on failures before the call", "summary", summary)
	if fc.Annotations == nil {
		fc.Annotations = map[string]string{}
	}
	fc.Annotations[fotav1alpha1.AnnotationAbortOnFailures] = summary
	out := syncedOutcome()
	out.recordedFirst = true
	return &out
}

func withdrawAbort(ctx context.Context, fc *fotav1alpha1.FotaCampaign) {
	if !abortRecorded(fc) {
		return
	}
	ctrl.LoggerFrom(ctx).Info("Withdrawing the abort on failures: the device report no longer meets the abort policy")
	delete(fc.Annotations, fotav1alpha1.AnnotationAbortOnFailures)
}

// thingSpaceAborted is the status ThingSpace gives a campaign it aborted.
const thingSpaceAborted = "CampaignAborted"

// updateDevices sends the difference between spec.devices and the device report, both steps in
// one PUT, while ThingSpace still lets the devices change; once it does not, a difference is a
// transition the spec cannot make.
func (r *Reconciler) updateDevices(ctx context.Context, c *managed, now time.Time) *outcome {
	fc := c.fc
	if fc.Spec.Devices == nil {
		return nil
	}
	status := c.thingSpaceStatus()
	differ := c.state.devicesChecked == fc.Generation && c.state.devicesDiffer
	if c.report != nil && c.report.diff != nil {
		differ = !c.report.diff.InSync()
		c.state.devicesDiffer = differ
	}
	if !differ {
		return nil
	}
	if stop, wait := r.devicesPushHeld(c, status, now); stop != nil || wait {
		return stop
	}
	if stop := r.observeNow(ctx, c, now); stop != nil {
		return stop
	}
	if status := c.thingSpaceStatus(); !campaign.DevicesChangeable(status) {
		return &outcome{reason: fotav1alpha1.ReasonTransitionNotAllowed, message: campaign.DevicesFrozen(status).Error.Error()}
	}
	return r.pushDevices(ctx, c, now)
}

// devicesPushHeld says why a device change that differs from the report is not sent now: a stop
// with a reason, or a wait for a report that can be trusted or for ThingSpace to apply the last
// change.
func (r *Reconciler) devicesPushHeld(c *managed, status string, now time.Time) (stop *outcome, wait bool) {
	fc := c.fc
	switch {
	case !campaign.DevicesChangeable(status):
		return &outcome{reason: fotav1alpha1.ReasonTransitionNotAllowed, message: campaign.DevicesFrozen(status).Error.Error()}, false
	case c.report == nil || c.report.diff == nil:
		return nil, true
	case campaign.IsRequestPending(status) && c.report.progress.Total == 0:
		// ThingSpace is still checking the request: an empty report is not "no devices" yet,
		// and appending every device of the spec would list them twice.
		return nil, true
	case c.state.devicesPushed != nil && c.state.devicesPushed.generation == fc.Generation &&
		now.Before(c.state.devicesPushed.at.Add(r.PollInterval)):
		// ThingSpace applies a device change asynchronously: the report may not show it yet.
		return nil, true
	}
	if rejected := c.state.rejectionOf(fc.Generation); rejected != nil {
		return &outcome{reason: fotav1alpha1.ReasonThingSpaceRejected, message: rejected.message}, false
	}
	return nil, false
}

// pushDevices sends the difference between the spec's devices and the report in one PUT.
func (r *Reconciler) pushDevices(ctx context.Context, c *managed, now time.Time) *outcome {
	fc := c.fc
	change := thingspace.DevicesChange{Append: c.report.diff.Append(), Remove: c.report.diff.Remove()}
	ctrl.LoggerFrom(ctx).Info("Changing the campaign's devices", "account", c.account(), "campaignID", c.id,
		"append", len(change.Append), "remove", len(change.Remove))
	if err := r.ThingSpace.UpdateDevices(ctx, c.creds, c.account(), c.id, change); err != nil {
		return r.failed(ctx, fc, c.state, actionUpdateDevices, err, now)
	}
	c.state.devicesPushed = &devicesPush{generation: fc.Generation, at: now}
	c.state.forgetRejection()
	r.event(fc, corev1.EventTypeNormal, EventDevicesUpdated, actionUpdateDevices,
		"Added %d and removed %d devices of the campaign in ThingSpace", len(change.Append), len(change.Remove))
	return nil
}
