package chart

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	testenv "github.com/fota-operator/fota-operator/test/envtest"
)

// TestInstalledChartRunsTheManager applies every object the chart renders to a kube-apiserver
// with server-side dry-run, installs the chart there with `helm install`, then runs the manager
// with the rendered Deployment's arguments, as the chart's ServiceAccount with nothing but the
// chart's RBAC, and waits until it has synced a campaign.
func TestInstalledChartRunsTheManager(t *testing.T) {
	kubebuilderAssets(t)
	if _, err := helm(t, "version"); err != nil {
		t.Fatal(err)
	}
	managerBinary, err := harness.BuildManager(t.Context(), repoRoot(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		values []string
		// campaignNamespace holds the campaign the manager must sync.
		campaignNamespace string
		// readsEverySecret says whether the operator may list the Secrets of every namespace.
		readsEverySecret bool
	}{
		"default values: campaigns and Secrets of every namespace": {
			campaignNamespace: "fleet", readsEverySecret: true,
		},
		"watchNamespaces and every monitoring object: campaigns and Secrets of the watched namespaces only": {
			values: everyOption, campaignNamespace: "team-b",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := t.Context()
			objects := helmTemplate(t, tt.values...)
			deployment := testenv.Only(t, objects, "Deployment")

			controlPlane := startControlPlane(t, true)
			admin := controlPlane.Client

			fleet := harness.NewFleet(harness.FleetOptions{
				Namespace: tt.campaignNamespace, Size: 1, AccountPrefix: "0402196254", Today: time.Now(),
			})
			g.Expect(fleet.CreateNamespace(ctx, admin)).To(Succeed())
			for _, namespace := range append([]string{releaseNamespace}, watchedNamespaces(t, deployment)...) {
				createNamespace(t, admin, namespace)
			}

			for _, object := range crdsFirst(objects) {
				g.Expect(apply(ctx, admin, object, client.DryRunAll)).To(Succeed(), "server-side dry-run of %s", objectKey(object))
			}
			helmInstall(t, controlPlane, tt.values...)
			// The API server of the test cannot reach the webhook Service; the webhook
			// configuration the control plane installed sends the same requests to the manager.
			g.Expect(admin.Delete(ctx, testenv.Only(t, objects, "ValidatingWebhookConfiguration"))).To(Succeed())

			operatorKubeconfig := filepath.Join(t.TempDir(), "operator-kubeconfig")
			g.Expect(controlPlane.WriteServiceAccountKubeconfig(deployment.GetNamespace(), serviceAccountName(t, deployment), operatorKubeconfig)).To(Succeed())

			sim := simulator.New(simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens}})
			thingSpaceURL, err := sim.Start("127.0.0.1:0")
			g.Expect(err).NotTo(HaveOccurred())
			t.Cleanup(func() { _ = sim.Close() })
			fleet.Seed(sim)

			_, webhookPort, certDir, _ := controlPlane.WebhookServing()
			manager := startManager(t, harness.ManagerOptions{
				Binary: managerBinary, Kubeconfig: operatorKubeconfig, ThingSpaceURL: thingSpaceURL,
				Webhooks: true, WebhookPort: webhookPort, WebhookCertDir: certDir,
				Flags: localArgs(t, deployment, certDir),
			})
			g.Expect(manager.WaitReady(ctx, time.Minute)).To(Succeed())

			g.Expect(fleet.CreateCampaigns(ctx, admin, 1)).To(Succeed())
			g.Eventually(func(g Gomega) {
				campaign := &fotav1alpha1.FotaCampaign{}
				g.Expect(admin.Get(ctx, fleet.Key(0), campaign)).To(Succeed())
				g.Expect(harness.Converged(campaign)).To(BeTrue(), "status: %+v", campaign.Status)
			}).WithTimeout(time.Minute).WithPolling(250 * time.Millisecond).Should(Succeed())

			review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{Resource: "secrets", Verb: "list"},
			}}
			g.Expect(clientFor(t, operatorKubeconfig).Create(ctx, review)).To(Succeed())
			g.Expect(review.Status.Allowed).To(Equal(tt.readsEverySecret), "may the operator list the Secrets of every namespace?")
		})
	}
}

