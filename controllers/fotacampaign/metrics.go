package fotacampaign

import (
	"maps"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
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

// reportedCampaign is the label values of the series a campaign has now.
type reportedCampaign struct {
	phase, syncedReason, readyReason string
	deviceStates                     map[string]int
}

// reported remembers each campaign's label values, so that a report sets the new series before
// it deletes the old ones: a scrape in between never finds the campaign without a series, which
// Prometheus would read as the series ending and which would restart the `for` of its alerts.
var reported = struct {
	sync.Mutex
	campaigns map[types.NamespacedName]reportedCampaign
}{campaigns: map[types.NamespacedName]reportedCampaign{}}

// reportCampaignMetrics replaces the series of the campaign namespace/name: its phase, its Synced
// and Ready conditions (1 when True) with their reasons, and a device count for each state in
// devices (none when devices is nil, before the first device report).
func reportCampaignMetrics(namespace, name, phase, syncedReason string, synced bool,
	readyReason string, ready bool, devices map[string]int) {
	// Registered on the first report rather than at start: a gauge without series exports
	// nothing, so a scrape cannot tell the difference, and the reconciler needs no set-up step.
	registerMetrics()
	now := reportedCampaign{phase: phase, syncedReason: syncedReason, readyReason: readyReason, deviceStates: maps.Clone(devices)}

	reported.Lock()
	defer reported.Unlock()
	campaignPhase.WithLabelValues(namespace, name, phase).Set(1)
	campaignSynced.WithLabelValues(namespace, name, syncedReason).Set(gaugeValue(synced))
	campaignReady.WithLabelValues(namespace, name, readyReason).Set(gaugeValue(ready))
	for state, count := range devices {
		campaignDevices.WithLabelValues(namespace, name, state).Set(float64(count))
	}
	key := types.NamespacedName{Namespace: namespace, Name: name}
	if before, ok := reported.campaigns[key]; ok {
		deleteReplacedSeries(namespace, name, before, now)
	}
	reported.campaigns[key] = now
}

func deleteReplacedSeries(namespace, name string, before, now reportedCampaign) {
	if before.phase != now.phase {
		campaignPhase.DeleteLabelValues(namespace, name, before.phase)
	}
	if before.syncedReason != now.syncedReason {
		campaignSynced.DeleteLabelValues(namespace, name, before.syncedReason)
	}
	if before.readyReason != now.readyReason {
		campaignReady.DeleteLabelValues(namespace, name, before.readyReason)
	}
	for state := range before.deviceStates {
		if _, still := now.deviceStates[state]; !still {
			campaignDevices.DeleteLabelValues(namespace, name, state)
		}
	}
}

// forgetCampaignMetrics deletes every series of the campaign namespace/name, once the object is
// gone. It deletes the series by their label values, which it remembers, rather than by a partial
// match, which would scan every campaign's series: deleting a fleet stays linear in its size.
func forgetCampaignMetrics(namespace, name string) {
	reported.Lock()
	defer reported.Unlock()
	key := types.NamespacedName{Namespace: namespace, Name: name}
	before, ok := reported.campaigns[key]
	if !ok {
		return
	}
	campaignPhase.DeleteLabelValues(namespace, name, before.phase)
	campaignSynced.DeleteLabelValues(namespace, name, before.syncedReason)
	campaignReady.DeleteLabelValues(namespace, name, before.readyReason)
	for state := range before.deviceStates {
		campaignDevices.DeleteLabelValues(namespace, name, state)
	}
	delete(reported.campaigns, key)
}

func gaugeValue(condition bool) float64 {
	if condition {
		return 1
	}
	return 0
}
