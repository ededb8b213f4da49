package fotacampaign

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

func listing(campaigns ...thingspace.Campaign) func(string, string) ([]thingspace.Campaign, error) {
	return func(_, status string) ([]thingspace.Campaign, error) {
		var out []thingspace.Campaign
		for _, c := range campaigns {
			if c.Status == status {
				out = append(out, c)
			}
		}
		return out, nil
	}
}

func TestSchedulingANewCampaign(t *testing.T) {
	fc := newCampaign()
	ts := &fake.Client{
		ListCampaignsFn: listing(),
		CreateCampaignFn: func(string, thingspace.NewCampaign) (*thingspace.Campaign, error) {
			created := held(fc, testID, "CampaignRequestPending")
			return &created, nil
		},
	}
	w := newDecisionWorld(t, ts)

	out, result := w.reconcile(fc)

	searched := append(append([]string{}, campaign.LiveStatuses...), campaign.ClosedStatuses...)
	wantCalls := append(slices.Repeat([]string{fake.MethodListCampaigns}, len(searched)), fake.MethodCreateCampaign)
	if diff := cmp.Diff(wantCalls, ts.Methods()); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
	var statuses []string
	for _, call := range ts.Calls()[:len(searched)] {
		statuses = append(statuses, call.Arg.(string))
	}
	if diff := cmp.Diff([]string{"CampaignRequestPending", "CampaignRequestQueued", "CampaignScheduled",
		"CampaignEnded", "CampaignCancelled", "CampaignAborted", "CampaignFailed", "CampaignRequestFailed"}, statuses); diff != "" {
		t.Errorf("listed statuses (-want +got):\n%s", diff)
	}
	if len(w.guard.writes) != 1 || w.guard.writes[0][fotav1alpha1.AnnotationSchedulePending] == "" {
		t.Errorf("metadata writes before the POST %v, want one carrying %s", w.guard.writes, fotav1alpha1.AnnotationSchedulePending)
	}
	if _, pending := fc.Annotations[fotav1alpha1.AnnotationSchedulePending]; pending {
		t.Errorf("annotations %v after the answer, want %s removed", fc.Annotations, fotav1alpha1.AnnotationSchedulePending)
	}
	request := ts.Calls()[len(searched)].Arg.(thingspace.NewCampaign)
	if request.CampaignName != "fleet.wave1" || request.SoftwareName != testSoftware.Name || request.SoftwareFrom != testSoftware.From ||
		request.SoftwareTo != testSoftware.To || request.DistributionType != "HTTP" ||
		request.StartDate != string(day(10)) || request.EndDate != string(day(16)) ||
		len(request.DownloadTimeWindowList) != 1 || request.InstallTimeWindowList == nil ||
		!cmp.Equal(request.DeviceList, []string{"990013907835573", "990013907835581"}) {
		t.Errorf("POST body %+v, want the whole spec under the default name", request)
	}
	if got := fc.Annotations[fotav1alpha1.AnnotationCampaignID]; got != testID {
		t.Errorf("annotation %q, want the new id %s", got, testID)
	}
	if fc.Status.Campaign == nil || fc.Status.Campaign.ID != testID {
		t.Errorf("status.campaign %+v, want id %s", fc.Status.Campaign, testID)
	}
	if out.reason != fotav1alpha1.ReasonSynced {
		t.Errorf("Synced reason %s (%s), want Synced", out.reason, out.message)
	}
	if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonRequestPending {
		t.Errorf("Ready %s/%s, want False/RequestPending", ready.Status, ready.Reason)
	}
	if result.RequeueAfter != DefaultPendingPollInterval {
		t.Errorf("requeue after %s, want the pending poll interval %s", result.RequeueAfter, DefaultPendingPollInterval)
	}
	if diff := cmp.Diff([]string{"Normal CampaignScheduled"}, w.events.reasons()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestANewCampaignIsScheduledOnlyOnce(t *testing.T) {
	tests := map[string]struct {
		// between runs between the reconcile that scheduled and the next one.
		between func(w *decisionWorld, fc *fotav1alpha1.FotaCampaign)
	}{
		"the next reconcile of the same process": {
			between: func(*decisionWorld, *fotav1alpha1.FotaCampaign) {},
		},
		"a stale cache: the object without its annotation, same process": {
			between: func(_ *decisionWorld, fc *fotav1alpha1.FotaCampaign) {
				delete(fc.Annotations, fotav1alpha1.AnnotationCampaignID)
			},
		},
		"a restart after the annotation was written, with the status lost": {
			between: func(w *decisionWorld, fc *fotav1alpha1.FotaCampaign) {
				w.restart()
				fc.Status = fotav1alpha1.FotaCampaignStatus{}
			},
		},
		"a crash between the POST and the annotation: adopted by name": {
			between: func(w *decisionWorld, fc *fotav1alpha1.FotaCampaign) {
				w.restart()
				fc.Annotations = maps.Clone(w.guard.writes[0]) // what was written before the POST
				fc.Status = fotav1alpha1.FotaCampaignStatus{}
			},
		},
		"a crash between the POST and the annotation, the pending record lost too: adopted by name": {
			between: func(w *decisionWorld, fc *fotav1alpha1.FotaCampaign) {
				w.restart()
				fc.Annotations = nil
				fc.Status = fotav1alpha1.FotaCampaignStatus{}
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			var scheduled []thingspace.Campaign
			ts := &fake.Client{
				ListCampaignsFn: func(account, status string) ([]thingspace.Campaign, error) {
					return listing(scheduled...)(account, status)
				},
				CreateCampaignFn: func(string, thingspace.NewCampaign) (*thingspace.Campaign, error) {
					created := held(fc, testID, "CampaignRequestPending")
					scheduled = append(scheduled, created)
					return &created, nil
				},
				GetCampaignFn:  func(string, string) (*thingspace.Campaign, error) { return &scheduled[0], nil },
				DeviceReportFn: reporting(thingspace.Device{DeviceID: "990013907835573", Status: "Accepted"}, thingspace.Device{DeviceID: "990013907835581", Status: "Accepted"}),
			}
			w := newDecisionWorld(t, ts)
			w.reconcile(fc)

			tt.between(w, fc)
			w.at(DefaultPendingPollInterval)
			out, _ := w.reconcile(fc)
			if out.recordedFirst { // adopted: the next reconcile goes on with the campaign
				out, _ = w.reconcile(fc)
			}

			if n := ts.Count(fake.MethodCreateCampaign); n != 1 {
				t.Errorf("%d POSTs, want exactly 1 (calls %v)", n, ts.Methods())
			}
			if got := fc.Annotations[fotav1alpha1.AnnotationCampaignID]; got != testID {
				t.Errorf("annotation %q, want %s", got, testID)
			}
			if out.reason != fotav1alpha1.ReasonSynced {
				t.Errorf("Synced reason %s (%s), want Synced", out.reason, out.message)
			}
		})
	}
}

func TestAdoptingAndRefusingCampaignsFoundByName(t *testing.T) {
	other := testSoftware
	other.To = "FOTA_Verizon_Model-A_03To04_HF"
	tests := map[string]struct {
		live        func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign
		wantReason  string
		wantMessage string
		wantAdopted string
	}{
		"one live campaign of the name and software is adopted, and the reconcile ends there": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "found-1", "CampaignRequestQueued")}
			},
			wantAdopted: "found-1",
		},
		"a scheduled one is adopted too, since it may still run": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "found-1", "CampaignScheduled")}
			},
			wantAdopted: "found-1",
		},
		"a live one is adopted though a closed one of the name and software exists": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "old-1", "CampaignEnded"), held(fc, "found-1", "CampaignScheduled")}
			},
			wantAdopted: "found-1",
		},
		"a closed campaign of the name and software holds the name: CampaignNameUsed": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "old-1", "CampaignAborted")}
			},
			wantReason:  fotav1alpha1.ReasonCampaignNameUsed,
			wantMessage: "holds closed campaign old-1 named \"fleet.wave1\" with the same software (status CampaignAborted)",
		},
		"a campaign whose request ThingSpace failed holds the name too": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "old-1", "CampaignRequestFailed")}
			},
			wantReason:  fotav1alpha1.ReasonCampaignNameUsed,
			wantMessage: "set a new spec.campaignName to schedule it again",
		},
		"the name with other software is a conflict": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				c := held(fc, "found-1", "CampaignScheduled")
				c.SoftwareTo = other.To
				return []thingspace.Campaign{c}
			},
			wantReason:  fotav1alpha1.ReasonConflict,
			wantMessage: "holds campaign found-1 named \"fleet.wave1\" with other software",
		},
		"two live campaigns of the name are a conflict": {
			live: func(fc *fotav1alpha1.FotaCampaign) []thingspace.Campaign {
				return []thingspace.Campaign{held(fc, "found-1", "CampaignScheduled"), held(fc, "found-2", "CampaignRequestQueued")}
			},
			wantReason:  fotav1alpha1.ReasonConflict,
			wantMessage: "holds 2 live campaigns named \"fleet.wave1\" (found-2, found-1)",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			ts := &fake.Client{
				ListCampaignsFn: listing(tt.live(fc)...),
				DeviceReportFn:  reporting(thingspace.Device{DeviceID: "990013907835573"}, thingspace.Device{DeviceID: "990013907835581"}),
			}
			w := newDecisionWorld(t, ts)

			out, _ := w.reconcile(fc)

			if out.reason != tt.wantReason || !strings.Contains(out.message, tt.wantMessage) {
				t.Errorf("Synced %s (%s), want %s containing %q", out.reason, out.message, tt.wantReason, tt.wantMessage)
			}
			if adopted := tt.wantAdopted != ""; out.recordedFirst != adopted || adopted && ts.Count(fake.MethodGetCampaign)+ts.Count(fake.MethodDeviceReport) != 0 {
				t.Errorf("reconcile ended %v after calls %v; want it to end right after an adoption", out.recordedFirst, ts.Methods())
			}
			if n := ts.Count(fake.MethodCreateCampaign); n != 0 {
				t.Errorf("%d POSTs, want none", n)
			}
			if got := fc.Annotations[fotav1alpha1.AnnotationCampaignID]; got != tt.wantAdopted {
				t.Errorf("annotation %q, want %q", got, tt.wantAdopted)
			}
		})
	}
}

