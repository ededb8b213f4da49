package fotacampaign

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

// The rules of the audit (design §14) that the controller decides, one test per rule.

// posting is a fake ThingSpace that lists nothing and answers every POST with answer.
func posting(answer func() (*thingspace.Campaign, error)) *fake.Client {
	return &fake.Client{
		ListCampaignsFn:  listing(),
		CreateCampaignFn: func(string, thingspace.NewCampaign) (*thingspace.Campaign, error) { return answer() },
	}
}

func TestAPostOfUnknownOutcomeIsNeverRepeatedOnTheOperatorsOwn(t *testing.T) {
	unknowns := map[string]error{
		"a timeout":                         &thingspace.UnavailableError{Err: context.DeadlineExceeded},
		"a 5xx":                             &thingspace.UnavailableError{StatusCode: 502},
		"a reply that cannot be trusted":    &thingspace.UnavailableError{StatusCode: 200, Err: errors.New("reply names another account")},
		"the reconcile's own deadline":      context.DeadlineExceeded,
		"a dropped connection, not wrapped": errors.New("connection reset by peer"),
	}
	for name, unknown := range unknowns {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			ts := posting(func() (*thingspace.Campaign, error) { return nil, unknown })
			w := newDecisionWorld(t, ts)

			out, result := w.reconcile(fc)
			if out.err != nil || out.reason != fotav1alpha1.ReasonThingSpaceUnavailable || result.RequeueAfter != DefaultPendingPollInterval {
				t.Fatalf("outcome %s %v, requeue %s; want ThingSpaceUnavailable, a search after the pending poll interval", out.reason, out.err, result.RequeueAfter)
			}
			if _, pending := fc.Annotations[fotav1alpha1.AnnotationSchedulePending]; !pending {
				t.Fatalf("annotations %v, want the pending record kept", fc.Annotations)
			}

			w.at(time.Second) // a Secret event, an edit: nothing is due yet
			w.reconcile(fc)
			if n := len(ts.Calls()); n != 9 {
				t.Errorf("%d calls after a reconcile before the search is due, want the first 9 only (%v)", n, ts.Methods())
			}
			for search := 1; search <= searchesBeforeUnknown; search++ {
				w.at(time.Duration(search) * DefaultPendingPollInterval)
				if search == 2 {
					w.restart() // the record is on the object, not in memory
				}
				out, _ = w.reconcile(fc)
			}
			if out.reason != fotav1alpha1.ReasonScheduleUnknown || !strings.Contains(out.message, fotav1alpha1.AnnotationScheduleAgain+` to "1"`) {
				t.Errorf("after %d empty searches: %s (%s), want ScheduleUnknown naming the annotation and the generation", searchesBeforeUnknown, out.reason, out.message)
			}
			w.at(time.Hour)
			fc.Generation = 2 // an edit alone does not allow another POST
			w.reconcile(fc)
			if n := ts.Count(fake.MethodCreateCampaign); n != 1 {
				t.Fatalf("%d POSTs, want exactly 1 without the user's word", n)
			}

			fc.Annotations[fotav1alpha1.AnnotationScheduleAgain] = "2"
			w.at(2 * time.Hour)
			w.reconcile(fc)
			w.at(3 * time.Hour)
			w.reconcile(fc)
			if n := ts.Count(fake.MethodCreateCampaign); n != 2 {
				t.Errorf("%d POSTs after schedule-again for the current generation, want exactly one more (2)", n)
			}
		})
	}
}

func TestAPostRefusedForSureLeavesNoPendingRecord(t *testing.T) {
	refusals := map[string]error{
		"a 400":                        &thingspace.APIError{StatusCode: 400, Code: "INVALID", Message: "bad software"},
		"a 401 on the POST":            &thingspace.CredentialsError{Problem: thingspace.AccessTokenRejected, StatusCode: 401},
		"a 429":                        &thingspace.RateLimitedError{RetryAfter: 5 * time.Second},
		"the operator's own limit":     &thingspace.ThrottledError{Account: testAccount, RetryAfter: time.Second},
		"tokens minted by another one": &thingspace.MintPendingError{RetryAfter: time.Second},
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			w := newDecisionWorld(t, posting(func() (*thingspace.Campaign, error) { return nil, refusal }))

			w.reconcile(fc)

			if _, pending := fc.Annotations[fotav1alpha1.AnnotationSchedulePending]; pending {
				t.Errorf("annotations %v, want no pending record: no campaign was created", fc.Annotations)
			}
		})
	}
}

