package fotarollout_test

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

const account = "0402196254-00001"

// newNamespace creates a namespace of the test's own, so that its rollouts, campaigns and
// events are its alone.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rollout-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// imeis are n device ids, from first on.
func imeis(first, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("99001390%07d", first+i)
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

func devicesWave(n int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Devices: ptr.To(n)} }
func percentWave(p int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Percent: ptr.To(p)} }

// createRollout creates a rollout named name over the inline devices, with waves, changed by
// edit before it is created.
func createRollout(namespace, name string, devices []string, waves []fotav1alpha1.Wave, edit func(*fotav1alpha1.FotaRollout)) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	fr := &fotav1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: fotav1alpha1.FotaRolloutSpec{
			AccountName:          account,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			Software: fotav1alpha1.Software{Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
				To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP"},
			Waves: waves,
			Campaign: fotav1alpha1.CampaignTemplate{
				DurationDays:          7,
				InstallTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 5, EndTime: 6}},
			},
		},
	}
	if len(devices) > 0 {
		fr.Spec.Devices = deviceIDs(devices)
	}
	if edit != nil {
		edit(fr)
	}
	Expect(k8sClient.Create(ctx, fr)).To(Succeed())
	return fr
}

// updateRollout changes the rollout's spec with edit, retrying on conflicts.
func updateRollout(fr *fotav1alpha1.FotaRollout, edit func(*fotav1alpha1.FotaRollout)) {
	GinkgoHelper()
	Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
		live := &fotav1alpha1.FotaRollout{}
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), live); err != nil {
			return err
		}
		edit(live)
		return k8sClient.Update(ctx, live)
	})).To(Succeed())
}

func getRollout(fr *fotav1alpha1.FotaRollout) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	live := &fotav1alpha1.FotaRollout{}
	Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), live)).To(Succeed())
	return live
}

// expectStanding waits until the rollout's status shows phase and Ready reason, for its current
// generation, and returns it.
func expectStanding(fr *fotav1alpha1.FotaRollout, phase fotav1alpha1.RolloutPhase, reason string) *fotav1alpha1.FotaRollout {
	GinkgoHelper()
	var live *fotav1alpha1.FotaRollout
	Eventually(func(g Gomega) {
		live = &fotav1alpha1.FotaRollout{}
		g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(fr), live)).To(Succeed())
		g.Expect(live.Status.ObservedGeneration).To(Equal(live.Generation))
		g.Expect(live.Status.Phase).To(Equal(phase))
		ready := meta.FindStatusCondition(live.Status.Conditions, fotav1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
	}).Should(Succeed())
	return live
}

// waveCampaigns lists the rollout's campaigns of wave (0: every wave), by name.
func waveCampaigns(fr *fotav1alpha1.FotaRollout, wave int) []fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	labels := client.MatchingLabels{fotav1alpha1.LabelRollout: fr.Name}
	if wave > 0 {
		labels[fotav1alpha1.LabelWave] = fmt.Sprint(wave)
	}
	var list fotav1alpha1.FotaCampaignList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(fr.Namespace), labels)).To(Succeed())
	slices.SortFunc(list.Items, func(a, b fotav1alpha1.FotaCampaign) int { return strings.Compare(a.Name, b.Name) })
	return list.Items
}

// expectWave waits until wave has campaigns holding sizes devices, in chunk order, and returns
// them.
func expectWave(fr *fotav1alpha1.FotaRollout, wave int, sizes ...int) []fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	var campaigns []fotav1alpha1.FotaCampaign
	Eventually(func(g Gomega) {
		campaigns = waveCampaigns(fr, wave)
		got := make([]int, 0, len(campaigns))
		for _, fc := range campaigns {
			got = append(got, len(fc.Spec.Devices))
		}
		g.Expect(got).To(Equal(sizes))
	}).Should(Succeed())
	return campaigns
}

// expectEachDeviceOnce checks that no device is in two campaigns of the rollout, and returns
// how many devices they hold.
func expectEachDeviceOnce(fr *fotav1alpha1.FotaRollout) int {
	GinkgoHelper()
	seen := map[fotav1alpha1.DeviceID]string{}
	for _, fc := range waveCampaigns(fr, 0) {
		for _, id := range fc.Spec.Devices {
			if other, twice := seen[id]; twice {
				Fail(fmt.Sprintf("device %s is in %s and %s", id, other, fc.Name))
			}
			seen[id] = fc.Name
		}
	}
	return len(seen)
}

// campaignReport is what the FotaCampaign controller would report of a campaign.
type campaignReport struct {
	phase       fotav1alpha1.Phase
	succeeded   int
	failed      int
	readyReason string
}

// report writes r into the status of every campaign of wave, as the FotaCampaign controller
// would after reading ThingSpace: scheduled (an id, past CampaignRequestPending), in r.phase,
// with r.succeeded (and r.failed) of its devices, capped at the campaign's size.
func report(fr *fotav1alpha1.FotaRollout, wave int, r campaignReport) {
	GinkgoHelper()
	campaigns := waveCampaigns(fr, wave)
	Expect(campaigns).NotTo(BeEmpty())
	for _, fc := range campaigns {
		Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
			live := &fotav1alpha1.FotaCampaign{}
			if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(&fc), live); err != nil {
				return err
			}
			total := int32(len(live.Spec.Devices))
			succeeded := min(int32(r.succeeded), total)
			failed := min(int32(r.failed), total-succeeded)
			live.Status.Phase = r.phase
			live.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: "id-" + live.Name, Status: "CampaignInProgress"}
			live.Status.Devices = &fotav1alpha1.DeviceProgress{Total: total, Succeeded: succeeded, Failed: failed,
				Pending: total - succeeded - failed}
			if r.readyReason != "" {
				meta.SetStatusCondition(&live.Status.Conditions, metav1.Condition{Type: fotav1alpha1.ConditionReady,
					Status: metav1.ConditionFalse, Reason: r.readyReason, Message: "set by the test"})
			}
			return k8sClient.Status().Update(ctx, live)
		})).To(Succeed())
	}
}

// upgraded reports every device of wave's campaigns upgraded.
func upgraded(fr *fotav1alpha1.FotaRollout, wave int) {
	GinkgoHelper()
	report(fr, wave, campaignReport{phase: fotav1alpha1.PhaseInProgress, succeeded: 1 << 30})
}

// expectEvent waits for an event of reason about the rollout whose note contains note.
func expectEvent(fr *fotav1alpha1.FotaRollout, reason, note string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var events eventsv1.EventList
		g.Expect(k8sClient.List(ctx, &events, client.InNamespace(fr.Namespace))).To(Succeed())
		var notes []string
		for _, e := range events.Items {
			if e.Regarding.Name == fr.Name && e.Reason == reason {
				notes = append(notes, e.Note)
			}
		}
		g.Expect(notes).To(ContainElement(ContainSubstring(note)))
	}).Should(Succeed())
}

// fleetConfigMap is a ConfigMap holding ids under the key imeis, one per line.
func fleetConfigMap(namespace, name string, ids []string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Data:       map[string]string{"imeis": "# the fleet\n" + strings.Join(ids, "\n") + "\n"},
	}
}

func fromConfigMap(name string) []fotav1alpha1.DevicesSource {
	return []fotav1alpha1.DevicesSource{{ConfigMapKeyRef: fotav1alpha1.ConfigMapKeyReference{Name: name, Key: "imeis"}}}
}