func TestARejectedPostIsNotSentAgainUntilTheSpecChanges(t *testing.T) {
	fc := newCampaign()
	ts := &fake.Client{
		ListCampaignsFn: listing(),
		CreateCampaignFn: func(string, thingspace.NewCampaign) (*thingspace.Campaign, error) {
			return nil, &thingspace.APIError{StatusCode: 400, Code: "INVALID_PARAMETER", Message: "softwareName not found"}
		},
	}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)
	if out.reason != fotav1alpha1.ReasonThingSpaceRejected || !strings.Contains(out.message, "INVALID_PARAMETER: softwareName not found") {
		t.Fatalf("Synced %s (%s), want ThingSpaceRejected with ThingSpace's code and message", out.reason, out.message)
	}
	w.restart() // the status, not the memory, keeps the rejection
	w.at(2 * DefaultPollInterval)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodCreateCampaign); n != 1 {
		t.Fatalf("%d POSTs before the spec changed, want 1", n)
	}

	fc.Generation = 2
	fc.Spec.EndDate = day(17)
	w.reconcile(fc)
	if n := ts.Count(fake.MethodCreateCampaign); n != 2 {
		t.Errorf("%d POSTs after the spec changed, want 2", n)
	}
}

func TestAcceptanceAndFailureOfTheRequest(t *testing.T) {
	fc := newCampaign()
	thingSpaceStatus := "CampaignRequestPending"
	var devices []thingspace.Device
	ts := &fake.Client{
		GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
			c := held(fc, testID, thingSpaceStatus)
			return &c, nil
		},
		DeviceReportFn: func(string, string) ([]thingspace.Device, error) { return devices, nil },
	}
	w := newDecisionWorld(t, ts)
	fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
	devices = []thingspace.Device{{DeviceID: "990013907835573", Status: "Accepted"}, {DeviceID: "990013907835581", Status: "Accepted"}}

	_, result := w.reconcile(fc)
	if ready := condition(fc, fotav1alpha1.ConditionReady); ready.Reason != fotav1alpha1.ReasonRequestPending || result.RequeueAfter != DefaultPendingPollInterval {
		t.Fatalf("Ready %s, requeue %s; want RequestPending, read again after %s", ready.Reason, result.RequeueAfter, DefaultPendingPollInterval)
	}

	thingSpaceStatus = "CampaignRequestFailed"
	devices = []thingspace.Device{
		{DeviceID: "990013907835573", Status: "DeviceRejected", ResultReason: "Device does not exist."},
		{DeviceID: "990013907835581", Status: "DeviceRejected", ResultReason: "Device does not exist."},
	}
	w.at(DefaultPendingPollInterval)
	w.reconcile(fc)
	ready := condition(fc, fotav1alpha1.ConditionReady)
	if fc.Status.Phase != fotav1alpha1.PhaseFailed || ready.Reason != fotav1alpha1.ReasonCampaignFailed ||
		!strings.Contains(ready.Message, "Device does not exist. (2)") {
		t.Errorf("phase %s, Ready %s (%s); want Failed, CampaignFailed naming the rejection reason", fc.Status.Phase, ready.Reason, ready.Message)
	}
	if fc.Status.Devices == nil || fc.Status.Devices.Rejected != 2 {
		t.Errorf("devices %+v, want 2 rejected", fc.Status.Devices)
	}
}

