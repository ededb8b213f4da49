// Command dev runs fota-operator on its embedded default, for `make dev`: a local control plane
// (kube-apiserver and etcd, the envtest binaries) with the CRD and the webhook configuration
// installed, the ThingSpace simulator seeded with the campaigns of config/samples, and the manager
// with its admission webhook, all in this one process.
//
// It writes a kubeconfig for a cluster-admin user "dev" (bin/dev/kubeconfig, or DEV_KUBECONFIG),
// prints the line to export it and the simulator's URL, then the line
//
//	fota-operator dev environment ready
//
// once the webhook answers, so that `kubectl apply -f config/samples/` works from then on. The
// operator's logs go to stderr. SIGINT or SIGTERM stops the manager, the simulator and the control
// plane, removes the kubeconfig and exits 0.
//
// With THINGSPACE_URL set (or --thingspace-url) the operator talks to that ThingSpace instead, and
// no simulator runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// readyLine is what a person or a script waits for before using the environment.
const readyLine = "fota-operator dev environment ready"

var log = ctrl.Log.WithName("dev")

func main() {
	harness.Main("dev", run)
}

// config is what the command line and the environment ask for.
type config struct {
	root          string
	kubeconfig    string
	thingspaceURL string
	simulatorAddr string
	pollInterval  time.Duration
	// progressInterval is how often a running campaign's device report is read.
	progressInterval time.Duration
	logging          zap.Options
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	root, err := harness.FindRoot()
	if err != nil {
		return config{}, err
	}
	// Human-readable logs at info level; --zap-log-level=debug shows the operator's V(1) lines.
	// Not zap's development mode: its flag would claim debug logging by default.
	c := config{root: root, logging: zap.Options{Level: zapcore.InfoLevel}}
	zap.ConsoleEncoder()(&c.logging)
	flags := flag.NewFlagSet("dev", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "Usage: make dev [ARGS=\"flags\"]\n\n"+
			"Runs a local control plane, the ThingSpace simulator and the operator with its webhook.\n"+
			"Logs go to standard error in console form at info level (--zap-log-level=debug for the operator's detail).\n\nFlags:\n")
		flags.PrintDefaults()
	}
	flags.StringVar(&c.kubeconfig, "write-kubeconfig", envOr("DEV_KUBECONFIG", filepath.Join(root, "bin", "dev", "kubeconfig")),
		"where to write the kubeconfig of the dev user (env DEV_KUBECONFIG); removed again on exit")
	flags.StringVar(&c.thingspaceURL, "thingspace-url", os.Getenv("THINGSPACE_URL"),
		"a ThingSpace to use instead of the simulator (env THINGSPACE_URL); nothing is seeded there")
	flags.StringVar(&c.simulatorAddr, "simulator-addr", envOr("DEV_SIMULATOR_ADDR", "127.0.0.1:8089"),
		"where the ThingSpace simulator listens (env DEV_SIMULATOR_ADDR); keep it loopback, its /_sim/ admin endpoints have no authentication")
	flags.DurationVar(&c.pollInterval, "poll-interval", 30*time.Second,
		"how often the operator re-reads every campaign from ThingSpace (the deployed default is 10m; shorter here so that changes made through /_sim/ show soon)")
	flags.DurationVar(&c.progressInterval, "progress-interval", time.Minute,
		"how often the operator reads the device report of a running campaign (the deployed default is 10m; shorter here so that the sample rollout moves)")
	c.logging.BindFlags(flags)
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if c.kubeconfig, err = filepath.Abs(c.kubeconfig); err != nil {
		return config{}, err
	}
	return c, nil
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// run starts everything, reports readiness, and tears everything down when ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&c.logging), zap.WriteTo(stderr)))

	var started teardown
	defer func() { err = errors.Join(err, started.run()) }()

	// The simulator first: a port already taken fails at once, not after the control plane.
	thingspaceURL, err := startThingSpace(c, &started)
	if err != nil {
		return err
	}
	env, err := startControlPlane(c.root, stderr, &started)
	if err != nil {
		return err
	}
	if err := writeKubeconfig(env, c.kubeconfig, &started); err != nil {
		return err
	}
	mgr, err := newManager(env.Config, env.WebhookInstallOptions, thingspaceURL, c.pollInterval, c.progressInterval)
	if err != nil {
		return err
	}
	if err := announce(stdout, c, env, thingspaceURL); err != nil {
		return err
	}
	return serve(ctx, mgr, env.Config, env.Scheme, stdout)
}

