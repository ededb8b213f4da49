package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// binaryAssets returns the directory holding kube-apiserver, etcd and kubectl: KUBEBUILDER_ASSETS
// when `make dev` has set it, otherwise whatever hack/setup-envtest.sh prints, which builds the
// binaries first when they are not cached (its progress goes to the terminal).
func binaryAssets(root string, progress io.Writer) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	script := exec.Command(filepath.Join(root, "hack", "setup-envtest.sh"))
	script.Dir = root
	script.Stderr = progress
	out, err := script.Output()
	if err != nil {
		return "", fmt.Errorf("building the control plane binaries with hack/setup-envtest.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// newControlPlane describes the local control plane: the CRDs of config/crd/bases, and the webhook
// configuration of config/webhook rewritten to call a server on 127.0.0.1 whose serving
// certificate and CA envtest generates at start.
func newControlPlane(root, assets string, scheme *runtime.Scheme) *envtest.Environment {
	return &envtest.Environment{
		BinaryAssetsDirectory: assets,
		Scheme:                scheme,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			Paths:            []string{filepath.Join(root, "config", "webhook")},
			LocalServingHost: "127.0.0.1",
		},
	}
}

// writeUserKubeconfig gives a person their own credentials for the control plane, a member of
// system:masters like a kind or minikube user, and writes them to path. It returns what it wrote.
func writeUserKubeconfig(env *envtest.Environment, path string) ([]byte, error) {
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "dev", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("adding the dev user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("writing the dev user's kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// The file holds a client key that is cluster admin: readable by its owner only.
	return kubeconfig, os.WriteFile(path, kubeconfig, 0o600)
}

// removeOwnKubeconfig deletes the kubeconfig at path if it is still the one this run wrote: after
// the control plane is gone it points at nothing, and a file someone replaced meanwhile is theirs.
func removeOwnKubeconfig(path string, written []byte) error {
	current, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !bytes.Equal(current, written)) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Remove(path)
}
