// Package envtest starts the control plane that the operator's test suites run against, a real
// kube-apiserver and etcd with the FotaCampaign CRD and, when asked, the validating webhook
// configuration of config/webhook with its serving certificate, and finds its binaries. A test
// run with nothing set, as an editor's test button runs it, finds the binaries that `make
// setup-envtest` built, and skips with that command named when they were never built.
//
// It is the testing face of hack/harness, which owns the binary lookup, the CRD path and the
// envtest defaults for `make dev`, `make bench` and the tests alike.
//
// The suites that run the manager as a process of its own (fairness, ha, namespaced, soak) also
// build it and serve the ThingSpace simulator through BuildManager and StartSimulator; the tests
// of config/ and of the chart read rendered manifests through Only and ManagerContainer.
//
// It takes a testing.TB: a test passes its *testing.T, a Ginkgo suite GinkgoTB() in its
// BeforeSuite. A Ginkgo suite also calls Assets with its *testing.T before RunSpecs: Ginkgo
// reports a skip in BeforeSuite as "Suite skipped in BeforeSuite" and shows why only with
// -ginkgo.v, while `go test -v` and editors show the message of t.Skip.
package envtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// Options configures Start.
type Options struct {
	// Webhooks installs the validating webhook configuration of config/webhook, pointed at a
	// server on 127.0.0.1 whose port and serving certificate ControlPlane.WebhookServing tells.
	Webhooks bool
	// Dir receives the administrator's kubeconfig (ControlPlane.Kubeconfig), for a manager that
	// runs as a process of its own; a temporary directory of the test when empty.
	Dir string
}

// Assets returns the directory holding kube-apiserver, etcd and kubectl: KUBEBUILDER_ASSETS
// when set, otherwise the cache that `make setup-envtest` builds them into. When they were never
// built it skips tb with a message naming `make setup-envtest`; any other failure fails tb.
func Assets(tb testing.TB) string {
	tb.Helper()
	dir, err := harness.FindAssets()
	switch {
	case errors.Is(err, harness.ErrAssetsNotBuilt):
		tb.Skip(err)
	case err != nil:
		tb.Fatal(err)
	}
	return dir
}

// Start starts a control plane with the CRDs of config/crd/bases and, with opts.Webhooks, the
// webhook configuration, or skips tb as Assets does. Its Config reaches the API server as an
// administrator and its Client has the manager's scheme. The caller stops it with Stop, in a
// Ginkgo suite with DeferCleanup(controlPlane.Stop) right after Start. Failing to start fails
// tb and leaves nothing running.
func Start(tb testing.TB, opts Options) *harness.ControlPlane {
	tb.Helper()
	assets := Assets(tb)
	root, err := harness.FindRoot()
	if err != nil {
		tb.Fatal(err)
	}
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	controlPlane, err := harness.StartControlPlane(harness.ControlPlaneOptions{
		Root: root, Assets: assets, Webhooks: opts.Webhooks, Dir: opts.Dir,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return controlPlane
}

// BuildManager builds the manager from main.go for a suite that runs it as a process of its own.
// The binary goes to bin/<suite> of the repository, where the suite's logs and kubeconfig go too;
// it returns that directory and the binary. Failing fails tb.
func BuildManager(ctx context.Context, tb testing.TB, suite string) (dir, binary string) {
	tb.Helper()
	root, err := harness.FindRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir = filepath.Join(root, "bin", suite)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	binary, err = harness.BuildManager(ctx, root, dir)
	if err != nil {
		tb.Fatal(err)
	}
	return dir, binary
}

// StartSimulator serves a ThingSpace simulator with opts on a loopback port until tb ends, and
// returns it with its URL. Failing fails tb.
func StartSimulator(tb testing.TB, opts simulator.Options) (sim *simulator.Server, url string) {
	tb.Helper()
	sim = simulator.New(opts)
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := sim.Close(); err != nil {
			tb.Error(err)
		}
	})
	return sim, url
}
