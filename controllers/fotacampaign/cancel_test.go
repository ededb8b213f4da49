package fotacampaign

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

func TestCancelThroughTheSpec(t *testing.T) {
	tests := map[string]struct {
		schedule   fotav1alpha1.Schedule
		status     string
		wantPhase  fotav1alpha1.Phase
		wantDelete int
		wantEvents []string
	}{
		"a campaign before its start is cancelled with one DELETE": {
			schedule: pendingSchedule(), status: "CampaignScheduled",
			wantPhase: fotav1alpha1.PhaseCancelled, wantDelete: 1, wantEvents: []string{"Normal CampaignCancelled"},
		},
		"a running campaign is aborted with one DELETE and a warning": {
			schedule: runningSchedule(), status: "CampaignScheduled",
			wantPhase: fotav1alpha1.PhaseAborted, wantDelete: 1, wantEvents: []string{"Warning CampaignAborted"},
		},
		"a campaign already closed needs no call": {
			schedule: runningSchedule(), status: "CampaignEnded",
			wantPhase: fotav1alpha1.PhaseEnded,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := managedCampaign(tt.schedule)
			fc.Spec.Cancel = ptr.To(true)
			status := tt.status
			ts := &fake.Client{
				GetCampaignFn:    func(string, string) (*thingspace.Campaign, error) { c := held(fc, testID, status); return &c, nil },
				DeleteCampaignFn: func(string, string) error { status = "CampaignCancelled"; return nil },
			}
			w := newDecisionWorld(t, ts)

			out, _ := w.reconcile(fc)

			ready := condition(fc, fotav1alpha1.ConditionReady)
			if n := ts.Count(fake.MethodDeleteCampaign); n != tt.wantDelete || fc.Status.Phase != tt.wantPhase ||
				ready.Reason != fotav1alpha1.ReasonCancelled || out.reason != fotav1alpha1.ReasonSynced {
				t.Errorf("%d DELETEs, phase %s, Synced %s, Ready %s (%s); want %d, %s, Synced, Cancelled",
					n, fc.Status.Phase, out.reason, ready.Reason, ready.Message, tt.wantDelete, tt.wantPhase)
			}
			if diff := cmp.Diff(tt.wantEvents, w.events.reasons()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for _, write := range []string{fake.MethodUpdateCampaignDates, fake.MethodUpdateDevices, fake.MethodCreateCampaign} {
				if n := ts.Count(write); n != 0 {
					t.Errorf("%d calls of %s, want none", n, write)
				}
			}
		})
	}
}

func TestACancelIsSentOnceWhateverCrashes(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	fc.Spec.Cancel = ptr.To(true)
	status := "CampaignScheduled"
	ts := &fake.Client{
		GetCampaignFn:    func(string, string) (*thingspace.Campaign, error) { c := held(fc, testID, status); return &c, nil },
		DeleteCampaignFn: func(string, string) error { status = "CampaignCancelled"; return nil },
	}
	w := newDecisionWorld(t, ts)
	w.reconcile(fc)

	w.restart() // the status write after the DELETE was lost
	fc.Status = fotav1alpha1.FotaCampaignStatus{}
	for _, later := range []time.Duration{time.Second, DefaultPollInterval, 2 * DefaultClosedPollInterval} {
		w.at(later)
		w.reconcile(fc)
	}
	if n := ts.Count(fake.MethodDeleteCampaign); n != 1 {
		t.Errorf("%d DELETEs, want exactly 1", n)
	}
}

func TestNothingIsScheduledForACancelledObject(t *testing.T) {
	fc := newCampaign()
	fc.Spec.Cancel = ptr.To(true)
	ts := &fake.Client{ListCampaignsFn: listing()}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)

	if n := ts.Count(fake.MethodCreateCampaign); n != 0 {
		t.Errorf("%d POSTs for an object created with cancel: true, want none", n)
	}
	if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonCancelled ||
		!strings.Contains(out.message, "no campaign was scheduled") {
		t.Errorf("Ready %s (%s), want Cancelled saying nothing was scheduled", ready.Reason, out.message)
	}
}

func TestACancelledObjectWithoutACampaignIsSearchedForOncePerGeneration(t *testing.T) {
	fc := newCampaign()
	fc.Spec.Cancel = ptr.To(true)
	ts := &fake.Client{ListCampaignsFn: listing()}
	w := newDecisionWorld(t, ts)

	w.reconcile(fc)
	searches := ts.Count(fake.MethodListCampaigns)
	if searches == 0 {
		t.Fatal("the first reconcile did not search ThingSpace for a campaign of the name")
	}
	out, _ := w.reconcile(fc)
	if n := ts.Count(fake.MethodListCampaigns); n != searches {
		t.Errorf("%d more searches at the next poll, want none: the last one found nothing", n-searches)
	}
	if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonCancelled ||
		!strings.Contains(out.message, "no campaign was scheduled") {
		t.Errorf("Ready %s (%s), want Cancelled saying nothing was scheduled", ready.Reason, out.message)
	}

	fc.Annotations = map[string]string{fotav1alpha1.AnnotationSchedulePending: `{"generation":1}`}
	w.reconcile(fc)
	if n := ts.Count(fake.MethodListCampaigns); n == searches {
		t.Error("a POST of unknown outcome pending, the object was not searched for again")
	}
}

func TestASuspendedCancelWaitsAndACopiedIdIsNeverCancelled(t *testing.T) {
	t.Run("suspend holds the DELETE", func(t *testing.T) {
		fc := managedCampaign(pendingSchedule())
		fc.Spec.Cancel, fc.Spec.Suspend = ptr.To(true), ptr.To(true)
		ts := &fake.Client{}
		w := newDecisionWorld(t, ts)
		w.reconcile(fc)
		if calls := ts.Calls(); len(calls) != 0 {
			t.Errorf("calls %v, want none while suspended", ts.Methods())
		}
	})
	t.Run("an id copied in the annotation is not cancelled", func(t *testing.T) {
		fc := newCampaign()
		fc.Spec.Cancel = ptr.To(true)
		fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
		ts := &fake.Client{GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
			c := held(fc, testID, "CampaignScheduled")
			c.CampaignName = "fleet.someone-else"
			return &c, nil
		}}
		w := newDecisionWorld(t, ts)
		w.reconcile(fc)
		if n := ts.Count(fake.MethodDeleteCampaign); n != 0 {
			t.Errorf("%d DELETEs of another object's campaign, want none", n)
		}
	})
}
