// Command manager runs the fota-operator: it keeps the dates and time windows of Verizon ThingSpace
// FOTA campaigns equal to their FotaCampaign resources. Set ENABLE_WEBHOOKS=false to run it
// without the validating webhook (e.g. outside a cluster, with `make run`).
package main

import (
	"flag"
	"os"
	_ "time/tzdata" // the zone database travels in the binary: the distroless image has none

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/internal/manager"
)

// version is the operator's release, stamped at build time by `make build`, `make image` and the Dockerfile with
// -ldflags "-X main.version=v0.1.0"; a plain `go build` leaves "devel".
var version = "devel"

func main() {
	opts := manager.DefaultOptions()
	opts.BindFlags(flag.CommandLine)
	zapOptions := zap.Options{}
	zapOptions.BindFlags(flag.CommandLine)
	flag.Parse()
	opts.EnableWebhooks = os.Getenv("ENABLE_WEBHOOKS") != "false"

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOptions)))
	log := ctrl.Log.WithName("setup")

	mgr, err := manager.New(ctrl.GetConfigOrDie(), opts)
	if err != nil {
		log.Error(err, "Unable to set up the manager")
		os.Exit(1)
	}
	log.Info("Starting manager", "version", version, "thingspaceURL", opts.ThingSpace.BaseURL, "pollInterval", opts.PollInterval.String(),
		"maxConcurrentReconciles", opts.MaxConcurrentReconciles, "webhooks", opts.EnableWebhooks,
		"leaderElection", opts.LeaderElection, "watchNamespaces", opts.WatchNamespaces)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "Manager stopped with an error")
		os.Exit(1)
	}
}
