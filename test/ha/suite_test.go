// Package ha runs two replicas of the operator as config/default deploys them — two manager
// processes built from main.go, with leader election and the webhook on, against one
// kube-apiserver and one ThingSpace simulator — and kills the leader with SIGKILL in the middle
// of a bulk edit. Every edit must reach ThingSpace exactly once, the standby must take over
// within the lease duration, and the webhook must keep answering while no replica leads.
//
// Like every suite that needs a kube-apiserver, it skips, naming `make setup-envtest`, when the
// control plane binaries were never built.
package ha

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// Lease timings short enough for a test; the defaults are 15s, 10s and 2s.
const (
	leaseDuration = 4 * time.Second
	renewDeadline = 3 * time.Second
	retryPeriod   = 500 * time.Millisecond
)

// leaseNamespace holds the leader election Lease.
const leaseNamespace = "default"

// The ThingSpace rate limit per account, low enough that the bulk edit takes seconds and the
// kill lands in the middle of it.
const (
	thingSpaceQPS   = 2
	thingSpaceBurst = 2
)

// managerFlags are the flags of both replicas, besides the addresses.
var managerFlags = []string{
	"--leader-elect",
	"--leader-elect-namespace=" + leaseNamespace,
	"--leader-elect-lease-duration=" + leaseDuration.String(),
	"--leader-elect-renew-deadline=" + renewDeadline.String(),
	"--leader-elect-retry-period=" + retryPeriod.String(),
	fmt.Sprintf("--thingspace-qps=%d", thingSpaceQPS),
	fmt.Sprintf("--thingspace-burst=%d", thingSpaceBurst),
}

var (
	ctx    context.Context
	cancel context.CancelFunc

	dir           string
	controlPlane  *harness.ControlPlane
	k8sClient     client.Client
	sim           *simulator.Server
	thingSpaceURL string
	managerBinary string
)

func TestHA(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "Two replicas and a SIGKILL of the leader")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })

	By("building the manager from main.go")
	dir, managerBinary = envtest.BuildManager(ctx, GinkgoTB(), "ha")
	sim, thingSpaceURL = envtest.StartSimulator(GinkgoTB(), simulator.Options{
		StaticTokens: []simulator.TokenPair{harness.Tokens}, Latency: 50 * time.Millisecond,
		Clients: map[string]string{lockoutClientID: lockoutClientSecret}, Users: map[string]string{lockoutUser: "the-right-password"},
	})

	By("starting the control plane with the webhook configuration")
	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Webhooks: true, Dir: dir})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client
})

// replica is one manager process and where it serves the webhook.
type replica struct {
	name        string
	manager     *harness.Manager
	webhookPort int
}

// startReplica starts a manager process that serves the webhook on webhookPort, with the
// control plane's serving certificate, and waits until it is ready: its webhook server runs,
// whether or not it leads.
func startReplica(name string, webhookPort int) *replica {
	GinkgoHelper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(log.Close)
	GinkgoWriter.Printf("%s log: %s\n", name, log.Name())
	_, _, certDir, _ := controlPlane.WebhookServing()
	m, err := harness.StartManager(harness.ManagerOptions{
		Binary: managerBinary, Kubeconfig: controlPlane.Kubeconfig, ThingSpaceURL: thingSpaceURL,
		Webhooks: true, WebhookPort: webhookPort, WebhookCertDir: certDir,
		Flags: managerFlags, Log: log,
	})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		if exited, _ := m.Exited(); !exited {
			Expect(m.Stop(30 * time.Second)).To(Succeed())
		}
	})
	Expect(m.WaitReady(ctx, time.Minute)).To(Succeed())
	return &replica{name: name, manager: m, webhookPort: webhookPort}
}

// leads reports whether the replica holds the Lease, by its own leader election metric.
func (r *replica) leads() bool {
	leading, err := r.manager.Metric(ctx, "leader_election_master_status", map[string]string{"name": manager.LeaderElectionID})
	return err == nil && leading == 1
}

// webhookRequests is how many admission requests the replica's webhook has answered.
func (r *replica) webhookRequests() float64 {
	GinkgoHelper()
	samples, err := r.manager.Metrics(ctx)
	Expect(err).NotTo(HaveOccurred())
	answered, _ := samples.Sum("controller_runtime_webhook_requests_total", nil)
	return answered
}

// pointWebhookAt makes the API server send admission requests to the replica, as the webhook
// Service would once the other replica's pod is gone.
func pointWebhookAt(r *replica) {
	GinkgoHelper()
	var configurations admissionregistrationv1.ValidatingWebhookConfigurationList
	Expect(k8sClient.List(ctx, &configurations)).To(Succeed())
	Expect(configurations.Items).NotTo(BeEmpty())
	for i := range configurations.Items {
		configuration := &configurations.Items[i]
		for j := range configuration.Webhooks {
			hook := &configuration.Webhooks[j]
			Expect(hook.ClientConfig.URL).NotTo(BeNil())
			target, err := url.Parse(*hook.ClientConfig.URL)
			Expect(err).NotTo(HaveOccurred())
			target.Host = target.Hostname() + ":" + strconv.Itoa(r.webhookPort)
			hook.ClientConfig.URL = ptr.To(target.String())
		}
		Expect(k8sClient.Update(ctx, configuration)).To(Succeed())
	}
}
