package chart

import (
	"encoding/json"
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

// everyOption turns on every object the chart can render.
var everyOption = []string{
	"--set", "watchNamespaces={team-a,team-b}",
	"--set", "metrics.serviceMonitor.enabled=true",
	"--set", "prometheusRule.enabled=true",
	"--set", "grafanaDashboard.enabled=true",
}

func TestLint(t *testing.T) {
	tests := map[string][]string{
		"default values": nil,
		"every option":   everyOption,
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			if out, err := helm(t, append([]string{"lint", "--strict", "charts/fota-operator"}, args...)...); err != nil {
				t.Errorf("helm lint --strict %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

func TestValuesThatCannotWorkAreRefusedNamingTheValue(t *testing.T) {
	tests := map[string]struct {
		args []string
		want []string
	}{
		"a misspelt flag": {
			args: []string{"--set", "flags.pol-interval=5m"},
			want: []string{"/flags", "'pol-interval' not allowed"},
		},
		"a flag the chart sets from its values": {
			args: []string{"--set", "flags.leader-elect=false"},
			want: []string{"/flags", "'leader-elect' not allowed"},
		},
		"a duration the manager cannot parse": {
			args: []string{"--set", "flags.poll-interval=5min"},
			want: []string{"/flags/poll-interval", "'5min' does not match pattern"},
		},
		"a rate that is no number": {
			args: []string{"--set", "flags.thingspace-qps=ten"},
			want: []string{"/flags/thingspace-qps", "'ten' does not match pattern"},
		},
		"a namespace name with capitals": {
			args: []string{"--set", "watchNamespaces={Team-A}"},
			want: []string{"/watchNamespaces/0", "'Team-A' does not match pattern"},
		},
		"a namespace listed twice, which would render two RoleBindings of one name": {
			args: []string{"--set", "watchNamespaces={team-a,team-a}"},
			want: []string{"/watchNamespaces", "items at 0 and 1 are equal"},
		},
		"two replicas without leader election, which would both push every change": {
			args: []string{"--set", "leaderElection.enabled=false"},
			want: []string{"replicas: 2 replicas need leaderElection.enabled: true"},
		},
		"a ServiceMonitor without the endpoint it scrapes": {
			args: []string{"--set", "metrics.enabled=false", "--set", "metrics.serviceMonitor.enabled=true"},
			want: []string{"metrics.serviceMonitor.enabled: needs metrics.enabled: true"},
		},
		"a value the chart does not have": {
			args: []string{"--set", "replicaCount=3"},
			want: []string{"'replicaCount' not allowed"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := helm(t, append([]string{"template", releaseName, "charts/fota-operator"}, tt.args...)...)
			if err == nil {
				t.Fatalf("helm template %s succeeded, want an error:\n%s", strings.Join(tt.args, " "), out)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestFlagsReachTheManagerAsWritten(t *testing.T) {
	values := filepath.Join(t.TempDir(), "values.yaml")
	// Numbers of a values file reach the templates as float64, which prints 1000000 as 1e+06.
	err := os.WriteFile(values, []byte(`flags:
  poll-interval: 5m
  max-concurrent-reconciles: 1000000
  thingspace-qps: 2.5
  zap-devel: true
  thingspace-url: https://thingspace.example.com
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args := managerArgs(t, testenv.Only(t, helmTemplate(t, "--values", values, "--set", "flags.thingspace-burst=40"), "Deployment"))
	for _, want := range []string{
		"--poll-interval=5m",
		"--max-concurrent-reconciles=1000000",
		"--thingspace-qps=2.5",
		"--thingspace-burst=40",
		"--zap-devel=true",
		"--thingspace-url=https://thingspace.example.com",
		"--leader-elect",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("manager args %q lack %q", args, want)
		}
	}
}

func TestManagerImageIsTheValues(t *testing.T) {
	deployment := testenv.Only(t, helmTemplate(t, "--set", "image.repository=registry.example.com/fota-operator",
		"--set", "image.tag=v0.1.0", "--set", "image.pullPolicy=Always"), "Deployment")
	container := testenv.ManagerContainer(t, deployment)
	if image := container["image"]; image != "registry.example.com/fota-operator:v0.1.0" {
		t.Errorf("the manager's image is %v, want registry.example.com/fota-operator:v0.1.0", image)
	}
	if policy := container["imagePullPolicy"]; policy != "Always" {
		t.Errorf("the manager's image pull policy is %v, want Always", policy)
	}
}

func TestOneReplicaHasNoDisruptionBudgetThatWouldBlockDrains(t *testing.T) {
	objects := helmTemplate(t, "--set", "replicas=1", "--set", "leaderElection.enabled=false")
	if budgets := harness.OfKind(objects, "PodDisruptionBudget"); len(budgets) != 0 {
		t.Errorf("one replica with a PodDisruptionBudget of minAvailable 1: no node holding it could be drained")
	}
	if args := managerArgs(t, testenv.Only(t, objects, "Deployment")); slices.Contains(args, "--leader-elect") {
		t.Errorf("leaderElection.enabled=false, but the manager args %q hold --leader-elect", args)
	}
}

func TestWithoutTheWebhookNothingCallsIt(t *testing.T) {
	objects := helmTemplate(t, "--set", "webhook.enabled=false")
	for _, object := range objects {
		if object.GetKind() == "ValidatingWebhookConfiguration" || strings.Contains(object.GetName(), "webhook") ||
			object.GetName() == "fota-operator-serving-cert" {
			t.Errorf("webhook.enabled=false renders %s %s", object.GetKind(), object.GetName())
		}
	}
	env, _, _ := unstructured.NestedSlice(testenv.ManagerContainer(t, testenv.Only(t, objects, "Deployment")), "env")
	want := []any{map[string]any{"name": "ENABLE_WEBHOOKS", "value": "false"}}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("the manager's environment does not turn its webhook server off (-want +got):\n%s", diff)
	}
}

func TestWithoutMetricsNothingServesOrScrapesThem(t *testing.T) {
	objects := helmTemplate(t, "--set", "metrics.enabled=false")
	for _, object := range objects {
		if strings.Contains(object.GetName(), "metrics") {
			t.Errorf("metrics.enabled=false renders %s %s", object.GetKind(), object.GetName())
		}
	}
	for _, arg := range managerArgs(t, testenv.Only(t, objects, "Deployment")) {
		if strings.HasPrefix(arg, "--metrics-") {
			t.Errorf("metrics.enabled=false, but the manager has %s", arg)
		}
	}
}

func TestGrafanaDashboardIsConfigsDashboardLabelledForTheSidecar(t *testing.T) {
	objects := helmTemplate(t, "--set", "grafanaDashboard.enabled=true", "--set", "grafanaDashboard.namespace=monitoring")
	configMap := testenv.Only(t, objects, "ConfigMap")
	if configMap.GetNamespace() != "monitoring" {
		t.Errorf("the dashboard's ConfigMap is in namespace %q, want grafanaDashboard.namespace monitoring", configMap.GetNamespace())
	}
	if label := configMap.GetLabels()["grafana_dashboard"]; label != "1" {
		t.Errorf("the dashboard's ConfigMap has the label grafana_dashboard=%q, want \"1\", which the sidecar looks for", label)
	}
	data, _, _ := unstructured.NestedStringMap(configMap.Object, "data")
	if len(data) != 1 {
		t.Fatalf("the dashboard's ConfigMap has %d keys, want one dashboard", len(data))
	}
	original, err := os.ReadFile(filepath.Join(repoRoot(t), "config", "grafana", "fota-operator.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(original, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(data["fota-operator.json"]), &got); err != nil {
		t.Fatalf("the ConfigMap's fota-operator.json is no JSON: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the ConfigMap's dashboard is not config/grafana/fota-operator.json (-want +got):\n%s", diff)
	}
}
