package fotacampaign

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

// deleting is fc deleted with deletionPolicy Cancel, its finalizer in place.
func deleting(fc *fotav1alpha1.FotaCampaign) *fotav1alpha1.FotaCampaign {
	fc.Spec.DeletionPolicy = fotav1alpha1.DeletionPolicyCancel
	fc.Finalizers = []string{fotav1alpha1.FinalizerCancelCampaign}
	fc.DeletionTimestamp = ptr.To(metav1.NewTime(decisionStart))
	return fc
}

func TestDeletionWithCancel(t *testing.T) {
	tests := map[string]struct {
		fc           *fotav1alpha1.FotaCampaign
		get          func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error)
		deleteErr    error
		wantDeletes  int
		wantReleased bool
		wantEvents   []string
		wantReason   string
	}{
		"before the start: one DELETE cancels it": {
			fc: managedCampaign(pendingSchedule()),
			get: func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return getting(held(fc, testID, "CampaignScheduled"))
			},
			wantDeletes: 1, wantReleased: true, wantEvents: []string{"Normal CampaignCancelled"},
		},
		"while it runs: one DELETE aborts it, with a warning": {
			fc: managedCampaign(runningSchedule()),
			get: func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return getting(held(fc, testID, "CampaignScheduled"))
			},
			wantDeletes: 1, wantReleased: true, wantEvents: []string{"Warning CampaignAborted"},
		},
		"already closed: no call": {
			fc: managedCampaign(pendingSchedule()),
			get: func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return getting(held(fc, testID, "CampaignCancelled"))
			},
			wantReleased: true, wantEvents: []string{"Normal Released"},
		},
		"ended by its dates: no call": {
			fc: managedCampaign(fotav1alpha1.Schedule{StartDate: day(-9), EndDate: day(-2)}),
			get: func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return getting(held(fc, testID, "CampaignScheduled"))
			},
			wantReleased: true, wantEvents: []string{"Normal Released"},
		},
		"unknown to ThingSpace: no call": {
			fc: managedCampaign(pendingSchedule()),
			get: func(*fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return func(string, string) (*thingspace.Campaign, error) {
					return nil, &thingspace.APIError{StatusCode: 400, Code: "INVALID_PARAMETER", Message: "Invalid campaign id"}
				}
			},
			wantReleased: true, wantEvents: []string{"Normal Released"},
		},
		"ThingSpace down: the object waits": {
			fc: managedCampaign(pendingSchedule()),
			get: func(*fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return func(string, string) (*thingspace.Campaign, error) {
					return nil, &thingspace.UnavailableError{StatusCode: 503}
				}
			},
			wantReason: fotav1alpha1.ReasonThingSpaceUnavailable,
		},
		"the DELETE fails: the object waits": {
			fc: managedCampaign(pendingSchedule()),
			get: func(fc *fotav1alpha1.FotaCampaign) func(string, string) (*thingspace.Campaign, error) {
				return getting(held(fc, testID, "CampaignScheduled"))
			},
			deleteErr:   &thingspace.UnavailableError{Err: errors.New("connection reset")},
			wantDeletes: 1, wantReason: fotav1alpha1.ReasonThingSpaceUnavailable,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := deleting(tt.fc)
			ts := &fake.Client{
				GetCampaignFn:    tt.get(fc),
				DeleteCampaignFn: func(string, string) error { return tt.deleteErr },
			}
			w := newDecisionWorld(t, ts)

			out, _ := w.reconcile(fc)

			if n := ts.Count(fake.MethodDeleteCampaign); n != tt.wantDeletes {
				t.Errorf("%d DELETEs, want %d", n, tt.wantDeletes)
			}
			released := !controllerutil.ContainsFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign)
			if released != tt.wantReleased || out.released != tt.wantReleased {
				t.Errorf("released %t (outcome %t), want %t", released, out.released, tt.wantReleased)
			}
			if diff := cmp.Diff(tt.wantEvents, w.events.reasons()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if out.reason != tt.wantReason {
				t.Errorf("Synced reason %q, want %q", out.reason, tt.wantReason)
			}
		})
	}
}

func TestASuspendedDeletionWaitsWithoutACall(t *testing.T) {
	fc := deleting(managedCampaign(pendingSchedule()))
	fc.Spec.Suspend = ptr.To(true)
	ts := &fake.Client{}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)

	if out.reason != fotav1alpha1.ReasonSuspended || !strings.Contains(out.message, "the deletion waits") {
		t.Errorf("Synced %s (%s), want Suspended saying the deletion waits", out.reason, out.message)
	}
	if len(ts.Calls()) != 0 || !controllerutil.ContainsFinalizer(fc, fotav1alpha1.FinalizerCancelCampaign) {
		t.Errorf("calls %v, finalizers %v; want no call and the finalizer kept", ts.Methods(), fc.Finalizers)
	}
}

func TestDeletingACampaignScheduledWithoutARecordCancelsItByName(t *testing.T) {
	// A crash between the POST and the annotation, then a deletion: the campaign of the name is
	// still this object's, and is cancelled.
	fc := deleting(newCampaign())
	ts := &fake.Client{
		ListCampaignsFn:  listing(held(fc, "found-1", "CampaignRequestQueued")),
		GetCampaignFn:    getting(held(fc, "found-1", "CampaignRequestQueued")),
		DeleteCampaignFn: func(string, string) error { return nil },
	}
	w := newDecisionWorld(t, ts)

	w.reconcile(fc)

	if calls := ts.Calls(); ts.Count(fake.MethodDeleteCampaign) != 1 || calls[len(calls)-1].CampaignID != "found-1" {
		t.Errorf("calls %+v, want one DELETE of found-1", calls)
	}
}

func TestDeletingACampaignNeverScheduledMakesNoWrite(t *testing.T) {
	fc := deleting(newCampaign())
	ts := &fake.Client{ListCampaignsFn: listing()}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)

	if !out.released || ts.Count(fake.MethodDeleteCampaign) != 0 || ts.Count(fake.MethodCreateCampaign) != 0 {
		t.Errorf("released %t, calls %v; want released with no write", out.released, ts.Methods())
	}
}

func TestDeletingAFotaCampaignThatDoesNotOwnItsCampaignCancelsNothing(t *testing.T) {
	fc := deleting(managedCampaign(pendingSchedule()))
	owner := managedCampaign(pendingSchedule())
	owner.Namespace, owner.UID = "team-a", "uid-owner"
	ts := &fake.Client{}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcileOwnedBy(fc, ownership{owner: owner, key: idKey(testAccount, testID)})

	if !out.released || len(ts.Calls()) != 0 {
		t.Errorf("released %t, calls %v; want released with no call", out.released, ts.Methods())
	}
	if events := w.events.reasons(); len(events) != 1 || events[0] != "Normal Released" {
		t.Errorf("events %v, want one Released event naming the owner", events)
	}
}
