package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// The progress step: running campaigns with devices that upgrade as time goes, whose device
// reports the operator reads every --progress-interval. They live in a namespace and accounts of
// their own, so that their status writes (device counts that changed) never count as writes at
// rest of the pending fleet.
const (
	progressNamespace     = "bench-progress"
	progressAccountPrefix = "0402196255"
	// devicesPerPage is how many devices ThingSpace (and the simulator) put on a report page.
	devicesPerPage = 1000
)

// progressRollout makes 1% of a campaign's devices succeed and 0.1% fail each minute: the counts
// change every minute, as in a real rollout, so the status is written about once a minute.
var progressRollout = simulator.Rollout{SucceedPerMinute: 0.01, FailPerMinute: 0.001}

// progressFigures are what the progress step measured.
type progressFigures struct {
	campaigns, devices int
	interval, window   time.Duration
	// firstReadS is from the first create until every campaign showed its devices.
	firstReadS float64
	// reports is the device report traffic in the window, as the simulator served it.
	reports traffic
	// campaignGets are the reads of the campaigns themselves in the window (polls).
	campaignGets int
	statusWrites int
	// connections is how many connections to ThingSpace the manager opened in the window.
	connections int
	manager     activity
	// idleCPUPerPoll is the manager's CPU time per poll in the idle step, where it did nothing
	// else: the polls of the window take that much each, the rest is the reads' share.
	idleCPUPerPoll float64
}

// runningFleet is a fleet of campaigns that started yesterday and end in five days, without hour
// windows: their download and install intervals run to the end of the campaign, so no window
// ends while they are measured.
func runningFleet(size, accounts int, today time.Time) *harness.Fleet {
	fleet := harness.NewFleet(harness.FleetOptions{
		Namespace: progressNamespace, Size: size, Accounts: min(accounts, size),
		AccountPrefix: progressAccountPrefix, Today: today,
	})
	day := func(offset int) string { return today.UTC().AddDate(0, 0, offset).Format(time.DateOnly) }
	for i := range fleet.Campaigns {
		c := &fleet.Campaigns[i]
		c.StartDate, c.EndDate = day(-1), day(5)
		c.DownloadAfterDate, c.InstallAfterDate = nil, nil
		c.DownloadTimeWindowList, c.InstallTimeWindowList = []thingspace.Window{}, []thingspace.Window{}
	}
	return fleet
}

// seedRunning gives the simulator the running fleet, each campaign with its devices upgrading
// from now on.
func (b *bench) seedRunning(fleet *harness.Fleet) error {
	fleet.Seed(b.sim)
	rollout := progressRollout
	rollout.Since = time.Now()
	for _, c := range fleet.Campaigns {
		if err := b.sim.SetDevices(c.AccountName, c.ID, simulator.SampleDevices(b.config.progressDevices)); err != nil {
			return err
		}
		if err := b.sim.SetRollout(c.AccountName, c.ID, rollout); err != nil {
			return err
		}
	}
	return nil
}

// measureProgress creates a FotaCampaign for every running campaign, waits until each shows its
// devices, then counts for --progress-window what reading their reports costs.
func (b *bench) measureProgress(ctx context.Context) error {
	n := b.config.progressCampaigns
	if n == 0 {
		return nil
	}
	figures := &progressFigures{campaigns: n, devices: b.config.progressDevices,
		interval: b.config.progressInterval, window: b.config.progressWindow}
	b.details.progress = figures
	if b.details.getsIdle > 0 {
		figures.idleCPUPerPoll = b.details.idleActivity.cpuSeconds / float64(b.details.getsIdle)
	}
	fleet := runningFleet(n, b.config.accounts, time.Now())
	if err := b.seedRunning(fleet); err != nil {
		return err
	}
	if err := fleet.CreateNamespace(ctx, b.cp.Client); err != nil {
		return err
	}
	watch, err := b.startWatch(ctx, progressNamespace)
	if err != nil {
		return err
	}
	b.logf("creating %d running FotaCampaigns with %d devices each", n, b.config.progressDevices)
	start := time.Now()
	if err := fleet.CreateCampaigns(ctx, b.cp.Client, b.config.clientWorkers); err != nil {
		return err
	}
	last, err := watch.waitDevicesShown(ctx, n, int32(b.config.progressDevices))
	if err != nil {
		return err
	}
	figures.firstReadS = last.Sub(start).Seconds()
	from := time.Now()
	if err := checkQuiet(n, func(i int) fotav1alpha1.Schedule { return wire.Schedule(fleet.Campaigns[i]) }, from, from.Add(figures.window)); err != nil {
		return err
	}
	b.logf("counting the progress reads for %s", figures.window)
	return b.countProgressReads(ctx, watch, figures)
}

