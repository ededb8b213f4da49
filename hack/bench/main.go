// Command bench measures fota-operator at scale on this machine, for `make bench`. It starts a
// local control plane (kube-apiserver and etcd, with the CRD and the webhook configuration) and
// the ThingSpace simulator seeded with a fleet of pending campaigns spread over several accounts,
// then measures:
//
//  1. the floor of the create and of the update step: the user's writes of the step and one
//     status write per campaign, sent by a plain client at the same concurrency as the step and
//     the manager, while a manager that reconciles none of those objects serves the webhook;
//  2. with the manager built from main.go running as a process of its own: creating a
//     FotaCampaign for every campaign, with ThingSpace's schedule, until all are Synced=True at
//     their generation, with the PUTs (none) and GETs it took;
//  3. changing a window on all of them, until all are synced again, with the PUTs (one each);
//  4. one poll interval plus a margin of idling: PUTs and writes to FotaCampaigns (none of either;
//     no window of the fleet ends in it);
//  5. the manager's heap in use after a garbage collection, empty and with the fleet synced: the
//     heap per campaign;
//  6. server-side dry-run updates through the API server: the admission webhook's latency;
//  7. the progress reads: running campaigns with devices, their device reports read every
//     progress interval: pages, bytes, time and the manager's CPU;
//  8. the closed campaigns: 1000 FotaCampaigns of campaigns ThingSpace closed, each read once with
//     its final device report, then one poll interval of rest: their reads per campaign per
//     --closed-poll-interval (at most 1);
//  9. a FotaRollout of 100 000 devices from ConfigMaps (waves of 10, 1 %, 10 %, 100 %): each wave
//     from its approval to all its campaigns Synced, against a floor of the same campaigns
//     created by a plain client just before it; one POST per campaign; the manager's heap
//     growth per device against what the campaigns' objects take;
//  10. with the manager stopped, a GET and a status update of every FotaCampaign (floor_s).
//
// It prints a table, writes bin/bench/results.json, and exits 1 when a target is missed. The
// manager's log, its heap profiles and, with --cpu-profile, its CPU profile during steps 2 and 3
// go to bin/bench too (`go tool pprof -top bin/bench/manager bin/bench/manager-cpu.pprof`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/controllers/fotacampaign"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

func main() {
	// The watch's client logs through controller-runtime; only its errors are worth a line here.
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.ErrorLevel)))
	harness.Main("bench", run)
}

// config is what the command line asks for.
type config struct {
	campaigns               int
	accounts                int
	thingSpaceQPS           float64
	thingSpaceBurst         int
	maxConcurrentReconciles int
	pollInterval            time.Duration
	idleMargin              time.Duration
	clientWorkers           int
	floorWorkers            workerCounts
	admissionRequests       int
	progressCampaigns       int
	progressDevices         int
	progressInterval        time.Duration
	progressWindow          time.Duration
	closedCampaigns         int
	closedPollInterval      time.Duration
	rolloutDevices          int
	cpuProfile              time.Duration
	outDir                  string
	managerBinary           string
}

// pollIntervalPerCampaign sizes the default poll interval: the create and the update step take
// 20 to 35 ms per campaign together on the reference machine, so with 50 ms per campaign no poll
// falls inside them (a poll writes nothing to the API server, but its CPU would be counted
// against the operator on two shared cores), and the idle step sees one poll of every campaign.
const (
	pollIntervalPerCampaign = 50 * time.Millisecond
	minPollInterval         = 30 * time.Second
)

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.IntVar(&c.campaigns, "campaigns", 1000, "how many campaigns (and FotaCampaigns)")
	flags.IntVar(&c.accounts, "accounts", 10, "how many ThingSpace accounts the campaigns are spread over")
	flags.Float64Var(&c.thingSpaceQPS, "thingspace-qps", 1000,
		"the manager's --thingspace-qps; high, so that the figures measure the operator rather than its rate limit")
	flags.IntVar(&c.thingSpaceBurst, "thingspace-burst", 20, "the manager's --thingspace-burst")
	flags.IntVar(&c.maxConcurrentReconciles, "max-concurrent-reconciles", manager.DefaultMaxConcurrentReconciles,
		"the manager's --max-concurrent-reconciles, and how many status writes the step floors send at once")
	flags.DurationVar(&c.pollInterval, "poll-interval", 0,
		"the manager's --poll-interval, short so that the idle step sees one poll of every campaign; 0 means 50ms per campaign, at least 30s")
	flags.DurationVar(&c.idleMargin, "idle-margin", 5*time.Second, "how long the idle step waits beyond one poll interval")
	flags.IntVar(&c.clientWorkers, "client-workers", 8, "how many creates and updates the benchmark sends at once")
	c.floorWorkers = workerCounts{8, 16, 32}
	flags.Var(&c.floorWorkers, "floor-workers",
		"how many GET-and-update pairs the status floor (floor_s) sends at once, comma-separated: one pass each, the fastest is the floor")
	flags.IntVar(&c.admissionRequests, "admission-requests", 1000, "how many dry-run updates time the webhook, one at a time")
	flags.IntVar(&c.progressCampaigns, "progress-campaigns", 100, "how many running campaigns the progress step reads the device reports of; 0 skips the step")
	flags.IntVar(&c.progressDevices, "progress-devices", 2000, "how many devices each running campaign has (1000 a page of the device report)")
	flags.DurationVar(&c.progressInterval, "progress-interval", 20*time.Second, "the manager's --progress-interval")
	flags.DurationVar(&c.progressWindow, "progress-window", 0, "how long the progress step counts the reads; 0 means three progress intervals")
	flags.IntVar(&c.closedCampaigns, "closed-campaigns", 1000, "how many closed campaigns the closed step counts the reads of; 0 skips the step")
	flags.DurationVar(&c.closedPollInterval, "closed-poll-interval", fotacampaign.DefaultClosedPollInterval,
		"the manager's --closed-poll-interval; longer than --poll-interval plus --idle-margin, the closed step's window")
	flags.IntVar(&c.rolloutDevices, "rollout-devices", 100_000,
		fmt.Sprintf("how many devices the rollout step's FotaRollout has, at least %d; 0 skips the step", minRolloutDevices))
	flags.DurationVar(&c.cpuProfile, "cpu-profile", 0,
		"record the CPU profiles of the manager and kube-apiserver for this long from the first create (e.g. 30s) into <out>/manager-cpu.pprof and <out>/apiserver-cpu.pprof, and the manager's from the rollout's creation into <out>/manager-rollout-cpu.pprof; 0 records none")
	flags.StringVar(&c.managerBinary, "manager", "",
		"run this manager binary instead of building one from main.go, e.g. to compare two builds")
	flags.StringVar(&c.outDir, "out", filepath.Join("bin", "bench"), "where results.json, the manager binary, its log and profiles go")
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if c.campaigns < 1 || c.accounts < 1 || c.clientWorkers < 1 || c.admissionRequests < 1 || c.maxConcurrentReconciles < 1 {
		return config{}, errors.New("--campaigns, --accounts, --client-workers, --admission-requests and --max-concurrent-reconciles must be at least 1")
	}
	if c.progressCampaigns < 0 || c.progressDevices < 1 || c.progressInterval <= 0 || c.progressWindow < 0 {
		return config{}, errors.New("--progress-campaigns must be at least 0, --progress-devices at least 1, and --progress-interval positive")
	}
	c.applyDefaults()
	return c, c.checkLaterSteps()
}

