package check

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/manifest"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/schema"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// Kinds judged; every other kind, and every other API group, is skipped.
const (
	kindCampaign = "FotaCampaign"
	kindRollout  = "FotaRollout"
)

// judge answers for one object what the API server and then the webhook would answer to its
// apply at now.
type judge struct {
	validators schema.Validators
	now        time.Time
}

// Verdict is the answer to one object: the errors that refuse it and the warnings of an object
// that passes.
type Verdict struct {
	Errors   field.ErrorList
	Warnings []string
}

// isJudged reports whether obj is of a kind of the operator's API group.
func isJudged(obj *unstructured.Unstructured) bool {
	gvk := obj.GroupVersionKind()
	return gvk.Group == fotav1alpha1.GroupVersion.Group && (gvk.Kind == kindCampaign || gvk.Kind == kindRollout)
}

// judge answers the apply of desired over baseline, the object as the cluster holds it; nil
// baseline means a create. desired is modified as the API server modifies a request (defaults,
// the baseline's metadata and status); baseline is not.
func (j judge) judge(ctx context.Context, desired, baseline *unstructured.Unstructured) Verdict {
	validator, errs := j.decode(desired)
	if len(errs) > 0 {
		return Verdict{Errors: errs}
	}
	if baseline == nil {
		if errs := validator.ValidateCreate(ctx, desired); len(errs) > 0 {
			return Verdict{Errors: errs}
		}
		return j.admitCreate(desired)
	}
	baseline = baseline.DeepCopy()
	validator.Decode(baseline)
	if baseline.GetResourceVersion() == "" {
		// A baseline from manifests was never stored; kubectl apply sends the stored object's
		// version, which an update must carry.
		baseline.SetResourceVersion("1")
	}
	applyOver(desired, baseline)
	if errs := validator.ValidateUpdate(ctx, desired, baseline); len(errs) > 0 {
		return Verdict{Errors: errs}
	}
	return j.admitUpdate(desired, baseline)
}

// schemaOnly is the API server's answer to creating desired, without the webhook's: step 1 alone.
func (j judge) schemaOnly(ctx context.Context, desired *unstructured.Unstructured) Verdict {
	validator, errs := j.decode(desired)
	if len(errs) > 0 {
		return Verdict{Errors: errs}
	}
	return Verdict{Errors: validator.ValidateCreate(ctx, desired)}
}

// decode finds the validator of desired's version and decodes desired as the API server decodes a
// request; the errors refuse the request before any validation.
func (j judge) decode(desired *unstructured.Unstructured) (*schema.Validator, field.ErrorList) {
	validator, ok := j.validators[desired.GroupVersionKind()]
	if !ok {
		return nil, field.ErrorList{unservedVersion(desired, j.validators)}
	}
	if unknown := validator.Decode(desired); len(unknown) > 0 {
		return nil, unknownFields(unknown)
	}
	return validator, nil
}

// admitCreate is the webhook's answer to a create that the schema passed.
func (j judge) admitCreate(desired *unstructured.Unstructured) Verdict {
	switch desired.GetKind() {
	case kindCampaign:
		fc := &fotav1alpha1.FotaCampaign{}
		if err := fromUnstructured(desired, fc); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		return verdictOf(campaign.AdmitCreate(fc, j.now))
	default:
		fr := &fotav1alpha1.FotaRollout{}
		if err := fromUnstructured(desired, fr); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		return Verdict{Errors: rollout.CheckCreate(fr)}
	}
}

// admitUpdate is the webhook's answer to an update that the schema passed.
func (j judge) admitUpdate(desired, baseline *unstructured.Unstructured) Verdict {
	switch desired.GetKind() {
	case kindCampaign:
		oldFC, newFC := &fotav1alpha1.FotaCampaign{}, &fotav1alpha1.FotaCampaign{}
		if err := fromUnstructured(baseline, oldFC); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		if err := fromUnstructured(desired, newFC); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		return verdictOf(campaign.AdmitUpdate(oldFC, newFC, j.now))
	default:
		oldFR, newFR := &fotav1alpha1.FotaRollout{}, &fotav1alpha1.FotaRollout{}
		if err := fromUnstructured(baseline, oldFR); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		if err := fromUnstructured(desired, newFR); err != nil {
			return Verdict{Errors: field.ErrorList{err}}
		}
		return Verdict{Errors: rollout.CheckUpdate(oldFR, newFR)}
	}
}

