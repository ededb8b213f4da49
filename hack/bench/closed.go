package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// The closed step: --closed-campaigns FotaCampaigns of campaigns ThingSpace has closed
// (CampaignEnded), each read once and its final device report read once, then left alone for one
// poll interval plus the idle margin while the simulator counts what the operator asks about
// them. They live in a namespace and accounts of their own.
//
// Design §12 allows one read per closed campaign per --closed-poll-interval. The manager runs
// with the benchmark's --closed-poll-interval (by default the manager's own default, 24h), which
// must exceed the window: every campaign was read just before the window opened, so an operator
// keeping the interval reads none of them in it, while one that polls closed campaigns every poll
// interval reads each at least once (the window is longer than a poll interval). The figure is
// the campaign reads per campaign per closed poll interval, gets / campaigns / (window /
// interval): 0 for the former, interval / window for the latter, above 1 by construction; the
// target is at most 1.
const (
	closedNamespace     = "bench-closed"
	closedAccountPrefix = "0402196258"
	// closedDevices is how many devices each closed campaign had, all upgraded: the watch tells
	// the final report read by them.
	closedDevices = 10
)

// closedFigures are what the closed step measured.
type closedFigures struct {
	campaigns int
	// interval is the manager's --closed-poll-interval; window is how long the step counted.
	interval, window time.Duration
	// settleS is from the first create until every campaign showed its final report.
	settleS float64
	// gets and reports are the campaign reads and device report pages of closed campaigns in the
	// window; statusWrites the writes to their FotaCampaigns.
	gets, reports, statusWrites int
}

// getsPerCampaignPerInterval is how many reads a closed campaign had per closed poll interval,
// as the window shows it.
func (c *closedFigures) getsPerCampaignPerInterval() float64 {
	return float64(c.gets) / float64(max(c.campaigns, 1)) / (c.window.Seconds() / c.interval.Seconds())
}

// closedFleet is a fleet of campaigns that ended three days ago, without hour windows, so that
// neither a phase nor a window boundary lies ahead of them.
func closedFleet(size, accounts int, today time.Time) *harness.Fleet {
	fleet := harness.NewFleet(harness.FleetOptions{
		Namespace: closedNamespace, Size: size, Accounts: min(accounts, size),
		AccountPrefix: closedAccountPrefix, Today: today,
	})
	day := func(offset int) string { return today.UTC().AddDate(0, 0, offset).Format(time.DateOnly) }
	for i := range fleet.Campaigns {
		c := &fleet.Campaigns[i]
		c.StartDate, c.EndDate = day(-10), day(-4)
		c.DownloadAfterDate, c.InstallAfterDate = nil, nil
		c.DownloadTimeWindowList, c.InstallTimeWindowList = []thingspace.Window{}, []thingspace.Window{}
		c.Status = simulator.StatusEnded
	}
	return fleet
}

// seedClosed gives the simulator the closed fleet, every device of it upgraded.
func (b *bench) seedClosed(fleet *harness.Fleet) error {
	fleet.Seed(b.sim)
	devices := simulator.SampleDevices(closedDevices)
	for i := range devices {
		devices[i].Status = simulator.DeviceUpgradeSuccess
	}
	for _, c := range fleet.Campaigns {
		if err := b.sim.SetDevices(c.AccountName, c.ID, devices); err != nil {
			return err
		}
	}
	return nil
}

// measureClosed creates a FotaCampaign for every closed campaign, waits until each is Synced with
// its final report, then counts for one poll interval plus the idle margin what the operator
// reads and writes about them.
func (b *bench) measureClosed(ctx context.Context) error {
	n := b.config.closedCampaigns
	if n == 0 {
		return nil
	}
	figures := &closedFigures{campaigns: n, interval: b.config.closedPollInterval, window: b.config.pollInterval + b.config.idleMargin}
	b.details.closed = figures
	fleet := closedFleet(n, b.config.accounts, time.Now())
	if err := b.seedClosed(fleet); err != nil {
		return err
	}
	if err := fleet.CreateNamespace(ctx, b.cp.Client); err != nil {
		return err
	}
	watch, err := b.startWatch(ctx, closedNamespace)
	if err != nil {
		return err
	}
	b.logf("creating %d FotaCampaigns of closed campaigns", n)
	start := time.Now()
	if err := fleet.CreateCampaigns(ctx, b.cp.Client, b.config.clientWorkers); err != nil {
		return err
	}
	if err := waitClosedSettled(ctx, watch, n); err != nil {
		return err
	}
	figures.settleS = time.Since(start).Seconds()
	if err := b.countClosedReads(ctx, fleet, watch, figures); err != nil {
		return err
	}
	b.results.ClosedGetsPerCampaignPerInterval = figures.getsPerCampaignPerInterval()
	return nil
}

// waitClosedSettled waits until every closed campaign is Synced and shows its final report.
func waitClosedSettled(ctx context.Context, watch *campaignWatch, n int) error {
	if _, err := watch.waitConverged(ctx, n, 1); err != nil {
		return err
	}
	_, err := watch.waitDevicesShown(ctx, n, closedDevices)
	return err
}

// countClosedReads waits the window, once the reconciles of the settling are over, and counts
// the simulator's answers about the closed campaigns that arrived in it.
func (b *bench) countClosedReads(ctx context.Context, fleet *harness.Fleet, watch *campaignWatch, figures *closedFigures) error {
	if err := b.waitWorkersIdle(ctx); err != nil {
		return err
	}
	from := time.Now()
	to := from.Add(figures.window)
	if err := checkQuiet(figures.campaigns, func(i int) fotav1alpha1.Schedule { return wire.Schedule(fleet.Campaigns[i]) }, from, to); err != nil {
		return err
	}
	b.logf("counting the reads of %d closed campaigns for %s", figures.campaigns, figures.window)
	writesBefore := watch.writeCount()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(figures.window):
	}
	figures.statusWrites = watch.writeCount() - writesBefore
	for _, r := range b.sim.Requests() {
		if !strings.HasPrefix(r.Account, closedAccountPrefix+"-") || r.Time.Before(from) || r.Time.After(to) {
			continue
		}
		switch r.Kind {
		case simulator.KindGet:
			figures.gets++
		case simulator.KindReport:
			figures.reports++
		}
	}
	return nil
}

// closedRows are the table's lines about the closed campaigns.
func (r results) closedRows(c *closedFigures) []row {
	if c == nil {
		return nil
	}
	perInterval := r.ClosedGetsPerCampaignPerInterval
	return []row{
		{fmt.Sprintf("closed_gets_per_campaign_per_interval (%d closed campaigns, --closed-poll-interval=%s)", c.campaigns, c.interval),
			fmt.Sprintf("%.2f (%d reads in %s)", perInterval, c.gets, c.window),
			fmt.Sprintf("<= %d", maxClosedGetsPerInterval), perInterval <= maxClosedGetsPerInterval},
		{"  closed: device report pages in the window", fmt.Sprint(c.reports), none, c.reports == 0},
		{"  closed: writes to their FotaCampaigns in the window", fmt.Sprint(c.statusWrites), none, c.statusWrites == 0},
		{"  closed: from the first create to every final report shown", seconds(c.settleS), "", true},
	}
}
