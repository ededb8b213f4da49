// Command kubectl-fota is the kubectl plugin of fota-operator: on the PATH it runs as `kubectl
// fota`. `kubectl fota check` judges FotaCampaign and FotaRollout manifests as the API server and
// the webhook would, without a cluster; see internal/kubectlfota.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the rules judge IANA time zones; a CI image may have no zone database

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/cmd"
)

// version is the plugin's release, stamped at build time as the manager's is, with
// -ldflags "-X main.version=v0.1.0" (make build does); unstamped, the module version of
// `go install` or "devel".
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	code := cmd.Execute(ctx, os.Args[1:], streams, cmd.Version(version))
	stop()
	os.Exit(code)
}
