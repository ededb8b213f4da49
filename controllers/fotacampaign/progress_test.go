package fotacampaign

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

func TestDevicesChangeWhileQueued(t *testing.T) {
	fc := newCampaign()
	fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
	reported := []thingspace.Device{{DeviceID: "990013907835573", Status: "Accepted"}, {DeviceID: "990013907835581", Status: "Accepted"}}
	ts := &fake.Client{
		GetCampaignFn:   getting(held(fc, testID, "CampaignRequestQueued")),
		DeviceReportFn:  func(string, string) ([]thingspace.Device, error) { return reported, nil },
		UpdateDevicesFn: func(string, string, thingspace.DevicesChange) error { return nil },
	}
	w := newDecisionWorld(t, ts)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodUpdateDevices); n != 0 {
		t.Fatalf("%d device PUTs while in sync, want none", n)
	}

	fc.Generation = 2
	fc.Spec.Devices = []fotav1alpha1.DeviceID{"990013907835573", "990013907835599", "990013907835607"}
	out, _ := w.reconcile(fc)

	if n := ts.Count(fake.MethodUpdateDevices); n != 1 || out.reason != fotav1alpha1.ReasonSynced {
		t.Fatalf("%d device PUTs, Synced %s (%s); want one PUT and Synced", n, out.reason, out.message)
	}
	change := ts.Calls()[len(ts.Calls())-1].Arg.(thingspace.DevicesChange)
	want := thingspace.DevicesChange{Append: []string{"990013907835599", "990013907835607"}, Remove: []string{"990013907835581"}}
	if diff := cmp.Diff(want, change); diff != "" {
		t.Errorf("devices change (-want +got):\n%s", diff)
	}

	// ThingSpace applies the change later: a report that does not show it yet is no reason to send it again.
	w.at(DefaultPendingPollInterval)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodUpdateDevices); n != 1 {
		t.Errorf("%d device PUTs, want still 1 within the poll interval", n)
	}
}

func TestDevicesOfAScheduledCampaignCannotChange(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	fc.Spec.Devices = []fotav1alpha1.DeviceID{"990013907835573", "990013907835599"}
	ts := &fake.Client{
		GetCampaignFn:  getting(held(fc, testID, "CampaignScheduled")),
		DeviceReportFn: reporting(thingspace.Device{DeviceID: "990013907835573", Status: "Accepted"}),
	}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)
	if out.reason != fotav1alpha1.ReasonTransitionNotAllowed || !strings.Contains(out.message, "spec.devices") ||
		!strings.Contains(out.message, "CampaignScheduled") {
		t.Errorf("Synced %s (%s), want TransitionNotAllowed on spec.devices naming the status", out.reason, out.message)
	}
	w.at(DefaultPollInterval)
	out, _ = w.reconcile(fc)
	if out.reason != fotav1alpha1.ReasonTransitionNotAllowed {
		t.Errorf("next poll: Synced %s, want still TransitionNotAllowed", out.reason)
	}
	if n := ts.Count(fake.MethodUpdateDevices); n != 0 {
		t.Errorf("%d device PUTs, want none", n)
	}
	if n := ts.Count(fake.MethodDeviceReport); n != 1 {
		t.Errorf("%d report reads, want 1: once per generation before the start", n)
	}
}

var testAbortPolicy = &fotav1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20}

// failingReport is a device report with succeeded and failed finished devices and 25 pending.
func failingReport(succeeded, failed int) []thingspace.Device {
	var report []thingspace.Device
	report = append(report, devicesOf(0, succeeded, "UpgradeSuccess", "DownloadInstallSucceeded")...)
	report = append(report, devicesOf(1000, failed, "UpgradeFailed", "RovaClientDownloadFailed")...)
	return append(report, devicesOf(2000, 25, "UpgradePending", "")...)
}

