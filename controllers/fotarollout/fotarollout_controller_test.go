package fotarollout_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

var _ = Describe("A FotaRollout", func() {
	var namespace string
	BeforeEach(func() {
		namespace = newNamespace()
	})

	It("goes from the canary through 50% and 100% to Completed as its waves upgrade", func() {
		fr := createRollout(namespace, "model-a-03", imeis(0, 20), []fotav1alpha1.Wave{devicesWave(2), percentWave(50), percentWave(100)}, nil)

		canary := expectWave(fr, 1, 2)
		fc := canary[0]
		Expect(fc.Name).To(Equal("model-a-03-w1-1"))
		Expect(fc.Labels).To(HaveKeyWithValue(fotav1alpha1.LabelRollout, "model-a-03"))
		Expect(fc.Labels).To(HaveKeyWithValue(fotav1alpha1.LabelWave, "1"))
		Expect(metav1.GetControllerOf(&fc).UID).To(Equal(getRollout(fr).UID))
		Expect(fc.Spec.AccountName).To(Equal(account))
		Expect(fc.Spec.CampaignName).To(BeEmpty())
		Expect(fc.Spec.StartDate).To(Equal(fotav1alpha1.Date("2026-12-07")))
		Expect(fc.Spec.EndDate).To(Equal(fotav1alpha1.Date("2026-12-13")))
		Expect(fc.Spec.InstallTimeWindowList).To(Equal([]fotav1alpha1.TimeWindow{{StartTime: 5, EndTime: 6}}))
		Expect(ptr.Deref(fc.Spec.Cancel, false)).To(BeFalse())
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)
		Expect(live.Status.WaveText).To(Equal("1/3"))
		Expect(live.Status.FleetSize).To(Equal(int32(20)))
		expectEvent(fr, "WaveStarted", "wave 1 started with 2 devices in model-a-03-w1-1")

		upgraded(fr, 1)
		expectWave(fr, 2, 8)
		expectEvent(fr, "WaveSucceeded", "wave 1 succeeded")
		upgraded(fr, 2)
		expectWave(fr, 3, 10)
		Expect(expectEachDeviceOnce(fr)).To(Equal(20))
		upgraded(fr, 3)

		live = expectStanding(fr, fotav1alpha1.RolloutPhaseCompleted, fotav1alpha1.ReasonRolloutCompleted)
		Expect(meta.IsStatusConditionTrue(live.Status.Conditions, fotav1alpha1.ConditionReady)).To(BeTrue())
		Expect(live.Status.WaveText).To(Equal("3/3"))
		Expect(live.Status.Devices.Upgraded).To(Equal("20/20"))
		Expect(live.Status.Devices.Total).To(Equal(int32(20)))
		Expect(live.Status.Waves).To(HaveLen(3))
		for _, wave := range live.Status.Waves {
			Expect(wave.State).To(Equal(fotav1alpha1.WaveStateSucceeded))
			Expect(wave.SucceededTime).NotTo(BeNil())
		}
		Expect(live.Status.Waves[1].Campaigns).To(Equal([]string{"model-a-03-w2-1"}))
		expectEvent(fr, "RolloutCompleted", "all 3 waves done")
	})

	It("adopts the wave campaigns a rollout of its name left orphaned, and starts none of their devices again", func() {
		waves := []fotav1alpha1.Wave{devicesWave(1), percentWave(100)}
		first := createRollout(namespace, "again", imeis(0, 10), waves, nil)
		canary := expectWave(first, 1, 1)[0]

		By("deleting the rollout with its campaigns orphaned: the campaign is left without its ownerReference")
		// envtest runs no garbage collector: the test removes the reference as it would.
		Expect(k8sClient.Delete(ctx, getRollout(first))).To(Succeed())
		Eventually(func() error {
			return k8sClient.Get(ctx, client.ObjectKeyFromObject(first), &fotav1alpha1.FotaRollout{})
		}).
			Should(Satisfy(apierrors.IsNotFound))
		Expect(k8sClient.Patch(ctx, &canary, client.RawPatch(types.JSONPatchType,
			[]byte(`[{"op":"remove","path":"/metadata/ownerReferences"}]`)))).To(Succeed())

		second := createRollout(namespace, "again", imeis(0, 10), waves, nil)
		secondUID := getRollout(second).UID
		Eventually(func(g Gomega) {
			adopted := waveCampaigns(second, 1)
			g.Expect(adopted).To(HaveLen(1))
			g.Expect(metav1.GetControllerOf(&adopted[0])).NotTo(BeNil())
			g.Expect(metav1.GetControllerOf(&adopted[0]).UID).To(Equal(secondUID))
		}).Should(Succeed())
		Expect(waveCampaigns(second, 1)[0].Spec).To(Equal(canary.Spec), "adoption changes only the metadata")

		By("the adopted canary's progress wakes the new rollout, whose next wave takes the other nine")
		upgraded(second, 1)
		expectWave(second, 2, 9)
		Expect(expectEachDeviceOnce(second)).To(Equal(10))
	})

	It("starts the waves after approvedWaves only once it is raised", func() {
		fr := createRollout(namespace, "approved", imeis(0, 10), []fotav1alpha1.Wave{devicesWave(1), percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.ApprovedWaves = ptr.To(int32(1)) })
		expectWave(fr, 1, 1)
		upgraded(fr, 1)
		expectStanding(fr, fotav1alpha1.RolloutPhaseWaitingForApproval, fotav1alpha1.ReasonWaitingForApproval)
		expectEvent(fr, "WaitingForApproval", "wave 2 waits for spec.approvedWaves >= 2")
		Expect(waveCampaigns(fr, 2)).To(BeEmpty())

		updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.ApprovedWaves = ptr.To(int32(2)) })
		expectWave(fr, 2, 9)
	})

	It("starts no wave while paused, and the first one when resumed", func() {
		fr := createRollout(namespace, "paused", imeis(0, 10), []fotav1alpha1.Wave{devicesWave(1), percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Paused = true })
		live := expectStanding(fr, fotav1alpha1.RolloutPhasePaused, fotav1alpha1.ReasonRolloutPaused)
		Expect(live.Status.CurrentWave).To(BeZero())
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 0) }, "200ms").Should(BeEmpty())

		updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Paused = false })
		expectWave(fr, 1, 1)
		expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)
	})

	It("waits out the soak time from the moment the wave succeeded, and not a second longer", func() {
		fr := createRollout(namespace, "soak", imeis(0, 10), []fotav1alpha1.Wave{devicesWave(1), percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Gate.SoakTime = &metav1.Duration{Duration: time.Hour} })
		expectWave(fr, 1, 1)
		succeededAt := clk.Now()
		upgraded(fr, 1)
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonSoaking)
		Expect(live.Status.Waves[0].State).To(Equal(fotav1alpha1.WaveStateSoaking))
		Expect(live.Status.Waves[0].SucceededTime.Time).To(BeTemporally("==", succeededAt))

		advance(namespace, 59*time.Minute)
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 2) }, "200ms").Should(BeEmpty())
		advance(namespace, time.Minute)
		expectWave(fr, 2, 9)
	})

	It("waits for a release window that opens later, and starts the wave at that instant", func() {
		now := clk.Now()
		start := (now.Hour() + 2) % 24
		opens := time.Date(now.Year(), now.Month(), now.Day(), start, 0, 0, 0, time.UTC)
		if !opens.After(now) {
			opens = opens.AddDate(0, 0, 1)
		}
		fr := createRollout(namespace, "window", imeis(0, 10), []fotav1alpha1.Wave{percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) {
				fr.Spec.ReleaseWindows = &fotav1alpha1.ReleaseWindows{TimeZone: "UTC",
					Windows: []fotav1alpha1.ReleaseWindow{{StartTime: int32(start), EndTime: int32(start + 1)}}}
			})
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseWaitingForWindow, fotav1alpha1.ReasonWaitingForWindow)
		Expect(live.Status.NextReleaseTime.Time).To(BeTemporally("==", opens))
		expectEvent(fr, "WaitingForWindow", "waits for the next release window")
		Eventually(func() bool {
			due, ok := queue.Due(requestOf(fr))
			return ok && due.Equal(opens)
		}).Should(BeTrue(), "a requeue at the window's opening")

		advance(namespace, opens.Sub(clk.Now())-time.Second)
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 0) }, "200ms").Should(BeEmpty())
		advance(namespace, time.Second)
		expectWave(fr, 1, 10)
		live = expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)
		Expect(live.Status.NextReleaseTime).To(BeNil())
	})

	It("sets cancel: true on every live wave campaign when aborted, and leaves closed ones alone", func() {
		fr := createRollout(namespace, "abort", imeis(0, 30), []fotav1alpha1.Wave{devicesWave(10), percentWave(100)}, nil)
		expectWave(fr, 1, 10)
		report(fr, 1, campaignReport{phase: fotav1alpha1.PhaseEnded, succeeded: 10})
		expectWave(fr, 2, 20)
		report(fr, 2, campaignReport{phase: fotav1alpha1.PhaseInProgress, succeeded: 3})

		updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Abort = true })
		expectStanding(fr, fotav1alpha1.RolloutPhaseAborted, fotav1alpha1.ReasonRolloutAborted)
		Eventually(func() *bool { return waveCampaigns(fr, 2)[0].Spec.Cancel }).Should(HaveValue(BeTrue()))
		Expect(ptr.Deref(waveCampaigns(fr, 1)[0].Spec.Cancel, false)).To(BeFalse(), "a closed campaign needs no cancel")
		expectEvent(fr, "RolloutAborted", "spec.abort is true")
	})

	It("halts as Failed when a wave's campaigns all closed below successPercent", func() {
		fr := createRollout(namespace, "below-gate", imeis(0, 20), []fotav1alpha1.Wave{devicesWave(10), percentWave(100)}, nil)
		expectWave(fr, 1, 10)
		report(fr, 1, campaignReport{phase: fotav1alpha1.PhaseEnded, succeeded: 5, failed: 5})
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseFailed, fotav1alpha1.ReasonWaveFailed)
		Expect(live.Status.Waves[0].State).To(Equal(fotav1alpha1.WaveStateFailed))
		expectEvent(fr, "WaveFailed", "below successPercent 90%")
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 2) }, "200ms").Should(BeEmpty())
	})

	It("halts as Aborted when a wave campaign was aborted on failures", func() {
		fr := createRollout(namespace, "aborted-on-failures", imeis(0, 20), []fotav1alpha1.Wave{devicesWave(10), percentWave(100)}, nil)
		expectWave(fr, 1, 10)
		report(fr, 1, campaignReport{phase: fotav1alpha1.PhaseAborted, succeeded: 2, failed: 5,
			readyReason: fotav1alpha1.ReasonAbortedOnFailures})
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseAborted, fotav1alpha1.ReasonWaveAbortedOnFailures)
		Expect(live.Status.Waves[0].State).To(Equal(fotav1alpha1.WaveStateAborted))
		expectEvent(fr, "RolloutAborted", "aborted on failures")
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 2) }, "200ms").Should(BeEmpty())
	})

	It("reads a fleet of 25 000 devices from a ConfigMap into chunks of 10 000, 10 000 and 5 000", func() {
		Expect(k8sClient.Create(ctx, fleetConfigMap(namespace, "fleet", imeis(0, 25_000)))).To(Succeed())
		fr := createRollout(namespace, "large", nil, []fotav1alpha1.Wave{percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.DevicesFrom = fromConfigMap("fleet") })
		campaigns := expectWave(fr, 1, 10_000, 10_000, 5_000)
		Expect([]string{campaigns[0].Name, campaigns[1].Name, campaigns[2].Name}).To(
			Equal([]string{"large-w1-1", "large-w1-2", "large-w1-3"}))
		Expect(campaigns[2].Annotations).To(HaveKeyWithValue(fotav1alpha1.AnnotationLastChunk, "true"))
		Expect(expectEachDeviceOnce(fr)).To(Equal(25_000))
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)
		Expect(live.Status.FleetSize).To(Equal(int32(25_000)))
		Expect(live.Status.Waves[0].Campaigns).To(Equal([]string{"large-w1-1", "large-w1-2", "large-w1-3"}))
	})

	It("reports DevicesNotFound for a missing ConfigMap and starts once it is created", func() {
		fr := createRollout(namespace, "missing", nil, []fotav1alpha1.Wave{percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.DevicesFrom = fromConfigMap("later") })
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonDevicesNotFound)
		Expect(meta.FindStatusCondition(live.Status.Conditions, fotav1alpha1.ConditionReady).Message).To(
			ContainSubstring("ConfigMap later not found"))
		Expect(waveCampaigns(fr, 0)).To(BeEmpty())

		Expect(k8sClient.Create(ctx, fleetConfigMap(namespace, "later", imeis(0, 5)))).To(Succeed())
		expectWave(fr, 1, 5)
	})

	It("shows a fleet ConfigMap deleted while a wave runs as DevicesNotFound, and goes on once it is back", func() {
		cm := fleetConfigMap(namespace, "fleet", imeis(0, 10))
		Expect(k8sClient.Create(ctx, cm.DeepCopy())).To(Succeed())
		fr := createRollout(namespace, "deleted", nil, []fotav1alpha1.Wave{devicesWave(1), percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.DevicesFrom = fromConfigMap("fleet") })
		expectWave(fr, 1, 1)
		expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)

		Expect(k8sClient.Delete(ctx, cm)).To(Succeed())
		expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonDevicesNotFound)
		upgraded(fr, 1)
		Consistently(func() []fotav1alpha1.FotaCampaign { return waveCampaigns(fr, 2) }, "500ms").Should(BeEmpty())

		Expect(k8sClient.Create(ctx, fleetConfigMap(namespace, "fleet", imeis(0, 10)))).To(Succeed())
		expectWave(fr, 2, 9)
	})

	It("reads a ConfigMap edited while a wave runs when the next wave starts: the new devices join it", func() {
		Expect(k8sClient.Create(ctx, fleetConfigMap(namespace, "fleet", imeis(0, 10)))).To(Succeed())
		fr := createRollout(namespace, "edited", nil, []fotav1alpha1.Wave{devicesWave(1), percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.DevicesFrom = fromConfigMap("fleet") })
		expectWave(fr, 1, 1)

		edited := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "fleet"}, edited)).To(Succeed())
		edited.Data = fleetConfigMap(namespace, "fleet", imeis(0, 15)).Data
		Expect(k8sClient.Update(ctx, edited)).To(Succeed())
		upgraded(fr, 1)

		expectWave(fr, 2, 14)
		Expect(expectEachDeviceOnce(fr)).To(Equal(15))
		Expect(getRollout(fr).Status.FleetSize).To(Equal(int32(15)))
	})

	It("reports InvalidDevices naming the ConfigMap, the key and the first bad entry", func() {
		cm := fleetConfigMap(namespace, "bad", imeis(0, 3))
		cm.Data["imeis"] += "99-1\n"
		Expect(k8sClient.Create(ctx, cm)).To(Succeed())
		fr := createRollout(namespace, "invalid", nil, []fotav1alpha1.Wave{percentWave(100)},
			func(fr *fotav1alpha1.FotaRollout) { fr.Spec.DevicesFrom = fromConfigMap("bad") })
		live := expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonInvalidDevices)
		Expect(meta.FindStatusCondition(live.Status.Conditions, fotav1alpha1.ConditionReady).Message).To(
			ContainSubstring(`ConfigMap bad, key imeis, line 5: "99-1" is not a device id`))
		Expect(waveCampaigns(fr, 0)).To(BeEmpty())
	})
})

