package fotacampaign

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/fake"
)

// The unit tests of decisions run the reconciler's steps against a fake ThingSpace client, with
// no API server: each says what ThingSpace answers and checks which calls the operator made,
// which conditions it set and when it asks to come back. What needs the API server (writes,
// watches, the webhook) is in the envtest suite.

// decisionStart is the fake clock's start: 2026-11-20 12:00 UTC.
var decisionStart = time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC)

const (
	testAccount = "0402196254-00001"
	testID      = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
)

var testSoftware = fotav1alpha1.Software{
	Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
	To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP",
}

type decisionWorld struct {
	t      *testing.T
	ts     *fake.Client
	clk    *clocktesting.FakeClock
	r      *Reconciler
	events *eventLog
	guard  *guardLog
}

func newDecisionWorld(t *testing.T, ts *fake.Client) *decisionWorld {
	t.Helper()
	clk := clocktesting.NewFakeClock(decisionStart)
	events := &eventLog{}
	r := &Reconciler{ThingSpace: ts, PollInterval: DefaultPollInterval, Clock: clk}
	if err := r.defaults(); err != nil {
		t.Fatal(err)
	}
	r.credentials = staticSource{}
	r.recorder = events
	guard := &guardLog{}
	r.guard = guard
	return &decisionWorld{t: t, ts: ts, clk: clk, r: r, events: events, guard: guard}
}

// reconcile runs one reconcile's decisions on fc, as Reconcile does after loading it, and changes
// fc as the writes would: its annotations, finalizers and status.
func (w *decisionWorld) reconcile(fc *fotav1alpha1.FotaCampaign) (outcome, ctrl.Result) {
	return w.reconcileOwnedBy(fc, ownership{})
}

func (w *decisionWorld) reconcileOwnedBy(fc *fotav1alpha1.FotaCampaign, owner ownership) (outcome, ctrl.Result) {
	state := w.r.campaigns.stateOf(fc)
	now := w.clk.Now()
	out := w.r.sync(context.Background(), fc.DeepCopy(), fc, state, owner, now)
	w.r.recordOutcome(fc, out, now)
	return out, w.r.resultOf(fc, state, out, now)
}

// restart forgets everything the reconciler keeps in memory, as a new process would.
func (w *decisionWorld) restart() {
	w.r.campaigns = newCampaignMemory()
}

func (w *decisionWorld) at(offset time.Duration) {
	w.clk.SetTime(decisionStart.Add(offset))
}

// day is the UTC date offset days from the clock's start.
func day(offset int) fotav1alpha1.Date {
	return fotav1alpha1.Date(decisionStart.AddDate(0, 0, offset).Format(time.DateOnly))
}

func pendingSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{
		StartDate: day(10), EndDate: day(16),
		DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
	}
}

func runningSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{StartDate: day(-2), EndDate: day(5)}
}

// newCampaign is a FotaCampaign that schedules a campaign of two devices.
func newCampaign() *fotav1alpha1.FotaCampaign {
	return &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "wave1", UID: types.UID("uid-wave1"), Generation: 1},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          testAccount,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			Software:             testSoftware.DeepCopy(),
			Devices:              []fotav1alpha1.DeviceID{"990013907835573", "990013907835581"},
			DeletionPolicy:       fotav1alpha1.DeletionPolicyOrphan,
			Schedule:             pendingSchedule(),
		},
	}
}

// managedCampaign is a FotaCampaign of an existing campaign, by id.
func managedCampaign(schedule fotav1alpha1.Schedule) *fotav1alpha1.FotaCampaign {
	return &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "model-a", UID: types.UID("uid-model-a"), Generation: 1},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          testAccount,
			CampaignID:           testID,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			DeletionPolicy:       fotav1alpha1.DeletionPolicyOrphan,
			Schedule:             schedule,
		},
	}
}

// held is the campaign ThingSpace holds for fc's spec, in status.
func held(fc *fotav1alpha1.FotaCampaign, id, status string) thingspace.Campaign {
	s := fc.Spec.Schedule
	c := thingspace.Campaign{
		ID: id, AccountName: fc.Spec.AccountName, CampaignName: campaignNameOf(fc),
		StartDate: string(s.StartDate), EndDate: string(s.EndDate), Status: status,
	}
	for _, w := range s.DownloadTimeWindowList {
		c.DownloadTimeWindowList = append(c.DownloadTimeWindowList, thingspace.Window{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	for _, w := range s.InstallTimeWindowList {
		c.InstallTimeWindowList = append(c.InstallTimeWindowList, thingspace.Window{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	if sw := fc.Spec.Software; sw != nil {
		c.SoftwareName, c.SoftwareFrom, c.SoftwareTo, c.DistributionType = sw.Name, sw.From, sw.To, string(sw.DistributionType)
	}
	return c
}

func getting(c thingspace.Campaign) func(string, string) (*thingspace.Campaign, error) {
	return func(string, string) (*thingspace.Campaign, error) {
		copied := c
		return &copied, nil
	}
}

func reporting(devices ...thingspace.Device) func(string, string) ([]thingspace.Device, error) {
	return func(string, string) ([]thingspace.Device, error) { return devices, nil }
}

// devicesOf is n devices in status with reason, numbered from first.
func devicesOf(first, n int, status, reason string) []thingspace.Device {
	devices := make([]thingspace.Device, 0, n)
	for i := range n {
		devices = append(devices, thingspace.Device{DeviceID: fmt.Sprintf("99001390%07d", first+i), Status: status, ResultReason: reason})
	}
	return devices
}

func condition(fc *fotav1alpha1.FotaCampaign, conditionType string) metav1.Condition {
	if c := meta.FindStatusCondition(fc.Status.Conditions, conditionType); c != nil {
		return *c
	}
	return metav1.Condition{}
}

type staticSource struct{}

func (staticSource) get(context.Context, types.NamespacedName) (thingspace.Credentials, error) {
	return thingspace.Credentials{AccessToken: "access", SessionToken: "session"}, nil
}

// eventLog records events as "Type Reason: note".
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) Eventf(_ runtime.Object, _ runtime.Object, eventType, reason, _, note string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, eventType+" "+reason+": "+fmt.Sprintf(note, args...))
}

func (l *eventLog) AnnotatedEventf(regarding, related runtime.Object, _ map[string]string, eventType, reason, action, note string, args ...any) {
	l.Eventf(regarding, related, eventType, reason, action, note, args...)
}

func (l *eventLog) reasons() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var reasons []string
	for _, e := range l.events {
		var eventType, reason string
		_, _ = fmt.Sscanf(e, "%s %s", &eventType, &reason)
		reasons = append(reasons, eventType+" "+reason[:len(reason)-1])
	}
	return reasons
}

// guardLog stands in for the API server before a POST: it lets the POST go unless stop or
// writeErr says otherwise, and records the annotations each metadata write carried.
type guardLog struct {
	stop     *outcome
	writeErr error
	writes   []map[string]string
}

func (g *guardLog) mayPost(context.Context, *fotav1alpha1.FotaCampaign) (*outcome, error) {
	return g.stop, nil
}

func (g *guardLog) writeMetadata(_ context.Context, written, fc *fotav1alpha1.FotaCampaign) error {
	if g.writeErr != nil {
		return g.writeErr
	}
	g.writes = append(g.writes, maps.Clone(fc.Annotations))
	written.Annotations = maps.Clone(fc.Annotations)
	return nil
}
