// Package scheme owns the operator's runtime scheme: the Kubernetes built-in types and the
// FotaCampaign API. It lives apart from internal/manager, which builds the manager on it, so that
// what only needs the types (the control plane of hack/harness, the webhook's own tests through
// test/envtest) can have them without importing the controller and the webhook.
package scheme

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// New returns a new scheme with the Kubernetes built-in types and FotaCampaign.
func New() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(fotav1alpha1.AddToScheme(scheme))
	return scheme
}