// abortingWorld is a running campaign with testAbortPolicy whose device report is *report, and
// whose ThingSpace status turns CampaignAborted on a DELETE.
func abortingWorld(t *testing.T, report *[]thingspace.Device) (*decisionWorld, *fake.Client, *fotav1alpha1.FotaCampaign) {
	fc := managedCampaign(runningSchedule())
	fc.Spec.AbortPolicy = testAbortPolicy
	status := "CampaignScheduled"
	ts := &fake.Client{
		GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
			c := held(fc, testID, status)
			return &c, nil
		},
		DeviceReportFn:   func(string, string) ([]thingspace.Device, error) { return *report, nil },
		DeleteCampaignFn: func(string, string) error { status = thingSpaceAborted; return nil },
	}
	return newDecisionWorld(t, ts), ts, fc
}

func TestAbortOnFailures(t *testing.T) {
	tests := map[string]struct {
		succeeded, failed int
		wantAbort         bool
	}{
		"15 of 75 finished devices failed: at and above both thresholds": {succeeded: 60, failed: 15, wantAbort: true},
		"below the percentage":                  {succeeded: 200, failed: 15},
		"below the minimum of finished devices": {succeeded: 4, failed: 15},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			report := failingReport(tt.succeeded, tt.failed)
			w, ts, fc := abortingWorld(t, &report)

			_, result := w.reconcile(fc)
			if tt.wantAbort {
				// The reason is recorded before the call, which follows at once.
				if got := fc.Annotations[fotav1alpha1.AnnotationAbortOnFailures]; !strings.Contains(got, "15 of 75 finished devices failed") {
					t.Errorf("abort-on-failures annotation %q, want the counts", got)
				}
				if n := ts.Count(fake.MethodDeleteCampaign); n != 0 {
					t.Fatalf("%d DELETEs before the reason was recorded, want 0", n)
				}
				if result.RequeueAfter != recordedFirstDelay {
					t.Errorf("requeue after %s, want %s", result.RequeueAfter, recordedFirstDelay)
				}
				w.at(recordedFirstDelay)
				w.reconcile(fc)
			}

			wantDeletes := 0
			if tt.wantAbort {
				wantDeletes = 1
			}
			if n := ts.Count(fake.MethodDeleteCampaign); n != wantDeletes {
				t.Fatalf("%d DELETEs, want %d", n, wantDeletes)
			}
			ready := condition(fc, fotav1alpha1.ConditionReady)
			if !tt.wantAbort {
				if ready.Reason != fotav1alpha1.ReasonReady || abortRecorded(fc) {
					t.Errorf("Ready %s, annotations %v; want Ready and no abort recorded", ready.Reason, fc.Annotations)
				}
				return
			}
			if fc.Status.Phase != fotav1alpha1.PhaseAborted || ready.Reason != fotav1alpha1.ReasonAbortedOnFailures ||
				!strings.Contains(ready.Message, "15 of 75 finished devices failed") {
				t.Errorf("phase %s, Ready %s (%s); want Aborted, AbortedOnFailures with the counts", fc.Status.Phase, ready.Reason, ready.Message)
			}
			if diff := cmp.Diff([]string{"Warning AbortedOnFailures"}, w.events.reasons()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}

			// Never touched again, not even after a restart.
			calls := len(ts.Calls())
			w.restart()
			for _, later := range []time.Duration{time.Hour, 24 * time.Hour} {
				w.at(later)
				w.reconcile(fc)
			}
			if extra := ts.Methods()[calls:]; len(extra) != 0 {
				t.Errorf("calls after the abort %v, want none", extra)
			}
			if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonAbortedOnFailures {
				t.Errorf("Ready %s after later reconciles, want still AbortedOnFailures", ready.Reason)
			}
		})
	}
}

