// Package manager builds the operator's controller-runtime manager: the scheme, a cache that keeps
// Secrets out of memory (their identity only) and can be limited to some namespaces, leader
// election, the ThingSpace client, the FotaCampaign and FotaRollout controllers, the validating
// webhooks, and the metrics and health endpoints. main.go and the `make dev` program both call New, so what a
// developer runs locally is what is deployed.
package manager

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/fota-operator/fota-operator/controllers/fotacampaign"
	"github.com/fota-operator/fota-operator/controllers/fotarollout"
	"github.com/fota-operator/fota-operator/internal/scheme"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	webhookv1alpha1 "github.com/fota-operator/fota-operator/internal/webhook/v1alpha1"
)

// LeaderElectionID names the Lease that the operator's replicas compete for.
const LeaderElectionID = "fota-operator.fota.thingspace.io"

// Defaults of the operator's own flags.
const (
	// DefaultMaxConcurrentReconciles: a reconcile spends nearly all its time waiting, on
	// ThingSpace and on the status write, so workers cost little, and the per-account rate limit,
	// not their number, is what bounds the calls to ThingSpace. With 4, a bulk edit of 1000
	// campaigns queued behind the workers for seconds after the last edit was admitted (make
	// bench); with 16 the operator keeps pace with the edits.
	DefaultMaxConcurrentReconciles = 16
	// DefaultReconcileTimeout bounds one reconcile: a few ThingSpace calls, each bounded by the
	// ThingSpace timeout (30s by default), and one status write.
	DefaultReconcileTimeout = 2 * time.Minute
	// The leader election timings are client-go's usual ones: a replica that stops renewing loses
	// the Lease DefaultLeaseDuration after its last renewal at the latest.
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// Options configures New. DefaultOptions gives the values of main.go's flags.
type Options struct {
	// MetricsBindAddress is where /metrics is served; "0" turns it off.
	MetricsBindAddress string
	// SecureMetrics serves /metrics over HTTPS, for callers that Kubernetes authenticates and
	// authorizes (a TokenReview and a SubjectAccessReview per scrape).
	SecureMetrics bool
	// MetricsCertPath is a directory with the metrics server's certificate (MetricsCertName) and
	// key (MetricsCertKey); empty means a self-signed certificate.
	MetricsCertPath, MetricsCertName, MetricsCertKey string
	// HealthProbeBindAddress is where /healthz and /readyz are served; "0" turns them off.
	HealthProbeBindAddress string
	// PprofBindAddress is where Go's /debug/pprof/ profiles are served, for measuring where the
	// manager spends its time and memory; empty or "0" turns them off.
	PprofBindAddress string
	// LeaderElection makes replicas elect one active manager through a Lease.
	LeaderElection bool
	// LeaderElectionNamespace holds the Lease; empty means the namespace the pod runs in.
	LeaderElectionNamespace string
	// LeaseDuration is how long standby replicas wait after the leader's last renewal before
	// they take the Lease over; RenewDeadline is how long the leader keeps retrying a renewal
	// before it gives up leading; RetryPeriod is how often every replica tries to acquire or
	// renew the Lease.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// EnableHTTP2 allows HTTP/2 on the metrics and webhook servers. Off by default because of
	// HTTP/2 Stream Cancellation and Rapid Reset (CVE-2023-44487, CVE-2023-39325).
	EnableHTTP2 bool

	// EnableWebhooks serves the validating admission webhook.
	EnableWebhooks bool
	// WebhookHost and WebhookPort are where the webhook is served; empty and 0 mean all
	// interfaces and 9443.
	WebhookHost string
	WebhookPort int
	// WebhookCertPath is a directory with the webhook's certificate (WebhookCertName) and key
	// (WebhookCertKey), reloaded when they change; empty means
	// /tmp/k8s-webhook-server/serving-certs/tls.{crt,key}.
	WebhookCertPath, WebhookCertName, WebhookCertKey string

	// ThingSpace configures the ThingSpace client: base URL, timeout, rate limit per account.
	ThingSpace thingspace.Options
	// PollInterval is how often every campaign is read from ThingSpace.
	PollInterval time.Duration
	// PendingPollInterval is how often a campaign ThingSpace is still checking is read.
	PendingPollInterval time.Duration
	// ProgressInterval is how often the device report of a running campaign is read.
	ProgressInterval time.Duration
	// ClosedPollInterval is how often a closed campaign, its final device report read, is read.
	ClosedPollInterval time.Duration
	// MaxConcurrentReconciles is how many campaigns are reconciled at once.
	MaxConcurrentReconciles int
	// ReconcileTimeout bounds each reconcile; it must exceed ThingSpace.Timeout.
	ReconcileTimeout time.Duration
	// WatchNamespaces limits every cache, FotaCampaigns and Secret metadata alike, to these
	// namespaces; empty means every namespace of the cluster.
	WatchNamespaces []string

	// Clock tells the controller, the webhook and the ThingSpace client the time; nil means the
	// real clock.
	Clock clock.PassiveClock
	// NewQueue replaces the FotaCampaign controller's work queue; nil keeps controller-runtime's.
	// Tests use it to run requeues on a fake clock.
	NewQueue func(controllerName string, rateLimiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request]
	// NewRolloutQueue replaces the FotaRollout controller's work queue; nil keeps
	// controller-runtime's. It is an option of its own because each controller needs a queue of
	// its own: a test queue handed to both would mix their requests.
	NewRolloutQueue func(controllerName string, rateLimiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request]
	// NewClient replaces the manager's client; nil keeps controller-runtime's. Tests use it to
	// make a write fail the way a crash would.
	NewClient client.NewClientFunc
	// SkipNameValidation lets one process build the manager more than once, as tests that
	// restart it do; controller names must otherwise be unique in a process.
	SkipNameValidation bool
}

// DefaultOptions returns the defaults of main.go's flags, with the webhook on.
func DefaultOptions() Options {
	return Options{
		MetricsBindAddress:      "0",
		SecureMetrics:           true,
		MetricsCertName:         "tls.crt",
		MetricsCertKey:          "tls.key",
		HealthProbeBindAddress:  ":8081",
		PprofBindAddress:        "0",
		EnableWebhooks:          true,
		WebhookCertName:         "tls.crt",
		WebhookCertKey:          "tls.key",
		ThingSpace:              thingspace.Options{BaseURL: thingspace.DefaultBaseURL, Timeout: thingspace.DefaultTimeout, QPS: thingspace.DefaultQPS, Burst: thingspace.DefaultBurst},
		PollInterval:            fotacampaign.DefaultPollInterval,
		PendingPollInterval:     fotacampaign.DefaultPendingPollInterval,
		ClosedPollInterval:      fotacampaign.DefaultClosedPollInterval,
		ProgressInterval:        fotacampaign.DefaultProgressInterval,
		MaxConcurrentReconciles: DefaultMaxConcurrentReconciles,
		ReconcileTimeout:        DefaultReconcileTimeout,
		LeaseDuration:           DefaultLeaseDuration,
		RenewDeadline:           DefaultRenewDeadline,
		RetryPeriod:             DefaultRetryPeriod,
	}
}

// BindFlags defines the operator's command-line flags on fs, with the values of o as defaults.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress,
		"The address the metrics endpoint binds to, e.g. :8443 for HTTPS or :8080 for HTTP; 0 disables it.")
	fs.BoolVar(&o.SecureMetrics, "metrics-secure", o.SecureMetrics,
		"Serve the metrics endpoint over HTTPS, with Kubernetes authentication and authorization. Use --metrics-secure=false for HTTP.")
	fs.StringVar(&o.MetricsCertPath, "metrics-cert-path", o.MetricsCertPath,
		"The directory that holds the metrics server certificate; empty means a self-signed certificate.")
	fs.StringVar(&o.MetricsCertName, "metrics-cert-name", o.MetricsCertName, "The file name of the metrics server certificate.")
	fs.StringVar(&o.MetricsCertKey, "metrics-cert-key", o.MetricsCertKey, "The file name of the metrics server key.")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress,
		"The address the /healthz and /readyz endpoints bind to; 0 disables them.")
	fs.StringVar(&o.PprofBindAddress, "pprof-bind-address", o.PprofBindAddress,
		"The address the /debug/pprof/ profiling endpoints bind to, e.g. 127.0.0.1:8082; 0 disables them. They have no authentication: keep them on loopback.")
	fs.BoolVar(&o.LeaderElection, "leader-elect", o.LeaderElection,
		"Enable leader election, so that only one replica of the manager is active.")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-elect-namespace", o.LeaderElectionNamespace,
		"The namespace of the leader election Lease; empty means the namespace the pod runs in (required outside a cluster).")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", o.LeaseDuration,
		"How long standby replicas wait after the leader's last renewal before they take over.")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", o.RenewDeadline,
		"How long the leader retries renewing the Lease before it stops leading; shorter than the lease duration.")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", o.RetryPeriod,
		"How often the replicas try to acquire or renew the Lease.")
	fs.BoolVar(&o.EnableHTTP2, "enable-http2", o.EnableHTTP2,
		"Allow HTTP/2 on the metrics and webhook servers (off because of the HTTP/2 Rapid Reset vulnerabilities).")
	fs.StringVar(&o.WebhookHost, "webhook-host", o.WebhookHost,
		"The address the webhook server binds to; empty means all interfaces.")
	fs.IntVar(&o.WebhookPort, "webhook-port", o.WebhookPort, "The port the webhook server listens on; 0 means 9443.")
	fs.StringVar(&o.WebhookCertPath, "webhook-cert-path", o.WebhookCertPath,
		"The directory that holds the webhook certificate; empty means /tmp/k8s-webhook-server/serving-certs.")
	fs.StringVar(&o.WebhookCertName, "webhook-cert-name", o.WebhookCertName, "The file name of the webhook certificate.")
	fs.StringVar(&o.WebhookCertKey, "webhook-cert-key", o.WebhookCertKey, "The file name of the webhook key.")
	fs.StringVar(&o.ThingSpace.BaseURL, "thingspace-url", o.ThingSpace.BaseURL,
		"The ThingSpace base URL. Plain http:// is refused unless the host is a loopback address.")
	fs.DurationVar(&o.ThingSpace.Timeout, "thingspace-timeout", o.ThingSpace.Timeout, "The timeout of each ThingSpace request.")
	fs.Float64Var(&o.ThingSpace.QPS, "thingspace-qps", o.ThingSpace.QPS, "The ThingSpace requests per second allowed per account.")
	fs.IntVar(&o.ThingSpace.Burst, "thingspace-burst", o.ThingSpace.Burst, "The ThingSpace requests per account allowed in a burst.")
	fs.DurationVar(&o.PollInterval, "poll-interval", o.PollInterval,
		"How often each campaign is read from ThingSpace, to catch changes made outside the operator.")
	fs.DurationVar(&o.PendingPollInterval, "pending-poll-interval", o.PendingPollInterval,
		"How often a campaign the operator scheduled is read while ThingSpace is still checking the request (CampaignRequestPending).")
	fs.DurationVar(&o.ProgressInterval, "progress-interval", o.ProgressInterval,
		"How often the device report of a running campaign is read for its progress.")
	fs.DurationVar(&o.ClosedPollInterval, "closed-poll-interval", o.ClosedPollInterval,
		"How often a closed campaign (ended, cancelled, aborted, failed) is read once its final device report was read.")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", o.MaxConcurrentReconciles,
		"How many FotaCampaigns are reconciled at once.")
	fs.DurationVar(&o.ReconcileTimeout, "reconcile-timeout", o.ReconcileTimeout,
		"The longest a reconcile of one FotaCampaign may take; longer than --thingspace-timeout.")
	fs.Func("watch-namespaces",
		"Comma-separated namespaces whose FotaCampaigns and Secrets the operator watches, e.g. team-a,team-b; empty means every namespace. Grant the operator access in these namespaces only with config/namespaced.",
		func(value string) error {
			o.WatchNamespaces = splitList(value)
			return nil
		})
}

