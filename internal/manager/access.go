package manager

import (
	"context"
	"errors"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// requiredAccess is what the caches and the reconciler cannot work without, in each watched
// namespace. The RBAC markers in controllers/doc.go grant it; config/namespaced binds it per
// namespace, where a namespace added to --watch-namespaces but forgotten in the RoleBindings is
// the likely mistake.
var requiredAccess = []struct {
	group, resource, subresource string
	verbs                        []string
}{
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotacampaigns", verbs: []string{"list", "watch"}},
	{group: fotav1alpha1.GroupVersion.Group, resource: "fotacampaigns", subresource: "status", verbs: []string{"patch"}},
	{resource: "secrets", verbs: []string{"get", "list", "watch"}},
	{resource: "events", verbs: []string{"create"}},
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
// returns an error that names every missing grant.
func checkAccess(ctx context.Context, c client.Client, namespaces []string) error {
	if len(namespaces) == 0 {
		namespaces = []string{metav1.NamespaceAll}
	}
	var missing []error
	for _, namespace := range namespaces {
		for _, required := range requiredAccess {
			for _, verb := range required.verbs {
				access := authorizationv1.ResourceAttributes{Namespace: namespace, Group: required.group,
					Resource: required.resource, Subresource: required.subresource, Verb: verb}
				allowed, err := allowed(ctx, c, access)
				if err != nil {
					return fmt.Errorf("checking the operator's RBAC: %w", err)
				}
				if !allowed {
					missing = append(missing, missingAccess(access))
				}
			}
		}
	}
	return errors.Join(missing...)
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

func missingAccess(access authorizationv1.ResourceAttributes) error {
	resource := access.Resource
	if access.Subresource != "" {
		resource += "/" + access.Subresource
	}
	if access.Namespace == "" {
		return fmt.Errorf("the operator may not %s %s in all namespaces: bind its ClusterRole with a ClusterRoleBinding "+
			"(config/default), or limit it to some namespaces with --watch-namespaces (config/namespaced)", access.Verb, resource)
	}
	return fmt.Errorf("the operator may not %s %s in namespace %q of --watch-namespaces: bind its ClusterRole there "+
		"with a RoleBinding (config/namespaced/role_bindings.yaml)", access.Verb, resource, access.Namespace)
}
