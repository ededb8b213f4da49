package rollout

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

var _ = Describe("A FotaRollout run by the whole operator", func() {
	It("goes from its canary to Completed as ThingSpace upgrades the devices, with one POST per wave campaign", func() {
		namespace := newNamespace()
		fr := newRollout(namespace, "model-a-03", []fotav1alpha1.Wave{devices(1), percent(50), percent(100)})
		fr.Spec.Devices = deviceIDs(imeis(0, 20))
		Expect(k8sClient.Create(ctx, fr)).To(Succeed())

		for wave := 1; wave <= 3; wave++ {
			upgradeWave(fr, wave)
		}
		Eventually(phaseOf).WithArguments(fr).WithTimeout(time.Minute).Should(Equal(fotav1alpha1.RolloutPhaseCompleted))
		live := getRollout(fr)
		Expect(live.Status.WaveText).To(Equal("3/3"))
		Expect(live.Status.Devices.Upgraded).To(Equal("20/20"))

		campaigns := waveCampaigns(fr)
		Expect(campaigns).To(HaveLen(3))
		Expect(eachDeviceOnce(campaigns)).To(Equal(20))
		for _, fc := range campaigns {
			Expect(postsNamed(namespace+"."+fc.Name)).To(Equal(1), "POSTs of %s", fc.Name)
		}
	})

	It("cancels every live wave campaign on abort with one DELETE each, and never schedules the waves to come", func() {
		namespace := newNamespace()
		fr := newRollout(namespace, "aborted", []fotav1alpha1.Wave{devices(2), percent(50), percent(100)})
		fr.Spec.Devices = deviceIDs(imeis(100, 20))
		fr.Spec.ApprovedWaves = ptr.To(int32(2))
		Expect(k8sClient.Create(ctx, fr)).To(Succeed())
		upgradeWave(fr, 1)
		upgradeWave(fr, 2)
		Eventually(phaseOf).WithArguments(fr).WithTimeout(time.Minute).Should(Equal(fotav1alpha1.RolloutPhaseWaitingForApproval))
		campaigns := waveCampaigns(fr)
		Expect(campaigns).To(HaveLen(2))
		ids := scheduledIDs(campaigns)

		live := getRollout(fr)
		live.Spec.Abort = true
		Expect(k8sClient.Update(ctx, live)).To(Succeed())

		Eventually(phaseOf).WithArguments(fr).Should(Equal(fotav1alpha1.RolloutPhaseAborted))
		for _, id := range ids {
			Eventually(deletesOf).WithArguments(id).WithTimeout(time.Minute).Should(Equal(1), "DELETEs of %s", id)
		}
		Eventually(func(g Gomega) {
			for _, fc := range waveCampaigns(fr) {
				ready := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
				g.Expect(ready).NotTo(BeNil())
				g.Expect(ready.Reason).To(Equal(fotav1alpha1.ReasonCancelled), fc.Name)
			}
		}).WithTimeout(time.Minute).Should(Succeed())
		// Reads go on at the poll interval; a second DELETE, or a third wave, would show by then.
		Consistently(func(g Gomega) {
			for _, id := range ids {
				g.Expect(deletesOf(id)).To(Equal(1))
			}
			g.Expect(waveCampaigns(fr)).To(HaveLen(2))
		}, "3s").Should(Succeed())
	})

	It("reads a fleet of a million devices from sixteen ConfigMaps written by server-side apply", func() {
		namespace := newNamespace()
		const perConfigMap, configMaps = 62_500, 16
		fr := newRollout(namespace, "million", []fotav1alpha1.Wave{devices(10), percent(100)})
		fr.Spec.ApprovedWaves = ptr.To(int32(1))
		for i := range configMaps {
			name := fmt.Sprintf("fleet-model-a-%02d", i)
			applyFleetConfigMap(namespace, name, imeis(i*perConfigMap, perConfigMap))
			fr.Spec.DevicesFrom = append(fr.Spec.DevicesFrom, fotav1alpha1.DevicesSource{
				ConfigMapKeyRef: fotav1alpha1.ConfigMapKeyReference{Name: name, Key: "imeis"}})
		}
		Expect(k8sClient.Create(ctx, fr)).To(Succeed())
		upgradeWave(fr, 1)

		Eventually(phaseOf).WithArguments(fr).WithTimeout(time.Minute).Should(Equal(fotav1alpha1.RolloutPhaseWaitingForApproval))
		live := getRollout(fr)
		Expect(live.Status.FleetSize).To(Equal(int32(configMaps * perConfigMap)))
		Expect(live.Status.Devices.Upgraded).To(Equal("10/1000000"))
		campaigns := waveCampaigns(fr)
		Expect(campaigns).To(HaveLen(1))
		Expect(campaigns[0].Spec.Devices).To(HaveLen(10))
	})
})

