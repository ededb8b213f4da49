// Package v1alpha1 holds the validating admission webhooks of the v1alpha1 kinds: the
// FotaCampaign webhook rejects, at apply time, the schedule changes ThingSpace would refuse for
// the campaign's phase, and the FotaRollout webhook the rollout changes the schema cannot judge
// (started waves changed, waves that do not grow, unknown time zones). The rules themselves live
// in internal/campaign and internal/rollout, which the controllers call too.
package v1alpha1

// +kubebuilder:webhook:path=/validate-fota-thingspace-io-v1alpha1-fotacampaign,mutating=false,failurePolicy=fail,sideEffects=None,groups=fota.thingspace.io,resources=fotacampaigns,verbs=create;update,versions=v1alpha1,name=vfotacampaign-v1alpha1.fota.thingspace.io,admissionReviewVersions=v1,timeoutSeconds=5
// +kubebuilder:webhook:path=/validate-fota-thingspace-io-v1alpha1-fotarollout,mutating=false,failurePolicy=fail,sideEffects=None,groups=fota.thingspace.io,resources=fotarollouts,verbs=create;update,versions=v1alpha1,name=vfotarollout-v1alpha1.fota.thingspace.io,admissionReviewVersions=v1,timeoutSeconds=5
