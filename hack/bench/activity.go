package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// controllerName is the FotaCampaign controller's name in the manager's metrics, under the
// label controllerLabel; rolloutControllerName the FotaRollout controller's.
const (
	controllerName        = "fotacampaign"
	rolloutControllerName = "fotarollout"
	controllerLabel       = "controller"
)

// activity is what the manager's metrics say it did: its requests to the API server by method,
// its reconciles, and the time each kind of work took, summed in seconds. Subtracting two
// snapshots gives a step's share; dividing a time by its count gives the mean that tells where a
// reconcile waits.
type activity struct {
	apiRequests   map[string]float64
	reconciles    float64
	reconcileTime float64
	// rolloutReconciles and rolloutReconcileTime are the FotaRollout controller's.
	rolloutReconciles    float64
	rolloutReconcileTime float64
	thingSpaceTime       float64
	thingSpaceCalls      float64
	reportTime           float64 // the device report's pages, to their first byte
	reportCalls          float64
	cpuSeconds           float64 // the manager process's CPU time, user and system
	// webhookRequests are the admission requests the webhook handled, webhookFast those it
	// answered within maxWebhookP99Ms, by its own clock.
	webhookRequests, webhookFast float64
	// otherCPU is not the manager's: the CPU seconds other work on the machine took meanwhile,
	// set by measured.
	otherCPU float64
}

// operationDeviceReport is the "operation" label of the device report's pages in the manager's
// ThingSpace metrics.
const operationDeviceReport = "device_report"

func (b *bench) activity(ctx context.Context) (activity, error) {
	samples, err := b.manager.Metrics(ctx)
	if err != nil {
		return activity{}, err
	}
	a := activity{apiRequests: map[string]float64{}}
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		a.apiRequests[method], _ = samples.Sum("rest_client_requests_total", map[string]string{"method": method})
	}
	a.reconciles, _ = samples.Sum("controller_runtime_reconcile_time_seconds_count", map[string]string{controllerLabel: controllerName})
	a.reconcileTime, _ = samples.Sum("controller_runtime_reconcile_time_seconds_sum", map[string]string{controllerLabel: controllerName})
	rollout := map[string]string{controllerLabel: rolloutControllerName}
	a.rolloutReconciles, _ = samples.Sum("controller_runtime_reconcile_time_seconds_count", rollout)
	a.rolloutReconcileTime, _ = samples.Sum("controller_runtime_reconcile_time_seconds_sum", rollout)
	a.thingSpaceTime, _ = samples.Sum("fota_thingspace_request_duration_seconds_sum", nil)
	a.thingSpaceCalls, _ = samples.Sum("fota_thingspace_request_duration_seconds_count", nil)
	report := map[string]string{"operation": operationDeviceReport}
	a.reportTime, _ = samples.Sum("fota_thingspace_request_duration_seconds_sum", report)
	a.reportCalls, _ = samples.Sum("fota_thingspace_request_duration_seconds_count", report)
	a.cpuSeconds, _ = samples.Sum("process_cpu_seconds_total", nil)
	a.webhookRequests, _ = samples.Sum("controller_runtime_webhook_latency_seconds_count", nil)
	a.webhookFast = bucketAt(samples, "controller_runtime_webhook_latency_seconds_bucket", maxWebhookP99Ms/1000.0)
	return a, nil
}

// bucketAt sums the cumulative histogram buckets whose bound is bound; controller-runtime's
// webhook histogram has one at every power of ten, 10 ms included, written as a float that is
// not exactly 0.01.
func bucketAt(samples harness.Samples, name string, bound float64) float64 {
	var sum float64
	for _, sample := range samples {
		le, err := strconv.ParseFloat(sample.Labels["le"], 64)
		if sample.Name == name && err == nil && math.Abs(le-bound) < bound*1e-9 {
			sum += sample.Value
		}
	}
	return sum
}

