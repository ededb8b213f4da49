package v1alpha1

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

const webhookName = "vfotacampaign-v1alpha1.fota.thingspace.io"

// endedSchedule ended on 2026-11-10, long before the suite's clock.
func endedSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{
		StartDate:              "2026-11-01",
		EndDate:                "2026-11-10",
		DownloadTimeWindowList: windows([2]int32{3, 4}),
	}
}

// createObserved creates a campaign with the schedule applied and records, through the status
// subresource as the controller does, that ThingSpace holds it with the given raw status.
func createObserved(applied fotav1alpha1.Schedule, status string) *fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	fc := newCampaign("fc-"+rand.String(8), applied)
	fc.Namespace = metav1.NamespaceDefault
	Expect(k8sClient.Create(ctx, fc)).To(Succeed())
	fc.Status.Applied = applied.DeepCopy()
	fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: fc.Spec.CampaignID, Status: status}
	Expect(k8sClient.Status().Update(ctx, fc)).To(Succeed())
	warnings.take()
	return stored(fc)
}

func stored(fc *fotav1alpha1.FotaCampaign) *fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	got := &fotav1alpha1.FotaCampaign{}
	Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(fc), got)).To(Succeed())
	return got
}

// updateSchedule sends the stored campaign back with change applied to its schedule.
func updateSchedule(fc *fotav1alpha1.FotaCampaign, change func(*fotav1alpha1.Schedule), opts ...client.UpdateOption) error {
	GinkgoHelper()
	updated := stored(fc)
	change(&updated.Spec.Schedule)
	return k8sClient.Update(ctx, updated, opts...)
}

// causeFields lists the field of every cause of an API error, in order.
func causeFields(err error) []string {
	GinkgoHelper()
	var statusErr apierrors.APIStatus
	Expect(errors.As(err, &statusErr)).To(BeTrue(), "error %v is not an API status", err)
	Expect(statusErr.Status().Details).NotTo(BeNil())
	var fields []string
	for _, cause := range statusErr.Status().Details.Causes {
		fields = append(fields, cause.Field)
	}
	return fields
}

// expectUnchanged checks that nothing was written since before was read.
func expectUnchanged(before *fotav1alpha1.FotaCampaign) {
	GinkgoHelper()
	after := stored(before)
	Expect(after.ResourceVersion).To(Equal(before.ResourceVersion))
	Expect(after.Spec).To(Equal(before.Spec))
}

var (
	illegalWhileRunning = func(s *fotav1alpha1.Schedule) {
		s.EndDate = "2026-11-25"
		s.DownloadTimeWindowList = nil
	}
	legalWhileRunning = func(s *fotav1alpha1.Schedule) {
		s.EndDate = "2026-12-10"
		s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{22, 24})
	}
)

var _ = Describe("An update of a campaign in progress", func() {
	var fc *fotav1alpha1.FotaCampaign
	BeforeEach(func() {
		fc = createObserved(referenceSchedule(), "CampaignScheduled")
	})

	It("is rejected when illegal, with every field, rule and bound, and nothing is stored", func() {
		err := updateSchedule(fc, illegalWhileRunning)

		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "error: %v", err)
		Expect(causeFields(err)).To(Equal([]string{"spec.endDate", "spec.downloadTimeWindowList"}))
		Expect(err.Error()).To(SatisfyAll(
			ContainSubstring(fmt.Sprintf("admission webhook %q denied the request", webhookName)),
			ContainSubstring(`spec.endDate: Invalid value: "2026-11-25": the campaign started on 2026-11-23; `+
				`after the start the end date may only move to 2026-11-26 or later (now + 24 h, UTC)`),
			ContainSubstring(`spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that `+
				`started on 2026-11-23 and cannot be removed; after the start ThingSpace only allows adding windows`),
		))
		expectUnchanged(fc)
	})

	It("is stored when legal", func() {
		Expect(updateSchedule(fc, legalWhileRunning)).To(Succeed())

		got := stored(fc)
		Expect(got.Spec.EndDate).To(Equal(fotav1alpha1.Date("2026-12-10")))
		Expect(got.Spec.InstallTimeWindowList).To(Equal(windows([2]int32{5, 6}, [2]int32{22, 24})))
		Expect(warnings.take()).To(BeEmpty())
	})

	DescribeTable("as a server-side dry run gets the answer of the real request and changes nothing",
		func(change func(*fotav1alpha1.Schedule), wantRejected bool) {
			dryRunErr := updateSchedule(fc, change, client.DryRunAll)
			expectUnchanged(fc)

			realErr := updateSchedule(fc, change)

			if !wantRejected {
				Expect(dryRunErr).NotTo(HaveOccurred())
				Expect(realErr).NotTo(HaveOccurred())
				Expect(stored(fc).ResourceVersion).NotTo(Equal(fc.ResourceVersion))
				return
			}
			Expect(apierrors.IsInvalid(dryRunErr)).To(BeTrue(), "dry-run error: %v", dryRunErr)
			Expect(realErr).To(HaveOccurred())
			Expect(dryRunErr.Error()).To(Equal(realErr.Error()))
			Expect(causeFields(dryRunErr)).To(Equal(causeFields(realErr)))
			expectUnchanged(fc)
		},
		Entry("an illegal change: rejected both times", illegalWhileRunning, true),
		Entry("a legal change: admitted both times", legalWhileRunning, false),
	)
})