func TestNothingIsPostedWithoutTheAPIServersWord(t *testing.T) {
	tests := map[string]func(*guardLog){
		"another claimant of the name, read from the API server": func(g *guardLog) {
			g.stop = &outcome{reason: fotav1alpha1.ReasonConflict, message: "FotaCampaign team-a/wave1 records campaign x"}
		},
		"the object deleted since the cache saw it": func(g *guardLog) { g.stop = &outcome{recordedFirst: true} },
		"the pending record could not be written":   func(g *guardLog) { g.writeErr = errors.New("the object has been modified") },
		"the object is gone when the record is written": func(g *guardLog) {
			g.writeErr = apierrors.NewNotFound(schema.GroupResource{Group: fotav1alpha1.GroupVersion.Group, Resource: "fotacampaigns"}, "wave1")
		},
	}
	for name, setUp := range tests {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			ts := posting(func() (*thingspace.Campaign, error) { c := held(fc, testID, "CampaignRequestPending"); return &c, nil })
			w := newDecisionWorld(t, ts)
			setUp(w.guard)

			w.reconcile(fc)

			if n := ts.Count(fake.MethodCreateCampaign); n != 0 {
				t.Errorf("%d POSTs, want none", n)
			}
		})
	}
}

func TestAnObjectThatRecordsAnIdNeverPosts(t *testing.T) {
	fc := newCampaign()
	fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: testID, Status: "CampaignScheduled"}
	applied := fc.Spec.Schedule
	fc.Status.Applied = &applied
	ts := &fake.Client{GetCampaignFn: getting(held(fc, testID, "CampaignScheduled")), DeviceReportFn: reporting()}
	w := newDecisionWorld(t, ts)

	w.reconcile(fc) // the annotation lost (a kubectl replace), the status kept

	if n := ts.Count(fake.MethodCreateCampaign) + ts.Count(fake.MethodListCampaigns); n != 0 {
		t.Errorf("calls %v, want no search and no POST for an object whose status records id %s", ts.Methods(), testID)
	}
}

func TestAnAnnotationIdOnANewObjectIsTrustedOnlyAfterAGetMatches(t *testing.T) {
	tests := map[string]struct {
		get         func(fc *fotav1alpha1.FotaCampaign) (*thingspace.Campaign, error)
		wantReason  string
		wantMessage string
	}{
		"the campaign has the spec's name and software: trusted": {
			get: func(fc *fotav1alpha1.FotaCampaign) (*thingspace.Campaign, error) {
				c := held(fc, testID, "CampaignScheduled")
				return &c, nil
			},
			wantReason: fotav1alpha1.ReasonSynced,
		},
		"another object's campaign (a copied manifest): Conflict": {
			get: func(fc *fotav1alpha1.FotaCampaign) (*thingspace.Campaign, error) {
				c := held(fc, testID, "CampaignScheduled")
				c.CampaignName = "fleet.other"
				return &c, nil
			},
			wantReason:  fotav1alpha1.ReasonConflict,
			wantMessage: `ThingSpace holds it as "fleet.other"`,
		},
		"the same name with other software: Conflict": {
			get: func(fc *fotav1alpha1.FotaCampaign) (*thingspace.Campaign, error) {
				c := held(fc, testID, "CampaignScheduled")
				c.SoftwareTo = "FOTA_Other"
				return &c, nil
			},
			wantReason:  fotav1alpha1.ReasonConflict,
			wantMessage: "which this FotaCampaign did not schedule",
		},
		"ThingSpace does not know the id: Conflict": {
			get: func(*fotav1alpha1.FotaCampaign) (*thingspace.Campaign, error) {
				return nil, &thingspace.APIError{StatusCode: 400, Code: "CAMPAIGN_NOT_FOUND", Message: "no such campaign"}
			},
			wantReason:  fotav1alpha1.ReasonConflict,
			wantMessage: "ThingSpace does not know it (CAMPAIGN_NOT_FOUND: no such campaign)",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			fc.Spec.Schedule = runningSchedule()
			fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
			ts := &fake.Client{
				GetCampaignFn:  func(string, string) (*thingspace.Campaign, error) { return tt.get(fc) },
				DeviceReportFn: reporting(thingspace.Device{DeviceID: "990013907835573"}, thingspace.Device{DeviceID: "990013907835581"}),
			}
			w := newDecisionWorld(t, ts)

			out, _ := w.reconcile(fc)

			if out.reason != tt.wantReason || !strings.Contains(out.message, tt.wantMessage) {
				t.Errorf("Synced %s (%s), want %s containing %q", out.reason, out.message, tt.wantReason, tt.wantMessage)
			}
			for _, write := range []string{fake.MethodUpdateCampaignDates, fake.MethodUpdateDevices, fake.MethodDeleteCampaign, fake.MethodCreateCampaign} {
				if n := ts.Count(write); n != 0 {
					t.Errorf("%d calls of %s, want no write", n, write)
				}
			}
		})
	}
}

