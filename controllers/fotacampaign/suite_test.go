package fotacampaign_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// The suite runs the operator's real manager (internal/manager.New, webhook off) against a real
// kube-apiserver and the in-process ThingSpace simulator over HTTP on 127.0.0.1. One fake clock
// drives the controller, the ThingSpace client, the simulator and the controller's requeues, so
// polls, phase boundaries and backoffs happen exactly when a test moves the clock, and never on
// their own.

// pollInterval is the production default: on the fake clock a poll costs no real time.
const pollInterval = 10 * time.Minute

var (
	ctx       context.Context
	cancel    context.CancelFunc
	k8sClient client.Client
	// managerCache is the manager's cache, for waiting until it has seen a Secret change.
	managerCache cache.Cache
	clk          *clocktesting.FakeClock
	sim          *simulator.Server
	queue        *envtest.FakeClockQueue
	// logs is everything the manager logged, at every verbosity.
	logs = &syncBuffer{}
)

func TestControllers(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "FotaCampaign controller")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(logs, GinkgoWriter)), zap.Level(zapcore.Level(-10))))
	ctx, cancel = context.WithCancel(context.Background())

	controlPlane := envtest.Start(GinkgoTB(), envtest.Options{})
	// Cleanups run after AfterSuite, which cancels the manager first.
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client

	clk = clocktesting.NewFakeClock(time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC))
	sim = simulator.New(simulator.Options{
		Clock:        clk.Now,
		StaticTokens: []simulator.TokenPair{tokensA, tokensB},
		Clients:      map[string]string{suiteClientID: suiteClientSecret},
		Users:        suiteUsers(),
	})
	thingSpaceURL, err := sim.Start("127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())

	queue = envtest.NewFakeClockQueue(clk)
	restConfig = controlPlane.Config
	thingSpaceBaseURL = thingSpaceURL
	startManager(nil)
})

var (
	restConfig        *rest.Config
	thingSpaceBaseURL string
	// stopManager stops the running manager and waits until it has stopped.
	stopManager func()
)

// startManager runs the operator's real manager (webhook off) on the fake clock, with its client
// made by newClient when that is set.
func startManager(newClient client.NewClientFunc) {
	opts := manager.DefaultOptions()
	opts.MetricsBindAddress = "0"
	opts.HealthProbeBindAddress = "0"
	opts.EnableWebhooks = false
	opts.ThingSpace = thingspace.Options{BaseURL: thingSpaceBaseURL, Timeout: 10 * time.Second, QPS: 1000, Burst: 1000}
	opts.PollInterval = pollInterval
	opts.Clock = clk
	opts.NewClient = newClient
	opts.SkipNameValidation = true
	opts.NewQueue = queue.NewQueue
	mgr, err := manager.New(restConfig, opts)
	Expect(err).NotTo(HaveOccurred())
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

// restartManager stops the manager as a crash would, forgetting everything it kept in memory, and
// starts a new one.
func restartManager(newClient client.NewClientFunc) {
	stopManager()
	startManager(newClient)
}

var _ = AfterSuite(func() {
	expectNoSecretShown()
	cancel()
	if sim != nil {
		Expect(sim.Close()).To(Succeed())
	}
})

// advance moves the fake clock and hands the controller every requeue that has come due.
// It first waits until the manager's cache holds every FotaCampaign as the API server does: on
// the real clock minutes pass between a write and the next poll, time enough for the watch to
// bring the write in, while the fake clock jumps there in microseconds.
func advance(d time.Duration) {
	GinkgoHelper()
	expectCacheCaughtUp()
	clk.Step(d)
	queue.ReleaseDue()
}

// expectCacheCaughtUp waits until the manager's cache holds every FotaCampaign at the
// resourceVersion the API server holds.
func expectCacheCaughtUp() {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var live, cached fotav1alpha1.FotaCampaignList
		g.Expect(k8sClient.List(ctx, &live)).To(Succeed())
		g.Expect(managerCache.List(ctx, &cached)).To(Succeed())
		seen := map[types.UID]string{}
		for _, fc := range cached.Items {
			seen[fc.UID] = fc.ResourceVersion
		}
		for _, fc := range live.Items {
			g.Expect(seen).To(HaveKeyWithValue(fc.UID, fc.ResourceVersion), "the cache behind %s/%s", fc.Namespace, fc.Name)
		}
	}).Should(Succeed())
}

// syncBuffer is a buffer that the logger's goroutines can write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
