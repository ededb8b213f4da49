package ha

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// The credentials of the lockout spec: a client the simulator knows, and a user whose password
// every Secret of the spec has wrong.
const (
	lockoutClientID     = "ha-client"
	lockoutClientSecret = "ha-client-secret-4d1e"
	lockoutUser         = "ha-user"
)

var _ = Describe("One wrong password copied into three namespaces when the leader changes", Ordered, func() {
	const copies = 3
	var (
		leader, standby *replica
		fleets          []*harness.Fleet
		failedBefore    int
	)
	failedLogins := func() int { return sim.FailedLogins() - failedBefore }

	BeforeAll(func() {
		failedBefore = sim.FailedLogins()
		_, envtestPort, _, _ := controlPlane.WebhookServing()
		leader = startReplica("lockout-leader", envtestPort)
		Eventually(leader.leads).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(BeTrue())
		ports, err := harness.FreePorts(1)
		Expect(err).NotTo(HaveOccurred())
		standby = startReplica("lockout-standby", ports[0])
		pointWebhookAt(leader)
	})

	It("costs one failed login while the first replica leads", func() {
		for i := range copies {
			fleet := harness.NewFleet(harness.FleetOptions{
				Namespace: fmt.Sprintf("lockout-%d", i), Size: 1, AccountPrefix: "0402196299", Today: time.Now(),
			})
			fleet.Seed(sim)
			Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
			// The fleet's Secret carries static tokens; this one mints them, with a wrong password.
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: fleet.Namespace, Name: fleet.FotaCampaign(0).Spec.CredentialsSecretRef.Name}, secret)).To(Succeed())
			secret.Data = nil
			secret.StringData = map[string]string{
				thingspace.SecretKeyClientID: lockoutClientID, thingspace.SecretKeyClientSecret: lockoutClientSecret,
				thingspace.SecretKeyUsername: lockoutUser, thingspace.SecretKeyPassword: "a-wrong-password",
			}
			Expect(k8sClient.Update(ctx, secret)).To(Succeed())
			Expect(fleet.CreateCampaigns(ctx, k8sClient, 1)).To(Succeed())
			fleets = append(fleets, fleet)
		}
		for _, fleet := range fleets {
			Eventually(func(g Gomega) {
				fc := &fotav1alpha1.FotaCampaign{}
				g.Expect(k8sClient.Get(ctx, fleet.Key(0), fc)).To(Succeed())
				g.Expect(fc.Annotations).To(HaveKey(fotav1alpha1.AnnotationRejectedCredentials))
				g.Expect(fc.Status.Conditions).To(ContainElement(And(
					HaveField("Type", fotav1alpha1.ConditionSynced), HaveField("Reason", fotav1alpha1.ReasonCredentialsRejected))))
			}).WithTimeout(30 * time.Second).Should(Succeed())
		}
		Expect(failedLogins()).To(Equal(1))
	})

	It("costs none more after the leader is killed and the standby takes over", func() {
		Expect(leader.manager.Kill()).To(Succeed())
		Eventually(standby.leads).WithTimeout(leaseDuration + 4*retryPeriod).WithPolling(50 * time.Millisecond).Should(BeTrue())
		// The new leader reconciles every FotaCampaign when its caches have synced.
		Consistently(failedLogins).WithTimeout(10 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(1))
	})
})
