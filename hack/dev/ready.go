package main

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// webhookReadyTimeout bounds the wait for the webhook server; it normally answers within a second
// of the manager starting.
const webhookReadyTimeout = time.Minute

// probeName names the readiness probe campaign and everything it refers to; a dry run stores none.
const probeName = "dev-readiness-probe"

// waitForWebhook returns once the API server gets an answer from the admission webhook, which is
// the last piece a `kubectl apply` of a FotaCampaign needs. It asks with a server-side dry-run
// create: the webhook configuration fails closed, so the create only succeeds when the webhook
// served it, and a dry run leaves nothing behind.
func waitForWebhook(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme) error {
	quiet := rest.CopyConfig(cfg)
	quiet.WarningHandler = rest.NoWarnings{}
	c, err := client.New(quiet, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, webhookReadyTimeout, true,
		func(ctx context.Context) (bool, error) {
			lastErr = c.Create(ctx, readinessProbe(time.Now()), client.DryRunAll)
			return lastErr == nil, nil
		})
	if err != nil && lastErr != nil {
		return fmt.Errorf("the admission webhook did not answer within %s: %w", webhookReadyTimeout, lastErr)
	}
	return err
}

// readinessProbe is a valid FotaCampaign of one day, tomorrow: a campaign that has not started
// yet, which the webhook admits without a warning.
func readinessProbe(now time.Time) *fotav1alpha1.FotaCampaign {
	tomorrow := fotav1alpha1.Date(now.UTC().AddDate(0, 0, 1).Format(time.DateOnly))
	return &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Name: probeName, Namespace: metav1.NamespaceDefault},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          probeName,
			CampaignID:           probeName,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: probeName},
			Schedule:             fotav1alpha1.Schedule{StartDate: tomorrow, EndDate: tomorrow},
		},
	}
}
