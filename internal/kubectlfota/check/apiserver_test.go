package check_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/test/envtest"
)

// TestStaticRulesAgreeWithAPIServer sends every row that a CRD rule refuses to a real
// kube-apiserver with the CRDs of config/crd, as `kubectl apply --dry-run=server` would (strict
// field validation, dry run; the base object created for real first), and checks that the API
// server refuses it with the same fields and messages as the report of TestCheckRules: the
// plugin's offline step cannot drift from the CRDs or from the API server's validation code.
func TestStaticRulesAgreeWithAPIServer(t *testing.T) {
	controlPlane := envtest.Start(t, envtest.Options{})
	t.Cleanup(func() {
		if err := controlPlane.Stop(); err != nil {
			t.Error(err)
		}
	})
	c := controlPlane.Client
	ctx := context.Background()

	cases := ruleCases()
	reasons := make([]string, 0, len(cases))
	for reason := range cases {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	for i, reason := range reasons {
		tc := cases[reason]
		if !tc.static {
			continue
		}
		t.Run(reason, func(t *testing.T) {
			namespace := fmt.Sprintf("static-%d", i)
			if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
				t.Fatal(err)
			}
			err := dryRunApply(ctx, t, c, namespace, tc.base, tc.head)
			if err == nil {
				t.Fatal("the API server accepted the change")
			}
			if diff := cmp.Diff(reportedErrors(tc.want), serverErrors(t, err)); diff != "" {
				t.Errorf("the API server's causes differ from the report (-report +API server):\n%s", diff)
			}
		})
	}
}

// dryRunApply creates base in namespace for real, when it is set, and sends head over it (or as a
// new object) as a server-side dry run.
func dryRunApply(ctx context.Context, t *testing.T, c client.Client, namespace string, base, head *unstructured.Unstructured) error {
	t.Helper()
	head = head.DeepCopy()
	head.SetNamespace(namespace)
	if base == nil {
		return c.Create(ctx, head, client.DryRunAll, client.FieldValidation("Strict"))
	}
	base = base.DeepCopy()
	base.SetNamespace(namespace)
	if err := c.Create(ctx, base); err != nil {
		t.Fatalf("creating the base: %v", err)
	}
	head.SetResourceVersion(base.GetResourceVersion())
	return c.Update(ctx, head, client.DryRunAll, client.FieldValidation("Strict"))
}

// reportedErrors is each error line of a report as "field: message", without the file and the
// object.
func reportedErrors(lines []string) []string {
	var errs []string
	for _, line := range lines {
		_, fieldAndMessage, _ := strings.Cut(line, ": ")
		errs = append(errs, fieldAndMessage)
	}
	return errs
}

// serverErrors is the API server's refusal as "field: message", one per cause. A request with an
// unknown field is refused before validation, as a bad request whose message names the field.
func serverErrors(t *testing.T, err error) []string {
	t.Helper()
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		t.Fatalf("the refusal %v is not an API status", err)
	}
	if apierrors.IsBadRequest(err) {
		return strictDecodingErrors(status.Status().Message)
	}
	if status.Status().Details == nil {
		t.Fatalf("the refusal %v has no causes", err)
	}
	var errs []string
	for _, cause := range status.Status().Details.Causes {
		errs = append(errs, cause.Field+": "+cause.Message)
	}
	return errs
}

// strictDecodingErrors reads the unknown fields of a strict decoding error, e.g. `FotaCampaign in
// version "v1alpha1" cannot be handled as a FotaCampaign: strict decoding error: unknown field
// "spec.startdate"`, in the form of the report.
func strictDecodingErrors(message string) []string {
	_, fields, _ := strings.Cut(message, "strict decoding error: ")
	var errs []string
	for _, unknown := range strings.Split(fields, ", ") {
		name := strings.Trim(strings.TrimPrefix(unknown, "unknown field "), `"`)
		errs = append(errs, fmt.Sprintf("%s: Forbidden: strict decoding error: unknown field %q", name, name))
	}
	return errs
}
