package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

const (
	// namespace holds the benchmark's FotaCampaigns.
	namespace = "bench"
	// accountPrefix starts the ThingSpace account names, which are digits with a suffix.
	accountPrefix = "0402196254"
	// convergeTimeout bounds the wait for a whole fleet to converge.
	convergeTimeout = 10 * time.Minute
	// readyTimeout bounds the wait for the manager and its webhook.
	readyTimeout = 2 * time.Minute
	// managerStopTimeout is how long the manager gets to stop after SIGTERM.
	managerStopTimeout = 30 * time.Second
)

// bench holds what the benchmark started and what it measured.
type bench struct {
	config   config
	root     string
	progress io.Writer
	// loadAtStart is the machine's load average when the run began.
	loadAtStart string

	teardowns []func() error
	sim       *simulator.Server
	meter     *trafficMeter
	simURL    string
	fleet     *harness.Fleet
	cp        *harness.ControlPlane
	binary    string
	// webhookPort is where the manager serves its webhook, behind the admission timer.
	webhookPort int
	manager     *harness.Manager
	timer       *admissionTimer
	watch       *campaignWatch
	// cpuProfileDone delivers the outcome of the CPU profile started with the creates.
	cpuProfileDone <-chan error

	results results
	details details
}

func (b *bench) logf(format string, args ...any) {
	// Progress lines are a courtesy; failing to print one is no reason to stop measuring.
	_, _ = fmt.Fprintf(b.progress, "bench: "+format+"\n", args...)
}

func (b *bench) onTeardown(stop func() error) { b.teardowns = append(b.teardowns, stop) }

// teardown stops what was started, in reverse order.
func (b *bench) teardown() error {
	var errs []error
	for i := len(b.teardowns) - 1; i >= 0; i-- {
		errs = append(errs, b.teardowns[i]())
	}
	return errors.Join(errs...)
}

// start builds the manager and starts the simulator, the control plane, the admission timer
// where the API server sends admission requests, and the watch on the benchmark's FotaCampaigns.
// The managers start with the steps that need them.
func (b *bench) start(ctx context.Context) error {
	assets, err := harness.BinaryAssets(b.root, b.progress)
	if err != nil {
		return err
	}
	if b.binary = b.config.managerBinary; b.binary == "" {
		b.logf("building the manager from main.go")
		if b.binary, err = harness.BuildManager(ctx, b.root, b.config.outDir); err != nil {
			return err
		}
	}
	if err := b.startSimulator(); err != nil {
		return err
	}
	b.logf("starting the control plane")
	if b.cp, err = harness.StartControlPlane(harness.ControlPlaneOptions{Root: b.root, Assets: assets, Webhooks: true, Dir: b.config.outDir}); err != nil {
		return err
	}
	b.onTeardown(b.cp.Stop)
	if err := b.startAdmissionTimer(); err != nil {
		return err
	}
	if err := b.fleet.CreateNamespace(ctx, b.cp.Client); err != nil {
		return err
	}
	b.watch, err = b.startWatch(ctx, namespace)
	return err
}

// startSimulator seeds the simulator with the fleet and serves it behind the traffic meter.
func (b *bench) startSimulator() error {
	// The campaigns the operator POSTs (the rollout step's) are accepted at once: ThingSpace's
	// checks would hold each wave's gate a minute longer without telling anything about the
	// operator. The other steps' campaigns are seeded, which this does not touch.
	b.sim = simulator.New(simulator.Options{StaticTokens: []simulator.TokenPair{harness.Tokens}, AcceptDelay: -1})
	b.fleet = harness.NewFleet(harness.FleetOptions{
		Namespace: namespace, Size: b.config.campaigns, Accounts: b.config.accounts,
		AccountPrefix: accountPrefix, Today: time.Now(),
	})
	b.fleet.Seed(b.sim)
	meter, url, err := startTrafficMeter(b.sim)
	if err != nil {
		return err
	}
	b.meter, b.simURL = meter, url
	b.onTeardown(meter.close)
	return nil
}

// startWatch watches the FotaCampaigns of a namespace until the benchmark ends.
func (b *bench) startWatch(ctx context.Context, ns string) (*campaignWatch, error) {
	watchCtx, stopWatch := context.WithCancel(ctx)
	b.onTeardown(func() error { stopWatch(); return nil })
	return startCampaignWatch(watchCtx, b.cp.Config, ns)
}