var _ = Describe("An ended campaign", func() {
	var fc *fotav1alpha1.FotaCampaign
	BeforeEach(func() {
		fc = createObserved(endedSchedule(), "CampaignScheduled")
	})

	It("rejects a schedule change", func() {
		err := updateSchedule(fc, func(s *fotav1alpha1.Schedule) { s.EndDate = "2026-12-31" })

		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "error: %v", err)
		Expect(causeFields(err)).To(Equal([]string{"spec.endDate"}))
		Expect(err.Error()).To(ContainSubstring("the campaign ended on 2026-11-10"))
	})

	It("admits a label-only update", func() {
		labelled := stored(fc)
		labelled.Labels = map[string]string{"fleet": "model-a"}

		Expect(k8sClient.Update(ctx, labelled)).To(Succeed())

		Expect(stored(fc).Labels).To(HaveKeyWithValue("fleet", "model-a"))
		Expect(warnings.take()).To(BeEmpty())
	})

	It("admits a change to suspend", func() {
		suspended := stored(fc)
		suspended.Spec.Suspend = new(true)

		Expect(k8sClient.Update(ctx, suspended)).To(Succeed())

		Expect(stored(fc).Spec.Suspend).To(HaveValue(BeTrue()))
	})

	It("never blocks a status update, even one sent with a stale, illegal spec", func() {
		update := stored(fc)
		update.Spec.EndDate = "2026-12-31"
		update.Status.Phase = fotav1alpha1.PhaseEnded
		update.Status.Campaign.Status = "CampaignEnded"

		Expect(k8sClient.Status().Update(ctx, update)).To(Succeed())

		got := stored(fc)
		Expect(got.Status.Phase).To(Equal(fotav1alpha1.PhaseEnded))
		Expect(got.Spec.EndDate).To(Equal(fotav1alpha1.Date("2026-11-10")), "the status subresource must not write the spec")
	})

	It("admits a delete", func() {
		Expect(k8sClient.Delete(ctx, stored(fc))).To(Succeed())

		err := k8sClient.Get(ctx, client.ObjectKeyFromObject(fc), &fotav1alpha1.FotaCampaign{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "error: %v", err)
	})
})

