// Package config_test renders the kustomizations a user deploys, with `kubectl kustomize` as
// `make deploy` does, and checks what the pieces must agree on: two replicas that both serve the
// webhook and survive a drain, and a metrics endpoint that Prometheus reaches over verified TLS.
//
// The tests use the kubectl built with the control plane, and skip, naming `make setup-envtest`,
// when it was never built.
package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// render renders the kustomization dir of a copy of config/ in which edit, if any, has
// changed the lines of default/kustomization.yaml as a user would.
func render(t *testing.T, dir string, edit func(kustomization string) string) []*unstructured.Unstructured {
	t.Helper()
	assets := envtest.Assets(t)
	config := t.TempDir()
	if err := os.CopyFS(config, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		path := filepath.Join(config, "default", "kustomization.yaml")
		kustomization, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(edit(string(kustomization))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objects, err := harness.Kustomize(assets, filepath.Join(config, dir))
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

func stringMap(t *testing.T, object map[string]any, fields ...string) map[string]string {
	t.Helper()
	values, found, err := unstructured.NestedStringMap(object, fields...)
	if !found || err != nil {
		t.Fatalf("%s: not found (%v)", strings.Join(fields, "."), err)
	}
	return values
}

// selects reports whether a selector's labels are all among the pod's labels.
func selects(selector, podLabels map[string]string) bool {
	for key, value := range selector {
		if podLabels[key] != value {
			return false
		}
	}
	return len(selector) > 0
}

func TestDefaultRunsTwoReplicasThatBothServeTheWebhook(t *testing.T) {
	objects := render(t, "default", nil)
	deployment := envtest.Only(t, objects, "Deployment")
	podLabels := stringMap(t, deployment.Object, "spec", "template", "metadata", "labels")

	replicas, _, _ := unstructured.NestedInt64(deployment.Object, "spec", "replicas")
	if replicas != 2 {
		t.Errorf("replicas %d, want 2", replicas)
	}
	args, _, _ := unstructured.NestedStringSlice(envtest.ManagerContainer(t, deployment), "args")
	if !slices.Contains(args, "--leader-elect") {
		t.Errorf("manager args %v lack --leader-elect: two replicas would both reconcile", args)
	}

	budget := envtest.Only(t, objects, "PodDisruptionBudget")
	if minAvailable, _, _ := unstructured.NestedInt64(budget.Object, "spec", "minAvailable"); minAvailable != 1 {
		t.Errorf("PodDisruptionBudget minAvailable %d, want 1", minAvailable)
	}
	if selector := stringMap(t, budget.Object, "spec", "selector", "matchLabels"); !selects(selector, podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not select the manager's pods %v", selector, podLabels)
	}

	webhookService := harness.Find(objects, "Service", "fota-operator-webhook-service")
	if webhookService == nil {
		t.Fatal("no webhook Service")
	}
	if selector := stringMap(t, webhookService.Object, "spec", "selector"); !selects(selector, podLabels) {
		t.Errorf("webhook Service selector %v does not select every manager pod %v", selector, podLabels)
	}
}

func TestPrometheusVerifiesTheMetricsCertificate(t *testing.T) {
	objects := render(t, "default", func(kustomization string) string {
		const commented = "#- ../prometheus"
		if !strings.Contains(kustomization, commented) {
			t.Fatalf("config/default/kustomization.yaml has no line %q to uncomment", commented)
		}
		return strings.Replace(kustomization, commented, "- ../prometheus", 1)
	})
	service := harness.Find(objects, "Service", "fota-operator-controller-manager-metrics-service")
	if service == nil {
		t.Fatal("no metrics Service")
	}
	serviceName := service.GetName() + "." + service.GetNamespace() + ".svc"

	var certificate *unstructured.Unstructured
	for _, candidate := range harness.OfKind(objects, "Certificate") {
		dnsNames, _, _ := unstructured.NestedStringSlice(candidate.Object, "spec", "dnsNames")
		if slices.Contains(dnsNames, serviceName) {
			certificate = candidate
		}
	}
	if certificate == nil {
		t.Fatalf("no Certificate names the metrics Service %s", serviceName)
	}
	secretName, _, _ := unstructured.NestedString(certificate.Object, "spec", "secretName")

	deployment := envtest.Only(t, objects, "Deployment")
	container := envtest.ManagerContainer(t, deployment)
	args, _, _ := unstructured.NestedStringSlice(container, "args")
	certPath := ""
	for _, arg := range args {
		if value, ok := strings.CutPrefix(arg, "--metrics-cert-path="); ok {
			certPath = value
		}
	}
	if certPath == "" {
		t.Fatalf("manager args %v lack --metrics-cert-path: the manager would serve a self-signed certificate", args)
	}
	if mounted := mountedSecret(t, deployment, container, certPath); mounted != secretName {
		t.Errorf("--metrics-cert-path %s holds Secret %q, want the metrics certificate's %q", certPath, mounted, secretName)
	}

	monitor := envtest.Only(t, objects, "ServiceMonitor")
	endpoints, _, _ := unstructured.NestedSlice(monitor.Object, "spec", "endpoints")
	if len(endpoints) != 1 {
		t.Fatalf("ServiceMonitor has %d endpoints, want 1", len(endpoints))
	}
	tlsConfig, _, _ := unstructured.NestedMap(endpoints[0].(map[string]any), "tlsConfig")
	if skip, _, _ := unstructured.NestedBool(tlsConfig, "insecureSkipVerify"); skip {
		t.Error("ServiceMonitor skips TLS verification: Prometheus would hand its token to any pod with the Service's labels")
	}
	if ca := stringMap(t, tlsConfig, "ca", "secret"); ca["name"] != secretName || ca["key"] != "ca.crt" {
		t.Errorf("ServiceMonitor verifies against %v, want ca.crt of Secret %q", ca, secretName)
	}
	if serverName, _, _ := unstructured.NestedString(tlsConfig, "serverName"); serverName != serviceName {
		t.Errorf("ServiceMonitor serverName %q, want the metrics Service's %q", serverName, serviceName)
	}
}

// mountedSecret returns the name of the Secret whose volume the container mounts at path.
func mountedSecret(t *testing.T, deployment *unstructured.Unstructured, container map[string]any, path string) string {
	t.Helper()
	mounts, _, _ := unstructured.NestedSlice(container, "volumeMounts")
	volumes, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "volumes")
	for _, mount := range mounts {
		mount := mount.(map[string]any)
		if mount["mountPath"] != path {
			continue
		}
		for _, volume := range volumes {
			volume := volume.(map[string]any)
			if volume["name"] == mount["name"] {
				secretName, _, _ := unstructured.NestedString(volume, "secret", "secretName")
				return secretName
			}
		}
	}
	return ""
}
