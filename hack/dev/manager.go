package main

import (
	"time"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fota-operator/fota-operator/internal/manager"
)

// newManager builds the operator's manager exactly as main.go does, with what differs on a laptop:
// the webhook served on the host, port and certificate that envtest generated and wrote into the
// webhook configuration, and no metrics or health endpoints, whose fixed ports could clash with
// another program.
func newManager(cfg *rest.Config, hook envtest.WebhookInstallOptions, thingspaceURL string, pollInterval, progressInterval time.Duration) (ctrl.Manager, error) {
	opts := manager.DefaultOptions()
	opts.MetricsBindAddress = "0"
	opts.HealthProbeBindAddress = "0"
	opts.EnableWebhooks = true
	opts.WebhookHost = hook.LocalServingHost
	opts.WebhookPort = hook.LocalServingPort
	opts.WebhookCertPath = hook.LocalServingCertDir
	opts.ThingSpace.BaseURL = thingspaceURL
	opts.PollInterval = pollInterval
	opts.ProgressInterval = progressInterval
	return manager.New(cfg, opts)
}
