// Package schema judges FotaCampaign and FotaRollout objects against the CustomResourceDefinitions
// embedded from config/crd, offline, the way kube-apiserver's registry for custom resources does:
// unknown fields found by pruning, defaults, the OpenAPI schema, the metadata and the CEL
// x-kubernetes-validations rules, with oldSelf and ratcheting on an update. It calls the API
// server's own code in k8s.io/apiextensions-apiserver, so its field errors are the ones
// `kubectl apply` prints; only the few lines that the registry keeps unexported
// (registry/customresource: the order of the steps and when CEL is skipped) are repeated here.
package schema

import (
	"context"
	"fmt"
	"io/fs"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apiextensionsfeatures "k8s.io/apiextensions-apiserver/pkg/features"
	"k8s.io/apimachinery/pkg/api/operation"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"sigs.k8s.io/yaml"
)

// Validator judges the objects of one version of one CustomResourceDefinition.
type Validator struct {
	kind       schema.GroupVersionKind
	namespaced bool
	// statusSubresource: the main resource ignores the status a request sends, as the API server
	// does when the CRD has a status subresource.
	statusSubresource bool
	structural        *structuralschema.Structural
	openAPI           apiservervalidation.SchemaValidator
	cel               *cel.Validator
}

// Validators holds a Validator per served kind and version.
type Validators map[schema.GroupVersionKind]*Validator

// Load builds the validators of every CustomResourceDefinition in crds (YAML files at its root),
// as the API server does when it starts serving them.
func Load(crds fs.FS) (Validators, error) {
	files, err := fs.Glob(crds, "*/*.yaml")
	if err != nil {
		return nil, err
	}
	validators := Validators{}
	for _, name := range files {
		raw, err := fs.ReadFile(crds, name)
		if err != nil {
			return nil, err
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(raw, crd); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := validators.add(crd); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return validators, nil
}

func (vs Validators) add(crd *apiextensionsv1.CustomResourceDefinition) error {
	for _, version := range crd.Spec.Versions {
		if !version.Served || version.Schema == nil {
			continue
		}
		v, err := newValidator(crd, version)
		if err != nil {
			return fmt.Errorf("version %s: %w", version.Name, err)
		}
		vs[v.kind] = v
	}
	return nil
}

func newValidator(crd *apiextensionsv1.CustomResourceDefinition, version apiextensionsv1.CustomResourceDefinitionVersion) (*Validator, error) {
	internal := &apiextensionsinternal.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(version.Schema, internal, nil); err != nil {
		return nil, err
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return nil, err
	}
	openAPI, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	return &Validator{
		kind:              schema.GroupVersionKind{Group: crd.Spec.Group, Version: version.Name, Kind: crd.Spec.Names.Kind},
		namespaced:        crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		statusSubresource: version.Subresources != nil && version.Subresources.Status != nil,
		structural:        structural,
		openAPI:           openAPI,
		cel:               cel.NewValidator(structural, true, celconfig.PerCallLimit),
	}, nil
}

// Kinds lists the group and kind of every validator.
func (vs Validators) Kinds() map[schema.GroupKind][]string {
	kinds := map[schema.GroupKind][]string{}
	for gvk := range vs {
		kinds[gvk.GroupKind()] = append(kinds[gvk.GroupKind()], gvk.GroupVersion().String())
	}
	return kinds
}

// Decode prepares obj in place as the API server decodes a request body: it drops and returns
// the fields the schema does not know (a request with fieldValidation=Strict, kubectl's default,
// is refused for them), and fills in the schema's defaults.
func (v *Validator) Decode(obj *unstructured.Unstructured) (unknownFields []string) {
	unknownFields = structuralpruning.PruneWithOptions(obj.Object, v.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj.Object, v.structural)
	structuraldefaulting.Default(obj.Object, v.structural)
	return unknownFields
}

// ValidateCreate is the API server's answer to creating obj, which Decode prepared.
func (v *Validator) ValidateCreate(ctx context.Context, obj *unstructured.Unstructured) field.ErrorList {
	if v.statusSubresource {
		delete(obj.Object, "status")
	}
	errs := v.validateResource(ctx, obj, nil)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, obj.Object, v.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, obj.Object)...)
	return v.withCEL(ctx, errs, obj, nil)
}

