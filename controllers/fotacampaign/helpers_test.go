package fotacampaign_test

import (
	"encoding/json"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// Credentials the simulator accepts. Every value here that is a secret is searched for in the
// logs, events and statuses by the last test.
var (
	tokensA = simulator.TokenPair{AccessToken: "static-access-token-a-7f3e91", SessionToken: "static-session-token-a-c42d08"}
	tokensB = simulator.TokenPair{AccessToken: "static-access-token-b-1d6a55", SessionToken: "static-session-token-b-9e07b3"}
)

const (
	account = "0402196254-00001"

	suiteClientID     = "suite-client"
	suiteClientSecret = "suite-client-secret-5b9a17"
	wrongClientSecret = "wrong-client-secret-0c5e2d"
	suitePassword     = "suite-password-e6d2f4"
	wrongPassword     = "wrong-password-93ab7c"

	// Each test that logs in has a user of its own, so that failed logins of one test cannot
	// lock another's user.
	mintingUser  = "minting-user"
	rejectedUser = "rejected-user"
	expiryUser   = "expiry-user"
	lockoutUser  = "lockout-user"
)

func suiteUsers() map[string]string {
	return map[string]string{mintingUser: suitePassword, rejectedUser: suitePassword, expiryUser: suitePassword, lockoutUser: suitePassword}
}

// secretValues are the suite's secrets: static tokens, client secrets and passwords.
func secretValues() []string {
	return []string{
		tokensA.AccessToken, tokensA.SessionToken, tokensB.AccessToken, tokensB.SessionToken,
		suiteClientSecret, wrongClientSecret, suitePassword, wrongPassword,
	}
}

func staticTokens(pair simulator.TokenPair) map[string]string {
	return map[string]string{thingspace.SecretKeyAccessToken: pair.AccessToken, thingspace.SecretKeySessionToken: pair.SessionToken}
}

func mintingCredentials(clientSecret, username, password string) map[string]string {
	return map[string]string{
		thingspace.SecretKeyClientID: suiteClientID, thingspace.SecretKeyClientSecret: clientSecret,
		thingspace.SecretKeyUsername: username, thingspace.SecretKeyPassword: password,
	}
}

// day is the UTC date offset days from the fake clock's today.
func day(offset int) fotav1alpha1.Date {
	return dateOf(clk.Now().AddDate(0, 0, offset))
}

func dateOf(t time.Time) fotav1alpha1.Date {
	return fotav1alpha1.Date(t.UTC().Format("2006-01-02"))
}

// pendingSchedule is a campaign that starts in ten days: every change is allowed.
func pendingSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{
		StartDate:              day(10),
		EndDate:                day(16),
		DownloadAfterDate:      ptr.To(day(10)),
		DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
		InstallAfterDate:       ptr.To(day(11)),
		InstallTimeWindowList:  []fotav1alpha1.TimeWindow{{StartTime: 5, EndTime: 6}},
	}
}

// inProgressSchedule is a campaign that started two days ago: only the end date may move and
// windows may only be added.
func inProgressSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{
		StartDate:              day(-2),
		EndDate:                day(5),
		DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 1, EndTime: 3}},
		InstallTimeWindowList:  []fotav1alpha1.TimeWindow{{StartTime: 4, EndTime: 5}},
	}
}

// fixture is one test's campaign: its namespace, Secret, ThingSpace campaign and FotaCampaign.
type fixture struct {
	namespace  string
	key        types.NamespacedName
	campaignID string
	secret     types.NamespacedName
}

func newFixture() *fixture {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "fc-test-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return &fixture{
		namespace:  ns.Name,
		key:        types.NamespacedName{Namespace: ns.Name, Name: "campaign"},
		campaignID: string(uuid.NewUUID()),
		secret:     types.NamespacedName{Namespace: ns.Name, Name: "thingspace-credentials"},
	}
}

// adopt sets up a campaign that ThingSpace already holds with schedule and a FotaCampaign with
// the same schedule, and waits until the operator has adopted it and asked for its next
// reconcile (the next poll, or the campaign's next phase boundary if that comes first).
func adopt(schedule fotav1alpha1.Schedule) *fixture {
	f := newFixture()
	f.createSecret(staticTokens(tokensA))
	f.seed(schedule)
	f.createCampaign(schedule, false)
	f.expectSynced(fotav1alpha1.ReasonSynced)
	due := clk.Now().Add(pollInterval)
	if boundary, ok := campaign.NextBoundary(schedule, clk.Now()); ok && boundary.Before(due) {
		due = boundary
	}
	f.expectDue(due)
	return f
}

