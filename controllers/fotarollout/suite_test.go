package fotarollout_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/controllers/fotarollout"
	"github.com/fota-operator/fota-operator/internal/scheme"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// The suite runs the rollout controller alone in a manager against a real kube-apiserver. The
// FotaCampaign controller does not run: a test plays its part by writing the wave campaigns'
// status through the status subresource. A fake clock drives the controller and its requeues,
// so soak times and release windows pass exactly when a test moves the clock.

var (
	ctx          context.Context
	cancel       context.CancelFunc
	k8sClient    client.Client
	managerCache cache.Cache
	clk          *clocktesting.FakeClock
	queue        *envtest.FakeClockQueue
)

func TestFotaRollout(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	// Writing a wave of three campaigns of 10 000 devices takes the API server a few seconds.
	SetDefaultEventuallyTimeout(20 * time.Second)
	SetDefaultEventuallyPollingInterval(50 * time.Millisecond)
	SetDefaultConsistentlyPollingInterval(50 * time.Millisecond)
	RunSpecs(t, "FotaRollout controller")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	controlPlane := envtest.Start(GinkgoTB(), envtest.Options{})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client

	// A Monday, 10:00 UTC.
	clk = clocktesting.NewFakeClock(time.Date(2026, time.December, 7, 10, 0, 0, 0, time.UTC))
	queue = envtest.NewFakeClockQueue(clk)
	restConfig = controlPlane.Config
	startManager()
	// Cleanups run last in, first out: the manager stops before the control plane.
	DeferCleanup(func() {
		stopManager()
		cancel()
	})
})

var (
	restConfig *rest.Config
	// stopManager stops the running manager and waits until it has stopped.
	stopManager func()
)

// startManager runs a manager with the rollout controller alone, on the fake clock.
func startManager() {
	GinkgoHelper()
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                 scheme.New(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	Expect(err).NotTo(HaveOccurred())
	reconciler := &fotarollout.Reconciler{Clock: clk}
	Expect(reconciler.SetupWithManager(mgr, controller.Options{
		MaxConcurrentReconciles: 4,
		NewQueue:                queue.NewQueue,
		SkipNameValidation:      ptr.To(true),
	})).To(Succeed())
	managerCache = mgr.GetCache()
	managerCtx, cancelManager := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(stopped)
		Expect(mgr.Start(managerCtx)).To(Succeed())
	}()
	Expect(mgr.GetCache().WaitForCacheSync(ctx)).To(BeTrue())
	stopManager = func() {
		cancelManager()
		<-stopped
	}
}

// advance moves the fake clock and hands the controller every requeue that has come due. It
// first waits until the manager's cache holds the namespace's rollouts and campaigns as the API
// server does, so that the reconcile the clock releases sees every write before it.
func advance(namespace string, d time.Duration) {
	GinkgoHelper()
	expectCacheCaughtUp(namespace)
	clk.Step(d)
	queue.ReleaseDue()
}

func expectCacheCaughtUp(namespace string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var live, cached fotav1alpha1.FotaCampaignList
		g.Expect(k8sClient.List(ctx, &live, client.InNamespace(namespace))).To(Succeed())
		g.Expect(managerCache.List(ctx, &cached, client.InNamespace(namespace))).To(Succeed())
		g.Expect(versions(cached.Items)).To(Equal(versions(live.Items)))
		var liveRollouts, cachedRollouts fotav1alpha1.FotaRolloutList
		g.Expect(k8sClient.List(ctx, &liveRollouts, client.InNamespace(namespace))).To(Succeed())
		g.Expect(managerCache.List(ctx, &cachedRollouts, client.InNamespace(namespace))).To(Succeed())
		g.Expect(rolloutVersions(cachedRollouts.Items)).To(Equal(rolloutVersions(liveRollouts.Items)))
	}).Should(Succeed())
}

func versions(campaigns []fotav1alpha1.FotaCampaign) map[types.UID]string {
	seen := map[types.UID]string{}
	for _, fc := range campaigns {
		seen[fc.UID] = fc.ResourceVersion
	}
	return seen
}

func rolloutVersions(rollouts []fotav1alpha1.FotaRollout) map[types.UID]string {
	seen := map[types.UID]string{}
	for _, fr := range rollouts {
		seen[fr.UID] = fr.ResourceVersion
	}
	return seen
}
