package fotarollout

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/objectmetrics"
)

// The labels that say which rollout a series belongs to.
const (
	labelNamespace = "namespace"
	labelName      = "name"
)

// Each rollout has one series in each of these gauges (one per device state in rolloutDevices),
// labelled with its namespace and name.
var (
	rolloutPhase = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_rollout_phase",
		Help: "1 for a rollout's current phase (status.phase); one series per rollout.",
	}, []string{labelNamespace, labelName, "phase"})

	rolloutWave = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_rollout_wave",
		Help: "A rollout's current wave (status.currentWave): the last wave started or skipped, 0 before the first.",
	}, []string{labelNamespace, labelName})

	rolloutDevices = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_rollout_devices",
		Help: "Devices of a rollout's started waves by state (succeeded, failed, rejected, cancelled, pending).",
	}, []string{labelNamespace, labelName, "state"})

	registerMetricsOnce sync.Once
)

// Metrics returns the collectors of the rollout gauges, for a registry to describe.
func Metrics() []prometheus.Collector {
	return []prometheus.Collector{rolloutPhase, rolloutWave, rolloutDevices}
}

// rolloutMetrics reports each rollout's status in the gauges.
type rolloutMetrics struct {
	series objectmetrics.Reporter
}

func newRolloutMetrics() *rolloutMetrics {
	registerMetricsOnce.Do(func() {
		metrics.Registry.MustRegister(Metrics()...)
	})
	return &rolloutMetrics{}
}

// report replaces the series of fr with those of its status.
func (m *rolloutMetrics) report(fr *fotav1alpha1.FotaRollout) {
	namespace, name := fr.Namespace, fr.Name
	series := []objectmetrics.Series{
		{Gauge: rolloutPhase, Labels: []string{namespace, name, string(fr.Status.Phase)}, Value: 1},
		{Gauge: rolloutWave, Labels: []string{namespace, name}, Value: float64(fr.Status.CurrentWave)},
	}
	if d := fr.Status.Devices; d != nil {
		for state, count := range map[string]int32{
			campaign.DeviceSucceeded: d.Succeeded, campaign.DeviceFailed: d.Failed, campaign.DeviceRejected: d.Rejected,
			campaign.DeviceCancelled: d.Cancelled, campaign.DevicePending: d.Pending,
		} {
			series = append(series, objectmetrics.Series{Gauge: rolloutDevices, Labels: []string{namespace, name, state}, Value: float64(count)})
		}
	}
	m.series.Report(types.NamespacedName{Namespace: namespace, Name: name}, series)
}

// forget deletes the series of a rollout that is gone.
func (m *rolloutMetrics) forget(key types.NamespacedName) {
	m.series.Forget(key)
}
