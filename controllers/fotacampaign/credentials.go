package fotacampaign

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// credentialsFor reads the ThingSpace credentials of fc's Secret. A Secret that is missing or
// lacks keys ends the reconcile with CredentialsNotFound: the Secret watch brings the campaign
// back when the Secret is created or fixed.
func (r *Reconciler) credentialsFor(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (thingspace.Credentials, *outcome) {
	key := types.NamespacedName{Namespace: fc.Namespace, Name: fc.Spec.CredentialsSecretRef.Name}
	creds, err := r.credentials.get(ctx, key)
	var missingKeys *thingspace.MissingCredentialsError
	switch {
	case err == nil:
		return creds, nil
	case apierrors.IsNotFound(err):
		return thingspace.Credentials{}, &outcome{
			reason: fotav1alpha1.ReasonCredentialsNotFound,
			message: fmt.Sprintf("Secret %q named by spec.credentialsSecretRef.name does not exist in namespace %q",
				key.Name, key.Namespace),
		}
	case errors.As(err, &missingKeys):
		return thingspace.Credentials{}, &outcome{reason: fotav1alpha1.ReasonCredentialsNotFound, message: missingKeys.Error()}
	default:
		// The Kubernetes API failed: nothing is known about the campaign, so the status stays.
		return thingspace.Credentials{}, &outcome{err: fmt.Errorf("reading Secret %s: %w", key, err)}
	}
}

// credentialsSource gives the ThingSpace credentials of a Secret. The error is the API's NotFound
// for a missing Secret, a *thingspace.MissingCredentialsError for one without the keys, or another
// API error.
type credentialsSource interface {
	get(ctx context.Context, key types.NamespacedName) (thingspace.Credentials, error)
}

var _ credentialsSource = (*credentialsCache)(nil)

// credentialsCache keeps the parsed credentials of each Secret by its resourceVersion. The
// operator watches Secrets as metadata only, so that no Secret of the cluster sits in its
// memory; a Secret's data is read from the API server only when its resourceVersion in the
// metadata cache differs from the one the credentials were parsed from.
type credentialsCache struct {
	// metadata is the manager's cache, which holds Secret metadata only.
	metadata client.Reader
	// secrets reads Secrets, data included, from the API server.
	secrets client.Reader
	// forgetTokens drops the tokens minted from a Secret that is gone.
	forgetTokens func(types.UID)

	mu       sync.Mutex
	bySecret map[types.NamespacedName]thingspace.Credentials
}

func newCredentialsCache(metadata, secrets client.Reader, forgetTokens func(types.UID)) *credentialsCache {
	return &credentialsCache{
		metadata:     metadata,
		secrets:      secrets,
		forgetTokens: forgetTokens,
		bySecret:     map[types.NamespacedName]thingspace.Credentials{},
	}
}

// get returns the credentials of the Secret key. The error is the API's NotFound for a missing
// Secret, a *thingspace.MissingCredentialsError for one without the keys, or another API error.
func (c *credentialsCache) get(ctx context.Context, key types.NamespacedName) (thingspace.Credentials, error) {
	resourceVersion, err := c.cachedResourceVersion(ctx, key)
	switch {
	case err == nil:
		if creds, ok := c.lookup(key); ok && creds.ResourceVersion == resourceVersion {
			return creds, nil
		}
	case !apierrors.IsNotFound(err):
		return thingspace.Credentials{}, err
	}
	// Either the Secret changed, or the metadata cache has not seen it yet: ask the API server,
	// which also tells a Secret created a moment ago from one that does not exist.
	secret := &corev1.Secret{}
	if err := c.secrets.Get(withoutLogging(ctx), key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			c.drop(key)
		}
		return thingspace.Credentials{}, err
	}
	creds, err := thingspace.CredentialsFromSecret(secret)
	if err != nil {
		c.drop(key)
		return thingspace.Credentials{}, err
	}
	c.store(key, creds)
	return creds, nil
}

// withoutLogging silences client-go for a Secret read: at high verbosity (V(8)) it logs the
// bodies of API replies through the context's logger, and a Secret's reply is its data.
func withoutLogging(ctx context.Context) context.Context {
	return logr.NewContext(ctx, logr.Discard())
}

func (c *credentialsCache) cachedResourceVersion(ctx context.Context, key types.NamespacedName) (string, error) {
	metadata := &metav1.PartialObjectMetadata{}
	metadata.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := c.metadata.Get(ctx, key, metadata); err != nil {
		return "", err
	}
	return metadata.ResourceVersion, nil
}

func (c *credentialsCache) lookup(key types.NamespacedName) (thingspace.Credentials, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	creds, ok := c.bySecret[key]
	return creds, ok
}

func (c *credentialsCache) store(key types.NamespacedName, creds thingspace.Credentials) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bySecret[key] = creds
}

func (c *credentialsCache) drop(key types.NamespacedName) {
	c.mu.Lock()
	creds, ok := c.bySecret[key]
	delete(c.bySecret, key)
	c.mu.Unlock()
	if ok {
		c.forgetTokens(creds.SecretUID)
	}
}

// rejectionRecords lists the distinct fingerprints of rejected credentials that FotaCampaigns
// record, for the ThingSpace client to check before it first tries a set of values.
func (r *Reconciler) rejectionRecords(ctx context.Context) ([]string, error) {
	// Read-only: the cache's objects, not copies of every campaign's devices.
	var list fotav1alpha1.FotaCampaignList
	if err := r.client.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing the FotaCampaigns' records of rejected credentials: %w", err)
	}
	seen := map[string]bool{}
	var records []string
	for i := range list.Items {
		if record := list.Items[i].Annotations[fotav1alpha1.AnnotationRejectedCredentials]; record != "" && !seen[record] {
			seen[record] = true
			records = append(records, record)
		}
	}
	return records, nil
}