func TestAnAbortSurvivesACrashBetweenAnyTwoSteps(t *testing.T) {
	t.Run("between the record and the DELETE: one DELETE after the restart", func(t *testing.T) {
		report := failingReport(60, 15)
		w, ts, fc := abortingWorld(t, &report)
		w.reconcile(fc)

		w.restart()
		w.at(time.Minute)
		w.reconcile(fc)

		if n := ts.Count(fake.MethodDeleteCampaign); n != 1 {
			t.Fatalf("%d DELETEs, want 1", n)
		}
		if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonAbortedOnFailures {
			t.Errorf("Ready %s, want AbortedOnFailures", ready.Reason)
		}
	})

	t.Run("between the DELETE and the status write: the reason kept, no second DELETE", func(t *testing.T) {
		report := failingReport(60, 15)
		w, ts, fc := abortingWorld(t, &report)
		w.reconcile(fc)
		statusBeforeTheCall := fc.Status.DeepCopy()
		w.at(recordedFirstDelay)
		w.reconcile(fc)
		if n := ts.Count(fake.MethodDeleteCampaign); n != 1 {
			t.Fatalf("%d DELETEs, want 1", n)
		}

		// The manager dies before the status write: the object keeps the annotation only.
		fc.Status = *statusBeforeTheCall
		w.restart()
		w.at(time.Minute)
		w.reconcile(fc)

		if n := ts.Count(fake.MethodDeleteCampaign); n != 1 {
			t.Errorf("%d DELETEs after the restart, want still 1", n)
		}
		ready := condition(fc, fotav1alpha1.ConditionReady)
		if fc.Status.Phase != fotav1alpha1.PhaseAborted || ready.Reason != fotav1alpha1.ReasonAbortedOnFailures ||
			!strings.Contains(ready.Message, "15 of 75 finished devices failed") {
			t.Errorf("phase %s, Ready %s (%s); want Aborted, AbortedOnFailures with the recorded counts", fc.Status.Phase, ready.Reason, ready.Message)
		}
	})

	t.Run("a report that no longer meets the policy withdraws the record", func(t *testing.T) {
		report := failingReport(60, 15)
		w, ts, fc := abortingWorld(t, &report)
		w.reconcile(fc)

		report = failingReport(600, 15)
		w.at(recordedFirstDelay)
		w.reconcile(fc)

		if n := ts.Count(fake.MethodDeleteCampaign); n != 0 {
			t.Errorf("%d DELETEs, want 0", n)
		}
		if abortRecorded(fc) {
			t.Errorf("annotations %v, want the abort withdrawn", fc.Annotations)
		}
		if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonReady {
			t.Errorf("Ready %s, want Ready", ready.Reason)
		}
	})
}

func TestDeviceReportReadsComeWhenDueAndNeverAfterTheFinalOne(t *testing.T) {
	// A campaign that starts in a day and lasts two: no read before it runs, one at the start,
	// one every progress interval while it runs, one final read after the end, then none.
	schedule := fotav1alpha1.Schedule{StartDate: day(1), EndDate: day(2)}
	fc := managedCampaign(schedule)
	ts := &fake.Client{
		GetCampaignFn:  getting(held(fc, testID, "CampaignScheduled")),
		DeviceReportFn: reporting(devicesOf(0, 3, "UpgradePending", "")...),
	}
	w := newDecisionWorld(t, ts)
	reads := func() int { return ts.Count(fake.MethodDeviceReport) }

	_, result := w.reconcile(fc)
	if reads() != 0 {
		t.Fatalf("%d reads before the start, want none", reads())
	}
	start := decisionStart.Truncate(24*time.Hour).AddDate(0, 0, 1)
	if due := w.clk.Now().Add(result.RequeueAfter); due.After(start) {
		t.Errorf("next reconcile at %s, want no later than the start %s", due, start)
	}

	w.clk.SetTime(start)
	w.reconcile(fc)
	if reads() != 1 {
		t.Fatalf("%d reads at the start, want 1: the first read comes as soon as the campaign runs", reads())
	}
	w.clk.SetTime(start.Add(DefaultProgressInterval - time.Second))
	w.reconcile(fc)
	if reads() != 1 {
		t.Errorf("%d reads before a progress interval passed, want 1", reads())
	}
	_, result = w.reconcile(fc)
	if due := w.clk.Now().Add(result.RequeueAfter); !due.Equal(start.Add(DefaultProgressInterval)) {
		t.Errorf("next reconcile at %s, want the next progress read at %s", due, start.Add(DefaultProgressInterval))
	}
	w.clk.SetTime(start.Add(DefaultProgressInterval))
	w.reconcile(fc)
	if reads() != 2 {
		t.Errorf("%d reads after one progress interval, want 2", reads())
	}

	end := start.AddDate(0, 0, 2)
	w.clk.SetTime(end)
	w.reconcile(fc)
	final := reads()
	if final != 3 {
		t.Errorf("%d reads at the end, want 3 (one final read)", final)
	}
	w.restart()
	for _, later := range []time.Duration{DefaultPollInterval, 24 * time.Hour, 30 * 24 * time.Hour} {
		w.clk.SetTime(end.Add(later))
		w.reconcile(fc)
	}
	if reads() != final {
		t.Errorf("%d reads after the final one, want none", reads()-final)
	}
}

