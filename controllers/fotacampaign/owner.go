package fotacampaign

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// One owner per campaign: two FotaCampaigns naming the same ThingSpace campaign (the same account
// and id, or, while scheduling, the same account and campaign name) would fight, each poll
// flipping ThingSpace to its own spec. The older one (by creationTimestamp, then namespace/name)
// owns the campaign; the other reports Conflict and makes no ThingSpace call until the owner is
// deleted.

// ownershipIndex is the field index from a FotaCampaign to the keys of the campaign it claims.
const ownershipIndex = "fota.thingspace.io/campaign"

// ownershipKeysOf lists the keys of the ThingSpace campaign a FotaCampaign claims: its id when one
// is known, and the name it schedules under when it schedules.
func ownershipKeysOf(obj client.Object) []string {
	fc, ok := obj.(*fotav1alpha1.FotaCampaign)
	if !ok {
		return nil
	}
	var keys []string
	if id := fc.Spec.CampaignID; id != "" {
		keys = append(keys, idKey(fc.Spec.AccountName, id))
	}
	if id := fc.Annotations[fotav1alpha1.AnnotationCampaignID]; id != "" && !sameID(id, fc.Spec.CampaignID) {
		keys = append(keys, idKey(fc.Spec.AccountName, id))
	}
	if fc.Spec.Software != nil {
		keys = append(keys, "name/"+fc.Spec.AccountName+"/"+campaignNameOf(fc))
	}
	return keys
}

// idKey is the index key of a campaign id. ThingSpace compares ids without regard to case, so the
// key does too: "ABC" and "abc" are one campaign with one owner.
func idKey(account, id string) string {
	return "id/" + account + "/" + strings.ToLower(id)
}

// ownership is who owns the campaign a FotaCampaign claims: nil owner means the FotaCampaign
// itself.
type ownership struct {
	owner *fotav1alpha1.FotaCampaign
	key   string
}

// conflict is the outcome of a FotaCampaign that does not own its campaign.
func (o ownership) conflict() *outcome {
	if o.owner == nil {
		return nil
	}
	what := strings.SplitN(o.key, "/", 3)
	claim := fmt.Sprintf("campaign %s of account %s", what[2], what[1])
	if what[0] == "name" {
		claim = fmt.Sprintf("the campaign named %q in account %s", what[2], what[1])
	}
	return &outcome{
		reason: fotav1alpha1.ReasonConflict,
		message: fmt.Sprintf("FotaCampaign %s, created earlier, manages %s; this one makes no ThingSpace call until that one is deleted",
			klog.KObj(o.owner), claim),
	}
}

// ownerOf finds the FotaCampaign that owns what fc claims, when it is not fc.
func (r *Reconciler) ownerOf(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (ownership, error) {
	for _, key := range ownershipKeysOf(fc) {
		var claimants fotav1alpha1.FotaCampaignList
		// Read-only (the owner is only named), so the cache's objects rather than copies of
		// their devices.
		if err := r.client.List(ctx, &claimants, client.MatchingFields{ownershipIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
			return ownership{}, fmt.Errorf("listing the FotaCampaigns that claim %s: %w", key, err)
		}
		for i := range claimants.Items {
			if other := &claimants.Items[i]; other.UID != fc.UID && olderThan(other, fc) {
				return ownership{owner: other, key: key}, nil
			}
		}
	}
	return ownership{}, nil
}

// olderThan orders claimants: the earlier creationTimestamp, then namespace/name.
func olderThan(a, b *fotav1alpha1.FotaCampaign) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// campaignsReleasedBy maps the deletion of a FotaCampaign to the others that claim its campaign,
// so that the next owner takes over at once.
func (r *Reconciler) campaignsReleasedBy(ctx context.Context, obj client.Object) []reconcile.Request {
	var requests []reconcile.Request
	for _, key := range ownershipKeysOf(obj) {
		var claimants fotav1alpha1.FotaCampaignList
		// Read-only (the owner is only named), so the cache's objects rather than copies of
		// their devices.
		if err := r.client.List(ctx, &claimants, client.MatchingFields{ownershipIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "Listing the FotaCampaigns that claim a released campaign", "key", key)
			continue
		}
		for i := range claimants.Items {
			if claimants.Items[i].UID != obj.GetUID() {
				requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&claimants.Items[i])})
			}
		}
	}
	return requests
}
