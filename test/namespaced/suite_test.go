// Package namespaced runs the operator the way config/namespaced deploys it: the manager binary,
// as a process of its own, with the overlay's --watch-namespaces, as a user that RBAC takes for
// the operator's ServiceAccount and that holds nothing but the RBAC the overlay renders. It checks
// that campaigns in the watched namespaces sync, that a campaign elsewhere is never reconciled
// and its Secret never read, that the operator may change no FotaCampaign spec, and that a
// watched namespace the RBAC forgot stops the manager at start with an error naming it.
//
// Like every suite that needs a kube-apiserver, it skips, naming `make setup-envtest`, when the
// control plane binaries were never built.
package namespaced

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// unwatchedNamespace is a namespace that config/namespaced does not list.
const unwatchedNamespace = "unwatched"

// otherTokens are the tokens in the unwatched namespace's Secret. The simulator accepts them,
// so that a call made with them would succeed and show.
var otherTokens = simulator.TokenPair{AccessToken: "unwatched-access-token-5e1c0b", SessionToken: "unwatched-session-token-d27a94"}

var (
	ctx    context.Context
	cancel context.CancelFunc

	dir           string
	controlPlane  *harness.ControlPlane
	adminClient   client.Client
	sim           *simulator.Server
	thingSpaceURL string
	managerBinary string

	// What config/namespaced renders.
	rendered          []*unstructured.Unstructured
	watchedNamespaces []string
	operatorNamespace string
	serviceAccount    string

	// operatorKubeconfig and operatorClient act as the operator's ServiceAccount.
	operatorKubeconfig string
	operatorClient     client.Client
)

func TestNamespaced(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "Namespaced mode")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(func() { cancel() })
	assets := envtest.Assets(GinkgoTB())
	root, err := harness.FindRoot()
	Expect(err).NotTo(HaveOccurred())

	By("rendering config/namespaced")
	rendered, err = harness.Kustomize(assets, filepath.Join(root, "config", "namespaced"))
	Expect(err).NotTo(HaveOccurred())
	readDeployment()

	By("building the manager from main.go")
	dir, managerBinary = envtest.BuildManager(ctx, GinkgoTB(), "namespaced")
	sim, thingSpaceURL = envtest.StartSimulator(GinkgoTB(), simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens, otherTokens}})

	By("starting the control plane")
	controlPlane = envtest.Start(GinkgoTB(), envtest.Options{Dir: dir})
	DeferCleanup(controlPlane.Stop)
	adminClient = controlPlane.Client

	By("applying the RBAC of config/namespaced, and nothing else, for the operator's ServiceAccount")
	for _, namespace := range append([]string{operatorNamespace, unwatchedNamespace}, watchedNamespaces...) {
		Expect(adminClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
	}
	applyRBAC()
	operatorKubeconfig = filepath.Join(dir, "operator-kubeconfig")
	Expect(controlPlane.WriteServiceAccountKubeconfig(operatorNamespace, serviceAccount, operatorKubeconfig)).To(Succeed())
	operatorClient = clientFromKubeconfig(operatorKubeconfig)
})

// readDeployment reads the manager's Deployment: its namespace, ServiceAccount and
// --watch-namespaces.
func readDeployment() {
	GinkgoHelper()
	deployments := harness.OfKind(rendered, "Deployment")
	Expect(deployments).To(HaveLen(1))
	deployment := deployments[0]
	operatorNamespace = deployment.GetNamespace()
	var found bool
	serviceAccount, found, _ = unstructured.NestedString(deployment.Object, "spec", "template", "spec", "serviceAccountName")
	Expect(found).To(BeTrue(), "the Deployment names no ServiceAccount")
	containers, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "containers")
	Expect(containers).To(HaveLen(1))
	args, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
	for _, arg := range args {
		if value, ok := strings.CutPrefix(arg, "--watch-namespaces="); ok {
			watchedNamespaces = strings.Split(value, ",")
		}
	}
	Expect(watchedNamespaces).NotTo(BeEmpty(), "config/namespaced sets no --watch-namespaces: %v", args)
	Expect(watchedNamespaces).NotTo(ContainElement(unwatchedNamespace))
}

// rbacKinds are the kinds of the rendered RBAC.
var rbacKinds = []string{"ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}

func applyRBAC() {
	GinkgoHelper()
	applied := 0
	for _, object := range rendered {
		if slices.Contains(rbacKinds, object.GetKind()) {
			Expect(adminClient.Create(ctx, object.DeepCopy())).To(Succeed(), "creating %s %s", object.GetKind(), object.GetName())
			applied++
		}
	}
	Expect(applied).To(BeNumerically(">", 0))
}

func clientFromKubeconfig(path string) client.Client {
	GinkgoHelper()
	kubeconfig, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	c, err := client.New(cfg, client.Options{Scheme: adminClient.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// startManager starts the manager binary as the operator's ServiceAccount, with leader election
// in the operator's namespace as deployed, watching namespaces, and logging to a file of dir. A
// manager still running when the spec ends is stopped with SIGTERM.
func startManager(name string, namespaces []string) (*harness.Manager, *os.File) {
	GinkgoHelper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(log.Close)
	GinkgoWriter.Printf("%s log: %s\n", name, log.Name())
	manager, err := harness.StartManager(harness.ManagerOptions{
		Binary: managerBinary, Kubeconfig: operatorKubeconfig, ThingSpaceURL: thingSpaceURL, Log: log,
		Flags: []string{
			"--watch-namespaces=" + strings.Join(namespaces, ","),
			"--leader-elect", "--leader-elect-namespace=" + operatorNamespace,
		},
	})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		if exited, _ := manager.Exited(); !exited {
			Expect(manager.Stop(30 * time.Second)).To(Succeed())
		}
	})
	return manager, log
}
