package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// The step floors are what a perfect operator must cost the API server in the create and the
// update step: the user's writes of the step plus one status write per campaign, nothing else.
// A plain client sends them, the user's writes --client-workers at a time like the steps, the
// status writes --max-concurrent-reconciles at a time like the manager's workers, each as soon
// as its user write has returned. They run before the operator starts, in a namespace of their
// own, on the same fleet; a manager that watches only an empty namespace serves the webhook,
// since the user's writes pay for admission in the steps too.
const (
	floorNamespace = "bench-floor"
	// deletePageSize is how many FotaCampaigns deleteCampaigns lists at a time.
	deletePageSize = 500
	// unwatchedNamespace is the only namespace the floors' manager watches; it stays empty.
	unwatchedNamespace = "bench-unwatched"
)

// measureStepFloors measures the floor of the create and of the update step, then removes its
// objects and its manager, so that the operator starts on an API server without them.
func (b *bench) measureStepFloors(ctx context.Context) error {
	webhookOnly, err := b.startManager(ctx, "manager-floor.log", "--watch-namespaces="+unwatchedNamespace)
	if err != nil {
		return err
	}
	floorFleet := &harness.Fleet{Namespace: floorNamespace, Campaigns: b.fleet.Campaigns}
	if err := floorFleet.CreateNamespace(ctx, b.cp.Client); err != nil {
		return err
	}
	watch, err := b.startWatch(ctx, floorNamespace)
	if err != nil {
		return err
	}
	b.logf("measuring the create floor: %d creates and status writes", b.config.campaigns)
	create, err := b.floorStep(ctx, watch, 1, func(ctx context.Context, i int) (*fotav1alpha1.FotaCampaign, error) {
		fc := floorFleet.FotaCampaign(i)
		return fc, b.cp.Client.Create(ctx, fc)
	})
	if err != nil {
		return fmt.Errorf("create floor: %w", err)
	}
	b.logf("measuring the update floor: %d window changes and status writes", b.config.campaigns)
	update, err := b.floorStep(ctx, watch, 2, func(ctx context.Context, i int) (*fotav1alpha1.FotaCampaign, error) {
		fc := floorFleet.FotaCampaign(i)
		return fc, patchWindow(ctx, b.cp.Client, floorFleet, i, fc)
	})
	if err != nil {
		return fmt.Errorf("update floor: %w", err)
	}
	b.results.CreateFloorS, b.details.createFloor = create.total.Seconds(), create
	b.results.UpdateFloorS, b.details.updateFloor = update.total.Seconds(), update
	b.details.floorStatusBytes = statusBytes(watch.sample())
	b.logf("deleting the floors' FotaCampaigns")
	if err := deleteCampaigns(ctx, b.cp.Client, floorNamespace, b.config.clientWorkers); err != nil {
		return err
	}
	return webhookOnly.Stop(managerStopTimeout)
}

// floorTimes is how long a floor took: to the last status write the watch saw, and to the last
// of the user's writes; with the CPU seconds other work on the machine took meanwhile.
type floorTimes struct {
	total, userWrites time.Duration
	otherCPU          float64
}

