package harness

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// KubernetesVersion is the version of the control plane binaries that hack/setup-envtest.sh
// builds (its K8S_VERSION).
const KubernetesVersion = "1.37.2"

// assetNames are the binaries the script builds: envtest runs kube-apiserver and etcd, and a
// kubectl of the same version serves `make dev` users and the tests that render config/.
var assetNames = []string{"kube-apiserver", "etcd", "kubectl"}

// ErrAssetsNotBuilt is wrapped by FindAssets when KUBEBUILDER_ASSETS is unset and the cache
// does not hold the binaries yet.
var ErrAssetsNotBuilt = errors.New("the control plane binaries are not built")

// FindAssets returns the directory holding kube-apiserver, etcd and kubectl without building
// anything: KUBEBUILDER_ASSETS when set, otherwise the cache directory of hack/setup-envtest.sh
// (CachedAssetsDir) once it holds all three. This is how `go test` finds the control plane the
// project built when nothing set KUBEBUILDER_ASSETS, as when an editor runs a test, the way
// kubebuilder's scaffold looks for bin/k8s.
func FindAssets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	dir, err := CachedAssetsDir()
	if err != nil {
		return "", err
	}
	var missing []string
	for _, name := range assetNames {
		// A path with a slash is not searched for: LookPath only checks that it is an executable file.
		if _, err := exec.LookPath(filepath.Join(dir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%w: KUBEBUILDER_ASSETS is unset and %s has no %s; run `make setup-envtest` once "+
			"to build kube-apiserver, etcd and kubectl v%s there (about ten minutes the first time)",
			ErrAssetsNotBuilt, dir, strings.Join(missing, ", "), KubernetesVersion)
	}
	return dir, nil
}

// CachedAssetsDir is the directory that hack/setup-envtest.sh builds the binaries into and
// prints, by the script's own rule: under FOTA_ENVTEST_CACHE when set, otherwise under
// ${XDG_CACHE_HOME:-$HOME/.cache}/fota-operator/k8s, in a directory named by the version, the
// operating system and the architecture.
func CachedAssetsDir() (string, error) {
	cache := os.Getenv("FOTA_ENVTEST_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			// Not os.UserCacheDir: on macOS that is ~/Library/Caches, where the script never looks.
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("finding the cache of the control plane binaries: %w", err)
			}
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "fota-operator", "k8s")
	}
	return filepath.Join(cache, KubernetesVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH), nil
}

// BinaryAssets is FindAssets for `make dev` and `make bench`, which build what is missing: when
// the binaries are not built yet, it runs hack/setup-envtest.sh, which takes a while; the
// script's progress goes to progress.
func BinaryAssets(root string, progress io.Writer) (string, error) {
	dir, err := FindAssets()
	if !errors.Is(err, ErrAssetsNotBuilt) {
		return dir, err
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
