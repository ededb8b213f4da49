package envtest

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// Only returns the one object of kind among objects, as kustomize or helm rendered them, and
// fails tb when there is not exactly one.
func Only(tb testing.TB, objects []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	tb.Helper()
	found := harness.OfKind(objects, kind)
	if len(found) != 1 {
		tb.Fatalf("%d objects of kind %s, want 1", len(found), kind)
	}
	return found[0]
}

// ManagerContainer is the rendered Deployment's one container, the manager; it fails tb when the
// Deployment has another number of containers.
func ManagerContainer(tb testing.TB, deployment *unstructured.Unstructured) map[string]any {
	tb.Helper()
	containers, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 {
		tb.Fatalf("the Deployment has %d containers, want the manager only", len(containers))
	}
	return containers[0].(map[string]any)
}