// ValidateUpdate is the API server's answer to changing old into obj, both prepared by Decode.
// Like `kubectl apply`, obj keeps old's status when the CRD has a status subresource.
func (v *Validator) ValidateUpdate(ctx context.Context, obj, old *unstructured.Unstructured) field.ErrorList {
	if v.statusSubresource {
		keepStatus(obj, old)
	}
	var schemaOptions []apiservervalidation.ValidationOption
	var celOptions []cel.Option
	if utilfeature.DefaultFeatureGate.Enabled(apiextensionsfeatures.CRDValidationRatcheting) {
		// Ratcheting: a value that was already invalid in old and did not change is not refused.
		correlated := common.NewCorrelatedObject(obj.Object, old.Object, &model.Structural{Structural: v.structural})
		schemaOptions = append(schemaOptions, apiservervalidation.WithRatcheting(correlated))
		celOptions = append(celOptions, cel.WithRatcheting(correlated))
	}
	errs := v.validateResource(ctx, obj, old, schemaOptions...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, obj.Object, v.structural, false)...)
	if oldErrs := structurallisttype.ValidateListSetsAndMaps(nil, v.structural, old.Object); len(oldErrs) == 0 {
		errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, obj.Object)...)
	}
	return v.withCEL(ctx, errs, obj, old, celOptions...)
}

// validateResource checks the type, the metadata and the OpenAPI schema, as the registry's
// customResourceValidator does; old is nil on a create.
func (v *Validator) validateResource(ctx context.Context, obj, old *unstructured.Unstructured, opts ...apiservervalidation.ValidationOption) field.ErrorList {
	if errs := v.validateTypeMeta(obj); len(errs) > 0 {
		return errs
	}
	metadata, errs := objectMeta(obj)
	if len(errs) > 0 {
		return errs
	}
	if old == nil {
		errs = metavalidation.ValidateObjectMetaDeclaratively(ctx, operation.Create, metadata, nil, v.namespaced,
			metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"), declarativeValidationBeta())
		return append(errs, apiservervalidation.ValidateCustomResource(nil, obj.Object, v.openAPI, opts...)...)
	}
	oldMetadata, errs := objectMeta(old)
	if len(errs) > 0 {
		return errs
	}
	errs = metavalidation.ValidateObjectMetaDeclaratively(ctx, operation.Update, metadata, oldMetadata, v.namespaced,
		nil, field.NewPath("metadata"), declarativeValidationBeta())
	return append(errs, apiservervalidation.ValidateCustomResourceUpdate(nil, obj.Object, old.Object, v.openAPI, opts...)...)
}

// withCEL adds the errors of the x-kubernetes-validations rules to errs, unless errs already holds
// an error after which the API server does not evaluate them (registry/customresource's
// hasBlockingErr).
func (v *Validator) withCEL(ctx context.Context, errs field.ErrorList, obj, old *unstructured.Unstructured, opts ...cel.Option) field.ErrorList {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return append(errs, field.Invalid(nil, nil,
				"some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
		}
	}
	var oldObject any
	if old != nil {
		oldObject = old.Object
	}
	celErrs, _ := v.cel.Validate(ctx, nil, v.structural, obj.Object, oldObject, celconfig.RuntimeCELCostBudget, opts...)
	return append(errs, celErrs...)
}

func (v *Validator) validateTypeMeta(obj *unstructured.Unstructured) field.ErrorList {
	var errs field.ErrorList
	if obj.GetKind() != v.kind.Kind {
		errs = append(errs, field.Invalid(field.NewPath("kind"), obj.GetKind(), "must be "+v.kind.Kind))
	}
	if want := v.kind.GroupVersion().String(); obj.GetAPIVersion() != want {
		errs = append(errs, field.Invalid(field.NewPath("apiVersion"), obj.GetAPIVersion(), "must be "+want))
	}
	return errs
}

func keepStatus(obj, old *unstructured.Unstructured) {
	if status, ok := old.Object["status"]; ok {
		obj.Object["status"] = status
		return
	}
	delete(obj.Object, "status")
}

func objectMeta(obj *unstructured.Unstructured) (*metav1.ObjectMeta, field.ErrorList) {
	raw, ok := obj.Object["metadata"]
	if !ok || raw == nil {
		return &metav1.ObjectMeta{}, nil
	}
	metadata, ok := raw.(map[string]any)
	if !ok {
		return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), raw, fmt.Sprintf("expected map[string]interface{}, got %T", raw))}
	}
	meta := &metav1.ObjectMeta{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(metadata, meta); err != nil {
		return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), raw, err.Error())}
	}
	return meta, nil
}

func declarativeValidationBeta() bool {
	return utilfeature.DefaultFeatureGate.Enabled(features.DeclarativeValidationBeta)
}
