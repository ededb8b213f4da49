package fotacampaign

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/objectmetrics"
)

// The labels that say which campaign a series belongs to.
const (
	labelNamespace = "namespace"
	labelName      = "name"
)

// Each campaign has one series in each of these gauges (one per device state in
// campaignDevices), labelled with its namespace and name: a fleet has hundreds of campaigns, not
// millions, and a dashboard or alert has to say which campaign it means.
var (
	campaignDevices = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_campaign_devices",
		Help: "Devices of a campaign by state (succeeded, failed, rejected, cancelled, pending), from ThingSpace's device report.",
	}, []string{labelNamespace, labelName, "state"})

	campaignPhase = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_campaign_phase",
		Help: "1 for a campaign's current phase (status.phase); one series per campaign.",
	}, []string{labelNamespace, labelName, "phase"})

	campaignSynced = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_campaign_synced",
		Help: "1 when a campaign's Synced condition is True, 0 when it is not; labelled with the condition's reason.",
	}, []string{labelNamespace, labelName, "reason"})

	campaignReady = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fota_campaign_ready",
		Help: "1 when a campaign's Ready condition is True, 0 when it is not; labelled with the condition's reason.",
	}, []string{labelNamespace, labelName, "reason"})

	registerMetricsOnce sync.Once
)

// Metrics returns the collectors of the campaign gauges, for a registry to describe.
func Metrics() []prometheus.Collector {
	return []prometheus.Collector{campaignDevices, campaignPhase, campaignSynced, campaignReady}
}

func registerMetrics() {
	registerMetricsOnce.Do(func() {
		metrics.Registry.MustRegister(Metrics()...)
	})
}

// campaignMetrics puts each campaign's status into the gauges: phase, Synced and Ready with
// their reasons, and the devices by state once the report was read. The zero value is ready to
// use.
type campaignMetrics struct {
	series objectmetrics.Reporter
}

// report replaces the series of fc with those of its status. A campaign without both conditions
// yet has not been reconciled: it keeps the series it had.
func (m *campaignMetrics) report(fc *fotav1alpha1.FotaCampaign) {
	synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	ready := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
	if synced == nil || ready == nil {
		return
	}
	namespace, name := fc.Namespace, fc.Name
	series := []objectmetrics.Series{
		{Gauge: campaignPhase, Labels: []string{namespace, name, string(fc.Status.Phase)}, Value: 1},
		{Gauge: campaignSynced, Labels: []string{namespace, name, synced.Reason}, Value: gaugeValue(synced.Status == metav1.ConditionTrue)},
		{Gauge: campaignReady, Labels: []string{namespace, name, ready.Reason}, Value: gaugeValue(ready.Status == metav1.ConditionTrue)},
	}
	if fc.Status.Devices != nil {
		for state, count := range campaign.StateCounts(*fc.Status.Devices) {
			series = append(series, objectmetrics.Series{Gauge: campaignDevices, Labels: []string{namespace, name, state}, Value: float64(count)})
		}
	}
	m.series.Report(types.NamespacedName{Namespace: namespace, Name: name}, series)
}

// forget deletes every series of a campaign that is gone.
func (m *campaignMetrics) forget(key types.NamespacedName) {
	m.series.Forget(key)
}

func gaugeValue(condition bool) float64 {
	if condition {
		return 1
	}
	return 0
}
