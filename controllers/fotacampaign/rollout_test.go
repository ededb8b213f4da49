package fotacampaign_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

var _ = Describe("The rollout in the status", func() {
	It("counts a report of 2500 devices read over three pages, with the top reasons and the Upgraded column", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(inProgressSchedule())
		var devices []simulator.Device
		add := func(n int, status, reason string) {
			for range n {
				devices = append(devices, simulator.Device{ID: fmt.Sprintf("35%013d", len(devices)+1), Status: status, Reason: reason})
			}
		}
		add(1200, simulator.DeviceUpgradeSuccess, "DownloadInstallSucceeded")
		add(20, simulator.DeviceUpgradeFailed, "RovaClientDownloadFailed")
		add(10, "Failure", "InstallFailed")
		add(5, simulator.DeviceRejected, "Device does not exist.")
		add(1265, simulator.DeviceUpgradePending, "")
		Expect(sim.SetDevices(account, f.campaignID, devices)).To(Succeed())
		f.createCampaign(inProgressSchedule(), false)

		f.expectSynced(fotav1alpha1.ReasonSynced)
		Eventually(func() *fotav1alpha1.DeviceProgress { return f.get().Status.Devices }).ShouldNot(BeNil())
		progress := *f.get().Status.Devices
		progress.LastReadTime = nil
		Expect(progress).To(Equal(fotav1alpha1.DeviceProgress{
			Total: 2500, Succeeded: 1200, Failed: 30, Rejected: 5, Pending: 1265, Upgraded: "1200/2500",
			FailureReasons: []fotav1alpha1.FailureReason{
				{Reason: "RovaClientDownloadFailed", Count: 20},
				{Reason: "InstallFailed", Count: 10},
				{Reason: "Device does not exist.", Count: 5},
			},
		}))
		var cursors []string
		for _, r := range f.requests(simulator.KindReport) {
			query, err := url.ParseQuery(r.Query)
			Expect(err).NotTo(HaveOccurred())
			cursors = append(cursors, query.Get("lastSeenDeviceId"))
		}
		Expect(cursors).To(Equal([]string{"0", devices[999].ID, devices[1999].ID}), "three pages, each cursor sent back as the string it came as")
		Expect(printedColumn(f, "Upgraded")).To(Equal("1200/2500"))
	})

	It("moves the next windows at the end of the current one, and writes nothing in between", func() {
		// Five minutes into the next hour, whatever the specs before left on the clock: the polls
		// fall between the hours, and the window open now ends long after the next poll.
		advance(clk.Now().Truncate(time.Hour).Add(time.Hour + 5*time.Minute).Sub(clk.Now()))
		hour := clk.Now().UTC().Hour()
		schedule := inProgressSchedule()
		schedule.DownloadTimeWindowList = []fotav1alpha1.TimeWindow{{StartTime: int32(hour), EndTime: int32(hour + 1)}}
		windowEnd := clk.Now().UTC().Truncate(time.Hour).Add(time.Hour)
		f := adopt(schedule)
		before := f.get()
		Expect(before.Status.NextDownloadWindow).NotTo(BeNil())
		Expect(before.Status.NextDownloadWindow.End.Time).To(BeTemporally("==", windowEnd), "the window open now")

		By("polling up to the window's end with no write")
		for clk.Now().Add(pollInterval).Before(windowEnd) {
			gets := len(f.gets())
			// The last poll's reconcile has asked for the next one: advancing before that would
			// leave the next poll a whole interval away.
			f.expectDue(clk.Now().Add(pollInterval))
			advance(pollInterval)
			Eventually(f.gets).Should(HaveLen(gets + 1))
		}
		f.expectDue(windowEnd)
		Expect(f.get().ResourceVersion).To(Equal(before.ResourceVersion))

		By("reaching the end of the window")
		advance(windowEnd.Sub(clk.Now()) - time.Nanosecond)
		Consistently(func() time.Time { return f.get().Status.NextDownloadWindow.End.Time }, quietly).Should(BeTemporally("==", windowEnd))
		advance(time.Nanosecond)
		Eventually(func() time.Time { return f.get().Status.NextDownloadWindow.Start.Time }).Should(BeTemporally("==", windowEnd.Add(23*time.Hour)))
		Expect(f.get().Status.NextDownloadWindow.End.Time).To(BeTemporally("==", windowEnd.Add(24*time.Hour)))
	})
})

