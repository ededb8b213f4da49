package manager

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// cacheOptions keeps the manager's cache small and free of credentials: FotaCampaigns without
// their managedFields, which nothing reads and which are a large part of each object; Secrets
// and ConfigMaps as their identity only; and, when namespaces are given, nothing outside them.
func cacheOptions(namespaces []string) cache.Options {
	options := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:    {Transform: secretIdentity},
			&corev1.ConfigMap{}: {Transform: configMapIdentity},
		},
	}
	if len(namespaces) > 0 {
		options.DefaultNamespaces = make(map[string]cache.Config, len(namespaces))
		for _, namespace := range namespaces {
			options.DefaultNamespaces[namespace] = cache.Config{}
		}
	}
	return options
}

// secretIdentity is the cache transform of Secrets. The controller watches Secrets as metadata
// only to map a Secret's events to the campaigns that name it (namespace and name) and to tell
// when its data may have changed (uid and resourceVersion). Everything else is dropped before
// it is stored: annotations such as kubectl.kubernetes.io/last-applied-configuration carry the
// whole Secret, tokens included, and labels and managedFields are of no use to the operator.
func secretIdentity(in any) (any, error) {
	switch secret := in.(type) {
	case *metav1.PartialObjectMetadata:
		return &metav1.PartialObjectMetadata{TypeMeta: secret.TypeMeta, ObjectMeta: identityOf(&secret.ObjectMeta)}, nil
	case *corev1.Secret:
		// The controller never caches whole Secrets (the client reads them from the API
		// server), but should an informer for them start, it holds no data either.
		return &corev1.Secret{TypeMeta: secret.TypeMeta, ObjectMeta: identityOf(&secret.ObjectMeta)}, nil
	default:
		return nil, fmt.Errorf("the Secret cache stores Secrets and their metadata only, not %T", in)
	}
}

func identityOf(meta *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            meta.Name,
		Namespace:       meta.Namespace,
		UID:             meta.UID,
		ResourceVersion: meta.ResourceVersion,
	}
}

// configMapIdentity is the cache transform of ConfigMaps. The rollout controller watches them as
// metadata only, to map a ConfigMap's events to the rollouts whose fleet it holds, and reads
// their data from the API server when it computes a wave. Annotations such as
// kubectl.kubernetes.io/last-applied-configuration would copy a fleet of 65 000 device ids into
// the cache: only the identity is kept.
func configMapIdentity(in any) (any, error) {
	switch cm := in.(type) {
	case *metav1.PartialObjectMetadata:
		return &metav1.PartialObjectMetadata{TypeMeta: cm.TypeMeta, ObjectMeta: identityOf(&cm.ObjectMeta)}, nil
	case *corev1.ConfigMap:
		return &corev1.ConfigMap{TypeMeta: cm.TypeMeta, ObjectMeta: identityOf(&cm.ObjectMeta)}, nil
	default:
		return nil, fmt.Errorf("the ConfigMap cache stores ConfigMaps and their metadata only, not %T", in)
	}
}
