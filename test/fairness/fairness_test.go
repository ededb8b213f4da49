package fairness

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
)

// The busy account may send one request a second: its 200 campaigns take over three minutes to
// read. The operator has 16 workers; were each to wait for the busy account's turn, the quiet
// account's campaigns would wait behind them for minutes.
const (
	busyCampaigns  = 200
	quietCampaigns = 5
	// quietWithin is how long the quiet account's campaigns may take to sync: seconds, where
	// waiting behind the busy account would take minutes.
	quietWithin = 15 * time.Second
)

var _ = Describe("A busy account and a quiet one", func() {
	It("syncs the quiet account's campaigns within seconds while the busy account waits for its turns", func() {
		busy := harness.NewFleet(harness.FleetOptions{Namespace: "busy", Size: busyCampaigns, Accounts: 1, AccountPrefix: "1111111111", Today: time.Now()})
		quiet := harness.NewFleet(harness.FleetOptions{Namespace: "quiet", Size: quietCampaigns, Accounts: 1, AccountPrefix: "2222222222", Today: time.Now()})
		for _, fleet := range []*harness.Fleet{busy, quiet} {
			fleet.Seed(sim)
			Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
		}

		log, err := os.Create(filepath.Join(dir, "manager.log"))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(log.Close)
		m, err := harness.StartManager(harness.ManagerOptions{
			Binary: managerBinary, Kubeconfig: controlPlane.Kubeconfig, ThingSpaceURL: thingSpaceURL,
			Flags: []string{"--thingspace-qps=1", "--thingspace-burst=1"}, Log: log,
		})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(m.Stop(30 * time.Second)).To(Succeed()) })
		Expect(m.WaitReady(ctx, time.Minute)).To(Succeed())

		Expect(busy.CreateCampaigns(ctx, k8sClient, 8)).To(Succeed())
		Expect(quiet.CreateCampaigns(ctx, k8sClient, 8)).To(Succeed())
		created := time.Now()

		Eventually(func() int { return converged(quiet) }).WithTimeout(quietWithin).WithPolling(100 * time.Millisecond).
			Should(Equal(quietCampaigns))
		took := time.Since(created)
		busySynced := converged(busy)
		Expect(busySynced).To(BeNumerically("<", busyCampaigns/2), "the busy account is bound by its own rate limit")
		AddReportEntry("fairness", fmt.Sprintf("  quiet account: %d campaigns synced %s after creation\n  busy account (1 request/s): %d of %d synced by then\n",
			quietCampaigns, took.Round(100*time.Millisecond), busySynced, busyCampaigns), ReportEntryVisibilityAlways)
	})
})

// converged counts the fleet's FotaCampaigns that report Synced for their generation.
func converged(fleet *harness.Fleet) int {
	n := 0
	for i := range fleet.Campaigns {
		fc := &fotav1alpha1.FotaCampaign{}
		if k8sClient.Get(ctx, fleet.Key(i), fc) == nil && harness.Converged(fc) {
			n++
		}
	}
	return n
}
