package manager_test

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

var _ = Describe("The manager's cache", func() {
	It("holds a Secret as its name, namespace, uid and resourceVersion only", func() {
		namespace := createNamespace("cached-secret")
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name:      "thingspace-credentials",
				Namespace: namespace,
				Labels:    map[string]string{"team": "fleet-a"},
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "6c1f7e0a-8a43-4a37-9a57-2d0e4c3b1f11",
				}},
			},
			StringData: map[string]string{
				thingspace.SecretKeyAccessToken:  harness.Tokens.AccessToken,
				thingspace.SecretKeySessionToken: harness.Tokens.SessionToken,
			},
		}
		// What `kubectl apply` records: the whole Secret, tokens included.
		lastApplied, err := json.Marshal(secret)
		Expect(err).NotTo(HaveOccurred())
		secret.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: string(lastApplied)}
		Expect(k8sClient.Create(ctx, secret)).To(Succeed())
		Expect(secret.ManagedFields).NotTo(BeEmpty(), "the API server records managedFields, which the cache must drop")

		cached := &metav1.PartialObjectMetadata{}
		cached.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
		Eventually(func() error { return mgr.GetCache().Get(ctx, client.ObjectKeyFromObject(secret), cached) }).
			WithTimeout(10 * time.Second).Should(Succeed())
		Expect(cached.ObjectMeta).To(Equal(metav1.ObjectMeta{
			Name:            secret.Name,
			Namespace:       secret.Namespace,
			UID:             secret.UID,
			ResourceVersion: secret.ResourceVersion,
		}))
	})

	It("holds FotaCampaigns without their managedFields", func() {
		namespace := createNamespace("cached-campaign")
		fleet := harness.NewFleet(harness.FleetOptions{Namespace: namespace, Size: 1, AccountPrefix: "0402196254", Today: time.Now()})
		fc := fleet.FotaCampaign(0)
		fc.Spec.Suspend = ptr.To(true)
		Expect(k8sClient.Create(ctx, fc)).To(Succeed())
		Expect(fc.ManagedFields).NotTo(BeEmpty())

		cached := &fotav1alpha1.FotaCampaign{}
		Eventually(func() error { return mgr.GetCache().Get(ctx, client.ObjectKeyFromObject(fc), cached) }).
			WithTimeout(10 * time.Second).Should(Succeed())
		Expect(cached.UID).To(Equal(fc.UID))
		Expect(cached.ManagedFields).To(BeEmpty())
	})
})

// createNamespace creates a namespace of its own for a test and returns its name.
func createNamespace(prefix string) string {
	GinkgoHelper()
	namespace := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	Expect(k8sClient.Create(ctx, namespace)).To(Succeed())
	return namespace.Name
}
