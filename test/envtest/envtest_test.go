package envtest_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/test/envtest"
)

// skipRecorder is the testing.TB of a test, keeping the message the test was skipped with.
type skipRecorder struct {
	testing.TB
	message string
}

func (r *skipRecorder) Skip(args ...any) {
	r.message = fmt.Sprint(args...)
	r.SkipNow()
}

func TestAssetsSkipsWhenNeverBuilt(t *testing.T) {
	t.Setenv("KUBEBUILDER_ASSETS", "")
	t.Setenv("FOTA_ENVTEST_CACHE", t.TempDir())

	recorder := &skipRecorder{}
	returned := false
	t.Run("suite", func(t *testing.T) {
		recorder.TB = t
		envtest.Assets(recorder)
		returned = true
	})
	if returned {
		t.Fatal("Assets returned without binaries instead of skipping the test")
	}
	if !strings.Contains(recorder.message, "run `make setup-envtest`") {
		t.Fatalf("the skip does not say to run make setup-envtest: %q", recorder.message)
	}
}

func TestStartWithWebhooks(t *testing.T) {
	controlPlane := envtest.Start(t, envtest.Options{Webhooks: true})
	t.Cleanup(func() {
		if err := controlPlane.Stop(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()

	var campaigns fotav1alpha1.FotaCampaignList
	if err := controlPlane.Client.List(ctx, &campaigns); err != nil {
		t.Fatalf("listing FotaCampaigns, which needs the CRD installed and the type in the client's scheme: %v", err)
	}

	host, port, _, _ := controlPlane.WebhookServing()
	want := host + ":" + strconv.Itoa(port)
	var configurations admissionregistrationv1.ValidatingWebhookConfigurationList
	if err := controlPlane.Client.List(ctx, &configurations); err != nil {
		t.Fatal(err)
	}
	if len(configurations.Items) == 0 {
		t.Fatal("no ValidatingWebhookConfiguration installed")
	}
	for _, configuration := range configurations.Items {
		for _, hook := range configuration.Webhooks {
			if hook.ClientConfig.URL == nil {
				t.Fatalf("webhook %s calls a Service, not the local server", hook.Name)
			}
			target, err := url.Parse(*hook.ClientConfig.URL)
			if err != nil {
				t.Fatal(err)
			}
			if target.Host != want {
				t.Errorf("webhook %s calls %s, want the local server %s", hook.Name, target.Host, want)
			}
		}
	}
}
