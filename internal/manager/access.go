package manager

import (
	"context"
	"errors"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// The verbs of requiredAccess.
const (
	verbGet    = "get"
	verbList   = "list"
	verbWatch  = "watch"
	verbPatch  = "patch"
	verbCreate = "create"
)

// requiredAccess is what the caches and the reconciler cannot work without, in each watched
// namespace. The RBAC markers in controllers/fotacampaign/doc.go and
// controllers/fotarollout/doc.go grant it; config/namespaced binds it per namespace, where a
// namespace added to --watch-namespaces but forgotten in the RoleBindings is the likely mistake.
var requiredAccess = []struct {
	group, resource, subresource string
	verbs                        []string
}{
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotacampaigns", verbs: []string{verbList, verbWatch, verbPatch, verbCreate}},
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotacampaigns", subresource: "status", verbs: []string{verbPatch}},
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotarollouts", verbs: []string{verbList, verbWatch, verbPatch}},
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotarollouts", subresource: "status", verbs: []string{verbPatch}},
	{resource: "secrets", verbs: []string{verbGet, verbList, verbWatch}},
	{resource: "configmaps", verbs: []string{verbGet, verbList, verbWatch}},
	{resource: "events", verbs: []string{verbCreate}},
}

// accessCheckedManager is the manager New returns: Start first checks that the operator's RBAC
// grants requiredAccess. controller-runtime waits for the caches to sync before it starts
// anything else, so a missing grant would leave a replica that looks healthy, serves the
// webhook, and logs "forbidden" list errors forever without naming the namespace or the flag.
type accessCheckedManager struct {
	ctrl.Manager
	namespaces []string
}

// Start checks the RBAC, then runs the manager until ctx ends.
func (m *accessCheckedManager) Start(ctx context.Context) error {
	if err := checkAccess(ctx, m.GetClient(), m.namespaces); err != nil {
		return err
	}
	return m.Manager.Start(ctx)
}

// checkAccess asks the API server, with SelfSubjectAccessReviews, whether the operator has each
// requiredAccess in each watched namespace, or cluster-wide without --watch-namespaces, and
// returns an error per namespace that names what is missing there.
func checkAccess(ctx context.Context, c client.Client, namespaces []string) error {
	if len(namespaces) == 0 {
		namespaces = []string{metav1.NamespaceAll}
	}
	var errs []error
	for _, namespace := range namespaces {
		missing, err := missingAccess(ctx, c, namespace)
		if err != nil {
			return fmt.Errorf("checking the operator's RBAC: %w", err)
		}
		if len(missing) > 0 {
			errs = append(errs, accessError(namespace, missing))
		}
	}
	return errors.Join(errs...)
}

// missingAccess returns what the operator may not do in namespace, such as "list, watch secrets".
func missingAccess(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	var missing []string
	for _, required := range requiredAccess {
		var denied []string
		for _, verb := range required.verbs {
			allowed, err := allowed(ctx, c, authorizationv1.ResourceAttributes{Namespace: namespace, Group: required.group,
				Resource: required.resource, Subresource: required.subresource, Verb: verb})
			if err != nil {
				return nil, err
			}
			if !allowed {
				denied = append(denied, verb)
			}
		}
		if len(denied) > 0 {
			resource := required.resource
			if required.subresource != "" {
				resource += "/" + required.subresource
			}
			missing = append(missing, strings.Join(denied, ", ")+" "+resource)
		}
	}
	return missing, nil
}

func allowed(ctx context.Context, c client.Client, access authorizationv1.ResourceAttributes) (bool, error) {
	review := &authorizationv1.SelfSubjectAccessReview{
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &access},
	}
	if err := c.Create(ctx, review); err != nil {
		return false, err
	}
	return review.Status.Allowed, nil
}

func accessError(namespace string, missing []string) error {
	if namespace == metav1.NamespaceAll {
		return fmt.Errorf("the operator may not %s in all namespaces: bind its ClusterRole with a ClusterRoleBinding "+
			"(config/default), or limit it to some namespaces with --watch-namespaces (config/namespaced)", strings.Join(missing, "; "))
	}
	return fmt.Errorf("the operator may not %s in namespace %q of --watch-namespaces: bind its ClusterRole there "+
		"with a RoleBinding (config/namespaced/role_bindings.yaml)", strings.Join(missing, "; "), namespace)
}