var _ = Describe("One owner per campaign", func() {
	It("leaves a campaign to the FotaCampaign created first, in any namespace, and hands it over when that one goes", func() {
		owner := newFixture()
		owner.createSecret(staticTokens(tokensA))
		owner.seed(pendingSchedule())
		owner.createCampaign(pendingSchedule(), false)
		owner.expectSynced(fotav1alpha1.ReasonSynced)
		created := owner.get().CreationTimestamp.Time
		Eventually(time.Now).Should(BeTemporally(">=", created.Add(time.Second)),
			"creation timestamps count whole seconds: the other one must be younger by one at least")

		other := newFixture()
		other.campaignID = owner.campaignID
		other.createSecret(staticTokens(tokensA))
		desired := pendingSchedule()
		desired.EndDate = day(30)
		other.createCampaign(desired, false)

		synced := other.expectSynced(fotav1alpha1.ReasonConflict)
		Expect(synced.Message).To(ContainSubstring(owner.key.Namespace + "/" + owner.key.Name))
		gets := len(owner.gets())
		advance(pollInterval)
		Eventually(owner.gets).Should(HaveLen(gets + 1))
		Consistently(owner.puts, quietly).Should(BeEmpty(), "the other FotaCampaign never pushes its end date")

		By("deleting the owner")
		owner.deleteCampaign()
		other.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(other.thingSpaceSchedule()).To(Equal(desired))
	})
})

// printedColumn is the value kubectl get shows for the FotaCampaign in the column named name: the
// API server's own table of the resource's printer columns.
func printedColumn(f *fixture, name string) string {
	GinkgoHelper()
	config := rest.CopyConfig(restConfig)
	config.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	restClient, err := rest.UnversionedRESTClientFor(config)
	Expect(err).NotTo(HaveOccurred())
	body, err := restClient.Get().
		AbsPath("/apis/fota.thingspace.io/v1alpha1/namespaces", f.key.Namespace, "fotacampaigns", f.key.Name).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").
		DoRaw(ctx)
	Expect(err).NotTo(HaveOccurred(), string(body))
	var table struct {
		ColumnDefinitions []struct{ Name string } `json:"columnDefinitions"`
		Rows              []struct{ Cells []any } `json:"rows"`
	}
	Expect(json.Unmarshal(body, &table)).To(Succeed(), string(body))
	Expect(table.Rows).To(HaveLen(1))
	for i, column := range table.ColumnDefinitions {
		if column.Name == name {
			return fmt.Sprint(table.Rows[0].Cells[i])
		}
	}
	Fail("no column " + name)
	return ""
}

var _ = Describe("ThingSpace's answers in the status", func() {
	It("cuts ThingSpace text longer than the status allows, with a marker, and stays Synced", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(pendingSchedule())
		held, _ := sim.Campaign(account, f.campaignID)
		held.CampaignName = strings.Repeat("Model-A wave ", 31)[:400]
		sim.Seed(held)
		f.createCampaign(pendingSchedule(), false)

		f.expectSynced(fotav1alpha1.ReasonSynced)
		name := f.get().Status.Campaign.CampaignName
		Expect(len(name)).To(BeNumerically("<=", 256))
		Expect(name).To(HavePrefix("Model-A wave Model-A wave"))
		Expect(name).To(HaveSuffix("..."))
	})
})

