// Package image runs the image that `make image` builds the way a cluster runs it: loaded into
// podman from bin/image/fota-operator.tar and started with runc as the user 65532, on a read-only
// root with every capability dropped, on the host's network so that it reaches the test control
// plane. The kubeconfig, the webhook's serving certificate and a CA bundle that trusts a TLS
// ThingSpace simulator are mounted, as a Secret and a ConfigMap would be. It checks that /readyz
// answers, that the container takes the leader Lease, that a FotaCampaign syncs through it over
// TLS, that the API server's calls reach its webhook, that displayTimeZone finds its zone in a
// root file system that has no zone database, and that SIGTERM ends it cleanly and quickly. It
// prints the image's size and how long the container took to be ready.
//
// It runs only when FOTA_TEST_IMAGE names the tarball, as `make test-image` does after `make
// image`; a plain `go test ./...` skips it, saying so. It needs podman and runc (Debian's packages)
// and, like every suite that needs a kube-apiserver, skips naming `make setup-envtest` when the
// control plane binaries were never built.
package image

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// imageVariable names the tarball to test.
const imageVariable = "FOTA_TEST_IMAGE"

var (
	ctx    context.Context
	cancel context.CancelFunc

	// tarballPath is the image under test; imageID is its config's digest, the id podman gives it.
	tarballPath string
	imageID     string

	dir           string
	controlPlane  *harness.ControlPlane
	k8sClient     client.Client
	sim           *simulator.Server
	thingSpaceURL string
	// caBundle is the PEM file mounted as the container's CA bundle: the simulator's CA.
	caBundle string
)

func TestImage(t *testing.T) {
	tarballPath = os.Getenv(imageVariable)
	if tarballPath == "" {
		t.Skipf("%s is unset: `make test-image` builds the image (make image) and runs this test with it under podman", imageVariable)
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatalf("%s is set but podman is not on the PATH: install podman and runc (Debian: apt-get install -y podman runc)", imageVariable)
	}
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "The image under podman")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })
	root, err := harness.FindRoot()
	Expect(err).NotTo(HaveOccurred())
	if !filepath.IsAbs(tarballPath) {
		tarballPath = filepath.Join(root, tarballPath)
	}
	dir = filepath.Join(root, "bin", "image-test")
	Expect(os.RemoveAll(dir)).To(Succeed())
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())

	By("loading " + tarballPath + " into podman")
	img, err := tarball.ImageFromPath(tarballPath, nil)
	Expect(err).NotTo(HaveOccurred())
	configName, err := img.ConfigName()
	Expect(err).NotTo(HaveOccurred())
	imageID = configName.Hex
	if _, err := podman("image", "exists", imageID); err != nil {
		// Loaded for this run only: leave podman's storage as it was, without a dangling image per
		// build.
		DeferCleanup(func() { _, _ = podman("rmi", "--force", imageID) })
	}
	Expect(podman("load", "--input", tarballPath)).Error().NotTo(HaveOccurred())
	inspected, err := podman("image", "inspect", "--format", "{{.Size}}", imageID)
	Expect(err).NotTo(HaveOccurred())
	size, err := strconv.ParseInt(inspected, 10, 64)
	Expect(err).NotTo(HaveOccurred(), "podman image inspect: %s", inspected)
	info, err := os.Stat(tarballPath)
	Expect(err).NotTo(HaveOccurred())
	report("image size: %.1f MB unpacked in podman's storage, %.1f MB as the tarball %s (image id %s)",
		float64(size)/1e6, float64(info.Size())/1e6, filepath.Base(tarballPath), imageID[:12])

	By("starting the ThingSpace simulator over TLS, with a CA of its own")
	var caPEM []byte
	sim, thingSpaceURL, caPEM = startTLSSimulator(simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens}})
	caBundle = filepath.Join(dir, "ca-certificates.crt")
	Expect(os.WriteFile(caBundle, caPEM, 0o644)).To(Succeed())

	By("starting the control plane with the webhook configuration")
	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Webhooks: true, Dir: dir})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client
})

// report prints a measurement where `go test -v` and `make test-image` show it.
func report(format string, args ...any) {
	fmt.Printf("test/image: "+format+"\n", args...)
	AddReportEntry(fmt.Sprintf(format, args...))
}
