// Package chart tests the Helm chart charts/fota-operator the way its users meet it: `helm lint`;
// `helm template` with the values they set, and the errors of values that cannot work; the
// rendered chart against what `kubectl kustomize config/...` renders, object by object, so that
// the chart and `make deploy` cannot drift apart; and every rendered object applied to a
// kube-apiserver, with the manager run from the rendered Deployment's arguments as the chart's
// ServiceAccount until it syncs a campaign.
//
// The tests use bin/helm and skip without it (`make helm` builds it; `make test` does too). Those
// that need kubectl or a kube-apiserver skip without KUBEBUILDER_ASSETS, as every such suite does.
package chart

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fota-operator/fota-operator/hack/harness"
	testenv "github.com/fota-operator/fota-operator/test/envtest"
)

func TestMain(m *testing.M) {
	// The control plane's helpers log through controller-runtime; the test reports what matters.
	ctrllog.SetLogger(logr.Discard())
	os.Exit(m.Run())
}

// releaseName and releaseNamespace are those of the documented `helm install`; the namespace is
// config/default's.
const (
	releaseName      = "fota-operator"
	releaseNamespace = "fota-operator-system"
)

// repoRoot is the clone the test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := harness.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// helm runs bin/helm with args on the chart and returns its stdout, or an error carrying its
// stderr. It skips the test when bin/helm has not been built.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := repoRoot(t)
	binary := filepath.Join(root, "bin", "helm")
	if _, err := os.Stat(binary); err != nil {
		t.Skipf("%s is missing: `make helm` builds it (`make test` does too)", binary)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(strings.TrimSpace(stderr.String() + "\n" + stdout.String()))
	}
	return stdout.String(), nil
}

// helmTemplate renders the chart as `helm install fota-operator charts/fota-operator -n
// fota-operator-system` with the further helm arguments (e.g. --set ...) would install it.
func helmTemplate(t *testing.T, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := helm(t, append([]string{"template", releaseName, "charts/fota-operator", "--namespace", releaseNamespace}, args...)...)
	if err != nil {
		t.Fatalf("helm template %s: %v", strings.Join(args, " "), err)
	}
	objects, err := harness.DecodeObjects(strings.NewReader(out))
	if err != nil {
		t.Fatalf("reading the output of helm template %s: %v", strings.Join(args, " "), err)
	}
	return objects
}

// managerArgs are the manager's command-line arguments in the Deployment.
func managerArgs(t *testing.T, deployment *unstructured.Unstructured) []string {
	t.Helper()
	args, _, err := unstructured.NestedStringSlice(testenv.ManagerContainer(t, deployment), "args")
	if err != nil {
		t.Fatal(err)
	}
	return args
}

// kubebuilderAssets is the directory of kubectl, kube-apiserver and etcd; the test skips
// without it.
func kubebuilderAssets(t *testing.T) string {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset, so there is no kubectl or kube-apiserver: `make test` builds them and sets it")
	}
	return assets
}