// splitList splits a comma-separated flag value, ignoring spaces and empty items.
func splitList(value string) []string {
	var items []string
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

func (o *Options) validate() error {
	var errs []error
	for _, interval := range []struct {
		name  string
		value time.Duration
	}{{"poll interval", o.PollInterval}, {"pending poll interval", o.PendingPollInterval}, {"progress interval", o.ProgressInterval}, {"closed poll interval", o.ClosedPollInterval}} {
		if interval.value <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: must be positive", interval.name, interval.value))
		}
	}
	if o.MaxConcurrentReconciles < 1 {
		errs = append(errs, fmt.Errorf("max concurrent reconciles %d: must be at least 1", o.MaxConcurrentReconciles))
	}
	if o.ThingSpace.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("ThingSpace timeout %s: must be positive", o.ThingSpace.Timeout))
	}
	if o.ThingSpace.QPS <= 0 || o.ThingSpace.Burst < 1 {
		errs = append(errs, fmt.Errorf("ThingSpace rate limit of %g requests per second with burst %d: both must be positive",
			o.ThingSpace.QPS, o.ThingSpace.Burst))
	}
	if o.ReconcileTimeout <= o.ThingSpace.Timeout {
		// A reconcile cut off in the middle of a ThingSpace call cannot tell whether the call
		// took effect, and would report a timeout where ThingSpace's own answer was coming.
		errs = append(errs, fmt.Errorf("--reconcile-timeout %s: must be longer than --thingspace-timeout %s",
			o.ReconcileTimeout, o.ThingSpace.Timeout))
	}
	for _, namespace := range o.WatchNamespaces {
		for _, problem := range validation.IsDNS1123Label(namespace) {
			errs = append(errs, fmt.Errorf("--watch-namespaces: %q is not a namespace name: %s", namespace, problem))
		}
	}
	if o.LeaderElection {
		errs = append(errs, o.validateLeaseTimings()...)
	}
	return errors.Join(errs...)
}

