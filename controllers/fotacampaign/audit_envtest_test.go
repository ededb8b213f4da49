package fotacampaign_test

import (
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// The races of design §14 against a real API server and the simulator.
var _ = Describe("One POST per campaign name", func() {
	It("gives one POST between five objects claiming one name in one burst, while ThingSpace's list lags", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		sim.SetListLag(time.Hour) // no search by name finds the campaign the first POST created
		DeferCleanup(func() { sim.SetListLag(0) })

		const name = "one-name"
		var created sync.WaitGroup
		for i := range 5 {
			created.Add(1)
			go func() {
				defer GinkgoRecover()
				defer created.Done()
				fc := &fotav1alpha1.FotaCampaign{
					ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace, Name: fmt.Sprintf("claimant-%d", i)},
					Spec: fotav1alpha1.FotaCampaignSpec{
						AccountName: account, CampaignName: name,
						CredentialsSecretRef: fotav1alpha1.SecretReference{Name: f.secret.Name},
						Software:             testSoftware.DeepCopy(), Devices: testDevices, Schedule: pendingSchedule(),
					},
				}
				Expect(k8sClient.Create(ctx, fc)).To(Succeed())
			}()
		}
		created.Wait()

		postsNamed := func() int { return len(postsOfName(name)) }
		Eventually(func() int { return countSynced(f.namespace, fotav1alpha1.ReasonConflict) }).Should(Equal(4))
		Eventually(func() int { return countSynced(f.namespace, fotav1alpha1.ReasonSynced) }).Should(Equal(1))
		Consistently(postsNamed, quietly).Should(Equal(1))
	})

	It("leaves no live campaign after twenty creates each deleted at once with deletionPolicy Cancel", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		for i := range 20 {
			fc := &fotav1alpha1.FotaCampaign{
				ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace, Name: "flash"},
				Spec: fotav1alpha1.FotaCampaignSpec{
					AccountName: account, CampaignName: fmt.Sprintf("flash-%d", i),
					CredentialsSecretRef: fotav1alpha1.SecretReference{Name: f.secret.Name},
					Software:             testSoftware.DeepCopy(), Devices: testDevices, Schedule: pendingSchedule(),
					DeletionPolicy: fotav1alpha1.DeletionPolicyCancel,
				},
			}
			Expect(k8sClient.Create(ctx, fc)).To(Succeed())
			Expect(k8sClient.Delete(ctx, fc)).To(Succeed())
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, types.NamespacedName{Namespace: f.namespace, Name: "flash"}, fc))
			}).Should(BeTrue(), "round %d", i)
		}
		var live []string
		for _, c := range sim.Campaigns() {
			if c.AccountName == account && strings.HasPrefix(c.CampaignName, "flash-") &&
				(c.Status == simulator.StatusRequestPending || c.Status == simulator.StatusRequestQueued || c.Status == simulator.StatusScheduled) {
				live = append(live, c.CampaignName)
			}
		}
		Expect(live).To(BeEmpty(), "campaigns scheduled for objects already deleted")
	})

	It("reports CampaignNameUsed and posts nothing when a closed campaign of the name has the same software", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		sim.Seed(thingspace.Campaign{
			ID: "closed-" + f.namespace, AccountName: account, CampaignName: f.campaignName(),
			SoftwareName: testSoftware.Name, SoftwareFrom: testSoftware.From, SoftwareTo: testSoftware.To, DistributionType: "HTTP",
			StartDate: string(day(-20)), EndDate: string(day(-10)), Status: simulator.StatusAborted,
		})
		f.createScheduling(nil)

		synced := f.expectSynced(fotav1alpha1.ReasonCampaignNameUsed)
		Expect(synced.Message).To(ContainSubstring("closed-" + f.namespace))
		Expect(synced.Message).To(ContainSubstring("set a new spec.campaignName"))
		advance(pollInterval)
		Consistently(f.posts, quietly).Should(BeEmpty())
		Expect(f.get().Labels).To(HaveKey(fotav1alpha1.LabelCampaignNameHash))
	})
})

// postsOfName returns the POSTs that scheduled a campaign named name.
func postsOfName(name string) []simulator.Request {
	var matching []simulator.Request
	for _, r := range sim.Requests() {
		if r.Kind == simulator.KindCreate && payloadKeys(r.Body)["campaignName"] != nil && string(payloadKeys(r.Body)["campaignName"]) == `"`+name+`"` {
			matching = append(matching, r)
		}
	}
	return matching
}

// countSynced counts the FotaCampaigns of namespace whose Synced reason is reason.
func countSynced(namespace, reason string) int {
	var list fotav1alpha1.FotaCampaignList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(namespace))).To(Succeed())
	n := 0
	for i := range list.Items {
		for _, c := range list.Items[i].Status.Conditions {
			if c.Type == fotav1alpha1.ConditionSynced && c.Reason == reason {
				n++
			}
		}
	}
	return n
}