// managerFlags are the flags the benchmark chooses; the harness adds the addresses.
func (b *bench) managerFlags() []string {
	return []string{
		"--thingspace-qps=" + strconv.FormatFloat(b.config.thingSpaceQPS, 'f', -1, 64),
		"--thingspace-burst=" + strconv.Itoa(b.config.thingSpaceBurst),
		"--poll-interval=" + b.config.pollInterval.String(),
		"--progress-interval=" + b.config.progressInterval.String(),
		"--closed-poll-interval=" + b.config.closedPollInterval.String(),
		"--max-concurrent-reconciles=" + strconv.Itoa(b.config.maxConcurrentReconciles),
	}
}

// startAdmissionTimer listens where the API server sends admission requests and forwards them to
// the webhook port that every manager of the run serves on.
func (b *bench) startAdmissionTimer() error {
	host, port, certDir, caPEM := b.cp.WebhookServing()
	webhookPort, err := harness.FreePorts(1)
	if err != nil {
		return err
	}
	b.webhookPort = webhookPort[0]
	if b.timer, err = startAdmissionTimer(host, port, certDir, caPEM, b.webhookPort); err != nil {
		return err
	}
	b.onTeardown(b.timer.close)
	return nil
}

// startManager runs the manager with its webhook behind the admission timer, its output in
// logName, with further flags, and returns once the webhook admits requests.
func (b *bench) startManager(ctx context.Context, logName string, flags ...string) (*harness.Manager, error) {
	_, _, certDir, _ := b.cp.WebhookServing()
	logFile, err := os.Create(filepath.Join(b.config.outDir, logName))
	if err != nil {
		return nil, err
	}
	b.onTeardown(logFile.Close)
	b.logf("starting the manager (log: %s)", logFile.Name())
	m, err := harness.StartManager(harness.ManagerOptions{
		Binary: b.binary, Kubeconfig: b.cp.Kubeconfig, ThingSpaceURL: b.simURL,
		Webhooks: true, WebhookPort: b.webhookPort, WebhookCertDir: certDir,
		Pprof: true, Flags: append(b.managerFlags(), flags...), Log: logFile,
	})
	if err != nil {
		return nil, err
	}
	b.onTeardown(func() error { return m.Stop(managerStopTimeout) })
	if err := m.WaitReady(ctx, readyTimeout); err != nil {
		return nil, err
	}
	return m, waitForAdmission(ctx, b.cp.Client)
}

// waitForAdmission returns once a dry-run create of a FotaCampaign is admitted: the webhook
// configuration fails closed, so that needs the webhook to answer through the timer.
func waitForAdmission(ctx context.Context, c client.Client) error {
	const name = "admission-probe"
	probe := &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName: name, CampaignID: name,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: name},
			Schedule:             fotav1alpha1.Schedule{StartDate: tomorrow(), EndDate: tomorrow()},
		},
	}
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, readyTimeout, true, func(ctx context.Context) (bool, error) {
		lastErr = c.Create(ctx, probe.DeepCopy(), client.DryRunAll)
		return lastErr == nil, nil
	})
	if err != nil && lastErr != nil {
		return fmt.Errorf("the admission webhook did not answer within %s: %w", readyTimeout, lastErr)
	}
	return err
}

func tomorrow() fotav1alpha1.Date {
	return fotav1alpha1.Date(time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly))
}

// saveProfile fetches a profile from the manager's /debug/pprof/ into a file of the output
// directory.
func (b *bench) saveProfile(ctx context.Context, path, file string) error {
	return b.download(ctx, http.DefaultClient, b.manager.PprofURL()+path, file)
}

// saveAPIServerProfile fetches a profile from kube-apiserver's /debug/pprof/, as the
// administrator.
func (b *bench) saveAPIServerProfile(ctx context.Context, path, file string) error {
	httpClient, err := rest.HTTPClientFor(b.cp.Config)
	if err != nil {
		return err
	}
	return b.download(ctx, httpClient, strings.TrimRight(b.cp.Config.Host, "/")+path, file)
}

func (b *bench) download(ctx context.Context, httpClient *http.Client, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	out, err := os.Create(filepath.Join(b.config.outDir, file))
	if err != nil {
		return err
	}
	_, err = io.Copy(out, resp.Body)
	return errors.Join(err, out.Close())
}

// loadAverage is the machine's load average over the last minute, "unknown" where /proc has none.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if fields := strings.Fields(string(data)); len(fields) > 0 {
		return fields[0]
	}
	return "unknown"
}

// machine describes the CPU the figures were measured on.
func machine() string {
	model := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
