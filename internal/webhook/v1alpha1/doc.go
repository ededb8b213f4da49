// Package v1alpha1 holds the validating admission webhook of FotaCampaign v1alpha1: it rejects, at
// apply time, the schedule changes ThingSpace would refuse for the campaign's phase. The rules
// themselves live in internal/campaign, which the controller calls too.
package v1alpha1

// +kubebuilder:webhook:path=/validate-fota-thingspace-io-v1alpha1-fotacampaign,mutating=false,failurePolicy=fail,sideEffects=None,groups=fota.thingspace.io,resources=fotacampaigns,verbs=create;update,versions=v1alpha1,name=vfotacampaign-v1alpha1.fota.thingspace.io,admissionReviewVersions=v1,timeoutSeconds=5
