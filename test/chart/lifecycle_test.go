package chart

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	testenv "github.com/fota-operator/fota-operator/test/envtest"
)

// crdName is the FotaCampaign CRD's name.
const crdName = "fotacampaigns.fota.thingspace.io"

// crdNames are the names of every CRD the chart installs.
var crdNames = []string{crdName, "fotarollouts.fota.thingspace.io"}

// TestHelmTakesOverFromMakeDeployUpgradesTheCRDAndKeepsItOnUninstall follows an operator from
// `make deploy` to Helm as docs/helm.md tells: the objects config/default created are handed to
// the release, `helm upgrade` brings a changed CRD along, and `helm uninstall` leaves the CRD, and
// with it every FotaCampaign, in place.
func TestHelmTakesOverFromMakeDeployUpgradesTheCRDAndKeepsItOnUninstall(t *testing.T) {
	g := NewWithT(t)
	assets := kubebuilderAssets(t)
	controlPlane := startControlPlane(t, false)
	ctx := t.Context()

	deployed, err := kubectl(assets, controlPlane.Kubeconfig, "", "kustomize", "config/default")
	g.Expect(err).NotTo(HaveOccurred())
	objects, err := harness.DecodeObjects(strings.NewReader(deployed))
	g.Expect(err).NotTo(HaveOccurred())
	for _, object := range crdsFirst(objects) {
		g.Expect(apply(ctx, controlPlane.Client, object)).To(Succeed(), "make deploy: applying %s", objectKey(object))
	}

	_, err = helm(t, "install", releaseName, "charts/fota-operator", "--namespace", releaseNamespace, "--kubeconfig", controlPlane.Kubeconfig)
	g.Expect(err).To(MatchError(ContainSubstring("invalid ownership metadata")), "Helm must not take over objects it was not given")

	t.Log("handing config/default's objects to the release, with docs/helm.md's commands")
	_, err = kubectl(assets, controlPlane.Kubeconfig, deployed, "label", "--overwrite", "-f", "-", "app.kubernetes.io/managed-by=Helm")
	g.Expect(err).NotTo(HaveOccurred())
	_, err = kubectl(assets, controlPlane.Kubeconfig, deployed, "annotate", "--overwrite", "-f", "-",
		"meta.helm.sh/release-name="+releaseName, "meta.helm.sh/release-namespace="+releaseNamespace)
	g.Expect(err).NotTo(HaveOccurred())
	helmInstall(t, controlPlane)

	t.Log("upgrading to a chart whose CRD has one more printer column")
	chart := filepath.Join(t.TempDir(), "fota-operator")
	g.Expect(os.CopyFS(chart, os.DirFS(filepath.Join(repoRoot(t), "charts", "fota-operator")))).To(Succeed())
	crdFile := filepath.Join(chart, "files", "crd", "bases", "fota.thingspace.io_fotacampaigns.yaml")
	crd, err := os.ReadFile(crdFile)
	g.Expect(err).NotTo(HaveOccurred())
	const firstColumn = "  - additionalPrinterColumns:\n"
	g.Expect(string(crd)).To(ContainSubstring(firstColumn))
	crd = bytes.Replace(crd, []byte(firstColumn), []byte(firstColumn+"    - jsonPath: .spec.suspend\n      name: Suspended\n      type: boolean\n"), 1)
	g.Expect(os.WriteFile(crdFile, crd, 0o644)).To(Succeed())
	_, err = helm(t, "upgrade", releaseName, chart, "--namespace", releaseNamespace, "--kubeconfig", controlPlane.Kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	versions, _, _ := unstructured.NestedSlice(getCRD(t, controlPlane.Client).Object, "spec", "versions")
	g.Expect(versions).To(HaveLen(1))
	columns, _, _ := unstructured.NestedSlice(versions[0].(map[string]any), "additionalPrinterColumns")
	g.Expect(columns).To(ContainElement(HaveKeyWithValue("name", "Suspended")), "helm upgrade left the CRD as it was")

	t.Log("uninstalling")
	_, err = helm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", controlPlane.Kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	getCRD(t, controlPlane.Client)
	deployment := testenv.Only(t, objects, "Deployment").DeepCopy()
	err = controlPlane.Client.Get(ctx, client.ObjectKeyFromObject(deployment), deployment)
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the Deployment after helm uninstall: %v", err)
}

// newCRD is an empty CustomResourceDefinition to read into.
func newCRD() *unstructured.Unstructured {
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
	return crd
}

// getCRD reads the FotaCampaign CRD, failing when it is not there.
func getCRD(t *testing.T, c client.Client) *unstructured.Unstructured {
	t.Helper()
	crd := newCRD()
	if err := c.Get(t.Context(), client.ObjectKey{Name: crdName}, crd); err != nil {
		t.Fatalf("the FotaCampaign CRD: %v", err)
	}
	return crd
}

// kubectl runs the kubectl of assets in the clone with the kubeconfig, stdin on its standard
// input, and returns its stdout, or an error carrying its stderr.
func kubectl(assets, kubeconfig, stdin string, args ...string) (string, error) {
	root, err := harness.FindRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(assets, "kubectl"), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