// validateLeaseTimings checks the rules client-go's leader election enforces only when it starts,
// so that a wrong flag fails at once with the flags' names.
func (o *Options) validateLeaseTimings() []error {
	var errs []error
	if o.RetryPeriod <= 0 {
		errs = append(errs, fmt.Errorf("--leader-elect-retry-period %s: must be positive", o.RetryPeriod))
	}
	if o.RenewDeadline <= time.Duration(leaderelection.JitterFactor*float64(o.RetryPeriod)) {
		errs = append(errs, fmt.Errorf("--leader-elect-renew-deadline %s: must be longer than %g times --leader-elect-retry-period %s",
			o.RenewDeadline, leaderelection.JitterFactor, o.RetryPeriod))
	}
	if o.LeaseDuration <= o.RenewDeadline {
		errs = append(errs, fmt.Errorf("--leader-elect-lease-duration %s: must be longer than --leader-elect-renew-deadline %s",
			o.LeaseDuration, o.RenewDeadline))
	}
	return errs
}

// NewScheme returns a scheme with the Kubernetes types and the FotaCampaign API: the one of
// package scheme, which the manager is built on.
func NewScheme() *runtime.Scheme {
	return scheme.New()
}

// New builds the manager for the cluster of cfg, with the FotaCampaign controller and, when
// opts.EnableWebhooks, the webhook. Start it with mgr.Start, which first checks that the
// operator's RBAC grants what it needs in the namespaces it watches.
func New(cfg *rest.Config, opts Options) (ctrl.Manager, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	managerOptions, certWatchers, err := newManagerOptions(opts)
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, managerOptions)
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	if err := setUpController(mgr, opts, clk); err != nil {
		return nil, err
	}
	if err := addChecks(mgr, opts.EnableWebhooks); err != nil {
		return nil, err
	}
	if opts.EnableWebhooks {
		if err := webhookv1alpha1.SetupFotaCampaignWebhookWithManager(mgr, clk); err != nil {
			return nil, fmt.Errorf("setting up the FotaCampaign webhook: %w", err)
		}
		if err := webhookv1alpha1.SetupFotaRolloutWebhookWithManager(mgr); err != nil {
			return nil, fmt.Errorf("setting up the FotaRollout webhook: %w", err)
		}
	}
	for _, watcher := range certWatchers {
		if err := mgr.Add(watcher); err != nil {
			return nil, fmt.Errorf("adding a certificate watcher: %w", err)
		}
	}
	return &accessCheckedManager{Manager: mgr, namespaces: opts.WatchNamespaces}, nil
}

