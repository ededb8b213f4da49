package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
)

// campaignWatch follows the FotaCampaigns of one namespace through a watch, the way Argo CD or
// kubectl --watch would see them: when each one converged or first showed its devices, and how
// many writes reached them.
type campaignWatch struct {
	mu sync.Mutex
	// converged holds, per name, the generation whose Synced=True outcome was last seen, and
	// convergedTime when the watch delivered it.
	converged     map[string]int64
	convergedTime map[string]time.Time
	// lastConverged is when an object last became converged, as the watch delivered it.
	lastConverged time.Time
	// lastSeen is the object the watch delivered last, as a sample of what the writers write.
	lastSeen *fotav1alpha1.FotaCampaign
	// devicesShown holds, per name, the status.devices.total first seen; lastShown is when the
	// last object showed its devices for the first time.
	devicesShown map[string]int32
	lastShown    time.Time
	// writes counts updates that changed an object's resourceVersion: every write, spec or status.
	writes int
}

// startCampaignWatch starts a watch on the FotaCampaigns of namespace; it stops with ctx.
func startCampaignWatch(ctx context.Context, cfg *rest.Config, namespace string) (*campaignWatch, error) {
	informers, err := cache.New(cfg, cache.Options{
		Scheme:            manager.NewScheme(),
		DefaultNamespaces: map[string]cache.Config{namespace: {}},
	})
	if err != nil {
		return nil, err
	}
	informer, err := informers.GetInformer(ctx, &fotav1alpha1.FotaCampaign{})
	if err != nil {
		return nil, err
	}
	w := &campaignWatch{converged: map[string]int64{}, convergedTime: map[string]time.Time{}, devicesShown: map[string]int32{}}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.observe(obj, false) },
		UpdateFunc: func(old, obj any) { w.observe(obj, resourceVersionOf(old) != resourceVersionOf(obj)) },
	}); err != nil {
		return nil, err
	}
	go func() { _ = informers.Start(ctx) }()
	if !informers.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("the watch on FotaCampaigns in %s did not sync", namespace)
	}
	return w, nil
}

func resourceVersionOf(obj any) string {
	if o, ok := obj.(client.Object); ok {
		return o.GetResourceVersion()
	}
	return ""
}

func (w *campaignWatch) observe(obj any, written bool) {
	fc, ok := obj.(*fotav1alpha1.FotaCampaign)
	if !ok {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastSeen = fc
	if written {
		w.writes++
	}
	if harness.Converged(fc) && w.converged[fc.Name] != fc.Generation {
		w.converged[fc.Name] = fc.Generation
		w.convergedTime[fc.Name] = now
		w.lastConverged = now
	}
	if _, shown := w.devicesShown[fc.Name]; !shown && fc.Status.Devices != nil {
		w.devicesShown[fc.Name] = fc.Status.Devices.Total
		w.lastShown = now
	}
}

// convergedAt counts the objects whose Synced=True outcome of generation has been seen.
func (w *campaignWatch) convergedAt(generation int64) (count int, last time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range w.converged {
		if g == generation {
			count++
		}
	}
	return count, w.lastConverged
}

// namesConvergedAt counts the named objects whose Synced=True outcome of generation has been
// seen, and returns when the last of those did converge.
func (w *campaignWatch) namesConvergedAt(names []string, generation int64) (count int, last time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, name := range names {
		if w.converged[name] == generation {
			count++
			last = maxTime(last, w.convergedTime[name])
		}
	}
	return count, last
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// showingDevices counts the objects whose status has shown total devices.
func (w *campaignWatch) showingDevices(total int32) (count int, last time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, shown := range w.devicesShown {
		if shown == total {
			count++
		}
	}
	return count, w.lastShown
}

func (w *campaignWatch) writeCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

// sample is a copy of the object the watch delivered last; nil before any.
func (w *campaignWatch) sample() *fotav1alpha1.FotaCampaign {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastSeen == nil {
		return nil
	}
	return w.lastSeen.DeepCopy()
}

// waitConverged waits until want objects have converged at generation, and returns when the
// last of them did. Each wait gives up after convergeTimeout.
func (w *campaignWatch) waitConverged(ctx context.Context, want int, generation int64) (time.Time, error) {
	last, err := waitCounted(ctx, want, convergeTimeout, func() (int, time.Time) { return w.convergedAt(generation) })
	if err != nil {
		return time.Time{}, fmt.Errorf("FotaCampaigns converged at generation %d: %w", generation, err)
	}
	return last, nil
}

// waitNamesConverged waits until every named object has converged at generation, and returns
// when the last of them did: for a step whose objects share the namespace with earlier ones.
func (w *campaignWatch) waitNamesConverged(ctx context.Context, names []string, generation int64) (time.Time, error) {
	last, err := waitCounted(ctx, len(names), convergeTimeout, func() (int, time.Time) { return w.namesConvergedAt(names, generation) })
	if err != nil {
		return time.Time{}, fmt.Errorf("FotaCampaigns %v converged at generation %d: %w", names, generation, err)
	}
	return last, nil
}

// waitDevicesShown waits until want objects show total devices in their status, and returns when
// the last of them first did.
func (w *campaignWatch) waitDevicesShown(ctx context.Context, want int, total int32) (time.Time, error) {
	last, err := waitCounted(ctx, want, convergeTimeout, func() (int, time.Time) { return w.showingDevices(total) })
	if err != nil {
		return time.Time{}, fmt.Errorf("FotaCampaigns showing %d devices: %w", total, err)
	}
	return last, nil
}

// waitCounted polls count until it reaches want, and returns the time count gave with it.
func waitCounted(ctx context.Context, want int, timeout time.Duration, count func() (int, time.Time)) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		n, last := count()
		if n == want {
			return last, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%d of %d within %s", n, want, timeout)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-tick.C:
		}
	}
}
