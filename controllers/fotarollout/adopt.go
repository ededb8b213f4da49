package fotarollout

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// adoptOrphans makes the rollout the controller of its wave campaigns that nobody controls: those
// a rollout of the same name left when it was deleted with its campaigns orphaned. Their devices
// count as started either way (listWaveCampaigns reads them); the reference is what lets their
// status changes wake the rollout and garbage collection delete them with it, as for the
// campaigns it created. The patch is made on the object's resourceVersion, so an edit in between
// fails it and the next reconcile looks again. Only metadata changes: an adopted campaign keeps
// its spec.
func (r *Reconciler) adoptOrphans(ctx context.Context, fr *fotav1alpha1.FotaRollout, campaigns []fotav1alpha1.FotaCampaign) error {
	for i := range campaigns {
		fc := &campaigns[i]
		if metav1.GetControllerOf(fc) != nil {
			continue
		}
		ctrl.LoggerFrom(ctx).Info("Adopting a wave campaign that no rollout controls", "campaign", fc.Name)
		adopted := fc.DeepCopy()
		adopted.OwnerReferences = append(adopted.OwnerReferences, controllerReference(fr))
		if err := r.client.Patch(ctx, adopted, client.MergeFromWithOptions(fc, client.MergeFromWithOptimisticLock{}),
			client.FieldOwner(fotav1alpha1.FieldManagerRollout)); err != nil {
			return fmt.Errorf("adopting FotaCampaign %s: %w", fc.Name, err)
		}
		*fc = *adopted
	}
	return nil
}