func (f *fixture) createSecret(data map[string]string) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.secret.Namespace, Name: f.secret.Name}, StringData: data}
	Expect(k8sClient.Create(ctx, secret)).To(Succeed())
}

// updateSecret replaces the Secret's data and waits until the manager's cache has seen it, as a
// Secret rotated a while before the next ThingSpace call would be.
func (f *fixture) updateSecret(data map[string]string) {
	f.editSecret(func(secret *corev1.Secret) {
		secret.Data = nil
		secret.StringData = data
	})
}

// editSecretMetadata changes the Secret's labels and annotations, not its data, and waits until the
// manager's cache has seen it.
func (f *fixture) editSecretMetadata(value string) {
	GinkgoHelper()
	f.editSecret(func(secret *corev1.Secret) {
		secret.Labels = map[string]string{"reloader.example.com/revision": value}
		secret.Annotations = map[string]string{"argocd.argoproj.io/tracking-id": value}
	})
}

// editSecret updates the Secret with edit and waits until the manager's cache has seen the change.
func (f *fixture) editSecret(edit func(secret *corev1.Secret)) {
	GinkgoHelper()
	secret := &corev1.Secret{}
	Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8sClient.Get(ctx, f.secret, secret); err != nil {
			return err
		}
		edit(secret)
		return k8sClient.Update(ctx, secret)
	})).To(Succeed())
	Eventually(func(g Gomega) string {
		cached := &metav1.PartialObjectMetadata{}
		cached.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
		g.Expect(managerCache.Get(ctx, f.secret, cached)).To(Succeed())
		return cached.ResourceVersion
	}).Should(Equal(secret.ResourceVersion))
}

func (f *fixture) seed(schedule fotav1alpha1.Schedule) {
	dates := wire.Dates(schedule)
	sim.Seed(thingspace.Campaign{
		ID:                     f.campaignID,
		AccountName:            account,
		CampaignName:           "FOTA_Test_Upgrade",
		SoftwareName:           "FOTA_Test_Model-A_02To03_HF",
		DistributionType:       "HTTP",
		Make:                   "Verizon",
		Model:                  "Model-A",
		SoftwareFrom:           "FOTA_Test_Model-A_00To01_HF",
		SoftwareTo:             "FOTA_Test_Model-A_02To03_HF",
		StartDate:              dates.StartDate,
		EndDate:                dates.EndDate,
		DownloadAfterDate:      dates.DownloadAfterDate,
		DownloadTimeWindowList: dates.DownloadTimeWindowList,
		InstallAfterDate:       dates.InstallAfterDate,
		InstallTimeWindowList:  dates.InstallTimeWindowList,
		Status:                 simulator.StatusScheduled,
	})
}

func (f *fixture) createCampaign(schedule fotav1alpha1.Schedule, suspend bool) {
	f.createManaged(schedule, func(fc *fotav1alpha1.FotaCampaign) {
		if suspend {
			fc.Spec.Suspend = ptr.To(true)
		}
	})
}

// createManaged creates a FotaCampaign of the fixture's campaign with schedule, after change.
func (f *fixture) createManaged(schedule fotav1alpha1.Schedule, change func(*fotav1alpha1.FotaCampaign)) {
	fc := &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.key.Namespace, Name: f.key.Name},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          account,
			CampaignID:           f.campaignID,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: f.secret.Name},
			Schedule:             schedule,
		},
	}
	change(fc)
	// Campaigns stay after their test, so that the last test searches every status too; the
	// others only ever look at requests and events of their own campaign.
	Expect(k8sClient.Create(ctx, fc)).To(Succeed())
}

func (f *fixture) get() *fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	fc := &fotav1alpha1.FotaCampaign{}
	Expect(k8sClient.Get(ctx, f.key, fc)).To(Succeed())
	return fc
}

// update changes the FotaCampaign as a user would, retrying when the operator's status write
// got there first.
func (f *fixture) update(change func(*fotav1alpha1.FotaCampaign)) {
	GinkgoHelper()
	Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fc := &fotav1alpha1.FotaCampaign{}
		if err := k8sClient.Get(ctx, f.key, fc); err != nil {
			return err
		}
		change(fc)
		return k8sClient.Update(ctx, fc)
	})).To(Succeed())
}

