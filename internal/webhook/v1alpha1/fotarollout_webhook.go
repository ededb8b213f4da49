package v1alpha1

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// SetupFotaRolloutWebhookWithManager registers the FotaRollout validator with the manager's
// webhook server, at the path of the +kubebuilder:webhook marker.
func SetupFotaRolloutWebhookWithManager(mgr ctrl.Manager) error {
	return ctrl.NewWebhookManagedBy(mgr, &fotav1alpha1.FotaRollout{}).
		WithValidator(&FotaRolloutValidator{}).
		Complete()
}

// FotaRolloutValidator admits FotaRollout creates and updates. It checks what the CRD schema
// cannot: the name leaves room for the wave campaigns' names, waves of the same kind grow, the
// waves that have started (status.currentWave) stay as they started, abort stays true, and the
// time zones exist. It only reads the objects of the request: no call, no write, so a dry run
// gets the same answer as a real request.
type FotaRolloutValidator struct{}

var _ admission.Validator[*fotav1alpha1.FotaRollout] = &FotaRolloutValidator{}

// ValidateCreate rejects a new rollout that breaks a rule of rollout.CheckCreate, with one field
// error per broken rule.
func (v *FotaRolloutValidator) ValidateCreate(ctx context.Context, fr *fotav1alpha1.FotaRollout) (admission.Warnings, error) {
	if errs := rollout.CheckCreate(fr); len(errs) > 0 {
		ctrl.LoggerFrom(ctx).Info("Rejecting new rollout", "errors", len(errs))
		return nil, invalidRollout(fr, errs)
	}
	return nil, nil
}

// ValidateUpdate rejects a change that breaks a rule of rollout.CheckUpdate, with one field error
// per broken rule. A change that leaves the waves, abort and the time zones as they were (pause,
// approval, metadata, a finalizer) always passes, also while the rollout is being deleted.
func (v *FotaRolloutValidator) ValidateUpdate(ctx context.Context, oldFR, newFR *fotav1alpha1.FotaRollout) (admission.Warnings, error) {
	if errs := rollout.CheckUpdate(oldFR, newFR); len(errs) > 0 {
		ctrl.LoggerFrom(ctx).Info("Rejecting rollout change", "currentWave", oldFR.Status.CurrentWave, "errors", len(errs))
		return nil, invalidRollout(newFR, errs)
	}
	return nil, nil
}

// ValidateDelete admits every delete. The webhook configuration does not send deletes; this
// answers one that a hand-edited configuration would.
func (v *FotaRolloutValidator) ValidateDelete(context.Context, *fotav1alpha1.FotaRollout) (admission.Warnings, error) {
	return nil, nil
}

// invalidRollout is the rejection of a rollout: a 422 Invalid status whose causes carry each
// error's field path, so kubectl lists every problem at once.
func invalidRollout(fr *fotav1alpha1.FotaRollout, errs field.ErrorList) error {
	return apierrors.NewInvalid(fotav1alpha1.GroupVersion.WithKind("FotaRollout").GroupKind(), fr.Name, errs)
}
