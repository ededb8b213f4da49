package manager_test

import (
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
)

var _ = Describe("A reconcile", func() {
	It("is cut off after --reconcile-timeout", func() {
		fleet := harness.NewFleet(harness.FleetOptions{Namespace: "slow-thingspace", Size: 1, AccountPrefix: "0402196254", Today: time.Now()})
		fleet.Seed(sim)
		Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
		timeoutsBefore := reconcileTimeouts()

		By("asking for a schedule ThingSpace does not hold: a read, then a push, each slower than half the timeout")
		fc := fleet.FotaCampaign(0)
		fc.Spec.InstallTimeWindowList = append(slices.Clone(fc.Spec.InstallTimeWindowList), fotav1alpha1.TimeWindow{StartTime: 7, EndTime: 8})
		Expect(k8sClient.Create(ctx, fc)).To(Succeed())

		Eventually(reconcileTimeouts).WithTimeout(20 * time.Second).Should(BeNumerically(">", timeoutsBefore))
	})
})

// controllerName is the FotaCampaign controller's name in controller-runtime's metrics.
const controllerName = "fotacampaign"

// reconcileTimeouts reads controller-runtime's count of the FotaCampaign reconciles that ran
// out of time.
func reconcileTimeouts() float64 {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, family := range families {
		if family.GetName() != "controller_runtime_reconcile_timeouts_total" {
			continue
		}
		for _, metric := range family.GetMetric() {
			if hasLabel(metric, "controller", controllerName) {
				return metric.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func hasLabel(metric *dto.Metric, name, value string) bool {
	for _, label := range metric.GetLabel() {
		if label.GetName() == name && label.GetValue() == value {
			return true
		}
	}
	return false
}
