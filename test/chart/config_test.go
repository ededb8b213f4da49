package chart

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fota-operator/fota-operator/hack/harness"
	testenv "github.com/fota-operator/fota-operator/test/envtest"
)

// TestChartInstallsWhatConfigInstalls renders the chart and the kustomization a user would choose
// instead, and requires the same objects, with the same names, rules, CRD, webhooks, manager
// flags and everything else, so that a change to one that the other lacks fails here.
func TestChartInstallsWhatConfigInstalls(t *testing.T) {
	tests := map[string]struct {
		// kustomization is the directory under config/ that `kubectl kustomize` renders.
		kustomization string
		// edit, if set, changes config/default/kustomization.yaml as its comments tell a user to.
		edit func(t *testing.T, kustomization string) string
		// values are the chart's values that choose the same; fromConfig derives them from what
		// config/ rendered.
		values     []string
		fromConfig func(t *testing.T, rendered []*unstructured.Unstructured) []string
	}{
		"the default values install config/default": {kustomization: "default"},
		"watchNamespaces installs config/namespaced, with the same namespaces": {
			kustomization: "namespaced",
			fromConfig: func(t *testing.T, rendered []*unstructured.Unstructured) []string {
				for _, arg := range managerArgs(t, testenv.Only(t, rendered, "Deployment")) {
					if namespaces, ok := strings.CutPrefix(arg, "--watch-namespaces="); ok {
						return []string{"--set", "watchNamespaces={" + namespaces + "}"}
					}
				}
				t.Fatal("config/namespaced sets no --watch-namespaces")
				return nil
			},
		},
		"the ServiceMonitor and PrometheusRule install config/prometheus": {
			kustomization: "default",
			edit: func(t *testing.T, kustomization string) string {
				const commented = "#- ../prometheus"
				if !strings.Contains(kustomization, commented) {
					t.Fatalf("config/default/kustomization.yaml has no line %q to uncomment", commented)
				}
				return strings.Replace(kustomization, commented, "- ../prometheus", 1)
			},
			values: []string{"--set", "metrics.serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fromConfig := kustomize(t, tt.kustomization, tt.edit)
			values := tt.values
			if tt.fromConfig != nil {
				values = tt.fromConfig(t, fromConfig)
			}
			compare(t, "config/"+tt.kustomization, fromConfig, helmTemplate(t, values...))
		})
	}
}

// kustomize renders the kustomization dir of a copy of config/ in which edit, if any, has changed
// default/kustomization.yaml.
func kustomize(t *testing.T, dir string, edit func(t *testing.T, kustomization string) string) []*unstructured.Unstructured {
	t.Helper()
	assets := kubebuilderAssets(t)
	config := filepath.Join(repoRoot(t), "config")
	if edit != nil {
		copied := t.TempDir()
		if err := os.CopyFS(copied, os.DirFS(config)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(copied, "default", "kustomization.yaml")
		kustomization, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(edit(t, string(kustomization))), 0o644); err != nil {
			t.Fatal(err)
		}
		config = copied
	}
	objects, err := harness.Kustomize(assets, filepath.Join(config, dir))
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// objectKey names an object as kubectl does.
func objectKey(object *unstructured.Unstructured) string {
	return object.GetKind() + " " + filepath.Join(object.GetNamespace(), object.GetName())
}

// compare requires the chart to render the objects of config/, and nothing else, each equal to
// config's in everything but these, where the chart differs on purpose:
//   - config's Namespace: Helm installs into a namespace that exists or that `helm install
//     --create-namespace` creates; a chart that owned it would delete everything in it on
//     uninstall;
//   - the labels and annotations Helm adds (the chart has every one of config's but
//     app.kubernetes.io/managed-by, which says who applied the object);
//   - the manager's pull policy, which config leaves to Kubernetes and the chart's values set;
//   - the order of the manager's arguments, which does not matter to it.
func compare(t *testing.T, source string, fromConfig, fromChart []*unstructured.Unstructured) {
	t.Helper()
	chartObjects := map[string]*unstructured.Unstructured{}
	for _, object := range fromChart {
		chartObjects[objectKey(object)] = object
	}
	for _, want := range fromConfig {
		key := objectKey(want)
		if want.GetKind() == "Namespace" && want.GetName() == releaseNamespace {
			continue
		}
		got, found := chartObjects[key]
		if !found {
			t.Errorf("%s renders %s, the chart does not", source, key)
			continue
		}
		delete(chartObjects, key)
		for _, field := range []string{"labels", "annotations"} {
			if missing := missingEntries(want, got, field); len(missing) > 0 {
				t.Errorf("%s: the chart lacks the %s %v of %s", key, field, missing, source)
			}
		}
		if diff := cmp.Diff(comparable(t, want), comparable(t, got)); diff != "" {
			t.Errorf("%s differs between %s (-) and the chart (+):\n%s", key, source, diff)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(chartObjects)) {
		t.Errorf("the chart renders %s, %s does not", key, source)
	}
}

// missingEntries are the entries of want's metadata.field (labels or annotations) that got lacks
// or holds with another value.
func missingEntries(want, got *unstructured.Unstructured, field string) map[string]string {
	wanted, _, _ := unstructured.NestedStringMap(want.Object, "metadata", field)
	held, _, _ := unstructured.NestedStringMap(got.Object, "metadata", field)
	missing := map[string]string{}
	for key, value := range wanted {
		if key != "app.kubernetes.io/managed-by" && held[key] != value {
			missing[key] = value
		}
	}
	return missing
}

// comparable is the object without its metadata (compared by name and by missingEntries) and,
// in a Deployment, with what compare's comment lists left out.
func comparable(t *testing.T, object *unstructured.Unstructured) map[string]any {
	t.Helper()
	body := object.DeepCopy().Object
	delete(body, "metadata")
	if object.GetKind() != "Deployment" {
		return body
	}
	containers, _, _ := unstructured.NestedSlice(body, "spec", "template", "spec", "containers")
	for _, container := range containers {
		container := container.(map[string]any)
		delete(container, "imagePullPolicy")
		if args, ok := container["args"].([]any); ok {
			slices.SortFunc(args, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
		}
	}
	if err := unstructured.SetNestedSlice(body, containers, "spec", "template", "spec", "containers"); err != nil {
		t.Fatal(err)
	}
	return body
}
