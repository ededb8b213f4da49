package harness

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// platformDir is the name of the cache's directory for the binaries of this machine.
var platformDir = KubernetesVersion + "-" + runtime.GOOS + "-" + runtime.GOARCH

func TestCachedAssetsDirIsWhereTheScriptBuilds(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		env    func(dir string) map[string]string
		want   func(dir string) string
	}{
		"FOTA_ENVTEST_CACHE": {
			reason: "an explicit cache wins over XDG_CACHE_HOME",
			env: func(dir string) map[string]string {
				return map[string]string{"FOTA_ENVTEST_CACHE": filepath.Join(dir, "explicit"), "XDG_CACHE_HOME": filepath.Join(dir, "xdg")}
			},
			want: func(dir string) string { return filepath.Join(dir, "explicit", platformDir) },
		},
		"XDG_CACHE_HOME": {
			reason: "without FOTA_ENVTEST_CACHE the binaries go to the user's cache",
			env: func(dir string) map[string]string {
				return map[string]string{"FOTA_ENVTEST_CACHE": "", "XDG_CACHE_HOME": filepath.Join(dir, "xdg")}
			},
			want: func(dir string) string { return filepath.Join(dir, "xdg", "fota-operator", "k8s", platformDir) },
		},
		"HOME": {
			reason: "without either, the user's cache is ~/.cache, also on macOS",
			env: func(dir string) map[string]string {
				return map[string]string{"FOTA_ENVTEST_CACHE": "", "XDG_CACHE_HOME": "", "HOME": dir}
			},
			want: func(dir string) string { return filepath.Join(dir, ".cache", "fota-operator", "k8s", platformDir) },
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for key, value := range c.env(dir) {
				t.Setenv(key, value)
			}
			want := c.want(dir)
			got, err := CachedAssetsDir()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s: CachedAssetsDir() = %s, want %s", c.reason, got, want)
			}
			fakeBinaries(t, got, assetNames...)
			if printed := runSetupEnvtest(t, root); printed != want {
				t.Fatalf("%s: hack/setup-envtest.sh prints %s, CachedAssetsDir says %s", c.reason, printed, want)
			}
		})
	}
}

func TestFindAssets(t *testing.T) {
	cases := map[string]struct {
		reason  string
		assets  string // KUBEBUILDER_ASSETS
		built   []string
		want    string // relative to the cache directory, when found there
		missing []string
	}{
		"KUBEBUILDER_ASSETS": {
			reason: "a directory the user names is used as it is, without looking into it",
			assets: "/opt/kubebuilder/bin",
			want:   "/opt/kubebuilder/bin",
		},
		"cache": {
			reason: "with KUBEBUILDER_ASSETS unset, the binaries that make setup-envtest built are found",
			built:  assetNames,
			want:   platformDir,
		},
		"never built": {
			reason:  "nothing in the cache: the error names what to run",
			missing: assetNames,
		},
		"kubectl missing": {
			reason:  "a cache from before kubectl was built: the error names kubectl",
			built:   []string{"kube-apiserver", "etcd"},
			missing: []string{"kubectl"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			t.Setenv("FOTA_ENVTEST_CACHE", cache)
			t.Setenv("KUBEBUILDER_ASSETS", c.assets)
			cached := filepath.Join(cache, platformDir)
			fakeBinaries(t, cached, c.built...)

			got, err := FindAssets()
			if len(c.missing) > 0 {
				if !errors.Is(err, ErrAssetsNotBuilt) {
					t.Fatalf("%s: FindAssets() = %q, %v; want ErrAssetsNotBuilt", c.reason, got, err)
				}
				for _, text := range append([]string{"make setup-envtest", cached}, c.missing...) {
					if !strings.Contains(err.Error(), text) {
						t.Errorf("%s: the error does not say %q: %v", c.reason, text, err)
					}
				}
				return
			}
			want := c.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(cache, want)
			}
			if err != nil || got != want {
				t.Fatalf("%s: FindAssets() = %q, %v; want %q", c.reason, got, err, want)
			}
		})
	}
}

// fakeBinaries writes an executable file for each name into dir.
func fakeBinaries(t *testing.T, dir string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// runSetupEnvtest runs hack/setup-envtest.sh and returns the directory it prints. Its `go` answers
// `go env` and refuses to build, so that a script that looks elsewhere than where the binaries
// are fails at once instead of building them for minutes.
func runSetupEnvtest(t *testing.T, root string) string {
	t.Helper()
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	fakeGo := "#!/bin/sh\n" +
		"if [ \"$1\" = env ]; then exec '" + realGo + "' \"$@\"; fi\n" +
		"echo \"refusing to run go $*: the binaries should have been found\" >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	script := exec.Command(filepath.Join(root, "hack", "setup-envtest.sh"))
	script.Dir = root
	out, err := script.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("hack/setup-envtest.sh: %v: %s", err, exitErr.Stderr)
		}
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