// teardown holds what to stop, in the order things were started; run stops them in reverse.
type teardown []func() error

func (t *teardown) add(stop func() error) { *t = append(*t, stop) }

func (t teardown) run() error {
	var errs []error
	for i := len(t) - 1; i >= 0; i-- {
		errs = append(errs, t[i]())
	}
	return errors.Join(errs...)
}

// startControlPlane starts kube-apiserver and etcd with the CRD and the webhook configuration
// installed. The control plane is stopped on teardown even when it failed half-way, so that no
// kube-apiserver or etcd outlives this process.
func startControlPlane(root string, progress io.Writer, started *teardown) (*envtest.Environment, error) {
	assets, err := harness.BinaryAssets(root, progress)
	if err != nil {
		return nil, err
	}
	log.Info("Starting the control plane", "binaries", assets)
	env := harness.NewEnvironment(root, assets, true) // true: with the webhook configuration
	started.add(func() error {
		log.Info("Stopping the control plane")
		return env.Stop()
	})
	if _, err := env.Start(); err != nil {
		return nil, fmt.Errorf("starting the control plane: %w", err)
	}
	return env, nil
}

// writeKubeconfig writes the dev user's kubeconfig, and removes it on teardown.
func writeKubeconfig(env *envtest.Environment, path string, started *teardown) error {
	written, err := harness.WriteUserKubeconfig(env, "dev", path)
	if err != nil {
		return err
	}
	started.add(func() error { return removeOwnKubeconfig(path, written) })
	return nil
}

// startThingSpace returns the ThingSpace to talk to: the one the user named, or a simulator
// started here and stopped on teardown.
func startThingSpace(c config, started *teardown) (string, error) {
	if c.thingspaceURL != "" {
		return c.thingspaceURL, nil
	}
	sim, baseURL, err := startSimulator(c.simulatorAddr, filepath.Join(c.root, "config", "samples"), time.Now())
	if err != nil {
		return "", err
	}
	started.add(func() error {
		log.Info("Stopping the ThingSpace simulator")
		return sim.Close()
	})
	return baseURL, nil
}

// announce prints what a person needs to use the environment, before the ready line.
func announce(stdout io.Writer, c config, env *envtest.Environment, thingspaceURL string) error {
	var text strings.Builder
	fmt.Fprintf(&text, "export KUBECONFIG=%s\n", c.kubeconfig)
	if kubectl := env.ControlPlane.KubectlPath; isExecutable(kubectl) {
		fmt.Fprintf(&text, "kubectl matching the API server: %s\n", kubectl)
	}
	if c.thingspaceURL == "" {
		fmt.Fprintf(&text, "ThingSpace simulator: %s\n", thingspaceURL)
	} else {
		fmt.Fprintf(&text, "ThingSpace: %s (THINGSPACE_URL; no simulator)\n", thingspaceURL)
	}
	_, err := io.WriteString(stdout, text.String())
	return err
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// serve runs the manager until ctx ends, and prints the ready line once its webhook answers. A
// manager that fails, or a webhook that never answers, ends it with an error.
func serve(ctx context.Context, mgr ctrl.Manager, restConfig *rest.Config, scheme *runtime.Scheme, stdout io.Writer) error {
	group, groupCtx := errgroup.WithContext(ctx)
	group.Go(func() error { return mgr.Start(groupCtx) })
	group.Go(func() error {
		if err := waitForWebhook(groupCtx, restConfig, scheme); err != nil {
			if groupCtx.Err() != nil {
				return nil // stopping, or the manager failed and says why
			}
			return err
		}
		_, err := fmt.Fprintln(stdout, readyLine)
		return err
	})
	return group.Wait()
}