func TestOneOwnerPerCampaign(t *testing.T) {
	ts := &fake.Client{}
	w := newDecisionWorld(t, ts)
	fc := managedCampaign(pendingSchedule())
	owner := managedCampaign(pendingSchedule())
	owner.Namespace, owner.UID = "team-a", "uid-owner"
	owner.CreationTimestamp = metav1.NewTime(decisionStart.Add(-time.Hour))

	out, _ := w.reconcileOwnedBy(fc, ownership{owner: owner, key: idKey(testAccount, testID)})

	if out.reason != fotav1alpha1.ReasonConflict || !strings.Contains(out.message, "team-a/model-a") {
		t.Errorf("Synced %s (%s), want Conflict naming the owner", out.reason, out.message)
	}
	if calls := ts.Calls(); len(calls) != 0 {
		t.Errorf("calls %v, want none", ts.Methods())
	}
}

func TestAThrottledCallWaitsForItsTurnWithoutTouchingTheStatus(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	ts := &fake.Client{GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
		return nil, &thingspace.ThrottledError{Account: testAccount, RetryAfter: 1500 * time.Millisecond}
	}}
	w := newDecisionWorld(t, ts)

	out, result := w.reconcile(fc)

	if out.err != nil || out.reason != "" || len(fc.Status.Conditions) != 0 {
		t.Errorf("outcome %q %v, conditions %v; want nothing learned and nothing written", out.reason, out.err, fc.Status.Conditions)
	}
	if result.RequeueAfter != 1500*time.Millisecond {
		t.Errorf("requeue after %s, want the limiter's turn in 1.5s", result.RequeueAfter)
	}
}

func TestAStaleCacheCostsNoSecondRead(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	ts := &fake.Client{GetCampaignFn: getting(held(managedCampaign(pendingSchedule()), testID, "CampaignScheduled"))}
	w := newDecisionWorld(t, ts)
	stale := fc.DeepCopy()

	w.reconcile(fc)
	out, _ := w.reconcile(stale) // the object as a cache that has not seen the status write yet

	if n := ts.Count(fake.MethodGetCampaign); n != 1 {
		t.Errorf("%d GETs, want 1: ThingSpace was read a moment ago", n)
	}
	if stale.Status.Applied == nil || out.reason != fotav1alpha1.ReasonSynced {
		t.Errorf("applied %v, Synced %s; want what ThingSpace holds recorded again, and Synced", stale.Status.Applied, out.reason)
	}
}
