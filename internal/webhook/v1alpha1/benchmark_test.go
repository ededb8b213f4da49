package v1alpha1

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// BenchmarkAdmission measures one admission request through the handler the manager serves:
// decoding the AdmissionReview objects, the validator, and building the response. Only the TLS
// and HTTP layers of the webhook server are left out. Logging is discarded, as its cost depends
// on the logger the manager is given.
func BenchmarkAdmission(b *testing.B) {
	oldFC := synced(referenceSchedule(), "CampaignScheduled")
	legal := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) {
		s.EndDate = "2026-12-10"
		s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{22, 24})
	})
	illegal := withSchedule(oldFC, func(s *fotav1alpha1.Schedule) {
		s.EndDate = "2026-11-25"
		s.DownloadTimeWindowList = nil
	})
	labelled := oldFC.DeepCopy()
	labelled.Labels = map[string]string{"fleet": "model-a"}

	cases := []struct {
		name        string
		request     admission.Request
		wantAllowed bool
	}{
		{"create", admissionRequest(b, admissionv1.Create, nil, oldFC), true},
		{"update, label only", admissionRequest(b, admissionv1.Update, oldFC, labelled), true},
		{"update, legal schedule change", admissionRequest(b, admissionv1.Update, oldFC, legal), true},
		{"update, illegal schedule change", admissionRequest(b, admissionv1.Update, oldFC, illegal), false},
	}
	handler := benchmarkWebhook(b)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			if got := handler.Handle(ctx, c.request); got.Allowed != c.wantAllowed {
				b.Fatalf("allowed = %v, want %v: %+v", got.Allowed, c.wantAllowed, got.Result)
			}
			b.ReportAllocs()
			for b.Loop() {
				handler.Handle(ctx, c.request)
			}
		})
	}
}

// benchmarkWebhook is the validating webhook as SetupFotaCampaignWebhookWithManager builds it,
// on a clock at which the reference campaign is in progress.
func benchmarkWebhook(b *testing.B) *admission.Webhook {
	scheme := runtime.NewScheme()
	if err := fotav1alpha1.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	wh := admission.WithValidator(scheme, &FotaCampaignValidator{Clock: clocktesting.NewFakePassiveClock(at(b, running))})
	wh.LogConstructor = func(logr.Logger, *admission.Request) logr.Logger { return logr.Discard() }
	return wh
}

// admissionRequest is the request the API server sends for an operation on a FotaCampaign.
func admissionRequest(b *testing.B, operation admissionv1.Operation, oldFC, newFC *fotav1alpha1.FotaCampaign) admission.Request {
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       types.UID("705ab4f5-6393-11e8-b7cc-42010a800002"),
		Kind:      metav1.GroupVersionKind{Group: fotav1alpha1.GroupVersion.Group, Version: fotav1alpha1.GroupVersion.Version, Kind: "FotaCampaign"},
		Resource:  metav1.GroupVersionResource{Group: fotav1alpha1.GroupVersion.Group, Version: fotav1alpha1.GroupVersion.Version, Resource: "fotacampaigns"},
		Name:      newFC.Name,
		Namespace: newFC.Namespace,
		Operation: operation,
		Object:    runtime.RawExtension{Raw: marshal(b, newFC)},
	}}
	if oldFC != nil {
		req.OldObject = runtime.RawExtension{Raw: marshal(b, oldFC)}
	}
	return req
}

func marshal(b *testing.B, obj runtime.Object) []byte {
	raw, err := json.Marshal(obj)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
