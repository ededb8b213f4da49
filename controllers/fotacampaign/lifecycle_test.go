package fotacampaign_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

var _ = Describe("A FotaCampaign that schedules its campaign", func() {
	It("schedules it with one POST of the whole spec, records the id before the status, and never posts again", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.createScheduling(nil)

		id := f.expectScheduled()
		Eventually(func() string {
			if c := f.get().Status.Campaign; c != nil {
				return c.ID
			}
			return ""
		}).Should(Equal(id))
		Expect(f.posts()).To(HaveLen(1))
		body := payloadKeys(f.posts()[0].Body)
		Expect(body).To(HaveLen(12))
		for key, value := range map[string]string{
			"campaignName": `"` + f.campaignName() + `"`, "softwareName": `"FOTA_Test_Model-A_02To03_HF"`,
			"softwareFrom": `"FOTA_Test_Model-A_00To01_HF"`, "softwareTo": `"FOTA_Test_Model-A_02To03_HF"`,
			"distributionType": `"HTTP"`, "deviceList": `["990013907835573","990013907835581"]`,
			"downloadTimeWindowList": `[{"startTime":3,"endTime":4}]`, "installTimeWindowList": `[{"startTime":5,"endTime":6}]`,
		} {
			Expect(string(body[key])).To(Equal(value), key)
		}
		f.expectSynced(fotav1alpha1.ReasonSynced)
		f.expectReady(fotav1alpha1.ReasonRequestPending)
		f.expectEvent(corev1.EventTypeNormal, "CampaignScheduled", id)
		f.expectDue(clk.Now().Add(30 * time.Second))

		By("reading it every 30 s until ThingSpace has accepted it")
		advance(30 * time.Second)
		Eventually(f.gets).Should(HaveLen(1))
		f.expectDue(clk.Now().Add(30 * time.Second))
		Expect(f.ready().Reason).To(Equal(fotav1alpha1.ReasonRequestPending))
		advance(30 * time.Second)
		f.expectReady(fotav1alpha1.ReasonReady)
		Expect(f.get().Status.Campaign.Status).To(Equal(simulator.StatusRequestQueued))
		Expect(f.get().Status.Devices).NotTo(BeNil())
		Expect(f.get().Status.Devices.Total).To(BeEquivalentTo(2))

		By("polling on, with no second POST")
		f.expectDue(clk.Now().Add(pollInterval))
		for poll := 1; poll <= 3; poll++ {
			advance(pollInterval)
			Eventually(f.gets).Should(HaveLen(2 + poll))
			f.expectDue(clk.Now().Add(pollInterval))
		}
		Consistently(f.posts, quietly).Should(HaveLen(1))
		Expect(sim.Campaigns()).To(ContainElement(HaveField("CampaignName", f.campaignName())))
	})

	It("adopts the campaign it scheduled when the manager died between the POST and the annotation", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		crashed := make(chan struct{})
		restartManager(func(config *rest.Config, options client.Options) (client.Client, error) {
			c, err := client.New(config, options)
			return &dyingBeforeAnnotation{Client: c, died: crashed}, err
		})
		f.createScheduling(nil)
		Eventually(crashed).Should(BeClosed())
		Expect(f.posts()).To(HaveLen(1))
		Expect(f.get().Annotations).NotTo(HaveKey(fotav1alpha1.AnnotationCampaignID))

		// The record written before the POST stands: the restarted manager only searches by name.
		Expect(f.get().Annotations).To(HaveKey(fotav1alpha1.AnnotationSchedulePending))
		restartManager(nil)
		advance(30 * time.Second)
		id := f.expectScheduled()
		advance(time.Second) // an adoption ends its reconcile; the next one goes on with the campaign
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Consistently(f.posts, quietly).Should(HaveLen(1))
		Expect(f.get().Annotations).NotTo(HaveKey(fotav1alpha1.AnnotationSchedulePending))
		Expect(payloadKeys(f.posts()[0].Body)).To(HaveKey("campaignName"))
		held, ok := sim.Campaign(account, id)
		Expect(ok).To(BeTrue())
		Expect(held.CampaignName).To(Equal(f.campaignName()))
		f.expectEvent(corev1.EventTypeNormal, "CampaignAdopted", id)
	})

	It("adopts the campaign again when the object is deleted (Orphan) and the same manifest applied", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.createScheduling(nil)
		id := f.expectScheduled()
		f.expectSynced(fotav1alpha1.ReasonSynced)

		f.deleteCampaign()
		f.expectGone()
		f.createScheduling(nil)

		Expect(f.expectScheduled()).To(Equal(id))
		advance(time.Second)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Consistently(f.posts, quietly).Should(HaveLen(1))
		held, _ := sim.Campaign(account, id)
		Expect(held.Status).NotTo(Equal(simulator.StatusCancelled))
	})

	It("reports Conflict and schedules nothing when a live campaign of the name has other software", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		sim.Seed(thingspace.Campaign{
			ID: "other-software-" + f.namespace, AccountName: account, CampaignName: f.campaignName(),
			SoftwareName: "FOTA_Other", SoftwareFrom: "FOTA_Other_From", SoftwareTo: "FOTA_Other_To", DistributionType: "HTTP",
			StartDate: string(day(10)), EndDate: string(day(16)), Status: simulator.StatusScheduled,
		})
		f.createScheduling(nil)

		synced := f.expectSynced(fotav1alpha1.ReasonConflict)
		Expect(synced.Message).To(ContainSubstring("with other software"))
		Expect(f.get().Annotations).NotTo(HaveKey(fotav1alpha1.AnnotationCampaignID))
		f.expectDue(clk.Now().Add(pollInterval))
		advance(pollInterval)
		f.expectDue(clk.Now().Add(pollInterval))
		Consistently(f.posts, quietly).Should(BeEmpty())
	})

	It("reports a POST answered 400 as ThingSpaceRejected and sends it again only for a changed spec", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		sim.InjectFault(simulator.Fault{Kind: simulator.KindCreate, Status: http.StatusBadRequest, Times: 1,
			Body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"softwareName is not known"}`})
		DeferCleanup(sim.ClearFaults)
		f.createScheduling(nil)

		synced := f.expectSynced(fotav1alpha1.ReasonThingSpaceRejected)
		Expect(synced.Message).To(ContainSubstring("INVALID_PARAMETER: softwareName is not known"))
		for range 3 {
			f.expectDue(clk.Now().Add(pollInterval))
			advance(pollInterval)
		}
		Consistently(f.posts, quietly).Should(HaveLen(1))

		f.update(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.EndDate = day(17) })
		f.expectScheduled()
		Expect(f.posts()).To(HaveLen(2))
		f.expectSynced(fotav1alpha1.ReasonSynced)
	})

	It("shows a request ThingSpace refused as phase Failed with the rejection reasons", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		devices := []fotav1alpha1.DeviceID{"990013907800001", "990013907800002"}
		sim.RejectDevices("Device does not exist.", "990013907800001", "990013907800002")
		f.createScheduling(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.Devices = devices })
		f.expectScheduled()
		f.expectDue(clk.Now().Add(30 * time.Second))

		advance(30 * time.Second)
		f.expectDue(clk.Now().Add(30 * time.Second))
		advance(30 * time.Second)
		ready := f.expectReady(fotav1alpha1.ReasonCampaignFailed)
		Expect(ready.Message).To(ContainSubstring("Device does not exist. (2)"))
		fc := f.get()
		Expect(fc.Status.Phase).To(Equal(fotav1alpha1.PhaseFailed))
		Expect(fc.Status.Devices.Rejected).To(BeEquivalentTo(2))
		Expect(fc.Status.Devices.FailureReasons).To(ConsistOf(fotav1alpha1.FailureReason{Reason: "Device does not exist.", Count: 2}))
	})

	It("sends device changes while queued in one PUT, and refuses them once scheduled", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.createScheduling(nil)
		f.expectScheduled()
		f.expectDue(clk.Now().Add(30 * time.Second))
		advance(30 * time.Second)
		f.expectDue(clk.Now().Add(30 * time.Second))
		advance(30 * time.Second)
		f.expectReady(fotav1alpha1.ReasonReady)

		f.update(func(fc *fotav1alpha1.FotaCampaign) {
			fc.Spec.Devices = []fotav1alpha1.DeviceID{"990013907835573", "990013907835599"}
		})
		Eventually(func() []simulator.Request { return f.requests(simulator.KindUpdateDevices) }).Should(HaveLen(1))
		Expect(string(f.requests(simulator.KindUpdateDevices)[0].Body)).To(Equal(
			`{"addOrRemoveDevice":[{"type":"append","deviceList":["990013907835599"]},{"type":"remove","deviceList":["990013907835581"]}]}`))
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.thingSpaceDevices()).To(ConsistOf("990013907835573", "990013907835599"))

		By("letting ThingSpace schedule the campaign, then changing the devices with the webhook off")
		Expect(sim.SetStatus(account, f.campaignID, simulator.StatusScheduled)).To(Succeed())
		advance(f.dueWithin(pollInterval))
		Eventually(func() string { return f.get().Status.Campaign.Status }).Should(Equal(simulator.StatusScheduled))
		calls := len(f.calls())
		f.update(func(fc *fotav1alpha1.FotaCampaign) {
			fc.Spec.Devices = append(fc.Spec.Devices, "990013907835607")
		})
		synced := f.expectSynced(fotav1alpha1.ReasonTransitionNotAllowed)
		Expect(synced.Message).To(ContainSubstring("spec.devices"))
		Expect(synced.Message).To(ContainSubstring(simulator.StatusScheduled))
		Consistently(func() []simulator.Request { return f.requests(simulator.KindUpdateDevices) }, quietly).Should(HaveLen(1))
		Expect(f.calls()[calls:]).To(HaveEach(HaveField("Kind", simulator.KindReport)), "no write, one report read to compare")
	})
})

var _ = Describe("Deleting a FotaCampaign with deletionPolicy Cancel", func() {
	withCancel := func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.DeletionPolicy = fotav1alpha1.DeletionPolicyCancel }

	It("cancels a campaign before its start with one DELETE, then lets the object go", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(pendingSchedule())
		f.createManaged(pendingSchedule(), withCancel)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.get().Finalizers).To(ConsistOf(fotav1alpha1.FinalizerCancelCampaign))

		f.deleteCampaign()
		f.expectGone()
		Expect(f.requests(simulator.KindDelete)).To(HaveLen(1))
		held, _ := sim.Campaign(account, f.campaignID)
		Expect(held.Status).To(Equal(simulator.StatusCancelled))
		f.expectEvent(corev1.EventTypeNormal, "CampaignCancelled", f.campaignID)
	})

	It("aborts a running campaign, with a warning that devices may already be upgraded", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(inProgressSchedule())
		f.createManaged(inProgressSchedule(), withCancel)
		f.expectSynced(fotav1alpha1.ReasonSynced)

		f.deleteCampaign()
		f.expectGone()
		Expect(f.requests(simulator.KindDelete)).To(HaveLen(1))
		held, _ := sim.Campaign(account, f.campaignID)
		Expect(held.Status).To(Equal(simulator.StatusAborted))
		f.expectEvent(corev1.EventTypeWarning, "CampaignAborted", "devices may already be upgraded")
	})

	It("keeps the object while ThingSpace is down, and releases it without a call when set to Orphan", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(pendingSchedule())
		f.createManaged(pendingSchedule(), withCancel)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		sim.InjectFault(simulator.Fault{CampaignID: f.campaignID, Status: http.StatusServiceUnavailable})
		DeferCleanup(sim.ClearFaults)

		f.deleteCampaign()
		f.expectSynced(fotav1alpha1.ReasonThingSpaceUnavailable)
		for range 3 {
			advance(f.dueWithin(time.Minute))
		}
		Consistently(func() error { return k8sClient.Get(ctx, f.key, &fotav1alpha1.FotaCampaign{}) }, quietly).Should(Succeed())

		f.update(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.DeletionPolicy = fotav1alpha1.DeletionPolicyOrphan })
		f.expectGone()
		Expect(f.requests(simulator.KindDelete)).To(BeEmpty())
		held, _ := sim.Campaign(account, f.campaignID)
		Expect(held.Status).To(Equal(simulator.StatusScheduled))
	})
})

// dyingBeforeAnnotation is the manager's client, except that the first write of the
// campaign-id annotation never reaches the API server: the manager dies right there, as a process
// killed between the POST and the annotation would.
type dyingBeforeAnnotation struct {
	client.Client
	died chan struct{}
	once sync.Once
}

func (c *dyingBeforeAnnotation) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	if _, annotated := obj.GetAnnotations()[fotav1alpha1.AnnotationCampaignID]; annotated {
		dying := false
		c.once.Do(func() { dying = true; close(c.died) })
		if dying {
			return errors.New("the manager died before the annotation reached the API server")
		}
		<-ctx.Done() // a dead manager writes nothing more
		return ctx.Err()
	}
	return c.Client.Patch(ctx, obj, patch, opts...)
}