var _ = Describe("A campaign's metrics", func() {
	It("follow its status and go with the object", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(inProgressSchedule())
		Expect(sim.SetDevices(account, f.campaignID, simulator.SampleDevices(3))).To(Succeed())
		f.createCampaign(inProgressSchedule(), false)
		f.expectSynced(fotav1alpha1.ReasonSynced)

		labels := map[string]string{"namespace": f.key.Namespace, "name": f.key.Name}
		Eventually(func() []string { return gaugeSeries("fota_campaign_phase", labels) }).Should(ConsistOf("phase=InProgress 1"))
		Expect(gaugeSeries("fota_campaign_devices", labels)).To(ContainElement("state=pending 3"))
		Expect(gaugeSeries("fota_campaign_synced", labels)).To(ConsistOf("reason=Synced 1"))

		f.deleteCampaign()
		f.expectGone()
		Eventually(func() []string { return gaugeSeries("fota_campaign_phase", labels) }).Should(BeEmpty())
		Expect(gaugeSeries("fota_campaign_devices", labels)).To(BeEmpty())
	})
})

var _ = Describe("An abort policy", func() {
	It("aborts a running campaign once, when its rollout fails on too many devices", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		schedule := inProgressSchedule()
		f.seed(schedule)
		Expect(sim.SetDevices(account, f.campaignID, simulator.SampleDevices(100))).To(Succeed())
		Expect(sim.SetRollout(account, f.campaignID, simulator.Rollout{
			SucceedPerMinute: 0.01, FailPerMinute: 0.01, FailureReason: "RovaClientDownloadFailed", Since: clk.Now(),
		})).To(Succeed())
		f.createManaged(schedule, func(fc *fotav1alpha1.FotaCampaign) {
			fc.Spec.AbortPolicy = &fotav1alpha1.AbortPolicy{FailedPercent: 40, MinFinishedDevices: 20}
		})
		f.expectSynced(fotav1alpha1.ReasonSynced)

		By("reading the progress every ten minutes: 10 of 20 finished failed after ten minutes")
		advance(f.dueWithin(pollInterval))
		Eventually(func() int32 {
			if d := f.get().Status.Devices; d != nil {
				return d.Failed
			}
			return 0
		}).Should(BeEquivalentTo(10))

		By("recording why in an annotation before the DELETE, which follows at once")
		Eventually(func() string { return f.get().Annotations[fotav1alpha1.AnnotationAbortOnFailures] }).
			Should(ContainSubstring("10 of 20 finished devices failed"))
		Expect(f.requests(simulator.KindDelete)).To(BeEmpty())
		advance(f.dueWithin(time.Second))
		ready := f.expectReady(fotav1alpha1.ReasonAbortedOnFailures)
		Expect(ready.Message).To(ContainSubstring("10 of 20 finished devices failed (50.0%)"))
		Expect(f.phase()).To(Equal(fotav1alpha1.PhaseAborted))
		Expect(f.requests(simulator.KindDelete)).To(HaveLen(1))
		f.expectEvent(corev1.EventTypeWarning, "AbortedOnFailures", "10 of 20 finished devices failed")
		held, _ := sim.Campaign(account, f.campaignID)
		Expect(held.Status).To(Equal(simulator.StatusAborted))

		By("touching it never again")
		calls := len(f.calls())
		for range 3 {
			advance(pollInterval)
		}
		Consistently(func() int { return len(f.calls()) }, quietly).Should(Equal(calls))
	})
})

// gaugeSeries lists the series of a gauge with labels, as "label=value value" for the labels
// beyond those asked for.
func gaugeSeries(name string, labels map[string]string) []string {
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	var series []string
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
	metric:
		for _, m := range family.GetMetric() {
			var extra []string
			for _, pair := range m.GetLabel() {
				want, asked := labels[pair.GetName()]
				switch {
				case asked && want != pair.GetValue():
					continue metric
				case !asked:
					extra = append(extra, pair.GetName()+"="+pair.GetValue())
				}
			}
			series = append(series, fmt.Sprintf("%s %g", strings.Join(extra, ","), m.GetGauge().GetValue()))
		}
	}
	return series
}