// methodsBefore is the methods called before the first call of write, from the index from.
func methodsBefore(ts *fake.Client, from int, write string) []string {
	methods := ts.Methods()[from:]
	for i, method := range methods {
		if method == write {
			return methods[:i]
		}
	}
	return nil
}

func TestEveryWriteIsDecidedOnAReadOfTheSameReconcile(t *testing.T) {
	t.Run("a dates PUT", func(t *testing.T) {
		fc := managedCampaign(pendingSchedule())
		ts := &fake.Client{
			GetCampaignFn: getting(held(fc, testID, "CampaignScheduled")),
			UpdateCampaignDatesFn: func(string, string, thingspace.Dates) (*thingspace.Campaign, error) {
				c := held(fc, testID, "CampaignScheduled")
				return &c, nil
			},
		}
		w := newDecisionWorld(t, ts)
		w.reconcile(fc)
		from := len(ts.Calls())

		fc.Generation, fc.Spec.EndDate = 2, day(20) // well within the poll interval
		w.at(time.Minute)
		w.reconcile(fc)

		if before := methodsBefore(ts, from, fake.MethodUpdateCampaignDates); len(before) != 1 || before[0] != fake.MethodGetCampaign {
			t.Errorf("calls %v, want a GET right before the PUT", ts.Methods()[from:])
		}
	})
	t.Run("a window added in the portal a minute ago is part of the baseline", func(t *testing.T) {
		fc := managedCampaign(runningSchedule())
		inPortal := held(fc, testID, "CampaignScheduled")
		ts := &fake.Client{GetCampaignFn: func(string, string) (*thingspace.Campaign, error) { c := inPortal; return &c, nil }, DeviceReportFn: reporting()}
		w := newDecisionWorld(t, ts)
		w.reconcile(fc)

		inPortal.DownloadTimeWindowList = []thingspace.Window{{StartTime: 1, EndTime: 2}}
		fc.Generation, fc.Spec.EndDate = 2, day(20)
		w.at(time.Minute)
		out, _ := w.reconcile(fc)

		if n := ts.Count(fake.MethodUpdateCampaignDates); n != 0 || out.reason != fotav1alpha1.ReasonTransitionNotAllowed {
			t.Errorf("%d PUTs, Synced %s (%s); want no PUT that would remove the portal's window", n, out.reason, out.message)
		}
	})
	t.Run("a devices PUT", func(t *testing.T) {
		fc := newCampaign()
		fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
		ts := &fake.Client{
			GetCampaignFn:   getting(held(fc, testID, "CampaignRequestQueued")),
			DeviceReportFn:  reporting(thingspace.Device{DeviceID: "990013907835573"}),
			UpdateDevicesFn: func(string, string, thingspace.DevicesChange) error { return nil },
		}
		w := newDecisionWorld(t, ts)
		w.reconcile(fc)
		from := len(ts.Calls())
		w.at(DefaultPendingPollInterval / 2)
		fc.Generation = 2
		w.reconcile(fc)
		if before := methodsBefore(ts, from, fake.MethodUpdateDevices); !containsMethod(before, fake.MethodGetCampaign) {
			t.Errorf("calls %v, want a GET before the devices PUT", ts.Methods()[from:])
		}
	})
}

func containsMethod(methods []string, method string) bool {
	for _, m := range methods {
		if m == method {
			return true
		}
	}
	return false
}

func TestNoAppendFromAnEmptyReportWhileThingSpaceChecksTheRequest(t *testing.T) {
	fc := newCampaign()
	fc.Annotations = map[string]string{fotav1alpha1.AnnotationCampaignID: testID}
	ts := &fake.Client{
		GetCampaignFn:   getting(held(fc, testID, "CampaignRequestPending")),
		DeviceReportFn:  reporting(),
		UpdateDevicesFn: func(string, string, thingspace.DevicesChange) error { return nil },
	}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)

	if n := ts.Count(fake.MethodUpdateDevices); n != 0 {
		t.Errorf("%d device PUTs from an empty report of a pending campaign, want none (%s)", n, out.message)
	}
}