func TestAFailedFinalReadIsTriedAgain(t *testing.T) {
	fc := managedCampaign(runningSchedule())
	fc.Status.Phase = fotav1alpha1.PhaseInProgress
	down := true
	ts := &fake.Client{
		GetCampaignFn: getting(held(fc, testID, "CampaignAborted")),
		DeviceReportFn: func(string, string) ([]thingspace.Device, error) {
			if down {
				return nil, &thingspace.UnavailableError{StatusCode: 503}
			}
			return devicesOf(0, 3, "CampaignAborted", ""), nil
		},
	}
	w := newDecisionWorld(t, ts)

	w.reconcile(fc)
	if fc.Status.Phase != fotav1alpha1.PhaseAborted || fc.Status.Devices != nil {
		t.Fatalf("phase %s, devices %+v; want Aborted with no counts yet", fc.Status.Phase, fc.Status.Devices)
	}
	down = false
	w.at(time.Second)
	w.reconcile(fc)
	if fc.Status.Devices == nil || fc.Status.Devices.Cancelled != 3 {
		t.Errorf("devices %+v, want the final counts read on the retry", fc.Status.Devices)
	}
	reads := ts.Count(fake.MethodDeviceReport)
	w.at(time.Hour)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodDeviceReport); n != reads {
		t.Errorf("%d more reads after the final one, want none", n-reads)
	}
}

func TestAClosedCampaignIsReadOnceAClosedPollInterval(t *testing.T) {
	fc := managedCampaign(runningSchedule())
	thingSpaceStatus := "CampaignScheduled"
	ts := &fake.Client{
		GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
			c := held(fc, testID, thingSpaceStatus)
			return &c, nil
		},
		DeviceReportFn: reporting(devicesOf(0, 3, "UpgradeSuccess", "")...),
	}
	w := newDecisionWorld(t, ts)
	w.reconcile(fc)

	thingSpaceStatus = "CampaignCancelled"
	w.at(DefaultPollInterval)
	_, result := w.reconcile(fc) // the poll that sees it closed, and reads its final report
	if fc.Status.Phase != fotav1alpha1.PhaseCancelled || result.RequeueAfter != DefaultClosedPollInterval {
		t.Fatalf("phase %s, requeue after %s; want Cancelled and the next read after %s", fc.Status.Phase, result.RequeueAfter, DefaultClosedPollInterval)
	}
	gets := ts.Count(fake.MethodGetCampaign)
	for hour := 1; hour < 24; hour++ {
		w.at(DefaultPollInterval + time.Duration(hour)*time.Hour)
		w.reconcile(fc) // a Secret change, a resync: nothing is due
	}
	if n := ts.Count(fake.MethodGetCampaign) - gets; n != 0 {
		t.Errorf("%d GETs of a closed campaign within a day, want none", n)
	}
	w.at(DefaultPollInterval + DefaultClosedPollInterval)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodGetCampaign) - gets; n != 1 {
		t.Errorf("%d GETs after a closed poll interval, want 1", n)
	}
}
