// Package rollout runs FotaRollouts through the operator's whole manager, both controllers of it,
// against a real kube-apiserver and the ThingSpace simulator, on the real clock with short
// intervals: the rollout controller writes the wave campaigns, the FotaCampaign controller
// schedules them in ThingSpace, and the simulator upgrades their devices when a test tells it to. It checks what a user
// sees at both ends: the rollout's phase, and the requests ThingSpace received (one POST per wave
// campaign, one DELETE per live campaign on abort), for fleets from a few devices to a million
// read from ConfigMaps written by server-side apply.
//
// Like every suite that needs a kube-apiserver, it skips, naming `make setup-envtest`, when the
// control plane binaries were never built.
package rollout

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

const (
	account    = "0402196254-00001"
	secretName = "thingspace-credentials"
)

var (
	ctx       context.Context
	k8sClient client.Client
	sim       *simulator.Server
)

func TestRollout(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "FotaRollout through the whole manager")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(GinkgoWriter)))
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(context.Background())

	controlPlane := envtest.Start(GinkgoTB(), envtest.Options{})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client

	// ThingSpace accepts a campaign after a second; its devices upgrade when a test says so.
	var thingSpaceURL string
	sim, thingSpaceURL = envtest.StartSimulator(GinkgoTB(), simulator.Options{
		StaticTokens: []simulator.TokenPair{harness.Tokens},
		AcceptDelay:  time.Second,
	})

	opts := manager.DefaultOptions()
	opts.MetricsBindAddress = "0"
	opts.HealthProbeBindAddress = "0"
	opts.EnableWebhooks = false
	opts.ThingSpace = thingspace.Options{BaseURL: thingSpaceURL, Timeout: 10 * time.Second, QPS: 1000, Burst: 1000}
	opts.PollInterval = time.Second
	opts.ProgressInterval = time.Second
	opts.PendingPollInterval = time.Second
	mgr, err := manager.New(controlPlane.Config, opts)
	Expect(err).NotTo(HaveOccurred())
	stopped := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(stopped)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	// Cleanups run last in, first out: the manager stops before the control plane.
	DeferCleanup(func() {
		cancel()
		<-stopped
	})
})

// newNamespace creates a namespace with the Secret of the simulator's tokens.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rollout-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	Expect(k8sClient.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName, Namespace: ns.Name},
		StringData: map[string]string{
			thingspace.SecretKeyAccessToken:  harness.Tokens.AccessToken,
			thingspace.SecretKeySessionToken: harness.Tokens.SessionToken,
		},
	})).To(Succeed())
	return ns.Name
}
