package namespaced

import (
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

var _ = Describe("The operator deployed with config/namespaced", Ordered, func() {
	var watched, unwatched *harness.Fleet

	BeforeAll(func() {
		watched = harness.NewFleet(harness.FleetOptions{
			Namespace: watchedNamespaces[0], Size: 2, AccountPrefix: "0402196254", Today: time.Now(),
		})
		unwatched = harness.NewFleet(harness.FleetOptions{
			Namespace: unwatchedNamespace, Size: 1, AccountPrefix: "0402199999", Today: time.Now(),
		})
		watched.Seed(sim)
		unwatched.Seed(sim)

		By("creating a campaign and its Secret in a namespace the operator does not watch, first")
		fc := unwatched.FotaCampaign(0)
		Expect(adminClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: fc.Spec.CredentialsSecretRef.Name, Namespace: unwatchedNamespace},
			StringData: map[string]string{
				thingspace.SecretKeyAccessToken:  otherTokens.AccessToken,
				thingspace.SecretKeySessionToken: otherTokens.SessionToken,
			},
		})).To(Succeed())
		Expect(adminClient.Create(ctx, fc)).To(Succeed())

		By("creating campaigns and their Secret in a watched namespace")
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: fc.Spec.CredentialsSecretRef.Name, Namespace: watched.Namespace},
			StringData: map[string]string{
				thingspace.SecretKeyAccessToken:  harness.Tokens.AccessToken,
				thingspace.SecretKeySessionToken: harness.Tokens.SessionToken,
			},
		}
		Expect(adminClient.Create(ctx, secret)).To(Succeed())
		Expect(watched.CreateCampaigns(ctx, adminClient, 2)).To(Succeed())

		manager, _ := startManager("manager", watchedNamespaces)
		Expect(manager.WaitReady(ctx, time.Minute)).To(Succeed())
	})

	It("syncs the campaigns of a watched namespace", func() {
		for i := range watched.Campaigns {
			Eventually(func(g Gomega) {
				fc := &fotav1alpha1.FotaCampaign{}
				g.Expect(adminClient.Get(ctx, watched.Key(i), fc)).To(Succeed())
				g.Expect(harness.Converged(fc)).To(BeTrue(), "status: %+v", fc.Status)
			}).WithTimeout(time.Minute).WithPolling(250 * time.Millisecond).Should(Succeed())
		}
	})

	It("never reconciles a campaign of another namespace, nor reads its Secret", func() {
		// The watched campaigns, created after this one, have synced: had the operator seen
		// this one, it would have read it by now.
		Consistently(func(g Gomega) {
			fc := &fotav1alpha1.FotaCampaign{}
			g.Expect(adminClient.Get(ctx, unwatched.Key(0), fc)).To(Succeed())
			g.Expect(fc.Status).To(Equal(fotav1alpha1.FotaCampaignStatus{}))
		}).WithTimeout(3 * time.Second).WithPolling(250 * time.Millisecond).Should(Succeed())
		for _, request := range sim.Requests() {
			Expect(request.Account).NotTo(Equal(unwatched.Campaigns[0].AccountName), "ThingSpace was called for the unwatched campaign")
			Expect(request.AccessToken).NotTo(Equal(otherTokens.AccessToken), "ThingSpace was called with the unwatched Secret's token")
		}
	})

	It("may not read Secrets outside the watched namespaces", func() {
		secret := &corev1.Secret{}
		err := operatorClient.Get(ctx, client.ObjectKey{Namespace: unwatchedNamespace, Name: "thingspace-credentials"}, secret)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "reading the unwatched Secret: %v", err)
		err = operatorClient.List(ctx, &corev1.SecretList{})
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "listing every Secret of the cluster: %v", err)
	})

	It("may write a FotaCampaign's status and metadata and create wave campaigns, but never replace or delete one", func() {
		tests := map[string]struct {
			access  authorizationv1.ResourceAttributes
			allowed bool
		}{
			"patch, for the finalizer and the campaign-id annotation": {
				access: campaignAccess(watched.Namespace, "patch", ""), allowed: true,
			},
			"patch of the status":                    {access: campaignAccess(watched.Namespace, "patch", "status"), allowed: true},
			"update of the status":                   {access: campaignAccess(watched.Namespace, "update", "status"), allowed: true},
			"update of finalizers":                   {access: campaignAccess(watched.Namespace, "update", "finalizers"), allowed: true},
			"update, which replaces the spec":        {access: campaignAccess(watched.Namespace, "update", "")},
			"create, for the waves of a FotaRollout": {access: campaignAccess(watched.Namespace, "create", ""), allowed: true},
			"delete":                                 {access: campaignAccess(watched.Namespace, "delete", "")},
			"deletecollection":                       {access: campaignAccess(watched.Namespace, "deletecollection", "")},
			"patch outside the watched namespaces":   {access: campaignAccess(unwatchedNamespace, "patch", "")},
			"reading a ConfigMap that holds a fleet": {
				access: authorizationv1.ResourceAttributes{Namespace: watched.Namespace, Resource: "configmaps", Verb: "get"}, allowed: true,
			},
			"a ConfigMap's change": {
				access: authorizationv1.ResourceAttributes{Namespace: watched.Namespace, Resource: "configmaps", Verb: "update"},
			},
			"a Secret's change": {
				access: authorizationv1.ResourceAttributes{Namespace: watched.Namespace, Resource: "secrets", Verb: "update"},
			},
		}
		for name, tt := range tests {
			review := &authorizationv1.SelfSubjectAccessReview{
				Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &tt.access},
			}
			Expect(operatorClient.Create(ctx, review)).To(Succeed())
			Expect(review.Status.Allowed).To(Equal(tt.allowed), "%s: allowed %v, want %v", name, review.Status.Allowed, tt.allowed)
		}
	})
})

func campaignAccess(namespace, verb, subresource string) authorizationv1.ResourceAttributes {
	return authorizationv1.ResourceAttributes{
		Namespace: namespace, Group: fotav1alpha1.GroupVersion.Group, Resource: "fotacampaigns",
		Subresource: subresource, Verb: verb,
	}
}

var _ = Describe("A watched namespace that the RBAC does not cover", func() {
	It("stops the manager at start with an error naming the namespace and the missing access", func() {
		manager, log := startManager("uncovered", []string{watchedNamespaces[0], unwatchedNamespace})
		Eventually(func() bool { exited, _ := manager.Exited(); return exited }).
			WithTimeout(30*time.Second).Should(BeTrue(), "the manager kept running without access to %s", unwatchedNamespace)
		_, err := manager.Exited()
		Expect(err).To(HaveOccurred(), "the manager exited with status 0")
		output, err := os.ReadFile(log.Name())
		Expect(err).NotTo(HaveOccurred())
		Expect(string(output)).To(ContainSubstring(`may not list, watch, patch, create fotacampaigns; patch fotacampaigns/status; list, watch, patch fotarollouts; patch fotarollouts/status; get, list, watch secrets; get, list, watch configmaps; create events in namespace \"unwatched\" of --watch-namespaces`))
		Expect(string(output)).NotTo(ContainSubstring(`namespace \"` + watchedNamespaces[0] + `\"`))
	})
})
