package fotacampaign

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// One POST per campaign name. The cache can be seconds behind the API server: five objects that
// claim one name, created in one burst, may each see none of the others in it, and ThingSpace's
// campaign list may not show a campaign created a second ago. So the decision to POST is made
// under a per-name lock, held until the reconcile has recorded the id, on a read of the claimants
// from the API server: a label-selected list of the objects carrying the name's hash label, which
// costs one small list however many FotaCampaigns the cluster holds.

// nameLocks serialises the reconciles that may schedule one account + campaign name. Only the
// leader reconciles, so a lock in the process is a lock in the cluster.
type nameLocks struct {
	mu    sync.Mutex
	locks map[string]*nameLock
}

type nameLock struct {
	sync.Mutex
	holders int
}

func newNameLocks() *nameLocks {
	return &nameLocks{locks: map[string]*nameLock{}}
}

// lock takes the lock of key and returns its release. Locks of names no reconcile holds or waits
// for are dropped, so the map holds only the names being scheduled right now.
func (n *nameLocks) lock(key string) (unlock func()) {
	n.mu.Lock()
	l, ok := n.locks[key]
	if !ok {
		l = &nameLock{}
		n.locks[key] = l
	}
	l.holders++
	n.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		n.mu.Lock()
		defer n.mu.Unlock()
		if l.holders--; l.holders == 0 {
			delete(n.locks, key)
		}
	}
}

// mayPost says whether fc may be the one to schedule its campaign name: it reads every claimant of
// the name from the API server and returns nil, or the outcome that stops the reconcile without a
// ThingSpace call. It runs under the name's lock.
func (r *Reconciler) mayPost(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (*outcome, error) {
	claimants, err := r.claimantsOf(ctx, fc)
	if err != nil {
		return nil, err
	}
	self := findUID(claimants, fc)
	switch {
	case self == nil || self.DeletionTimestamp != nil:
		// Deleted, or being deleted, since the cache saw it: nothing is scheduled for it.
		return &outcome{recordedFirst: true}, nil
	case recordedID(self) != "":
		// The cache has not caught up with the id this object records: wait for it.
		return &outcome{recordedFirst: true}, nil
	}
	for i := range claimants {
		other := &claimants[i]
		if other.UID == fc.UID {
			continue
		}
		_, pending := other.Annotations[fotav1alpha1.AnnotationSchedulePending]
		if id := recordedID(other); id != "" || pending || olderThan(other, fc) {
			return nameClaimedBy(other, id, fc), nil
		}
	}
	return nil, nil
}

// claimantsOf lists, from the API server, the FotaCampaigns that carry fc's name label, in every
// watched namespace.
func (r *Reconciler) claimantsOf(ctx context.Context, fc *fotav1alpha1.FotaCampaign) ([]fotav1alpha1.FotaCampaign, error) {
	selector := client.MatchingLabels{fotav1alpha1.LabelCampaignNameHash: nameKeyOf(fc)}
	namespaces := r.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{""}
	}
	var claimants []fotav1alpha1.FotaCampaign
	for _, namespace := range namespaces {
		var list fotav1alpha1.FotaCampaignList
		if err := r.apiReader.List(ctx, &list, selector, client.InNamespace(namespace)); err != nil {
			return nil, fmt.Errorf("listing the FotaCampaigns that claim campaign name %q: %w", campaignNameOf(fc), err)
		}
		claimants = append(claimants, list.Items...)
	}
	return claimants, nil
}

// nameKeyOf is the value of fc's name label.
func nameKeyOf(fc *fotav1alpha1.FotaCampaign) string {
	return campaign.NameKeyOf(fc.Spec.AccountName, campaignNameOf(fc))
}

func findUID(list []fotav1alpha1.FotaCampaign, fc *fotav1alpha1.FotaCampaign) *fotav1alpha1.FotaCampaign {
	for i := range list {
		if list[i].UID == fc.UID {
			return &list[i]
		}
	}
	return nil
}

// recordedID is the campaign id an object records: its annotation, or its status.
func recordedID(fc *fotav1alpha1.FotaCampaign) string {
	if id := fc.Annotations[fotav1alpha1.AnnotationCampaignID]; id != "" {
		return id
	}
	if fc.Status.Campaign != nil {
		return fc.Status.Campaign.ID
	}
	return ""
}

func nameClaimedBy(other *fotav1alpha1.FotaCampaign, id string, fc *fotav1alpha1.FotaCampaign) *outcome {
	what := "was created earlier and schedules"
	if id != "" {
		what = "records campaign " + id + " for"
	}
	return &outcome{
		reason: fotav1alpha1.ReasonConflict,
		message: fmt.Sprintf("FotaCampaign %s %s the campaign named %q in account %s; this one makes no ThingSpace call until that one is deleted",
			klog.KObj(other), what, campaignNameOf(fc), fc.Spec.AccountName),
	}
}

// sameID compares campaign ids as ThingSpace does: without regard to case.
func sameID(a, b string) bool {
	return strings.EqualFold(a, b)
}

// postGuard is what create asks of the API server right before a POST; the unit tests of
// decisions replace it, since they run without an API server.
type postGuard interface {
	// mayPost reads the claimants of fc's campaign name from the API server: nil lets the POST
	// go, an outcome stops the reconcile without it.
	mayPost(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (*outcome, error)
	// writeMetadata writes fc's annotations and finalizers over written's, and makes written the
	// object the API server now stores. An object gone in between is an error: nothing that
	// must follow the write happens.
	writeMetadata(ctx context.Context, written, fc *fotav1alpha1.FotaCampaign) error
}

// apiServerGuard is the postGuard of a running manager.
type apiServerGuard struct{ r *Reconciler }

func (g apiServerGuard) mayPost(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (*outcome, error) {
	return g.r.mayPost(ctx, fc)
}

func (g apiServerGuard) writeMetadata(ctx context.Context, written, fc *fotav1alpha1.FotaCampaign) error {
	if err := g.r.patchMetadata(ctx, written, fc); err != nil {
		return err
	}
	written.Annotations = maps.Clone(fc.Annotations)
	written.Finalizers = slices.Clone(fc.Finalizers)
	written.ResourceVersion = fc.ResourceVersion
	return nil
}
