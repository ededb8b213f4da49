package v1alpha1

import (
	"context"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crenvtest "sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// These specs run the webhook as a user meets it: a real kube-apiserver, with the CRD and the
// ValidatingWebhookConfiguration of config/, calls the manager's webhook server over TLS.

// suiteNow is the manager's clock: the reference campaign is in progress, started on 2026-11-23.
const suiteNow = running

var (
	controlPlane *harness.ControlPlane
	// testEnv is the control plane's envtest environment, for adding users.
	testEnv   *crenvtest.Environment
	k8sClient client.Client
	warnings  *warningRecorder
	ctx       context.Context
	cancel    context.CancelFunc
	// managerStopped is closed once the manager has returned, so that the serving certificate is
	// removed only after the webhook server stopped watching it.
	managerStopped chan struct{}
)

func TestWebhookAgainstAPIServer(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "FotaCampaign admission webhook")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Webhooks: true})
	// Cleanups run after AfterSuite, which waits until the manager has stopped.
	DeferCleanup(controlPlane.Stop)
	testEnv = controlPlane.Environment

	clientConfig := rest.CopyConfig(controlPlane.Config)
	warnings = &warningRecorder{}
	clientConfig.WarningHandler = warnings
	var err error
	k8sClient, err = client.New(clientConfig, client.Options{Scheme: controlPlane.Client.Scheme()})
	Expect(err).NotTo(HaveOccurred())

	startManager(controlPlane.Config, controlPlane.Client.Scheme())
})

// startManager runs a manager with nothing but the webhook, on the address and certificate that
// envtest wrote into the webhook configuration, and waits until it serves TLS.
func startManager(cfg *rest.Config, scheme *runtime.Scheme) {
	host, port, certDir, _ := controlPlane.WebhookServing()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:         scheme,
		WebhookServer:  webhook.NewServer(webhook.Options{Host: host, Port: port, CertDir: certDir}),
		Metrics:        metricsserver.Options{BindAddress: "0"},
		LeaderElection: false,
	})
	Expect(err).NotTo(HaveOccurred())
	clk := clocktesting.NewFakePassiveClock(at(GinkgoT(), suiteNow))
	Expect(SetupFotaCampaignWebhookWithManager(mgr, clk)).To(Succeed())
	Expect(SetupFotaRolloutWebhookWithManager(mgr)).To(Succeed())

	managerStopped = make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(managerStopped)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	Eventually(func() error {
		return mgr.GetWebhookServer().StartedChecker()(nil)
	}).WithTimeout(30 * time.Second).Should(Succeed())
}

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if managerStopped != nil {
		Eventually(managerStopped).WithTimeout(time.Minute).Should(BeClosed())
	}
})

// warningRecorder keeps the warnings the API server sends back, as kubectl would print them.
type warningRecorder struct {
	mu       sync.Mutex
	messages []string
}

func (r *warningRecorder) HandleWarningHeader(_ int, _ string, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, message)
}

// take returns the warnings received since the last call.
func (r *warningRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	messages := r.messages
	r.messages = nil
	return messages
}