func requestOf(fr *fotav1alpha1.FotaRollout) reconcile.Request {
	return reconcile.Request{NamespacedName: client.ObjectKeyFromObject(fr)}
}

var _ = Describe("The rollout gauges", func() {
	It("show a rollout's phase, wave and devices, and go with the rollout", func() {
		namespace := newNamespace()
		fr := createRollout(namespace, "gauged", imeis(0, 4), []fotav1alpha1.Wave{devicesWave(1), percentWave(100)}, nil)
		expectWave(fr, 1, 1)
		expectStanding(fr, fotav1alpha1.RolloutPhaseProgressing, fotav1alpha1.ReasonWaveRunning)
		Eventually(func() map[string]float64 { return seriesOf(namespace, fr.Name) }).Should(And(
			HaveKeyWithValue("fota_rollout_phase/Progressing", 1.0),
			HaveKeyWithValue("fota_rollout_wave", 1.0),
			HaveKeyWithValue("fota_rollout_devices/pending", 1.0),
		))

		Expect(k8sClient.Delete(ctx, getRollout(fr))).To(Succeed())
		Eventually(func() map[string]float64 { return seriesOf(namespace, fr.Name) }).Should(BeEmpty())
	})
})

// seriesOf is every rollout series of namespace/name in controller-runtime's registry, keyed by
// the metric's name and its phase or state label.
func seriesOf(namespace, name string) map[string]float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	series := map[string]float64{}
	for _, family := range families {
		if !strings.HasPrefix(family.GetName(), "fota_rollout_") {
			continue
		}
		for _, m := range family.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["namespace"] != namespace || labels["name"] != name {
				continue
			}
			key := family.GetName()
			if value := labels["phase"] + labels["state"]; value != "" {
				key += "/" + value
			}
			series[key] = m.GetGauge().GetValue()
		}
	}
	return series
}
