package v1alpha1

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// These specs run the webhook as a user meets it: a real kube-apiserver, with the CRD and the
// ValidatingWebhookConfiguration of config/, calls the manager's webhook server over TLS.

// suiteNow is the manager's clock: the reference campaign is in progress, started on 2026-11-23.
const suiteNow = running

var (
	testEnv   *envtest.Environment
	k8sClient client.Client
	warnings  *warningRecorder
	ctx       context.Context
	cancel    context.CancelFunc
	// managerStopped is closed once the manager has returned, so that the serving certificate is
	// removed only after the webhook server stopped watching it.
	managerStopped chan struct{}
)

func TestWebhookAgainstAPIServer(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "FotaCampaign admission webhook")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(fotav1alpha1.AddToScheme(scheme)).To(Succeed())

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			Paths: []string{filepath.Join("..", "..", "..", "config", "webhook")},
		},
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())

	clientConfig := rest.CopyConfig(cfg)
	warnings = &warningRecorder{}
	clientConfig.WarningHandler = warnings
	k8sClient, err = client.New(clientConfig, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	startManager(cfg, scheme)
})

// startManager runs a manager with nothing but the webhook, on the address and certificate that
// envtest wrote into the webhook configuration, and waits until it serves TLS.
func startManager(cfg *rest.Config, scheme *runtime.Scheme) {
	install := testEnv.WebhookInstallOptions
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host:    install.LocalServingHost,
			Port:    install.LocalServingPort,
			CertDir: install.LocalServingCertDir,
		}),
		Metrics:        metricsserver.Options{BindAddress: "0"},
		LeaderElection: false,
	})
	Expect(err).NotTo(HaveOccurred())
	clk := clocktesting.NewFakePassiveClock(at(GinkgoT(), suiteNow))
	Expect(SetupFotaCampaignWebhookWithManager(mgr, clk)).To(Succeed())

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
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
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