// checkLaterSteps checks the flags of the closed and the rollout step.
func (c config) checkLaterSteps() error {
	if c.closedCampaigns < 0 || c.closedCampaigns > 0 && c.closedPollInterval <= c.pollInterval+c.idleMargin {
		return fmt.Errorf("--closed-campaigns must be at least 0, and --closed-poll-interval %s longer than the closed step's window "+
			"(--poll-interval %s plus --idle-margin %s): a shorter one lets a correct operator read a closed campaign in it",
			c.closedPollInterval, c.pollInterval, c.idleMargin)
	}
	if c.rolloutDevices != 0 && (c.rolloutDevices < minRolloutDevices || c.rolloutDevices > rollout.MaxFleetSize) {
		return fmt.Errorf("--rollout-devices %d: must be 0 or %d to %d", c.rolloutDevices, minRolloutDevices, rollout.MaxFleetSize)
	}
	return nil
}

// applyDefaults fills in the flags whose default depends on the others.
func (c *config) applyDefaults() {
	if c.pollInterval == 0 {
		c.pollInterval = max(minPollInterval, time.Duration(c.campaigns)*pollIntervalPerCampaign)
	}
	if c.progressWindow == 0 {
		c.progressWindow = 3 * c.progressInterval
	}
}

// workerCounts is a comma-separated list of positive numbers of workers, such as 8,16,32.
type workerCounts []int

func (w *workerCounts) String() string {
	texts := make([]string, len(*w))
	for i, n := range *w {
		texts[i] = strconv.Itoa(n)
	}
	return strings.Join(texts, ",")
}

func (w *workerCounts) Set(text string) error {
	var counts workerCounts
	for field := range strings.SplitSeq(text, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a positive number of workers", field)
		}
		counts = append(counts, n)
	}
	*w = counts
	return nil
}

// run builds and starts everything, measures, and tears everything down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := harness.FindRoot()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(c.outDir) {
		c.outDir = filepath.Join(root, c.outDir)
	}
	if err := os.MkdirAll(c.outDir, 0o755); err != nil {
		return err
	}
	b := &bench{config: c, root: root, progress: stderr, loadAtStart: loadAverage()}
	defer func() { err = errors.Join(err, b.teardown()) }()
	if err := b.start(ctx); err != nil {
		return err
	}
	if err := b.measure(ctx); err != nil {
		return err
	}
	return b.report(stdout)
}

// report prints the table and writes results.json; a missed target is an error.
func (b *bench) report(stdout io.Writer) error {
	b.results.Campaigns = b.config.campaigns
	header := fmt.Sprintf("\nfota-operator benchmark: %d campaigns over %d accounts; %s\nmanager flags: %s\n"+
		"load average (1 min) at the start and the end: %s and %s; with 2 cores, above 2 means other work waited too\n\n",
		b.config.campaigns, b.config.accounts, machine(), strings.Join(b.managerFlags(), " "), b.loadAtStart, loadAverage())
	if _, err := io.WriteString(stdout, header); err != nil {
		return err
	}
	rows := b.results.rows(b.details)
	if err := printTable(stdout, rows); err != nil {
		return err
	}
	path := filepath.Join(b.config.outDir, "results.json")
	if err := writeResults(path, b.results); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "\nwrote %s\n", path); err != nil {
		return err
	}
	if names := missed(rows); len(names) > 0 {
		return fmt.Errorf("targets missed: %s", strings.Join(names, ", "))
	}
	return nil
}