func newRollout(namespace, name string, waves []fotav1alpha1.Wave) *fotav1alpha1.FotaRollout {
	return &fotav1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: fotav1alpha1.FotaRolloutSpec{
			AccountName:          account,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: secretName},
			Software: fotav1alpha1.Software{Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
				To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP"},
			Waves:    waves,
			Campaign: fotav1alpha1.CampaignTemplate{DurationDays: 7},
		},
	}
}

func devices(n int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Devices: ptr.To(n)} }
func percent(p int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Percent: ptr.To(p)} }

// imeis are n valid device ids from the first one.
func imeis(first, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("35%013d", first+i)
	}
	return ids
}

func deviceIDs(ids []string) []fotav1alpha1.DeviceID {
	out := make([]fotav1alpha1.DeviceID, len(ids))
	for i, id := range ids {
		out[i] = fotav1alpha1.DeviceID(id)
	}
	return out
}

// applyFleetConfigMap writes ids, one per line, under the key imeis by server-side apply, as the
// README's `kubectl apply --server-side` does.
func applyFleetConfigMap(namespace, name string, ids []string) {
	GinkgoHelper()
	cm := corev1ac.ConfigMap(name, namespace).WithData(map[string]string{"imeis": strings.Join(ids, "\n") + "\n"})
	Expect(k8sClient.Apply(ctx, cm, client.FieldOwner("kubectl"), client.ForceOwnership)).To(Succeed())
}

func getRollout(fr *fotav1alpha1.FotaRollout) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	live := &fotav1alpha1.FotaRollout{}
	Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), live)).To(Succeed())
	return live
}

func phaseOf(fr *fotav1alpha1.FotaRollout) (fotav1alpha1.RolloutPhase, error) {
	live := &fotav1alpha1.FotaRollout{}
	err := k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), live)
	return live.Status.Phase, err
}

// waveCampaigns lists the rollout's campaigns, those of one wave with a wave label selector.
func waveCampaigns(fr *fotav1alpha1.FotaRollout, selectors ...client.MatchingLabels) []fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	labels := client.MatchingLabels{fotav1alpha1.LabelRollout: fr.Name}
	for _, selector := range selectors {
		maps.Copy(labels, selector)
	}
	var list fotav1alpha1.FotaCampaignList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(fr.Namespace), labels)).To(Succeed())
	return list.Items
}

// eachDeviceOnce fails when a device is in two of campaigns, and returns how many they hold.
func eachDeviceOnce(campaigns []fotav1alpha1.FotaCampaign) int {
	GinkgoHelper()
	seen := map[fotav1alpha1.DeviceID]string{}
	for _, fc := range campaigns {
		for _, id := range fc.Spec.Devices {
			Expect(seen).NotTo(HaveKey(id), "device %s is in %s and %s", id, seen[id], fc.Name)
			seen[id] = fc.Name
		}
	}
	return len(seen)
}

// scheduledIDs waits until every campaign records its ThingSpace id, and returns the ids.
func scheduledIDs(campaigns []fotav1alpha1.FotaCampaign) []string {
	GinkgoHelper()
	ids := make([]string, 0, len(campaigns))
	for _, fc := range campaigns {
		var id string
		Eventually(func(g Gomega) {
			live := &fotav1alpha1.FotaCampaign{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(&fc), live)).To(Succeed())
			g.Expect(live.Status.Campaign).NotTo(BeNil())
			id = live.Status.Campaign.ID
			g.Expect(id).NotTo(BeEmpty())
		}).Should(Succeed())
		ids = append(ids, id)
	}
	return ids
}

// upgradeWave waits until wave's campaigns exist and ThingSpace holds them, then has ThingSpace
// report every device of them upgraded.
func upgradeWave(fr *fotav1alpha1.FotaRollout, wave int) {
	GinkgoHelper()
	var campaigns []fotav1alpha1.FotaCampaign
	Eventually(func() []fotav1alpha1.FotaCampaign {
		campaigns = waveCampaigns(fr, client.MatchingLabels{fotav1alpha1.LabelWave: strconv.Itoa(wave)})
		return campaigns
	}).WithTimeout(time.Minute).ShouldNot(BeEmpty(), "wave %d never started", wave)
	for _, id := range scheduledIDs(campaigns) {
		// A rollout that began an hour ago at one device a minute has upgraded every device.
		Expect(sim.SetRollout(account, id, simulator.Rollout{SucceedPerMinute: 1, Since: time.Now().Add(-time.Hour)})).To(Succeed())
	}
}

// postsNamed counts the POSTs ThingSpace received for the campaign name.
func postsNamed(name string) int {
	count := 0
	for _, r := range sim.Requests() {
		var body struct {
			CampaignName string `json:"campaignName"`
		}
		if r.Kind == simulator.KindCreate && json.Unmarshal(r.Body, &body) == nil && body.CampaignName == name {
			count++
		}
	}
	return count
}

// deletesOf counts the DELETEs ThingSpace received for the campaign id.
func deletesOf(id string) int {
	count := 0
	for _, r := range sim.Requests() {
		if r.Kind == simulator.KindDelete && strings.EqualFold(r.CampaignID, id) {
			count++
		}
	}
	return count
}