var _ = Describe("A new campaign", func() {
	It("is admitted with a warning when its start date is in the past", func() {
		fc := newCampaign("fc-"+rand.String(8), referenceSchedule())
		fc.Namespace = metav1.NamespaceDefault

		Expect(k8sClient.Create(ctx, fc)).To(Succeed())

		Expect(warnings.take()).To(Equal([]string{
			"startDate 2026-11-23 is in the past: this adopts a running campaign, and the in-progress rules will apply",
		}))
	})

	It("is admitted without a warning when it starts later", func() {
		fc := newCampaign("fc-"+rand.String(8), fotav1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07"})
		fc.Namespace = metav1.NamespaceDefault

		Expect(k8sClient.Create(ctx, fc)).To(Succeed())

		Expect(warnings.take()).To(BeEmpty())
	})
})

var _ = Describe("The manager's metrics", func() {
	It("count each rejected update and each violation by rule", func() {
		fc := createObserved(referenceSchedule(), "CampaignScheduled")
		rejectedBefore := registeredCounter("fota_webhook_admissions_total", "result", resultRejected)
		tooSoonBefore := registeredCounter("fota_webhook_rejections_total", "rule", string(campaign.RuleEndDateTooSoon))
		removedBefore := registeredCounter("fota_webhook_rejections_total", "rule", string(campaign.RuleWindowRemoved))

		Expect(updateSchedule(fc, illegalWhileRunning)).NotTo(Succeed())

		Expect(registeredCounter("fota_webhook_admissions_total", "result", resultRejected)).To(Equal(rejectedBefore + 1))
		Expect(registeredCounter("fota_webhook_rejections_total", "rule", string(campaign.RuleEndDateTooSoon))).To(Equal(tooSoonBefore + 1))
		Expect(registeredCounter("fota_webhook_rejections_total", "rule", string(campaign.RuleWindowRemoved))).To(Equal(removedBefore + 1))
	})
})

// registeredCounter sums the series of a counter in controller-runtime's registry, the one the
// manager serves on /metrics, whose label has the given value.
func registeredCounter(name, label, value string) float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	var sum float64
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
		for _, m := range family.GetMetric() {
			for _, pair := range m.GetLabel() {
				if pair.GetName() == label && pair.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

var _ = Describe("kubectl apply", func() {
	const manifest = `apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: %s
  namespace: default
spec:
  accountName: "0402196254-00001"
  campaignId: 60b5d639-ccdc-4db8-8824-069bd94c95bf
  credentialsSecretRef:
    name: thingspace-credentials
  startDate: "2026-11-23"
  endDate: "%s"
  downloadAfterDate: "2026-11-23"
  downloadTimeWindowList: %s
  installAfterDate: "%s"
  installTimeWindowList:
  - {startTime: 5, endTime: 6}
`
	It("prints every violation of an illegal change with its field and bound, dry run or not", func() {
		// The sample's name, so that the output recorded below can be shown as it is.
		const name = "model-a-02to03"
		file := filepath.Join(GinkgoT().TempDir(), "campaign.yaml")
		admin, err := testEnv.ControlPlane.AddUser(envtest.User{Name: "fleet-admin", Groups: []string{"system:masters"}}, nil)
		Expect(err).NotTo(HaveOccurred())
		kubectl, err := admin.Kubectl()
		Expect(err).NotTo(HaveOccurred())
		apply := func(endDate, downloadWindows, installAfterDate string, flags ...string) (string, error) {
			GinkgoHelper()
			Expect(os.WriteFile(file, fmt.Appendf(nil, manifest, name, endDate, downloadWindows, installAfterDate), 0o600)).To(Succeed())
			stdout, stderr, err := kubectl.Run(append([]string{"apply", "-f", file}, flags...)...)
			Expect(err == nil || isExitError(err)).To(BeTrue(), "running kubectl: %v", err)
			return readAll(stdout) + readAll(stderr), err
		}

		output, err := apply("2026-11-30", "[{startTime: 3, endTime: 4}]", "2026-11-24")
		Expect(err).NotTo(HaveOccurred(), output)
		Expect(output).To(ContainSubstring("Warning: startDate 2026-11-23 is in the past: this adopts a running campaign"))
		fc := stored(&fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault}})
		fc.Status.Applied = fc.Spec.Schedule.DeepCopy()
		fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: fc.Spec.CampaignID, Status: "CampaignScheduled"}
		Expect(k8sClient.Status().Update(ctx, fc)).To(Succeed())

		dryRunOutput, dryRunErr := apply("2026-11-25", "[]", "2026-11-25", "--dry-run=server")
		output, err = apply("2026-11-25", "[]", "2026-11-25")

		AddReportEntry("kubectl apply of an illegal change", output)
		for _, out := range []string{dryRunOutput, output} {
			Expect(out).To(SatisfyAll(
				ContainSubstring(`The FotaCampaign "%s" is invalid`, name),
				ContainSubstring(`* spec.endDate: Invalid value: "2026-11-25": the campaign started on 2026-11-23; `+
					`after the start the end date may only move to 2026-11-26 or later (now + 24 h, UTC)`),
				ContainSubstring(`* spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that `+
					`started on 2026-11-23 and cannot be removed; after the start ThingSpace only allows adding windows`),
				ContainSubstring(`* spec.installAfterDate: Forbidden: installAfterDate cannot change from 2026-11-24 to 2026-11-25: `+
					`the campaign started on 2026-11-23; after the start ThingSpace only allows moving the end date and adding windows`),
			))
		}
		Expect(dryRunErr).To(HaveOccurred())
		Expect(err).To(HaveOccurred())
		expectUnchanged(fc)
	})
})

