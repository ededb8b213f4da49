package fotarollout_test

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

var _ = Describe("A FotaRollout stopped between two chunk writes", func() {
	It("takes the chunks written as they are and cuts the rest from the edited fleet, a device in one campaign only", func() {
		namespace := newNamespace()
		fleet := imeis(0, 25_000)
		cm := fleetConfigMap(namespace, "fleet", fleet)
		Expect(k8sClient.Create(ctx, cm)).To(Succeed())
		// Paused, the rollout starts no wave itself: the test writes, with the manager stopped,
		// what a reconcile stopped after two of its three chunk writes would have left.
		fr := createRollout(namespace, "crash", nil, []fotav1alpha1.Wave{percentWave(100)}, func(fr *fotav1alpha1.FotaRollout) {
			fr.Spec.DevicesFrom = fromConfigMap("fleet")
			fr.Spec.Paused = true
		})
		expectStanding(fr, fotav1alpha1.RolloutPhasePaused, fotav1alpha1.ReasonRolloutPaused)
		fr = getRollout(fr)

		ordered := rollout.Order(namespace, fr.Name, fleet)
		chunks := rollout.Chunks(rollout.Take(ordered, nil, len(ordered)))
		Expect(chunks).To(HaveLen(3))

		stopManager()
		for j, chunk := range chunks[:2] {
			Expect(k8sClient.Create(ctx, handWrittenChunk(fr, j+1, chunk))).To(Succeed())
		}
		// The fleet is edited before the next reconcile: a device of chunk 1 leaves it, 50 join.
		removed := chunks[0][0]
		edited := append(slices.DeleteFunc(slices.Clone(fleet), func(id string) bool { return id == removed }), imeis(25_000, 50)...)
		updated := cm.DeepCopy()
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(cm), updated)).To(Succeed())
		updated.Data = fleetConfigMap(namespace, "fleet", edited).Data
		Expect(k8sClient.Update(ctx, updated)).To(Succeed())
		startManager()

		campaigns := expectWave(fr, 1, 10_000, 10_000, 5_050)
		for j := range 2 {
			Expect(campaigns[j].Spec.Devices).To(Equal(deviceIDs(chunks[j])), "chunk %d is not cut again", j+1)
			Expect(campaigns[j].Annotations).NotTo(HaveKey(fotav1alpha1.AnnotationLastChunk))
		}
		Expect(campaigns[2].Name).To(Equal("crash-w1-3"))
		Expect(campaigns[2].Annotations).To(HaveKeyWithValue(fotav1alpha1.AnnotationLastChunk, "true"))
		// The removed device stays in its chunk but is no longer part of the fleet the wave
		// reaches: the third chunk takes the 5 050 devices of the 25 049 no chunk holds.
		Expect(expectEachDeviceOnce(fr)).To(Equal(25_050))

		By("losing the status write: the waves are read back from the campaigns")
		Expect(k8sClient.Status().Patch(ctx, getRollout(fr), client.RawPatch("application/merge-patch+json",
			[]byte(`{"status":{"currentWave":0,"waves":null,"waveText":null}}`)))).To(Succeed())
		report(fr, 1, campaignReport{phase: fotav1alpha1.PhaseInProgress, succeeded: 1})
		Eventually(func(g Gomega) {
			live := getRollout(fr)
			g.Expect(live.Status.CurrentWave).To(Equal(int32(1)))
			g.Expect(live.Status.Waves).To(HaveLen(1))
			g.Expect(live.Status.Waves[0].Campaigns).To(Equal([]string{"crash-w1-1", "crash-w1-2", "crash-w1-3"}))
			g.Expect(live.Status.Waves[0].Devices).To(Equal(int32(25_050)))
		}).Should(Succeed())
		Consistently(func() int { return len(waveCampaigns(fr, 0)) }, "500ms").Should(Equal(3))
		Expect(expectEachDeviceOnce(fr)).To(Equal(25_050))
	})
})

// handWrittenChunk is chunk j of wave 1 as the rollout writes it, without the last-chunk mark.
func handWrittenChunk(fr *fotav1alpha1.FotaRollout, j int, devices []string) *fotav1alpha1.FotaCampaign {
	return &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{
			Name:      rollout.CampaignName(fr.Name, 1, j),
			Namespace: fr.Namespace,
			Labels:    map[string]string{fotav1alpha1.LabelRollout: fr.Name, fotav1alpha1.LabelWave: "1"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: fotav1alpha1.GroupVersion.String(), Kind: "FotaRollout",
				Name: fr.Name, UID: fr.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}},
		},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          fr.Spec.AccountName,
			Software:             ptr.To(fr.Spec.Software),
			Devices:              deviceIDs(devices),
			CredentialsSecretRef: fr.Spec.CredentialsSecretRef,
			Schedule:             fotav1alpha1.Schedule{StartDate: "2026-12-07", EndDate: "2026-12-13"},
		},
	}
}
