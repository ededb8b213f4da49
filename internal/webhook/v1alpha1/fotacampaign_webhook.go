package v1alpha1

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// SetupFotaCampaignWebhookWithManager registers the FotaCampaign validator with the manager's
// webhook server, at the path of the +kubebuilder:webhook marker, and its metrics with
// controller-runtime's registry. clk gives the current time that decides a campaign's phase; nil
// means the real clock.
func SetupFotaCampaignWebhookWithManager(mgr ctrl.Manager, clk clock.PassiveClock) error {
	registerMetrics()
	return ctrl.NewWebhookManagedBy(mgr, &fotav1alpha1.FotaCampaign{}).
		WithValidator(&FotaCampaignValidator{Clock: clk}).
		Complete()
}

// FotaCampaignValidator admits FotaCampaign creates and updates. It rejects a schedule change that
// ThingSpace would refuse in the campaign's phase, and warns about schedules that ThingSpace
// accepts but a user most likely did not mean. It only reads the objects of the request: no
// ThingSpace call, no write, so a dry run gets the same answer as a real request.
type FotaCampaignValidator struct {
	// Clock gives the current time, which decides the phase of a campaign; nil means the real
	// clock.
	Clock clock.PassiveClock
}

var _ admission.Validator[*fotav1alpha1.FotaCampaign] = &FotaCampaignValidator{}

// ValidateCreate admits every new campaign that campaign.AdmitCreate admits, with its warnings.
func (v *FotaCampaignValidator) ValidateCreate(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (admission.Warnings, error) {
	answer := campaign.AdmitCreate(fc, v.now())
	if answer.Refused() {
		ctrl.LoggerFrom(ctx).Info("Rejecting new campaign", "rules", rulesOf(answer.Violations))
		countRejection(operationCreate, answer.Violations)
		return nil, invalid(fc, answer.Violations)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Admitting new campaign", "warnings", len(answer.Warnings))
	countAdmission(operationCreate, resultAllowed)
	return answer.Warnings, nil
}

// ValidateUpdate rejects a change that campaign.AdmitUpdate refuses, with one field error per
// broken rule, and passes on its warnings otherwise.
func (v *FotaCampaignValidator) ValidateUpdate(ctx context.Context, oldFC, newFC *fotav1alpha1.FotaCampaign) (admission.Warnings, error) {
	now := v.now()
	answer := campaign.AdmitUpdate(oldFC, newFC, now)
	if answer.Refused() {
		ctrl.LoggerFrom(ctx).Info("Rejecting change", "phase", campaign.BaselineOf(oldFC).PhaseAt(now),
			"now", now.UTC().Format(time.RFC3339), "rules", rulesOf(answer.Violations))
		countRejection(operationUpdate, answer.Violations)
		return nil, invalid(newFC, answer.Violations)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Admitting change", "warnings", len(answer.Warnings))
	countAdmission(operationUpdate, resultAllowed)
	return answer.Warnings, nil
}

// ValidateDelete admits every delete. The webhook configuration does not send deletes; this
// answers one that a hand-edited configuration would.
func (v *FotaCampaignValidator) ValidateDelete(context.Context, *fotav1alpha1.FotaCampaign) (admission.Warnings, error) {
	return nil, nil
}

func (v *FotaCampaignValidator) now() time.Time {
	if v.Clock == nil {
		return time.Now()
	}
	return v.Clock.Now()
}

// invalid is the rejection of a change: a 422 Invalid status whose causes carry each violation's
// field path, so kubectl lists every problem at once.
func invalid(fc *fotav1alpha1.FotaCampaign, violations []campaign.Violation) error {
	return apierrors.NewInvalid(fotav1alpha1.GroupVersion.WithKind("FotaCampaign").GroupKind(), fc.Name,
		campaign.ErrorsOf(violations))
}

func rulesOf(violations []campaign.Violation) []campaign.Rule {
	rules := make([]campaign.Rule, 0, len(violations))
	for _, v := range violations {
		rules = append(rules, v.Rule)
	}
	return rules
}