// newManagerOptions turns opts into the manager's options, with the watchers of the certificates
// the metrics and webhook servers load from files.
func newManagerOptions(opts Options) (ctrl.Options, []*certwatcher.CertWatcher, error) {
	tlsOpts := tlsOptions(opts.EnableHTTP2)
	var certWatchers []*certwatcher.CertWatcher
	metricsOptions, metricsCertWatcher, err := metricsServerOptions(opts, tlsOpts)
	if err != nil {
		return ctrl.Options{}, nil, err
	}
	if metricsCertWatcher != nil {
		certWatchers = append(certWatchers, metricsCertWatcher)
	}
	managerOptions := ctrl.Options{
		Scheme:                        NewScheme(),
		Metrics:                       metricsOptions,
		HealthProbeBindAddress:        opts.HealthProbeBindAddress,
		PprofBindAddress:              opts.PprofBindAddress,
		LeaderElection:                opts.LeaderElection,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       opts.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
		NewClient:                     opts.NewClient,
		LeaseDuration:                 &opts.LeaseDuration,
		RenewDeadline:                 &opts.RenewDeadline,
		RetryPeriod:                   &opts.RetryPeriod,
		Cache:                         cacheOptions(opts.WatchNamespaces),
		Client: client.Options{Cache: &client.CacheOptions{
			// Reading a Secret through the manager's client must never start an informer that
			// holds every Secret of the cluster, data included.
			DisableFor: []client.Object{&corev1.Secret{}},
		}},
	}
	if !opts.EnableWebhooks {
		return managerOptions, certWatchers, nil
	}
	server, webhookCertWatcher, err := webhookServer(opts, tlsOpts)
	if err != nil {
		return ctrl.Options{}, nil, err
	}
	managerOptions.WebhookServer = server
	if webhookCertWatcher != nil {
		certWatchers = append(certWatchers, webhookCertWatcher)
	}
	return managerOptions, certWatchers, nil
}