// floorStep sends the user's write of every campaign and, as each returns, the status write of a
// perfect operator, and returns when the watch has seen every object converged at generation.
func (b *bench) floorStep(ctx context.Context, watch *campaignWatch, generation int64,
	write func(ctx context.Context, i int) (*fotav1alpha1.FotaCampaign, error)) (floorTimes, error) {
	n := b.config.campaigns
	// Room for every object, so that a user write never waits for a status writer.
	written := make(chan indexedCampaign, n)
	group, groupCtx := errgroup.WithContext(ctx)
	cpuBefore := readCPUTimes()
	start := time.Now()
	var times floorTimes
	group.Go(func() error {
		defer close(written)
		err := harness.ForEach(groupCtx, n, b.config.clientWorkers, func(ctx context.Context, i int) error {
			fc, err := write(ctx, i)
			if err == nil {
				written <- indexedCampaign{index: i, fc: fc}
			}
			return err
		})
		times.userWrites = time.Since(start)
		return err
	})
	for range b.config.maxConcurrentReconciles {
		group.Go(func() error {
			for w := range written {
				if err := b.writePerfectStatus(groupCtx, w); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := group.Wait(); err != nil {
		return floorTimes{}, err
	}
	last, err := watch.waitConverged(ctx, n, generation)
	times.total, times.otherCPU = last.Sub(start), readCPUTimes().otherCPUSince(cpuBefore)
	return times, err
}

// indexedCampaign is the object a user write returned, with its index in the fleet.
type indexedCampaign struct {
	index int
	fc    *fotav1alpha1.FotaCampaign
}

// writePerfectStatus sends the status patch the operator sends once ThingSpace holds the spec: a
// merge patch from the object as written, without a resourceVersion, like the operator's.
func (b *bench) writePerfectStatus(ctx context.Context, w indexedCampaign) error {
	synced := w.fc.DeepCopy()
	recordPerfectSync(synced, b.fleet.Campaigns[w.index], time.Now())
	return b.cp.Client.Status().Patch(ctx, synced, client.MergeFrom(w.fc))
}

// recordPerfectSync gives fc the status the operator records when ThingSpace holds the spec of
// fc's generation: the same fields with the same kind of values, so that the floor's status
// writes weigh what the operator's weigh. The first generation was read from ThingSpace, a later
// one pushed to it.
func recordPerfectSync(fc *fotav1alpha1.FotaCampaign, c thingspace.Campaign, now time.Time) {
	at := metav1.NewTime(now).Rfc3339Copy()
	applied := *fc.Spec.Schedule.DeepCopy()
	info := wire.Info(c)
	status := &fc.Status
	status.Applied, status.Campaign = &applied, &info
	if fc.Generation == 1 {
		status.LastObservedTime = &at
	} else {
		status.LastPushedTime = &at
	}
	status.Phase = campaign.PhaseAt(applied, c.Status, now)
	status.NextDownloadWindow = statusWindow(campaign.NextDownloadWindow(applied, now))
	status.NextInstallWindow = statusWindow(campaign.NextInstallWindow(applied, now))
	for _, condition := range []metav1.Condition{
		{Type: fotav1alpha1.ConditionSynced, Reason: fotav1alpha1.ReasonSynced, Message: "ThingSpace holds the spec"},
		{Type: fotav1alpha1.ConditionReady, Reason: fotav1alpha1.ReasonReady,
			Message: fmt.Sprintf("ThingSpace holds the spec and the campaign is %s", status.Phase)},
	} {
		condition.Status, condition.ObservedGeneration, condition.LastTransitionTime = metav1.ConditionTrue, fc.Generation, at
		meta.SetStatusCondition(&status.Conditions, condition)
	}
	status.ObservedGeneration = fc.Generation
}

func statusWindow(iv campaign.Interval, found bool) *fotav1alpha1.ActionWindow {
	if !found {
		return nil
	}
	return &fotav1alpha1.ActionWindow{Start: metav1.NewTime(iv.Start), End: metav1.NewTime(iv.End)}
}

// statusBytes is the size of an object's status in JSON, 0 without an object.
func statusBytes(fc *fotav1alpha1.FotaCampaign) int {
	if fc == nil {
		return 0
	}
	data, err := json.Marshal(fc.Status)
	if err != nil {
		return 0
	}
	return len(data)
}

// changeWindow is the update step's edit: the download window moves from 03-04 to 01-02 UTC,
// which ThingSpace allows before the start.
func changeWindow(s fotav1alpha1.Schedule) fotav1alpha1.Schedule {
	s.DownloadTimeWindowList = []fotav1alpha1.TimeWindow{{StartTime: 1, EndTime: 2}}
	return s
}

// patchWindow sends the update step's edit of the i-th FotaCampaign of fleet as a JSON merge
// patch of the whole schedule, as a user re-applying a file would, and leaves the object the API
// server returned in into.
func patchWindow(ctx context.Context, c client.Client, fleet *harness.Fleet, i int, into *fotav1alpha1.FotaCampaign) error {
	patch, err := json.Marshal(map[string]any{"spec": changeWindow(wire.Schedule(fleet.Campaigns[i]))})
	if err != nil {
		return err
	}
	return c.Patch(ctx, into, client.RawPatch(types.MergePatchType, patch))
}

// deleteCampaigns deletes every FotaCampaign of a namespace, a page at a time with workers
// FotaCampaigns at once, and waits until they are gone. One delete-collection of 10 000 objects
// outlasts the API server's request timeout, and so would fail the run after the measurements.
// No operator watches the namespace, so no finalizer holds a deleted object back.
func deleteCampaigns(ctx context.Context, c client.Client, ns string, workers int) error {
	for {
		var page fotav1alpha1.FotaCampaignList
		if err := c.List(ctx, &page, client.InNamespace(ns), client.Limit(deletePageSize)); err != nil {
			return fmt.Errorf("listing the FotaCampaigns of %s: %w", ns, err)
		}
		if len(page.Items) == 0 {
			return nil
		}
		err := harness.ForEach(ctx, len(page.Items), workers, func(ctx context.Context, i int) error {
			return client.IgnoreNotFound(c.Delete(ctx, &page.Items[i]))
		})
		if err != nil {
			return fmt.Errorf("deleting the FotaCampaigns of %s: %w", ns, err)
		}
	}
}
