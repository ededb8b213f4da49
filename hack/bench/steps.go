package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// measure runs the steps in order. The step floors come first, before the operator runs; the
// status floor comes last, once the manager has stopped, so that nothing else loads the API
// server while either is measured.
func (b *bench) measure(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"step floors", b.measureStepFloors},
		{"start", b.startOperator},
		{"create", b.measureCreate},
		{"update", b.measureUpdate},
		{"idle", b.measureIdle},
		{"heap", b.measureHeap},
		{"admission", b.measureAdmission},
		{"progress", b.measureProgress},
		{"closed", b.measureClosed},
		{"rollout", b.measureRollout},
		{"stop", b.stopOperator},
		{"floor", b.measureFloor},
	}
	for _, step := range steps {
		if err := step.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
	}
	b.details.violations = len(b.sim.Violations())
	return nil
}

// startOperator starts the manager as deployed, watching every namespace, and reads its heap
// before it holds any FotaCampaign.
func (b *bench) startOperator(ctx context.Context) (err error) {
	if b.manager, err = b.startManager(ctx, "manager.log"); err != nil {
		return err
	}
	b.details.heapEmpty, err = b.heapAfterGC(ctx, "manager-heap-empty.pprof")
	return err
}

func (b *bench) stopOperator(context.Context) error {
	b.logf("stopping the manager")
	return b.manager.Stop(managerStopTimeout)
}

// thingSpaceCalls counts the dates PUTs and campaign GETs the simulator has answered.
type thingSpaceCalls struct{ puts, gets int }

func (b *bench) calls() thingSpaceCalls {
	return thingSpaceCalls{
		puts: b.sim.Count(http.MethodPut, simulator.KindDates),
		gets: b.sim.Count(http.MethodGet, simulator.KindGet),
	}
}

func (c thingSpaceCalls) since(before thingSpaceCalls) thingSpaceCalls {
	return thingSpaceCalls{puts: c.puts - before.puts, gets: c.gets - before.gets}
}

// measureCreate creates a FotaCampaign for every campaign, with the schedule ThingSpace holds,
// and times until the watch has seen every one Synced=True at generation 1.
func (b *bench) measureCreate(ctx context.Context) error {
	b.logf("creating %d FotaCampaigns", b.config.campaigns)
	b.cpuProfileDone = b.startCPUProfile(ctx)
	before := b.calls()
	var start, last time.Time
	did, err := b.measured(ctx, func() (err error) {
		start = time.Now()
		if err := b.fleet.CreateCampaigns(ctx, b.cp.Client, b.config.clientWorkers); err != nil {
			return err
		}
		b.details.createRequestsS = time.Since(start).Seconds()
		last, err = b.watch.waitConverged(ctx, b.config.campaigns, 1)
		return err
	})
	if err != nil {
		return err
	}
	b.results.CreateToSyncedS = last.Sub(start).Seconds()
	calls := b.calls().since(before)
	b.results.PutsCreate, b.details.getsCreate = calls.puts, calls.gets
	b.details.createActivity = did
	return nil
}

// measureUpdate changes the download window of every FotaCampaign and times until the watch has
// seen every one Synced=True at generation 2.
func (b *bench) measureUpdate(ctx context.Context) error {
	b.logf("changing a window on %d FotaCampaigns", b.config.campaigns)
	before := b.calls()
	var start, last time.Time
	did, err := b.measured(ctx, func() (err error) {
		start = time.Now()
		err = harness.ForEach(ctx, b.config.campaigns, b.config.clientWorkers, func(ctx context.Context, i int) error {
			return patchWindow(ctx, b.cp.Client, b.fleet, i, b.fleet.FotaCampaign(i))
		})
		if err != nil {
			return err
		}
		b.details.updateRequestsS = time.Since(start).Seconds()
		last, err = b.watch.waitConverged(ctx, b.config.campaigns, 2)
		return err
	})
	if err != nil {
		return err
	}
	b.results.UpdateToSyncedS = last.Sub(start).Seconds()
	calls := b.calls().since(before)
	b.results.PutsUpdate, b.details.getsUpdate = calls.puts, calls.gets
	b.details.updateActivity = did
	b.results.GetsTotal = b.details.getsCreate + b.details.getsUpdate
	b.details.operatorStatusBytes = statusBytes(b.watch.sample())
	return b.waitCPUProfile()
}

// measureIdle waits one poll interval plus a margin, in which every campaign is read once from
// ThingSpace, and counts what the operator changed meanwhile: nothing, when all is in sync. The
// fleet starts days later, so no phase or window boundary falls inside the step; checkQuiet
// makes sure of it.
func (b *bench) measureIdle(ctx context.Context) error {
	b.details.idleWait = b.config.pollInterval + b.config.idleMargin
	from := time.Now()
	edited := func(i int) fotav1alpha1.Schedule { return changeWindow(wire.Schedule(b.fleet.Campaigns[i])) }
	if err := checkQuiet(b.config.campaigns, edited, from, from.Add(b.details.idleWait)); err != nil {
		return err
	}
	b.logf("idling for %s", b.details.idleWait)
	before, writesBefore := b.calls(), b.watch.writeCount()
	did, err := b.measured(ctx, func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(b.details.idleWait):
			return nil
		}
	})
	if err != nil {
		return err
	}
	calls := b.calls().since(before)
	b.results.IdlePuts, b.details.getsIdle = calls.puts, calls.gets
	b.results.IdleStatusWrites = b.watch.writeCount() - writesBefore
	b.details.idleActivity = did
	return nil
}

