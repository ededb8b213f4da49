package v1alpha1

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

const rolloutWebhookName = "vfotarollout-v1alpha1.fota.thingspace.io"

// createRolloutInWave creates a rollout and records, through the status subresource as the
// rollout controller does, that its waves up to currentWave have started.
func createRolloutInWave(currentWave int32) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	fr := newRollout("fr-" + rand.String(8))
	fr.Namespace = metav1.NamespaceDefault
	Expect(k8sClient.Create(ctx, fr)).To(Succeed())
	fr.Status.CurrentWave = currentWave
	Expect(k8sClient.Status().Update(ctx, fr)).To(Succeed())
	return storedRollout(fr)
}

func storedRollout(fr *fotav1alpha1.FotaRollout) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	got := &fotav1alpha1.FotaRollout{}
	Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), got)).To(Succeed())
	return got
}

func updateRollout(fr *fotav1alpha1.FotaRollout, change func(*fotav1alpha1.FotaRollout), opts ...client.UpdateOption) error {
	GinkgoHelper()
	updated := storedRollout(fr)
	change(updated)
	return k8sClient.Update(ctx, updated, opts...)
}

var _ = Describe("The FotaRollout webhook", func() {
	It("rejects a new rollout with an unknown time zone, naming the field", func() {
		fr := newRollout("fr-" + rand.String(8))
		fr.Namespace = metav1.NamespaceDefault
		fr.Spec.Campaign.DisplayTimeZone = "Chicago"

		err := k8sClient.Create(ctx, fr)

		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "error: %v", err)
		Expect(err.Error()).To(SatisfyAll(
			ContainSubstring(fmt.Sprintf("admission webhook %q denied the request", rolloutWebhookName)),
			ContainSubstring(`spec.campaign.displayTimeZone: Invalid value: "Chicago": must be an IANA time zone name`),
		))
	})

	It("keeps the waves that have started, and lets the others change", func() {
		fr := createRolloutInWave(2)

		err := updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Waves[0].Devices = new(int32(5)) })
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "error: %v", err)
		Expect(causeFields(err)).To(Equal([]string{"spec.waves[0]"}))
		Expect(err.Error()).To(ContainSubstring("wave 1 started as devices: 1 and cannot change to devices: 5"))

		Expect(updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) {
			fr.Spec.Waves = append(fr.Spec.Waves[:2:2], fotav1alpha1.Wave{Percent: new(int32(75))}, fotav1alpha1.Wave{Percent: new(int32(100))})
		})).To(Succeed())
		Expect(storedRollout(fr).Spec.Waves).To(HaveLen(4))
	})

	It("gives a server-side dry run the answer of the real request and changes nothing", func() {
		fr := createRolloutInWave(1)
		illegal := func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Waves[0].Devices = new(int32(2)) }

		dryRunErr := updateRollout(fr, illegal, client.DryRunAll)
		realErr := updateRollout(fr, illegal)

		Expect(apierrors.IsInvalid(dryRunErr)).To(BeTrue(), "dry-run error: %v", dryRunErr)
		Expect(dryRunErr.Error()).To(Equal(realErr.Error()))
		Expect(storedRollout(fr).ResourceVersion).To(Equal(fr.ResourceVersion))
	})

	It("lets pause, approval and abort through at any wave", func() {
		fr := createRolloutInWave(3)
		Expect(updateRollout(fr, func(fr *fotav1alpha1.FotaRollout) {
			fr.Spec.Paused, fr.Spec.ApprovedWaves, fr.Spec.Abort = true, new(int32(1)), true
		})).To(Succeed())
	})
})