func isExitError(err error) bool {
	var exitErr interface{ ExitCode() int }
	return errors.As(err, &exitErr)
}

func readAll(r io.Reader) string {
	GinkgoHelper()
	b, err := io.ReadAll(r)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

var _ = Describe("kubectl apply of a campaign the operator schedules", func() {
	const manifest = `apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: %s
  namespace: default
spec:
  accountName: "0402196254-00001"
  software: {name: FOTA_A_02To03, from: FOTA_A_00To01, to: FOTA_A_02To03, distributionType: HTTP}
  devices: %s
  credentialsSecretRef:
    name: thingspace-credentials
  startDate: "2026-12-10"
  endDate: "2026-12-16"
  displayTimeZone: %s
`
	var (
		kubectl interface {
			Run(args ...string) (stdout, stderr io.Reader, err error)
		}
		file string
	)
	BeforeEach(func() {
		admin, err := testEnv.ControlPlane.AddUser(envtest.User{Name: "fleet-admin", Groups: []string{"system:masters"}}, nil)
		Expect(err).NotTo(HaveOccurred())
		kubectl, err = admin.Kubectl()
		Expect(err).NotTo(HaveOccurred())
		file = filepath.Join(GinkgoT().TempDir(), "campaign.yaml")
	})
	apply := func(name, devices, zone string) (string, error) {
		GinkgoHelper()
		Expect(os.WriteFile(file, fmt.Appendf(nil, manifest, name, devices, zone), 0o600)).To(Succeed())
		stdout, stderr, err := kubectl.Run("apply", "-f", file)
		Expect(err == nil || isExitError(err)).To(BeTrue(), "running kubectl: %v", err)
		return readAll(stdout) + readAll(stderr), err
	}

	It("refuses a device change once ThingSpace has scheduled the campaign, naming spec.devices and the status", func() {
		const name = "model-a-wave1"
		output, err := apply(name, `["990013907835573"]`, "UTC")
		Expect(err).NotTo(HaveOccurred(), output)

		By("while ThingSpace has it queued, devices may change")
		fc := stored(&fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault}})
		fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: "scheduled-1", Status: "CampaignRequestQueued"}
		Expect(k8sClient.Status().Update(ctx, fc)).To(Succeed())
		output, err = apply(name, `["990013907835573", "990013907835581"]`, "UTC")
		Expect(err).NotTo(HaveOccurred(), output)

		By("once it is scheduled, they may not")
		fc = stored(fc)
		fc.Status.Campaign.Status = "CampaignScheduled"
		Expect(k8sClient.Status().Update(ctx, fc)).To(Succeed())
		output, err = apply(name, `["990013907835573"]`, "UTC")
		Expect(err).To(HaveOccurred())
		AddReportEntry("kubectl apply of a device change once scheduled", output)
		Expect(output).To(ContainSubstring(`spec.devices: Forbidden: the campaign is CampaignScheduled in ThingSpace: ` +
			`devices can only be added or removed until ThingSpace has scheduled it`))
		Expect(stored(fc).Spec.Devices).To(HaveLen(2), "nothing is stored")
	})

	It("refuses a display time zone that does not exist, naming the field", func() {
		output, err := apply("model-a-wave2", `["990013907835573"]`, "America/Atlantis")
		Expect(err).To(HaveOccurred())
		Expect(output).To(ContainSubstring(`spec.displayTimeZone: Invalid value: "America/Atlantis": ` +
			`must be an IANA time zone name such as America/Chicago, Europe/Berlin or UTC`))
	})
})
