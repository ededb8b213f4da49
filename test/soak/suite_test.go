// Package soak runs the operator as it runs in a cluster — the manager binary built from main.go,
// as a process of its own, against a local kube-apiserver — while the ThingSpace simulator
// misbehaves: a fleet of campaigns converges through injected 503s and 429s, slow replies, two
// rounds of edits and a SIGKILL of the manager; and malformed replies (invalid JSON, a 10 MiB body,
// HTML pages, wrong field types, empty bodies) each end in a clear condition, without a crash and
// without a partial status.
//
// `go test ./test/soak/...` (part of `make test`) soaks 50 campaigns; `make soak` runs the same
// suite with -soak-campaigns=300. It skips, naming `make setup-envtest`, when the control plane
// binaries were never built. Its specs share one simulator and one manager and run one after
// another.
package soak

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

var (
	soakCampaigns = flag.Int("soak-campaigns", 50, "how many campaigns the soak manages (make soak: 300)")
	soakAccounts  = flag.Int("soak-accounts", 5, "how many ThingSpace accounts the soak's campaigns are spread over")
)

// The manager's ThingSpace rate limit, low enough that the soak's fleet presses against it.
const (
	thingSpaceQPS   = 5
	thingSpaceBurst = 5
)

// simulatorLatency is added to every ThingSpace reply.
const simulatorLatency = 200 * time.Millisecond

// managerFlags are the flags of every manager the suite starts, besides the addresses.
var managerFlags = []string{
	fmt.Sprintf("--thingspace-qps=%d", thingSpaceQPS),
	fmt.Sprintf("--thingspace-burst=%d", thingSpaceBurst),
	"--max-concurrent-reconciles=8",
	// Long enough that polls do not crowd out the soak's edits, short enough that a larger
	// soak sees some.
	"--poll-interval=45s",
}

var (
	ctx    context.Context
	cancel context.CancelFunc

	controlPlane *harness.ControlPlane
	k8sClient    client.Client
	sim          *simulator.Server
	// emptyReplies answers with an empty 200 for the campaigns it is told about.
	emptyReplies  *emptyReplyServer
	thingSpaceURL string

	managerBinary string
	managerLog    *os.File
	// manager is the running manager; the soak replaces it when it kills one.
	manager *harness.Manager
)

func TestSoak(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "Soak and malformed ThingSpace replies")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })

	By("building the manager from main.go")
	var dir string
	dir, managerBinary = envtest.BuildManager(ctx, GinkgoTB(), "soak")

	startThingSpace()

	By("starting the control plane")
	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Dir: dir})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client

	var err error
	managerLog, err = os.Create(filepath.Join(dir, "manager.log"))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(managerLog.Close)
	GinkgoWriter.Printf("manager log: %s\n", managerLog.Name())
	startManager()
})

// startThingSpace serves the simulator, behind the server of empty replies, on a loopback port.
func startThingSpace() {
	sim = simulator.New(simulator.Options{
		StaticTokens: []simulator.TokenPair{harness.Tokens},
		Latency:      simulatorLatency,
		RandSeed:     7,
	})
	emptyReplies = newEmptyReplyServer(sim)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	server := &http.Server{Handler: emptyReplies, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer GinkgoRecover()
		if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
			Fail("the ThingSpace simulator stopped: " + err.Error())
		}
	}()
	DeferCleanup(server.Close)
	thingSpaceURL = "http://" + listener.Addr().String()
}

// The manager still running at the end must stop cleanly on SIGTERM, before the control plane
// goes away.
var _ = AfterSuite(func() {
	if manager == nil {
		return
	}
	if exited, _ := manager.Exited(); !exited {
		Expect(manager.Stop(30 * time.Second)).To(Succeed())
	}
})

// startManager starts a manager process, the suite's current one, and waits until it is ready.
func startManager() {
	By("starting the manager")
	var err error
	manager, err = harness.StartManager(harness.ManagerOptions{
		Binary: managerBinary, Kubeconfig: controlPlane.Kubeconfig, ThingSpaceURL: thingSpaceURL,
		Flags: managerFlags, Log: managerLog,
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(manager.WaitReady(ctx, time.Minute)).To(Succeed())
}

// expectManagerRunning fails when the manager process has ended, e.g. after a panic.
func expectManagerRunning() {
	GinkgoHelper()
	exited, err := manager.Exited()
	Expect(exited).To(BeFalse(), "the manager exited (%v); its log is %s", err, managerLog.Name())
}