func verdictOf(answer campaign.Admission) Verdict {
	return Verdict{Errors: campaign.ErrorsOf(answer.Violations), Warnings: answer.Warnings}
}

// fromUnstructured converts an object the schema passed into its Go type. It fails only when the
// embedded CRD and the Go types disagree, which `make manifests` prevents.
func fromUnstructured(obj *unstructured.Unstructured, into any) *field.Error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
		return field.InternalError(nil, fmt.Errorf("reading the %s: %w", obj.GetKind(), err))
	}
	return nil
}

// applyOver gives desired what `kubectl apply` keeps of the object it patches: the metadata the
// manifest does not set (uid, resourceVersion, creationTimestamp, the operator's annotations and
// finalizers), so that the update is judged on the object the API server would store. Labels
// and annotations merge key by key, the manifest's winning.
func applyOver(desired, baseline *unstructured.Unstructured) {
	merged, _ := baseline.Object["metadata"].(map[string]any)
	merged = runtime.DeepCopyJSONValue(merged).(map[string]any)
	if merged == nil {
		merged = map[string]any{}
	}
	own, _ := desired.Object["metadata"].(map[string]any)
	for key, value := range own {
		if keyed, ok := value.(map[string]any); ok && (key == "labels" || key == "annotations") {
			value = mergeMaps(merged[key], keyed)
		}
		merged[key] = value
	}
	desired.Object["metadata"] = merged
}

func mergeMaps(base any, own map[string]any) map[string]any {
	merged := map[string]any{}
	if baseMap, ok := base.(map[string]any); ok {
		for k, v := range baseMap {
			merged[k] = v
		}
	}
	for k, v := range own {
		merged[k] = v
	}
	return merged
}

// unservedVersion is the API server's refusal of a version of the group it does not serve.
func unservedVersion(obj *unstructured.Unstructured, validators schema.Validators) *field.Error {
	served := validators.Kinds()[obj.GroupVersionKind().GroupKind()]
	return field.NotSupported(field.NewPath("apiVersion"), obj.GetAPIVersion(), served)
}

// unknownFields is the refusal of a request whose fields the schema does not know: kubectl's
// default strict field validation makes the API server refuse it before any other check.
func unknownFields(paths []string) field.ErrorList {
	errs := make(field.ErrorList, 0, len(paths))
	for _, path := range paths {
		errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: path, BadValue: "",
			Detail: fmt.Sprintf("strict decoding error: unknown field %q", path)})
	}
	return errs
}

// key names an object the way the API server finds it.
type key struct {
	kind, namespace, name string
}

func keyOf(obj *unstructured.Unstructured) key {
	return key{kind: obj.GetKind(), namespace: obj.GetNamespace(), name: obj.GetName()}
}

// baselines indexes base manifests by kind, namespace and name.
func baselines(objects []manifest.Object, namespace string) map[key]*unstructured.Unstructured {
	index := map[key]*unstructured.Unstructured{}
	for _, o := range objects {
		if !isJudged(o.Object) {
			continue
		}
		defaultNamespace(o.Object, namespace)
		index[keyOf(o.Object)] = o.Object
	}
	return index
}

func defaultNamespace(obj *unstructured.Unstructured, namespace string) {
	if obj.GetNamespace() == "" {
		obj.SetNamespace(namespace)
	}
}

// judgeAgainst judges o against its baseline in source. Without a baseline source only the
// schema step runs.
func (j judge) judgeAgainst(ctx context.Context, o manifest.Object, source baselineSource) (Verdict, error) {
	baseline, err := source.baseline(ctx, o.Object)
	if err != nil {
		return Verdict{}, err
	}
	if _, schemaOnly := source.(noBaseline); schemaOnly {
		return j.schemaOnly(ctx, o.Object), nil
	}
	return j.judge(ctx, o.Object, baseline), nil
}
