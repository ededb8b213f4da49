package v1alpha1

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/sets"
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

// ValidateCreate admits every new campaign whose display time zone exists: the schema has already
// checked the fields, and a new object has no baseline to move away from. Its warnings say when
// the schedule describes a campaign that has already started or ended, since the stricter rules
// apply from then on.
func (v *FotaCampaignValidator) ValidateCreate(ctx context.Context, fc *fotav1alpha1.FotaCampaign) (admission.Warnings, error) {
	if violations := campaign.CheckTimeZone(fc.Spec.DisplayTimeZone); len(violations) > 0 {
		ctrl.LoggerFrom(ctx).Info("Rejecting new campaign", "rules", rulesOf(violations))
		countRejection(operationCreate, violations)
		return nil, invalid(fc, violations)
	}
	warnings := campaign.Warnings(fc.Spec.Schedule, v.now())
	ctrl.LoggerFrom(ctx).V(1).Info("Admitting new campaign", "warnings", len(warnings))
	countAdmission(operationCreate, resultAllowed)
	return warnings, nil
}

// ValidateUpdate rejects a change that breaks a transition rule of the campaign's phase, with one
// field error per broken rule. The rules judge the change against what ThingSpace holds
// (status.applied and status.campaign.status, else the old spec), not against the old spec,
// because ThingSpace does the same. A FotaCampaign that schedules its campaign and has recorded
// no id has no baseline (ThingSpace holds nothing), so a schedule ThingSpace refused can be fixed
// by editing it. An update that leaves the schedule and the devices as they
// were (metadata, suspend, deletionPolicy, a finalizer) always passes, so no campaign can get stuck
// on an object it cannot edit, also while it is being deleted.
func (v *FotaCampaignValidator) ValidateUpdate(ctx context.Context, oldFC, newFC *fotav1alpha1.FotaCampaign) (admission.Warnings, error) {
	now := v.now()
	baseline := campaign.BaselineOf(oldFC)
	scheduleChanged := !campaign.Equal(oldFC.Spec.Schedule, newFC.Spec.Schedule)
	var violations []campaign.Violation
	if campaign.HasBaseline(oldFC) {
		if scheduleChanged {
			violations = campaign.CheckTransition(baseline, newFC.Spec.Schedule, now)
		}
		violations = append(violations, campaign.CheckDevicesChange(baseline.Status, oldFC.Spec.Devices, newFC.Spec.Devices)...)
	}
	if newFC.Spec.DisplayTimeZone != oldFC.Spec.DisplayTimeZone {
		violations = append(violations, campaign.CheckTimeZone(newFC.Spec.DisplayTimeZone)...)
	}
	if len(violations) > 0 {
		ctrl.LoggerFrom(ctx).Info("Rejecting change", "phase", baseline.PhaseAt(now), "now", now.UTC().Format(time.RFC3339),
			"rules", rulesOf(violations))
		countRejection(operationUpdate, violations)
		return nil, invalid(newFC, violations)
	}
	var warnings admission.Warnings
	if scheduleChanged {
		warnings = introducedWarnings(oldFC.Spec.Schedule, newFC.Spec.Schedule, now)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Admitting change", "warnings", len(warnings))
	countAdmission(operationUpdate, resultAllowed)
	return warnings, nil
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

// introducedWarnings is the warnings of the new schedule that the old one did not already have: a
// soft issue the user accepted before (an overlap, a campaign adopted while running) is not
// repeated on every later edit.
func introducedWarnings(oldSchedule, newSchedule fotav1alpha1.Schedule, now time.Time) admission.Warnings {
	known := sets.New(campaign.Warnings(oldSchedule, now)...)
	var warnings admission.Warnings
	for _, w := range campaign.Warnings(newSchedule, now) {
		if !known.Has(w) {
			warnings = append(warnings, w)
		}
	}
	return warnings
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
