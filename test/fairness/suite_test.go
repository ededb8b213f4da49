// Package fairness runs the operator as a process against a busy ThingSpace account and a quiet
// one: the busy account's rate limit must never hold the workers the quiet account's campaigns
// need.
//
// Like every suite that starts a control plane, it skips with a message when the binaries were
// never built (test/envtest).
package fairness

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

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

func TestFairness(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "A busy account and a quiet one")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })

	By("building the manager from main.go")
	dir, managerBinary = envtest.BuildManager(ctx, GinkgoTB(), "fairness")
	sim, thingSpaceURL = envtest.StartSimulator(GinkgoTB(), simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens}})

	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Dir: dir})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client
})