func TestRejectedCredentialsAreRecordedOnTheObjectUntilThingSpaceAcceptsThem(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	const fingerprint = "scrypt1.LoginRejected.c2FsdA.a2V5"
	var rejected error = &thingspace.CredentialsError{Problem: thingspace.LoginRejected, StatusCode: 400, Fingerprint: fingerprint}
	ts := &fake.Client{GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
		if rejected != nil {
			return nil, rejected
		}
		c := held(fc, testID, "CampaignScheduled")
		return &c, nil
	}}
	w := newDecisionWorld(t, ts)

	out, _ := w.reconcile(fc)
	if got := fc.Annotations[fotav1alpha1.AnnotationRejectedCredentials]; got != fingerprint || out.reason != fotav1alpha1.ReasonCredentialsRejected {
		t.Fatalf("annotation %q, Synced %s; want the fingerprint recorded and CredentialsRejected", got, out.reason)
	}
	if strings.Contains(out.message, fingerprint) {
		t.Errorf("message %q shows the fingerprint", out.message)
	}

	rejected = nil // the Secret fixed
	w.at(time.Minute)
	w.reconcile(fc)
	if got, ok := fc.Annotations[fotav1alpha1.AnnotationRejectedCredentials]; ok {
		t.Errorf("annotation %q after ThingSpace answered, want it removed", got)
	}
}

func TestAMintInFlightHoldsNoWorkerAndWritesNothing(t *testing.T) {
	fc := managedCampaign(pendingSchedule())
	ts := &fake.Client{GetCampaignFn: func(string, string) (*thingspace.Campaign, error) {
		return nil, &thingspace.MintPendingError{RetryAfter: time.Second}
	}}
	w := newDecisionWorld(t, ts)

	out, result := w.reconcile(fc)

	if out.err != nil || out.reason != "" || len(fc.Status.Conditions) != 0 || result.RequeueAfter != time.Second {
		t.Errorf("outcome %q %v, conditions %v, requeue %s; want nothing written and a retry in 1s", out.reason, out.err, fc.Status.Conditions, result.RequeueAfter)
	}
}

func TestThingSpaceTextIsCutBeforeItReachesAMessage(t *testing.T) {
	huge := strings.Repeat("x", 40<<10)
	fc := newCampaign()
	other := held(fc, "found-1", "CampaignScheduled")
	other.SoftwareName, other.SoftwareTo = huge, huge
	closed := held(fc, strings.Repeat("i", 40<<10), strings.Repeat("s", 40<<10))
	for name, listed := range map[string][]thingspace.Campaign{
		"a Conflict naming another software": {other},
		"two campaigns of the name":          {other, held(fc, huge, "CampaignScheduled")},
	} {
		t.Run(name, func(t *testing.T) {
			fc := newCampaign()
			w := newDecisionWorld(t, &fake.Client{ListCampaignsFn: listing(listed...)})
			out, _ := w.reconcile(fc)
			if out.reason != fotav1alpha1.ReasonConflict || len(out.message) > 4096 {
				t.Errorf("Synced %s with a message of %d bytes, want Conflict with ThingSpace's texts cut", out.reason, len(out.message))
			}
		})
	}
	t.Run("a condition message never exceeds 32768 bytes", func(t *testing.T) {
		fc := newCampaign()
		w := newDecisionWorld(t, &fake.Client{})
		w.r.recordOutcome(fc, outcome{reason: fotav1alpha1.ReasonThingSpaceUnavailable, message: huge + closed.ID}, w.clk.Now())
		for _, c := range fc.Status.Conditions {
			if len(c.Message) > maxConditionMessage {
				t.Errorf("%s message of %d bytes, want at most %d", c.Type, len(c.Message), maxConditionMessage)
			}
		}
	})
}

func TestCampaignIdsCompareWithoutRegardToCase(t *testing.T) {
	upper, lower := managedCampaign(pendingSchedule()), managedCampaign(pendingSchedule())
	upper.Spec.CampaignID = strings.ToUpper(testID)
	if got, want := ownershipKeysOf(upper), ownershipKeysOf(lower); !slices.Equal(got, want) {
		t.Errorf("ownership keys %v and %v, want one key for one campaign", got, want)
	}
}