// startControlPlane starts a kube-apiserver with stand-ins for the CRDs of cert-manager and the
// Prometheus Operator, which a cluster the chart is installed in has, and without the FotaCampaign
// and FotaRollout CRDs, which the chart installs.
func startControlPlane(t *testing.T, webhooks bool) *harness.ControlPlane {
	t.Helper()
	controlPlane, err := harness.StartControlPlane(harness.ControlPlaneOptions{
		Root: repoRoot(t), Assets: kubebuilderAssets(t), Webhooks: webhooks, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := controlPlane.Stop(); err != nil {
			t.Error(err)
		}
	})
	_, err = envtest.InstallCRDs(controlPlane.Config, envtest.CRDInstallOptions{
		Paths: []string{filepath.Join("testdata", "crds")}, ErrorIfPathMissing: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The control plane installs config/'s CRDs, which Helm would refuse to take over.
	g := NewWithT(t)
	for _, name := range crdNames {
		crd := newCRD()
		crd.SetName(name)
		g.Expect(controlPlane.Client.Delete(t.Context(), crd)).To(Succeed())
		g.Eventually(func() bool {
			return apierrors.IsNotFound(controlPlane.Client.Get(t.Context(), client.ObjectKey{Name: name}, newCRD()))
		}).WithTimeout(30*time.Second).Should(BeTrue(), "the CRD %s was not deleted", name)
	}
	return controlPlane
}

// helmInstall installs the chart as the documented `helm install` does, with the further helm
// arguments, as the control plane's administrator.
func helmInstall(t *testing.T, controlPlane *harness.ControlPlane, args ...string) {
	t.Helper()
	args = append([]string{"install", releaseName, "charts/fota-operator", "--namespace", releaseNamespace,
		"--create-namespace", "--kubeconfig", controlPlane.Kubeconfig}, args...)
	if out, err := helm(t, args...); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// apply applies object with server-side apply, as `kubectl apply --server-side` would.
func apply(ctx context.Context, c client.Client, object *unstructured.Unstructured, opts ...client.ApplyOption) error {
	return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(object.DeepCopy()),
		append([]client.ApplyOption{client.FieldOwner("chart-test"), client.ForceOwnership}, opts...)...)
}

// crdsFirst orders objects for applying: CRDs, then the objects that may be of their kinds.
func crdsFirst(objects []*unstructured.Unstructured) []*unstructured.Unstructured {
	ordered := slices.Clone(objects)
	slices.SortStableFunc(ordered, func(a, b *unstructured.Unstructured) int {
		isCRD := func(o *unstructured.Unstructured) bool { return o.GetKind() == "CustomResourceDefinition" }
		switch {
		case isCRD(a) && !isCRD(b):
			return -1
		case isCRD(b) && !isCRD(a):
			return 1
		}
		return 0
	})
	return ordered
}

func createNamespace(t *testing.T, c client.Client, name string) {
	t.Helper()
	err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// watchedNamespaces are the namespaces of the Deployment's --watch-namespaces.
func watchedNamespaces(t *testing.T, deployment *unstructured.Unstructured) []string {
	t.Helper()
	for _, arg := range managerArgs(t, deployment) {
		if namespaces, ok := strings.CutPrefix(arg, "--watch-namespaces="); ok {
			return strings.Split(namespaces, ",")
		}
	}
	return nil
}

func serviceAccountName(t *testing.T, deployment *unstructured.Unstructured) string {
	t.Helper()
	name, _, _ := unstructured.NestedString(deployment.Object, "spec", "template", "spec", "serviceAccountName")
	if name == "" {
		t.Fatal("the Deployment names no ServiceAccount")
	}
	return name
}

// localArgs are the Deployment's manager arguments for a manager that harness.StartManager runs
// on this machine, changed only where a pod and a process differ:
//   - without the addresses of the probes and the metrics, which would bind every interface:
//     the harness binds them to loopback ports of its own;
//   - with certDir, which holds the control plane's serving certificate, for every directory
//     the pod mounts from a Secret (the certificates cert-manager issues);
//   - with the Lease in the Deployment's namespace, which is a pod's own.
func localArgs(t *testing.T, deployment *unstructured.Unstructured, certDir string) []string {
	t.Helper()
	secretVolumes := map[string]bool{}
	volumes, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "volumes")
	for _, volume := range volumes {
		volume := volume.(map[string]any)
		if _, ok := volume["secret"]; ok {
			secretVolumes[volume["name"].(string)] = true
		}
	}
	var secretMounts []string
	mounts, _, _ := unstructured.NestedSlice(testenv.ManagerContainer(t, deployment), "volumeMounts")
	for _, mount := range mounts {
		mount := mount.(map[string]any)
		if secretVolumes[mount["name"].(string)] {
			secretMounts = append(secretMounts, mount["mountPath"].(string))
		}
	}

	var args []string
	for _, arg := range managerArgs(t, deployment) {
		if strings.HasPrefix(arg, "--health-probe-bind-address=") || strings.HasPrefix(arg, "--metrics-bind-address=") {
			continue
		}
		for _, mountPath := range secretMounts {
			arg = strings.Replace(arg, "="+mountPath, "="+certDir, 1)
		}
		args = append(args, arg)
	}
	return append(args, "--leader-elect-namespace="+deployment.GetNamespace())
}

// startManager starts the manager, logging to a file whose end the test prints when it fails,
// and stops it when the test ends.
func startManager(t *testing.T, opts harness.ManagerOptions) *harness.Manager {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "manager.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	opts.Log = log
	manager, err := harness.StartManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if exited, _ := manager.Exited(); !exited {
			if err := manager.Stop(30 * time.Second); err != nil {
				t.Error(err)
			}
		}
		_ = log.Close()
		if t.Failed() {
			output, _ := os.ReadFile(logPath)
			t.Logf("the manager's log ends with:\n%s", output[max(0, len(output)-8000):])
		}
	})
	return manager
}

func clientFor(t *testing.T, kubeconfigPath string) client.Client {
	t.Helper()
	kubeconfig, err := os.ReadFile(kubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