func (a activity) since(before activity) activity {
	delta := activity{
		apiRequests:          map[string]float64{},
		reconciles:           a.reconciles - before.reconciles,
		reconcileTime:        a.reconcileTime - before.reconcileTime,
		rolloutReconciles:    a.rolloutReconciles - before.rolloutReconciles,
		rolloutReconcileTime: a.rolloutReconcileTime - before.rolloutReconcileTime,
		thingSpaceTime:       a.thingSpaceTime - before.thingSpaceTime,
		thingSpaceCalls:      a.thingSpaceCalls - before.thingSpaceCalls,
		reportTime:           a.reportTime - before.reportTime,
		reportCalls:          a.reportCalls - before.reportCalls,
		cpuSeconds:           a.cpuSeconds - before.cpuSeconds,
		webhookRequests:      a.webhookRequests - before.webhookRequests,
		webhookFast:          a.webhookFast - before.webhookFast,
	}
	for method, n := range a.apiRequests {
		delta.apiRequests[method] = n - before.apiRequests[method]
	}
	return delta
}

// noActivity describes a kind of work the manager did not do.
const noActivity = "none"

// describeRequests lists the methods the manager used, e.g. "PATCH 1000, POST 1000".
func (a activity) describeRequests() string {
	var parts []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if n := a.apiRequests[method]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", method, n))
		}
	}
	if len(parts) == 0 {
		return noActivity
	}
	return strings.Join(parts, ", ")
}

// describeReconciles gives the number of reconciles and their mean duration, with the mean
// duration of a ThingSpace call (what remains is mostly the wait for the status write).
func (a activity) describeReconciles() string {
	if a.reconciles == 0 {
		return noActivity
	}
	return fmt.Sprintf("%.0f, mean %s (ThingSpace call %s)", a.reconciles,
		mean(a.reconcileTime, a.reconciles), mean(a.thingSpaceTime, a.thingSpaceCalls))
}

// describeRolloutReconciles gives the FotaRollout controller's reconciles and their mean and
// total duration.
func (a activity) describeRolloutReconciles() string {
	if a.rolloutReconciles == 0 {
		return noActivity
	}
	return fmt.Sprintf("%.0f, mean %s, %s in all", a.rolloutReconciles, mean(a.rolloutReconcileTime, a.rolloutReconciles), seconds(a.rolloutReconcileTime))
}

// describeSlowAdmissions says how many admission requests the webhook itself took longer than
// maxWebhookP99Ms to answer: with the timer's figures, it tells the handler's share of a slow tail
// from the share of the path to it.
func (a activity) describeSlowAdmissions() string {
	if a.webhookRequests == 0 {
		return "none handled"
	}
	return fmt.Sprintf("%.0f of %.0f", a.webhookRequests-a.webhookFast, a.webhookRequests)
}

func mean(totalSeconds, count float64) time.Duration {
	if count == 0 {
		return 0
	}
	return time.Duration(totalSeconds / count * float64(time.Second)).Round(10 * time.Microsecond)
}

// measured runs step and returns what the manager did meanwhile. A reconcile is counted once it
// has returned, which can be a moment after the watch saw its status write, so the second
// snapshot waits until no worker is busy.
func (b *bench) measured(ctx context.Context, step func() error) (activity, error) {
	before, err := b.activity(ctx)
	if err != nil {
		return activity{}, err
	}
	cpuBefore := readCPUTimes()
	if err := step(); err != nil {
		return activity{}, err
	}
	otherCPU := readCPUTimes().otherCPUSince(cpuBefore)
	if err := b.waitWorkersIdle(ctx); err != nil {
		return activity{}, err
	}
	after, err := b.activity(ctx)
	if err != nil {
		return activity{}, err
	}
	did := after.since(before)
	did.otherCPU = otherCPU
	return did, nil
}

// waitWorkersIdle waits until the controller has no reconcile running and none queued.
func (b *bench) waitWorkersIdle(ctx context.Context) error {
	return wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		samples, err := b.manager.Metrics(ctx)
		if err != nil {
			return false, err
		}
		active, _ := samples.Sum("controller_runtime_active_workers", map[string]string{controllerLabel: controllerName})
		queued, _ := samples.Sum("workqueue_depth", map[string]string{"name": controllerName})
		return active == 0 && queued == 0, nil
	})
}