// countProgressReads waits the window and records what the operator read and wrote in it.
func (b *bench) countProgressReads(ctx context.Context, watch *campaignWatch, figures *progressFigures) error {
	reportsBefore, connectionsBefore := b.meter.deviceReports(), b.meter.connectionsOpened()
	getsBefore, writesBefore := b.sim.Count(http.MethodGet, simulator.KindGet), watch.writeCount()
	did, err := b.measured(ctx, func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(figures.window):
			return nil
		}
	})
	if err != nil {
		return err
	}
	figures.reports = b.meter.deviceReports().since(reportsBefore)
	figures.campaignGets = b.sim.Count(http.MethodGet, simulator.KindGet) - getsBefore
	figures.statusWrites = watch.writeCount() - writesBefore
	figures.connections = b.meter.connectionsOpened() - connectionsBefore
	figures.manager = did
	return nil
}

// pagesPerReport is how many pages one read of a campaign's device report takes.
func (p progressFigures) pagesPerReport() int {
	return max((p.devices+devicesPerPage-1)/devicesPerPage, 1)
}

// reads is how many whole device reports were read in the window.
func (p progressFigures) reads() float64 {
	return float64(p.reports.requests) / float64(p.pagesPerReport())
}

// readsCPU is the manager's CPU time in the window beyond its polls: what the progress reads
// cost, the status writes of the counts that changed included.
func (p progressFigures) readsCPU() float64 {
	return p.manager.cpuSeconds - p.idleCPUPerPoll*float64(p.campaignGets)
}

// describeRows are the table's lines about the progress reads.
func (p *progressFigures) describeRows() []row {
	if p == nil {
		return nil
	}
	pages := float64(max(p.reports.requests, 1))
	devices := pages * float64(min(p.devices, devicesPerPage))
	return []row{
		{fmt.Sprintf("progress: %d running campaigns x %d devices, read every %s", p.campaigns, p.devices, p.interval),
			fmt.Sprintf("all first read %s after the first create", seconds(p.firstReadS)), "", true},
		{fmt.Sprintf("  device report pages in %s", p.window),
			fmt.Sprintf("%d (%d a read; %.2f reads per campaign and interval)", p.reports.requests, p.pagesPerReport(),
				p.reads()/float64(p.campaigns)/(p.window.Seconds()/p.interval.Seconds())), "", true},
		{"  bytes read", fmt.Sprintf("%s (%s a page, %.0f B a device)", megabytes(float64(p.reports.bytes)),
			kilobytes(float64(p.reports.bytes)/pages), float64(p.reports.bytes)/devices), "", true},
		{"  time a page", fmt.Sprintf("simulator %s, manager to the first byte %s", milliseconds(p.reports.time.Seconds()*1000/pages),
			mean(p.manager.reportTime, p.manager.reportCalls)), "", true},
		{"  manager CPU in the window", fmt.Sprintf("%s, of which %d polls at the idle step's %s each: %s",
			seconds(p.manager.cpuSeconds), p.campaignGets, milliseconds(p.idleCPUPerPoll*1000), seconds(p.idleCPUPerPoll*float64(p.campaignGets))), "", true},
		{"  manager CPU of the reads", fmt.Sprintf("%s: %s a page, %.1f us a device", seconds(p.readsCPU()),
			milliseconds(p.readsCPU()*1000/pages), p.readsCPU()*1e6/devices), "", true},
		{"  status writes, connections opened in the window", fmt.Sprintf("%d, %d", p.statusWrites, p.connections), "", true},
		{"  other work's CPU in the window", cpuShare(p.manager.otherCPU, p.window.Seconds()), "", true},
		{"  reconciles in the window", p.manager.describeReconciles(), "", true},
	}
}

func megabytes(b float64) string { return fmt.Sprintf("%.1f MB", b/1e6) }
func kilobytes(b float64) string { return fmt.Sprintf("%.1f KB", b/1e3) }