// setUpController builds the one ThingSpace client every campaign shares and registers the
// FotaCampaign and FotaRollout controllers with mgr.
func setUpController(mgr ctrl.Manager, opts Options, clk clock.PassiveClock) error {
	thingSpaceOptions := opts.ThingSpace
	if thingSpaceOptions.Clock == nil {
		thingSpaceOptions.Clock = clk.Now
	}
	thingSpace, err := thingspace.NewHTTPClient(thingSpaceOptions)
	if err != nil {
		return err
	}
	reconciler := &fotacampaign.Reconciler{
		ThingSpace:          thingSpace,
		PollInterval:        opts.PollInterval,
		PendingPollInterval: opts.PendingPollInterval,
		ProgressInterval:    opts.ProgressInterval,
		ClosedPollInterval:  opts.ClosedPollInterval,
		Namespaces:          opts.WatchNamespaces,
		Clock:               clk,
	}
	if err := reconciler.SetupWithManager(mgr, controllerOptions(opts, opts.NewQueue)); err != nil {
		return fmt.Errorf("setting up the FotaCampaign controller: %w", err)
	}
	rollouts := &fotarollout.Reconciler{Clock: clk}
	if err := rollouts.SetupWithManager(mgr, controllerOptions(opts, opts.NewRolloutQueue)); err != nil {
		return fmt.Errorf("setting up the FotaRollout controller: %w", err)
	}
	return nil
}