// measureAdmission sends dry-run updates through the API server one at a time and takes the
// webhook's latency from the admission timer in front of it.
func (b *bench) measureAdmission(ctx context.Context) error {
	b.logf("sending %d dry-run updates through the webhook", b.config.admissionRequests)
	b.timer.take()
	roundTrips := make([]time.Duration, 0, b.config.admissionRequests)
	did, err := b.measured(ctx, func() error {
		for i := range b.config.admissionRequests {
			took, err := b.dryRunUpdate(ctx, i%b.config.campaigns)
			if err != nil {
				return err
			}
			roundTrips = append(roundTrips, took)
		}
		return nil
	})
	if err != nil {
		return err
	}
	admissions := b.timer.take()
	if len(admissions.webhook) != b.config.admissionRequests {
		return fmt.Errorf("the webhook answered %d admission requests for %d dry-run updates", len(admissions.webhook), b.config.admissionRequests)
	}
	b.results.WebhookP50Ms, b.results.WebhookP99Ms = percentile(admissions.webhook, 50), percentile(admissions.webhook, 99)
	b.details.atTimerP50Ms, b.details.atTimerP99Ms = percentile(admissions.atTimer, 50), percentile(admissions.atTimer, 99)
	b.details.dryRunP50Ms, b.details.dryRunP99Ms = percentile(roundTrips, 50), percentile(roundTrips, 99)
	b.details.admissionActivity = did
	return nil
}

// dryRunUpdate moves the end date of the i-th FotaCampaign in a server-side dry run, and returns
// how long the API server took to answer.
func (b *bench) dryRunUpdate(ctx context.Context, i int) (time.Duration, error) {
	key := b.fleet.Key(i)
	patch, err := endDatePatch(b.fleet.FotaCampaign(i).Spec.EndDate)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := b.cp.Client.Patch(ctx, objectAt(key), client.RawPatch(types.MergePatchType, patch), client.DryRunAll); err != nil {
		return 0, fmt.Errorf("dry-run update of %s: %w", key, err)
	}
	return time.Since(start), nil
}

// endDatePatch moves the end date a day later: allowed before the start.
func endDatePatch(endDate fotav1alpha1.Date) ([]byte, error) {
	end, err := time.Parse(time.DateOnly, string(endDate))
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"spec": map[string]any{"endDate": end.AddDate(0, 0, 1).Format(time.DateOnly)}})
}

func objectAt(key types.NamespacedName) *fotav1alpha1.FotaCampaign {
	return &fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
}

// measureFloor reads every FotaCampaign and updates its status with a client, no operator
// running: the least work any operator has to do to record its results, without the user's
// writes the step floors include. It does so once for each number of --floor-workers; the fastest
// pass is the status floor, floor_s.
func (b *bench) measureFloor(ctx context.Context) error {
	for _, workers := range b.config.floorWorkers {
		b.logf("measuring the status floor: a GET and a status update of %d FotaCampaigns, %d at a time", b.config.campaigns, workers)
		took, err := b.floorPass(ctx, workers)
		if err != nil {
			return err
		}
		b.details.floorPasses = append(b.details.floorPasses, floorPass{workers: workers, seconds: took.Seconds()})
		if b.results.FloorS == 0 || took.Seconds() < b.results.FloorS {
			b.results.FloorS = took.Seconds()
		}
	}
	return nil
}

// floorPass moves every status.lastObservedTime a second on, so that each update is a real
// write however many passes ran before.
func (b *bench) floorPass(ctx context.Context, workers int) (time.Duration, error) {
	start := time.Now()
	err := harness.ForEach(ctx, b.config.campaigns, workers, func(ctx context.Context, i int) error {
		fc := &fotav1alpha1.FotaCampaign{}
		if err := b.cp.Client.Get(ctx, b.fleet.Key(i), fc); err != nil {
			return err
		}
		observed := metav1.NewTime(time.Now()).Rfc3339Copy()
		if last := fc.Status.LastObservedTime; last != nil && !observed.After(last.Time) {
			observed = metav1.NewTime(last.Add(time.Second))
		}
		fc.Status.LastObservedTime = ptr.To(observed)
		return b.cp.Client.Status().Update(ctx, fc)
	})
	return time.Since(start), err
}

// startCPUProfile records the CPU profiles of the manager and of kube-apiserver for
// --cpu-profile, when set; the returned channel delivers the outcome.
func (b *bench) startCPUProfile(ctx context.Context) <-chan error {
	if b.config.cpuProfile <= 0 {
		return nil
	}
	path := fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(int(b.config.cpuProfile.Round(time.Second)/time.Second), 1))
	manager, apiServer := make(chan error, 1), make(chan error, 1)
	go func() { manager <- b.saveProfile(ctx, path, "manager-cpu.pprof") }()
	go func() { apiServer <- b.saveAPIServerProfile(ctx, path, "apiserver-cpu.pprof") }()
	done := make(chan error, 1)
	go func() { done <- errors.Join(<-manager, <-apiServer) }()
	return done
}

func (b *bench) waitCPUProfile() error {
	if b.cpuProfileDone == nil {
		return nil
	}
	b.logf("waiting for the CPU profile")
	err := <-b.cpuProfileDone
	if err != nil {
		return errors.Join(errors.New("recording the CPU profile"), err)
	}
	return nil
}
