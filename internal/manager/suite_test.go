package manager_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// The suite runs the manager of New, webhook off, against a real kube-apiserver and the
// ThingSpace simulator, and looks at what New configured from the outside: what the cache holds,
// and what a reconcile that runs too long gets.

// Every ThingSpace call takes simulatorLatency, under the ThingSpace timeout, but a reconcile
// that reads a campaign and then pushes its schedule makes two calls, which take longer than
// reconcileTimeout.
const (
	simulatorLatency  = 1500 * time.Millisecond
	thingSpaceTimeout = 2 * time.Second
	reconcileTimeout  = 2500 * time.Millisecond
)

var (
	ctx       context.Context
	cancel    context.CancelFunc
	k8sClient client.Client
	mgr       ctrl.Manager
	sim       *simulator.Server
)

func TestManager(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "Manager")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(GinkgoWriter)))
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })

	controlPlane := envtest.Start(GinkgoTB(), envtest.Options{})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client

	sim = simulator.New(simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens}, Latency: simulatorLatency})
	thingSpaceURL, err := sim.Start("127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(sim.Close)

	opts := manager.DefaultOptions()
	opts.MetricsBindAddress = "0"
	opts.HealthProbeBindAddress = "0"
	opts.EnableWebhooks = false
	opts.ThingSpace = thingspace.Options{BaseURL: thingSpaceURL, Timeout: thingSpaceTimeout, QPS: 100, Burst: 100}
	opts.ReconcileTimeout = reconcileTimeout
	mgr, err = manager.New(controlPlane.Config, opts)
	Expect(err).NotTo(HaveOccurred())
	stopped := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(stopped)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	DeferCleanup(func() {
		cancel()
		<-stopped
	})
	Expect(mgr.GetCache().WaitForCacheSync(ctx)).To(BeTrue())
})