// controllerOptions are the options both controllers run with, each with its own queue.
func controllerOptions(opts Options, newQueue func(string, workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request]) controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		ReconciliationTimeout:   opts.ReconcileTimeout,
		NewQueue:                newQueue,
		SkipNameValidation:      ptr.To(opts.SkipNameValidation),
	}
}

func tlsOptions(enableHTTP2 bool) []func(*tls.Config) {
	if enableHTTP2 {
		return nil
	}
	return []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }}
}

func metricsServerOptions(opts Options, tlsOpts []func(*tls.Config)) (metricsserver.Options, *certwatcher.CertWatcher, error) {
	metrics := metricsserver.Options{
		BindAddress:   opts.MetricsBindAddress,
		SecureServing: opts.SecureMetrics,
		TLSOpts:       tlsOpts,
	}
	if opts.SecureMetrics {
		metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	if opts.MetricsCertPath == "" {
		return metrics, nil, nil
	}
	watcher, servingTLSOpts, err := watchedCertificate(opts.MetricsCertPath, opts.MetricsCertName, opts.MetricsCertKey, tlsOpts)
	if err != nil {
		return metricsserver.Options{}, nil, fmt.Errorf("loading the metrics certificate: %w", err)
	}
	metrics.TLSOpts = servingTLSOpts
	return metrics, watcher, nil
}

func webhookServer(opts Options, tlsOpts []func(*tls.Config)) (webhook.Server, *certwatcher.CertWatcher, error) {
	serverOptions := webhook.Options{Host: opts.WebhookHost, Port: opts.WebhookPort, TLSOpts: tlsOpts}
	if opts.WebhookCertPath == "" {
		return webhook.NewServer(serverOptions), nil, nil
	}
	watcher, servingTLSOpts, err := watchedCertificate(opts.WebhookCertPath, opts.WebhookCertName, opts.WebhookCertKey, tlsOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the webhook certificate: %w", err)
	}
	serverOptions.TLSOpts = servingTLSOpts
	return webhook.NewServer(serverOptions), watcher, nil
}

// watchedCertificate loads the certificate certName and the key keyName from dir, with a watcher
// that reloads them when they change, and returns tlsOpts extended to serve them. tlsOpts itself
// is left as it is, since the metrics and webhook servers share it.
func watchedCertificate(dir, certName, keyName string, tlsOpts []func(*tls.Config)) (*certwatcher.CertWatcher, []func(*tls.Config), error) {
	watcher, err := certwatcher.New(filepath.Join(dir, certName), filepath.Join(dir, keyName))
	if err != nil {
		return nil, nil, err
	}
	serving := append(append([]func(*tls.Config){}, tlsOpts...),
		func(c *tls.Config) { c.GetCertificate = watcher.GetCertificate })
	return watcher, serving, nil
}

// addChecks serves /healthz, and /readyz that waits for the webhook server when there is one.
// Readiness never waits for leadership: every replica serves the webhook, so a standby replica
// is ready, and stays in the webhook Service, while another one leads.
func addChecks(mgr ctrl.Manager, webhooks bool) error {
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the health check: %w", err)
	}
	ready := healthz.Ping
	if webhooks {
		ready = mgr.GetWebhookServer().StartedChecker()
	}
	if err := mgr.AddReadyzCheck("readyz", ready); err != nil {
		return fmt.Errorf("adding the readiness check: %w", err)
	}
	return nil
}
