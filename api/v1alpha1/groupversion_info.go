// Package v1alpha1 holds the FotaCampaign API, a Verizon ThingSpace FOTA v2 campaign's dates and
// download/install time windows, declared as a Kubernetes resource and kept in step by the
// operator, and the FotaRollout API, a firmware rollout to a fleet in waves of FotaCampaigns.
//
// +kubebuilder:object:generate=true
// +groupName=fota.thingspace.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every type in this package.
	GroupVersion = schema.GroupVersion{Group: "fota.thingspace.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(GroupVersion, &FotaCampaign{}, &FotaCampaignList{}, &FotaRollout{}, &FotaRolloutList{})
	metav1.AddToGroupVersion(scheme, GroupVersion)
	return nil
}
