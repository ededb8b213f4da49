package ha

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/util/uuid"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// fleetSize is how many campaigns the bulk edit changes.
const fleetSize = 50

var _ = Describe("Two replicas when the leader is killed with SIGKILL during a bulk edit", Ordered, func() {
	var (
		fleet           *harness.Fleet
		leader, standby *replica
	)

	BeforeAll(func() {
		fleet = harness.NewFleet(harness.FleetOptions{
			Namespace: "ha", Size: fleetSize, Accounts: 5, AccountPrefix: "0402196254", Today: time.Now(),
		})
		fleet.Seed(sim)
		Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())

		_, envtestPort, _, _ := controlPlane.WebhookServing()
		leader = startReplica("leader", envtestPort)
		Eventually(leader.leads).WithTimeout(30*time.Second).WithPolling(100*time.Millisecond).Should(BeTrue(),
			"the first replica did not take the Lease")
		ports, err := harness.FreePorts(1)
		Expect(err).NotTo(HaveOccurred())
		standby = startReplica("standby", ports[0])
		Expect(standby.leads()).To(BeFalse(), "two replicas lead at once")
	})

	It("has the leader converge the fleet", func() {
		Expect(fleet.CreateCampaigns(ctx, k8sClient, 8)).To(Succeed())
		expectConverged(fleet, 1)
		Expect(acceptedPuts(fleet)).To(BeZero(), "the fleet was created with the schedules ThingSpace holds")
	})

	It("has the standby, which does not lead, answer admission requests", func() {
		pointWebhookAt(standby)
		answered := standby.webhookRequests()
		Eventually(func() error { return dryRunCreate(fleet) }).WithTimeout(10 * time.Second).Should(Succeed())
		Eventually(standby.webhookRequests).WithTimeout(10 * time.Second).Should(BeNumerically(">", answered))
		Expect(standby.leads()).To(BeFalse())
	})

	It("loses no edit, sends none twice, and keeps the webhook answering while no replica leads", func() {
		Expect(fleet.Edit(ctx, k8sClient, 8, addInstallWindow)).To(Succeed())
		edited := time.Now()

		By("killing the leader once a fifth of the edits reached ThingSpace")
		Eventually(func() int { return acceptedPuts(fleet) }).
			WithTimeout(time.Minute).WithPolling(20 * time.Millisecond).Should(BeNumerically(">=", fleetSize/5))
		Expect(leader.manager.Kill()).To(Succeed())
		killed := time.Now()
		pushedBeforeKill := acceptedPuts(fleet)
		Expect(pushedBeforeKill).To(BeNumerically("<", fleetSize), "the kill came after the whole edit")

		By("creating a campaign with dry run while no replica leads")
		answered := standby.webhookRequests()
		Expect(dryRunCreate(fleet)).To(Succeed())
		Expect(standby.webhookRequests()).To(BeNumerically(">", answered))
		Expect(standby.leads()).To(BeFalse(), "the dry run came after the takeover, not while no replica led")

		By("waiting for the standby to take the Lease over")
		// The standby waits a lease duration from the last renewal it saw, which came at most
		// one retry period before the kill, and tries again every retry period (plus jitter).
		Eventually(standby.leads).WithTimeout(leaseDuration + 4*retryPeriod).WithPolling(50 * time.Millisecond).Should(BeTrue())
		takeover := time.Since(killed)

		By("waiting for the survivor to push the rest of the edit")
		expectConverged(fleet, 2)
		Expect(violationsOf(fleet)).To(BeEmpty())
		Expect(acceptedPuts(fleet)).To(Equal(fleetSize), "dates PUTs accepted by ThingSpace, one per edited campaign")
		Expect(dryRunCreate(fleet)).To(Succeed())
		AddReportEntry("high availability", reportOf(pushedBeforeKill, takeover, time.Since(edited)), ReportEntryVisibilityAlways)
	})
})

// dryRunCreate creates a new, valid FotaCampaign with dry run: with the webhook's failurePolicy
// Fail, it succeeds only when a webhook server answered.
func dryRunCreate(fleet *harness.Fleet) error {
	fc := fleet.FotaCampaign(0)
	fc.Name = "dry-run"
	fc.Spec.CampaignID = string(uuid.NewUUID())
	return k8sClient.Create(ctx, fc, client.DryRunAll)
}

// addInstallWindow adds an install window to the schedule the fleet started with.
func addInstallWindow(_ int, s fotav1alpha1.Schedule) fotav1alpha1.Schedule {
	s.InstallTimeWindowList = append(slices.Clone(s.InstallTimeWindowList), fotav1alpha1.TimeWindow{StartTime: 7, EndTime: 8})
	return s
}

// expectConverged waits until every FotaCampaign of the fleet reports Synced=True for
// generation, with ThingSpace holding its spec.
func expectConverged(fleet *harness.Fleet, generation int64) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		for i := range fleet.Campaigns {
			fc := &fotav1alpha1.FotaCampaign{}
			g.Expect(k8sClient.Get(ctx, fleet.Key(i), fc)).To(Succeed())
			g.Expect(fc.Generation).To(Equal(generation), fc.Name)
			g.Expect(harness.Converged(fc)).To(BeTrue(), "%s: %+v", fc.Name, fc.Status.Conditions)
			held, ok := sim.Campaign(fc.Spec.AccountName, fc.Spec.CampaignID)
			g.Expect(ok).To(BeTrue())
			g.Expect(campaign.Equal(wire.Schedule(held), fc.Spec.Schedule)).To(BeTrue(), "%s: ThingSpace holds another schedule", fc.Name)
		}
	}).WithTimeout(time.Minute).WithPolling(250 * time.Millisecond).Should(Succeed())
}

// acceptedPuts counts the dates PUTs of the fleet that ThingSpace accepted.
func acceptedPuts(fleet *harness.Fleet) int {
	accounts := fleet.Accounts()
	accepted := 0
	for _, r := range sim.Requests() {
		if r.Kind == simulator.KindDates && r.Status == http.StatusOK && slices.Contains(accounts, r.Account) {
			accepted++
		}
	}
	return accepted
}

func violationsOf(fleet *harness.Fleet) []simulator.Violation {
	accounts := fleet.Accounts()
	var found []simulator.Violation
	for _, v := range sim.Violations() {
		if slices.Contains(accounts, v.Account) {
			found = append(found, v)
		}
	}
	return found
}

func reportOf(pushedBeforeKill int, takeover, converged time.Duration) string {
	return fmt.Sprintf("  campaigns edited:                           %d\n", fleetSize) +
		fmt.Sprintf("  edits pushed by the leader before SIGKILL:  %d\n", pushedBeforeKill) +
		fmt.Sprintf("  takeover after the kill:                    %s (lease %s, retry period %s)\n",
			takeover.Round(10*time.Millisecond), leaseDuration, retryPeriod) +
		fmt.Sprintf("  whole edit in ThingSpace after:             %s\n", converged.Round(100*time.Millisecond))
}
