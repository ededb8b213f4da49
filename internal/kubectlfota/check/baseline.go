package check

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/manifest"
)

// baselineSource finds the object that an object of the manifests would change.
type baselineSource interface {
	// baseline is the object of obj's kind, namespace and name; nil when there is none, and the
	// apply would create obj.
	baseline(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error)
	// namespace is the namespace of the objects that set none.
	namespace() string
}

// noBaseline runs the schema step only: without a baseline, whether an apply creates or updates
// an object is unknown, and so are the webhook's rules that apply to it.
type noBaseline struct{ ns string }

func (n noBaseline) baseline(context.Context, *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	return nil, nil
}

func (n noBaseline) namespace() string { return n.ns }

// manifestBaseline is the objects of the --base manifests.
type manifestBaseline struct {
	ns      string
	objects map[key]*unstructured.Unstructured
}

func (m manifestBaseline) baseline(_ context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	return m.objects[keyOf(obj)], nil
}

func (m manifestBaseline) namespace() string { return m.ns }

// liveBaseline gets the objects from the cluster, as the webhook would see them. It only reads.
type liveBaseline struct {
	ns     string
	client dynamic.Interface
}

func (l liveBaseline) baseline(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	resource := schema.GroupVersionResource{Group: obj.GroupVersionKind().Group, Version: obj.GroupVersionKind().Version,
		Resource: resourceOf(obj.GetKind())}
	live, err := l.client.Resource(resource).Namespace(obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("getting %s %s/%s from the cluster: %w", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
	return live, nil
}

func (l liveBaseline) namespace() string { return l.ns }

func resourceOf(kind string) string {
	if kind == kindRollout {
		return "fotarollouts"
	}
	return "fotacampaigns"
}

// baselineSource is the baseline the flags name. Offline, objects without a namespace are in -n's
// namespace or "default", whatever the kubeconfig says, so that a CI job gives the same answer on
// every machine; with --live they are in the kubeconfig's, as kubectl apply puts them.
func (o *Options) baselineSource() (baselineSource, error) {
	ns := "default"
	if o.configFlags.Namespace != nil && *o.configFlags.Namespace != "" {
		ns = *o.configFlags.Namespace
	}
	switch {
	case o.Live:
		return o.liveSource()
	case len(o.Base) > 0:
		objects, err := manifest.Read(o.Base, o.In)
		if err != nil {
			return nil, err
		}
		return manifestBaseline{ns: ns, objects: baselines(objects, ns)}, nil
	default:
		return noBaseline{ns: ns}, nil
	}
}

func (o *Options) liveSource() (baselineSource, error) {
	ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, err
	}
	config, err := o.configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return liveBaseline{ns: ns, client: client}, nil
}