func (f *fixture) setSchedule(schedule fotav1alpha1.Schedule) {
	GinkgoHelper()
	f.update(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.Schedule = schedule })
}

// condition returns the condition of type conditionType, or an empty one.
func (f *fixture) condition(conditionType string) metav1.Condition {
	if c := meta.FindStatusCondition(f.get().Status.Conditions, conditionType); c != nil {
		return *c
	}
	return metav1.Condition{}
}

func (f *fixture) synced() metav1.Condition { return f.condition(fotav1alpha1.ConditionSynced) }

func (f *fixture) ready() metav1.Condition { return f.condition(fotav1alpha1.ConditionReady) }

func (f *fixture) phase() fotav1alpha1.Phase { return f.get().Status.Phase }

// expectSynced waits until the Synced condition has reason (True only for ReasonSynced) and
// reports the current generation.
func (f *fixture) expectSynced(reason string) metav1.Condition {
	GinkgoHelper()
	status := metav1.ConditionFalse
	if reason == fotav1alpha1.ReasonSynced {
		status = metav1.ConditionTrue
	}
	Eventually(func(g Gomega) {
		fc := f.get()
		synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
		g.Expect(synced).NotTo(BeNil())
		g.Expect(synced.Reason).To(Equal(reason), synced.Message)
		g.Expect(synced.Status).To(Equal(status))
		g.Expect(synced.ObservedGeneration).To(Equal(fc.Generation))
		g.Expect(fc.Status.ObservedGeneration).To(Equal(fc.Generation))
	}).Should(Succeed())
	return f.synced()
}

// expectDue waits until the campaign's next reconcile is due at exactly at, which also means the
// reconcile that asked for it has finished.
func (f *fixture) expectDue(at time.Time) {
	GinkgoHelper()
	Eventually(func(g Gomega) time.Time {
		due, ok := queue.Due(reconcile.Request{NamespacedName: f.key})
		g.Expect(ok).To(BeTrue(), "no reconcile of %s is due", f.key)
		return due
	}).Should(BeTemporally("==", at))
}

// dueWithin waits until the campaign's next reconcile is due no later than max from now, and
// returns how long that is.
func (f *fixture) dueWithin(max time.Duration) time.Duration {
	GinkgoHelper()
	var wait time.Duration
	Eventually(func(g Gomega) {
		due, ok := queue.Due(reconcile.Request{NamespacedName: f.key})
		g.Expect(ok).To(BeTrue(), "no reconcile of %s is due", f.key)
		wait = due.Sub(clk.Now())
		g.Expect(wait).To(BeNumerically("<=", max))
	}).Should(Succeed())
	return wait
}

// requests returns the ThingSpace requests for the fixture's campaign of the given kind; every
// kind when kind is empty.
func (f *fixture) requests(kind simulator.Kind) []simulator.Request {
	var matching []simulator.Request
	for _, r := range sim.Requests() {
		if r.CampaignID == f.campaignID && (kind == "" || r.Kind == kind) {
			matching = append(matching, r)
		}
	}
	return matching
}

func (f *fixture) puts() []simulator.Request { return f.requests(simulator.KindDates) }

func (f *fixture) gets() []simulator.Request { return f.requests(simulator.KindGet) }

func (f *fixture) calls() []simulator.Request { return f.requests("") }

// thingSpaceSchedule is the schedule the simulator holds for the campaign.
func (f *fixture) thingSpaceSchedule() fotav1alpha1.Schedule {
	held, ok := sim.Campaign(account, f.campaignID)
	Expect(ok).To(BeTrue())
	return wire.Schedule(held)
}

// events returns the events about the FotaCampaign, in the events.k8s.io API the operator uses.
func (f *fixture) events() []eventsv1.Event {
	var list eventsv1.EventList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(f.namespace))).To(Succeed())
	var about []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Kind == "FotaCampaign" && e.Regarding.Name == f.key.Name {
			about = append(about, e)
		}
	}
	return about
}

// eventReasons lists the reasons of the events about the FotaCampaign.
func (f *fixture) eventReasons() []string {
	var reasons []string
	for _, e := range f.events() {
		reasons = append(reasons, e.Reason)
	}
	return reasons
}

