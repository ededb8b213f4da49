package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fota-operator/fota-operator/internal/scheme"
)

// controlPlaneStopTimeout bounds how long kube-apiserver and etcd each get to stop before they
// are killed, so that Ctrl-C never leaves a person waiting long.
const controlPlaneStopTimeout = 10 * time.Second

// What the control plane installs from the clone: the CRDs and the webhook configuration.
var (
	crdDir     = filepath.Join("config", "crd", "bases")
	webhookDir = filepath.Join("config", "webhook")
)

// FindRoot returns the clone this runs in: the first directory from the working directory
// upwards that holds config/crd/bases, so that a command works from any directory of the clone.
func FindRoot() (string, error) {
	start, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := start; ; {
		if _, err := os.Stat(filepath.Join(dir, crdDir)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found in %s or above: run this inside the fota-operator clone", crdDir, start)
		}
		dir = parent
	}
}

// NewEnvironment describes the local control plane, not yet started: the binaries in assets, the
// operator's scheme, the CRDs of root's config/crd/bases and, with webhooks, the webhook
// configuration of config/webhook rewritten to call a server on 127.0.0.1 whose port, serving
// certificate and CA envtest chooses at start.
func NewEnvironment(root, assets string, webhooks bool) *envtest.Environment {
	env := &envtest.Environment{
		BinaryAssetsDirectory:   assets,
		Scheme:                  scheme.New(),
		CRDDirectoryPaths:       []string{filepath.Join(root, crdDir)},
		ErrorIfCRDPathMissing:   true,
		ControlPlaneStopTimeout: controlPlaneStopTimeout,
	}
	if webhooks {
		env.WebhookInstallOptions = envtest.WebhookInstallOptions{
			Paths:            []string{filepath.Join(root, webhookDir)},
			LocalServingHost: "127.0.0.1",
		}
	}
	return env
}

// ControlPlaneOptions configures StartControlPlane.
type ControlPlaneOptions struct {
	// Root is the clone, whose config/crd/bases and config/webhook are installed.
	Root string
	// Assets is the directory holding kube-apiserver and etcd (see FindAssets).
	Assets string
	// Webhooks installs the validating webhook configuration of config/webhook, pointed at a
	// server on 127.0.0.1 whose port and serving certificate the control plane chooses.
	Webhooks bool
	// Dir receives the administrator's kubeconfig file.
	Dir string
}

// ControlPlane is a running kube-apiserver and etcd with the FotaCampaign CRD installed.
type ControlPlane struct {
	// Environment is the envtest environment it runs in, for what envtest itself offers, such as
	// further users (Environment.ControlPlane.AddUser).
	Environment *envtest.Environment
	// Config reaches the API server as an administrator, without a client-side rate limit.
	Config *rest.Config
	// Client uses Config with the operator's scheme.
	Client client.Client
	// Kubeconfig is the path of a kubeconfig file for an administrator, for the manager process.
	Kubeconfig string
}

// StartControlPlane starts the control plane. On an error nothing is left running.
func StartControlPlane(opts ControlPlaneOptions) (cp *ControlPlane, err error) {
	env := NewEnvironment(opts.Root, opts.Assets, opts.Webhooks)
	cfg, err := env.Start()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the control plane: %w", err), env.Stop())
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, env.Stop())
		}
	}()
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = -1, 0
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(opts.Dir, "kubeconfig")
	if _, err := WriteUserKubeconfig(env, "harness-admin", kubeconfig); err != nil {
		return nil, err
	}
	return &ControlPlane{Environment: env, Config: cfg, Client: c, Kubeconfig: kubeconfig}, nil
}

// WriteUserKubeconfig adds a user called name to the running control plane, a member of
// system:masters like the user of a kind or minikube cluster, and writes its kubeconfig to path.
// It returns what it wrote, so that a caller can tell later whether the file is still its own.
func WriteUserKubeconfig(env *envtest.Environment, name, path string) ([]byte, error) {
	return writeKubeconfig(env, envtest.User{Name: name, Groups: []string{"system:masters"}}, path)
}

// WriteServiceAccountKubeconfig adds a user that RBAC takes for the ServiceAccount name in
// namespace, and writes its kubeconfig to path. A process using it has exactly the rights that
// the RoleBindings and ClusterRoleBindings of that ServiceAccount grant, as a pod running as it
// would.
func (c *ControlPlane) WriteServiceAccountKubeconfig(namespace, name, path string) error {
	// The user and group names the API server gives a ServiceAccount's token.
	user := envtest.User{
		Name:   "system:serviceaccount:" + namespace + ":" + name,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace},
	}
	_, err := writeKubeconfig(c.Environment, user, path)
	return err
}

func writeKubeconfig(env *envtest.Environment, user envtest.User, path string) ([]byte, error) {
	added, err := env.ControlPlane.AddUser(user, nil)
	if err != nil {
		return nil, fmt.Errorf("adding the user %q: %w", user.Name, err)
	}
	kubeconfig, err := added.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("writing the kubeconfig of the user %q: %w", user.Name, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// The file holds a client key: readable by its owner only.
	return kubeconfig, os.WriteFile(path, kubeconfig, 0o600)
}

// WebhookServing says where the API server sends admission requests (127.0.0.1 and a port) and
// which directory holds the serving certificate (tls.crt, tls.key) and its CA. Zero values
// without webhooks.
func (c *ControlPlane) WebhookServing() (host string, port int, certDir string, caPEM []byte) {
	hook := c.Environment.WebhookInstallOptions
	return hook.LocalServingHost, hook.LocalServingPort, hook.LocalServingCertDir, hook.LocalServingCAData
}

// Stop stops kube-apiserver and etcd and removes their data.
func (c *ControlPlane) Stop() error {
	return c.Environment.Stop()
}