var _ = Describe("One wrong password copied into three namespaces", func() {
	It("costs one failed login, and none more after a restart, a label edit or the Secret created again", func() {
		failedBefore := sim.FailedLogins()
		failedLogins := func() int { return sim.FailedLogins() - failedBefore }
		wrong := mintingCredentials(suiteClientSecret, lockoutUser, wrongPassword)
		var copies []*fixture
		for range 3 {
			f := newFixture()
			f.createSecret(wrong)
			f.seed(pendingSchedule())
			f.createCampaign(pendingSchedule(), false)
			copies = append(copies, f)
		}
		// The campaigns that found the login of their values in flight come back a second later.
		Eventually(func() int {
			advance(time.Second)
			rejected := 0
			for _, f := range copies {
				if f.synced().Reason == fotav1alpha1.ReasonCredentialsRejected {
					rejected++
				}
			}
			return rejected
		}).Should(Equal(len(copies)))
		for _, f := range copies {
			Eventually(func() map[string]string { return f.get().Annotations }).
				Should(HaveKeyWithValue(fotav1alpha1.AnnotationRejectedCredentials, HavePrefix("scrypt")))
		}
		Expect(failedLogins()).To(Equal(1))

		By("restarting the manager, which forgets every rejection it held in memory")
		restartManager(nil)
		for range 2 {
			advance(pollInterval)
		}
		Consistently(failedLogins, quietly).Should(Equal(1))

		By("editing a Secret's labels, then deleting a Secret and creating it again with the same values")
		copies[0].editSecretMetadata("rev-2")
		Expect(k8sClient.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: copies[1].secret.Namespace, Name: copies[1].secret.Name}})).To(Succeed())
		copies[1].createSecret(wrong)
		advance(pollInterval)
		for _, f := range copies {
			Eventually(func() string { advance(time.Second); return f.synced().Reason }).Should(Equal(fotav1alpha1.ReasonCredentialsRejected))
		}
		Consistently(failedLogins, quietly).Should(Equal(1))

		By("fixing the password in one namespace: one login, and the record goes")
		copies[2].updateSecret(mintingCredentials(suiteClientSecret, lockoutUser, suitePassword))
		copies[2].expectSynced(fotav1alpha1.ReasonSynced)
		Eventually(func() map[string]string { return copies[2].get().Annotations }).
			ShouldNot(HaveKey(fotav1alpha1.AnnotationRejectedCredentials))
		Expect(failedLogins()).To(Equal(1))
	})
})

var _ = Describe("Replies that cannot be trusted", func() {
	for alteration, what := range map[simulator.Alteration]string{
		simulator.AlterOtherAccount:      "naming another account",
		simulator.AlterOtherCampaignName: "naming another campaign",
		simulator.AlterWithoutID:         "without an id",
		simulator.AlterErrorMessage:      "a 200 carrying an errorMessage",
	} {
		It("never records the id of a POST reply "+what+", and adopts the campaign found by name instead", func() {
			f := newFixture()
			f.createSecret(staticTokens(tokensA))
			sim.InjectFault(simulator.Fault{Account: account, Kind: simulator.KindCreate, Alter: alteration, Times: 1})
			DeferCleanup(sim.ClearFaults)
			f.createScheduling(nil)

			Eventually(func() string { return f.synced().Message }).Should(ContainSubstring("no answer the operator can trust"))
			Expect(f.get().Annotations).To(HaveKey(fotav1alpha1.AnnotationSchedulePending))
			Expect(f.get().Annotations).NotTo(HaveKey(fotav1alpha1.AnnotationCampaignID))

			advance(30 * time.Second)
			id := f.expectScheduled()
			held, ok := sim.Campaign(account, id)
			Expect(ok).To(BeTrue(), "the recorded id %s is not the campaign ThingSpace holds", id)
			Expect(held.CampaignName).To(Equal(f.campaignName()))
			Consistently(f.posts, quietly).Should(HaveLen(1))
		})
	}

	It("reads a campaign list without its campaignList key as ThingSpace unavailable, never as no campaigns", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		sim.InjectFault(simulator.Fault{Account: account, Kind: simulator.KindList, Alter: simulator.AlterWithoutCampaignList})
		DeferCleanup(sim.ClearFaults)
		f.createScheduling(nil)

		synced := f.expectSynced(fotav1alpha1.ReasonThingSpaceUnavailable)
		Expect(synced.Message).To(ContainSubstring("campaignList"))
		Consistently(f.posts, quietly).Should(BeEmpty())
	})
})

var _ = Describe("A FotaCampaign set to cancel: true in Git", func() {
	It("cancels its campaign with one DELETE, keeps the object, and never calls again", func() {
		f := adopt(pendingSchedule())
		f.update(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.Cancel = ptr.To(true) })

		f.expectReady(fotav1alpha1.ReasonCancelled)
		Expect(f.phase()).To(Equal(fotav1alpha1.PhaseCancelled))
		Expect(f.requests(simulator.KindDelete)).To(HaveLen(1))
		f.expectEvent(corev1.EventTypeNormal, "CampaignCancelled", f.campaignID)
		held, _ := sim.Campaign(account, f.campaignID)
		Expect(held.Status).To(Equal(simulator.StatusCancelled))

		advance(pollInterval)
		Consistently(func() int { return len(f.requests(simulator.KindDelete)) }, quietly).Should(Equal(1))
		err := k8sClient.Update(ctx, func() *fotav1alpha1.FotaCampaign {
			fc := f.get()
			fc.Spec.Cancel = ptr.To(false)
			return fc
		}())
		Expect(err).To(MatchError(ContainSubstring("spec.cancel")), "cancel went back to false")
	})
})