// expectEvent waits for an event with reason and a note containing each of fragments.
func (f *fixture) expectEvent(eventType, reason string, fragments ...string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var notes []string
		for _, e := range f.events() {
			if e.Reason == reason && e.Type == eventType {
				notes = append(notes, e.Note)
			}
		}
		g.Expect(notes).NotTo(BeEmpty(), "no %s event %s; events: %v", eventType, reason, f.eventReasons())
		for _, fragment := range fragments {
			g.Expect(notes).To(ContainElement(ContainSubstring(fragment)))
		}
	}).Should(Succeed())
}

// logins returns the session logins the simulator received for username.
func logins(username string) []simulator.Request {
	var matching []simulator.Request
	for _, r := range sim.Requests() {
		if r.Kind != simulator.KindLogin {
			continue
		}
		var body struct {
			Username string `json:"username"`
		}
		if json.Unmarshal(r.Body, &body) == nil && body.Username == username {
			matching = append(matching, r)
		}
	}
	return matching
}

// payloadKeys decodes a dates PUT body into its raw values by key.
func payloadKeys(body []byte) map[string]json.RawMessage {
	var keys map[string]json.RawMessage
	Expect(json.Unmarshal(body, &keys)).To(Succeed())
	return keys
}

// Scheduling fixtures: FotaCampaigns that have the operator schedule their campaign.

var (
	testSoftware = fotav1alpha1.Software{
		Name: "FOTA_Test_Model-A_02To03_HF", From: "FOTA_Test_Model-A_00To01_HF",
		To: "FOTA_Test_Model-A_02To03_HF", DistributionType: "HTTP",
	}
	testDevices = []fotav1alpha1.DeviceID{"990013907835573", "990013907835581"}
)

// createScheduling creates a FotaCampaign that schedules a pending campaign of testDevices, after
// change.
func (f *fixture) createScheduling(change func(*fotav1alpha1.FotaCampaign)) {
	GinkgoHelper()
	fc := &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.key.Namespace, Name: f.key.Name},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          account,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: f.secret.Name},
			Software:             testSoftware.DeepCopy(),
			Devices:              slices.Clone(testDevices),
			Schedule:             pendingSchedule(),
		},
	}
	if change != nil {
		change(fc)
	}
	Expect(k8sClient.Create(ctx, fc)).To(Succeed())
}

// campaignName is the name the fixture's campaign is scheduled under by default.
func (f *fixture) campaignName() string { return f.key.Namespace + "." + f.key.Name }

// posts returns the POSTs that scheduled a campaign of the fixture's name.
func (f *fixture) posts() []simulator.Request {
	var matching []simulator.Request
	for _, r := range sim.Requests() {
		var body struct {
			CampaignName string `json:"campaignName"`
		}
		if r.Kind == simulator.KindCreate && json.Unmarshal(r.Body, &body) == nil && body.CampaignName == f.campaignName() {
			matching = append(matching, r)
		}
	}
	return matching
}

// expectScheduled waits until the object carries the id of the campaign the operator scheduled,
// and makes it the fixture's campaign.
func (f *fixture) expectScheduled() string {
	GinkgoHelper()
	Eventually(func() string { return f.get().Annotations[fotav1alpha1.AnnotationCampaignID] }).ShouldNot(BeEmpty())
	f.campaignID = f.get().Annotations[fotav1alpha1.AnnotationCampaignID]
	return f.campaignID
}

// expectReady waits until the Ready condition has reason.
func (f *fixture) expectReady(reason string) metav1.Condition {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		ready := f.ready()
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
	}).Should(Succeed())
	return f.ready()
}

// thingSpaceDevices is the ids of the devices the simulator holds for the campaign.
func (f *fixture) thingSpaceDevices() []string {
	devices, err := sim.Devices(account, f.campaignID)
	Expect(err).NotTo(HaveOccurred())
	ids := make([]string, 0, len(devices))
	for _, d := range devices {
		ids = append(ids, d.ID)
	}
	return ids
}

// deleteCampaign deletes the FotaCampaign as kubectl delete would.
func (f *fixture) deleteCampaign() {
	GinkgoHelper()
	Expect(k8sClient.Delete(ctx, &fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Namespace: f.key.Namespace, Name: f.key.Name}})).To(Succeed())
}

// expectGone waits until the FotaCampaign no longer exists.
func (f *fixture) expectGone() {
	GinkgoHelper()
	Eventually(func() bool {
		return apierrors.IsNotFound(k8sClient.Get(ctx, f.key, &fotav1alpha1.FotaCampaign{}))
	}).Should(BeTrue())
}
