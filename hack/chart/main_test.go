package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/hack/harness"
)

func root(t *testing.T) string {
	t.Helper()
	root, err := harness.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestChartIsCurrent(t *testing.T) {
	root := root(t)
	want, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for path, content := range want {
		got, err := os.ReadFile(filepath.Join(root, chartDir, path))
		switch {
		case err != nil:
			t.Errorf("%v: run `make chart` and commit what it writes", err)
		case !bytes.Equal(got, content):
			t.Errorf("%s/%s is not what `make chart` writes: run `make chart` and commit it", chartDir, path)
		}
	}
	// A file that config/ no longer has must leave the chart too.
	err = filepath.WalkDir(filepath.Join(root, chartDir, "files"), func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		relative, err := filepath.Rel(filepath.Join(root, chartDir), path)
		if _, generated := want[relative]; err == nil && !generated {
			t.Errorf("%s/%s is not a copy of a file of config/: remove it, or add its original to copiedFromConfig", chartDir, relative)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchemaDescribesEveryFlagTheChartLeavesToItsUsers(t *testing.T) {
	schema, err := withFlags([]byte(`{"properties": {}}`), managerFlags())
	if err != nil {
		t.Fatal(err)
	}
	var document struct {
		Properties struct {
			Flags struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"flags"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema, &document); err != nil {
		t.Fatal(err)
	}
	described := document.Properties.Flags.Properties

	tests := map[string]struct {
		flag    string
		allowed bool
		schema  map[string]any
	}{
		"a duration is text that time.ParseDuration reads": {
			flag: "poll-interval", allowed: true,
			schema: map[string]any{"type": "string", "pattern": durationPattern},
		},
		"a count is an integer": {flag: "max-concurrent-reconciles", allowed: true, schema: map[string]any{"type": "integer"}},
		"a switch is a boolean": {flag: "enable-http2", allowed: true, schema: map[string]any{"type": "boolean"}},
		"a URL is text":         {flag: "thingspace-url", allowed: true, schema: map[string]any{"type": "string"}},
		"a rate is a number, or one as text for --set": {
			flag: "thingspace-qps", allowed: true,
			schema: map[string]any{"type": []any{"number", "string"}, "pattern": numberPattern},
		},
		"zap's level is a name or a verbosity": {
			flag: "zap-log-level", allowed: true, schema: map[string]any{"type": []any{"string", "integer"}},
		},
		"leader election follows leaderElection.enabled, which the Role goes with": {flag: "leader-elect"},
		"the metrics port is the metrics Service's":                                {flag: "metrics-bind-address"},
		"the webhook certificate is cert-manager's, mounted by the chart":          {flag: "webhook-cert-path"},
		"the watched namespaces are the RoleBindings' namespaces":                  {flag: "watch-namespaces"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			schema, found := described[tt.flag]
			if found != tt.allowed {
				t.Fatalf("flags.%s in the schema: %v, want %v", tt.flag, found, tt.allowed)
			}
			if !tt.allowed {
				return
			}
			delete(schema, "description")
			if diff := cmp.Diff(tt.schema, schema); diff != "" {
				t.Errorf("schema of flags.%s (-want +got):\n%s", tt.flag, diff)
			}
		})
	}
}

func TestFlagsSetByTheChartAreFlagsOfTheManager(t *testing.T) {
	flags := managerFlags()
	for name := range flagsSetByTheChart {
		if flags.Lookup(name) == nil {
			t.Errorf("flagsSetByTheChart names --%s, which the manager does not have", name)
		}
	}
}

// TestManagerFlagsAreThoseOfMain runs the manager that main.go builds with --help, so that a flag
// main.go defines beyond internal/manager's and zap's cannot be missing from the chart's schema.
func TestManagerFlagsAreThoseOfMain(t *testing.T) {
	binary, err := harness.BuildManager(context.Background(), root(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	help, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("manager --help: %v\n%s", err, help)
	}
	var fromMain []string
	for line := range strings.Lines(string(help)) {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			fromMain = append(fromMain, strings.Fields(name)[0])
		}
	}
	// controller-runtime's config package defines --kubeconfig when it loads; in a pod the
	// manager uses the in-cluster configuration instead.
	want := []string{"kubeconfig"}
	managerFlags().VisitAll(func(f *flag.Flag) { want = append(want, f.Name) })
	slices.Sort(fromMain)
	slices.Sort(want)
	if diff := cmp.Diff(want, fromMain); diff != "" {
		t.Errorf("flags of managerFlags (-) and of `manager --help` (+) differ: make managerFlags define what main.go does:\n%s", diff)
	}
}
