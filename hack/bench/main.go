// Command bench measures fota-operator at scale on this machine, for `make bench`. It starts a
// local control plane (kube-apiserver and etcd, with the CRD and the webhook configuration), the
// ThingSpace simulator seeded with a fleet of campaigns spread over several accounts, and the
// manager binary built from main.go as a process of its own, then measures side by side:
//
//  0. the floor: a GET and a status update of every FotaCampaign made directly with a client, no
//     operator running — the fastest any operator could record its results on this API server;
//  1. creating a FotaCampaign for every campaign, with ThingSpace's schedule: the time until all
//     are Synced=True at their generation, and the PUTs (none) and GETs it took;
//  2. changing a window on all of them: the time until all are synced again, and the PUTs (one
//     each);
//  3. one poll interval (shortened) plus a margin of idling: PUTs and writes to FotaCampaigns
//     (none of either);
//  4. server-side dry-run updates through the API server: the admission webhook's latency;
//  5. the manager's Go heap in use at the end.
//
// It prints a table, writes bin/bench/results.json, and exits 1 when a target is missed. The
// manager's log and, with --cpu-profile, its CPU profile during steps 1 and 2 go to bin/bench
// too (`go tool pprof -top bin/bench/manager bin/bench/manager-cpu.pprof`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
)

func main() {
	// The watch's client logs through controller-runtime; only its errors are worth a line here.
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.ErrorLevel)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
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
	cpuProfile              time.Duration
	outDir                  string
	managerBinary           string
}

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
		"the manager's --max-concurrent-reconciles")
	flags.DurationVar(&c.pollInterval, "poll-interval", 30*time.Second,
		"the manager's --poll-interval, shortened so that the idle step sees one poll of every campaign")
	flags.DurationVar(&c.idleMargin, "idle-margin", 5*time.Second, "how long the idle step waits beyond one poll interval")
	flags.IntVar(&c.clientWorkers, "client-workers", 8, "how many creates and updates the benchmark sends at once")
	c.floorWorkers = workerCounts{8, 16, 32}
	flags.Var(&c.floorWorkers, "floor-workers",
		"how many GET-and-update pairs the floor sends at once, comma-separated: one pass each, the fastest is the floor")
	flags.IntVar(&c.admissionRequests, "admission-requests", 1000, "how many dry-run updates time the webhook, one at a time")
	flags.DurationVar(&c.cpuProfile, "cpu-profile", 0,
		"record the CPU profiles of the manager and kube-apiserver for this long from the first create (e.g. 30s) into <out>/manager-cpu.pprof and <out>/apiserver-cpu.pprof; 0 records none")
	flags.StringVar(&c.managerBinary, "manager", "",
		"run this manager binary instead of building one from main.go, e.g. to compare two builds")
	flags.StringVar(&c.outDir, "out", filepath.Join("bin", "bench"), "where results.json, the manager binary, its log and profiles go")
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if c.campaigns < 1 || c.accounts < 1 || c.clientWorkers < 1 || c.admissionRequests < 1 {
		return config{}, errors.New("--campaigns, --accounts, --client-workers and --admission-requests must be at least 1")
	}
	return c, nil
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
	b := &bench{config: c, root: root, progress: stderr}
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
	header := fmt.Sprintf("\nfota-operator benchmark: %d campaigns over %d accounts; %s\nmanager flags: %s\n\n",
		b.config.campaigns, b.config.accounts, machine(), strings.Join(b.managerFlags(), " "))
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
