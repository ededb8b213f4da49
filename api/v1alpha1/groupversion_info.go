// Package v1alpha1 holds the FotaCampaign API: a Verizon ThingSpace FOTA v2 campaign's dates and
// download/install time windows, declared as a Kubernetes resource and kept in step by the operator.
//
// +kubebuilder:object:generate=true
// +groupName=fota.thingspace.io
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every type in this package.
	GroupVersion = schema.GroupVersion{Group: "fota.thingspace.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
