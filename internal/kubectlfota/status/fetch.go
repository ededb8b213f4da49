package status

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// reader is all that status may do with a cluster: get, list and watch. It has no write method,
// so the command cannot write even by mistake, and a user may run it with read-only RBAC.
type reader interface {
	client.Reader
	Watch(ctx context.Context, list client.ObjectList, opts ...client.ListOption) (watch.Interface, error)
}

// target is the object a user asked for.
type target struct {
	kind      string // kindCampaign or kindRollout
	namespace string
	name      string
}

func (t target) key() client.ObjectKey {
	return client.ObjectKey{Namespace: t.namespace, Name: t.name}
}

// fetchCampaign gets the campaign.
func fetchCampaign(ctx context.Context, r reader, t target) (*v1alpha1.FotaCampaign, error) {
	fc := &v1alpha1.FotaCampaign{}
	if err := r.Get(ctx, t.key(), fc); err != nil {
		return nil, explain(t, err)
	}
	return fc, nil
}

// fetchRollout gets the rollout and lists its wave campaigns by label, as the operator does: the
// campaigns the rollout controls, and any it would adopt (labelled, with no controller).
func fetchRollout(ctx context.Context, r reader, t target) (*v1alpha1.FotaRollout, []v1alpha1.FotaCampaign, error) {
	fr := &v1alpha1.FotaRollout{}
	if err := r.Get(ctx, t.key(), fr); err != nil {
		return nil, nil, explain(t, err)
	}
	list := &v1alpha1.FotaCampaignList{}
	if err := r.List(ctx, list, waveCampaignsOf(t)...); err != nil {
		return nil, nil, fmt.Errorf("listing the wave campaigns of FotaRollout %s/%s: %w", t.namespace, t.name, err)
	}
	return fr, rollout.WaveCampaignsOf(fr, list.Items), nil
}

// waveCampaignsOf selects the FotaCampaigns of a rollout.
func waveCampaignsOf(t target) []client.ListOption {
	return []client.ListOption{client.InNamespace(t.namespace), client.MatchingLabels{v1alpha1.LabelRollout: t.name}}
}

// explain turns the API server's answers a user is likely to meet into sentences that name the
// object; kubectl names the resource only by its plural and group.
func explain(t target, err error) error {
	switch {
	case apierrors.IsNotFound(err):
		return &notFoundError{target: t, err: err}
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the cluster does not know the kind %s: the fota-operator CRDs are not installed (%w)", t.kind, err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("reading %s %s/%s is forbidden: status needs get, list and watch on it (%w)", t.kind, t.namespace, t.name, err)
	}
	return fmt.Errorf("reading %s %s/%s: %w", t.kind, t.namespace, t.name, err)
}

// listNames lists the names of the objects of kind in namespace, for shell completion.
func listNames(ctx context.Context, r reader, kind, namespace string) ([]string, error) {
	var list client.ObjectList = &v1alpha1.FotaCampaignList{}
	if kind == kindRollout {
		list = &v1alpha1.FotaRolloutList{}
	}
	if err := r.List(ctx, list, client.InNamespace(namespace)); err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		if object, ok := item.(client.Object); ok {
			names = append(names, object.GetName())
		}
	}
	return names, nil
}

// notFoundError is the API server's NotFound, worded with the kind and the namespace, which the
// server's own text ("fotacampaigns.fota.thingspace.io \"x\" not found") leaves out. It unwraps to
// the server's error, so apierrors.IsNotFound still tells it.
type notFoundError struct {
	target target
	err    error
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("%s %q not found in namespace %q", e.target.kind, e.target.name, e.target.namespace)
}

func (e *notFoundError) Unwrap() error {
	return e.err
}
