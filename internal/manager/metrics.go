package manager

import (
	"regexp"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fota-operator/fota-operator/controllers/fotacampaign"
	"github.com/fota-operator/fota-operator/controllers/fotarollout"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	webhookv1alpha1 "github.com/fota-operator/fota-operator/internal/webhook/v1alpha1"
)

// controllerRuntimeMetrics are the metrics of controller-runtime that the dashboard and the
// alerts may use. MetricNames lists those that controller-runtime's registry holds, so a metric
// that a new controller-runtime renames or drops is missing from the list.
var controllerRuntimeMetrics = []struct {
	name      string
	histogram bool
}{
	{name: "controller_runtime_reconcile_total"},
	{name: "controller_runtime_reconcile_errors_total"},
	{name: "controller_runtime_reconcile_time_seconds", histogram: true},
	{name: "controller_runtime_active_workers"},
	{name: "controller_runtime_max_concurrent_reconciles"},
	{name: "workqueue_depth"},
	{name: "workqueue_adds_total"},
	{name: "workqueue_retries_total"},
	{name: "workqueue_queue_duration_seconds", histogram: true},
}

// MetricNames lists the names of the series the operator exports: those of the ThingSpace client,
// the webhook, the campaign and rollout gauges, and the controller-runtime metrics above. A histogram
// appears as its _bucket, _sum and _count series, the names a query selects.
func MetricNames() []string {
	var names []string
	for _, collectors := range [][]prometheus.Collector{thingspace.Metrics(), webhookv1alpha1.Metrics(), fotacampaign.Metrics(), fotarollout.Metrics()} {
		for _, collector := range collectors {
			names = append(names, seriesNames(collector)...)
		}
	}
	for _, metric := range controllerRuntimeMetrics {
		if registeredInControllerRuntime(metric.name) {
			names = append(names, seriesNamesOf(metric.name, metric.histogram)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func seriesNames(collector prometheus.Collector) []string {
	histogram := false
	switch collector.(type) {
	case *prometheus.HistogramVec, prometheus.Histogram:
		histogram = true
	}
	described := describedNames(collector)
	names := make([]string, 0, 3*len(described))
	for _, name := range described {
		names = append(names, seriesNamesOf(name, histogram)...)
	}
	return names
}

func seriesNamesOf(name string, histogram bool) []string {
	if histogram {
		return []string{name + "_bucket", name + "_sum", name + "_count"}
	}
	return []string{name}
}

// descFQName finds the name in a Desc's String(): client_golang has no accessor for it.
var descFQName = regexp.MustCompile(`fqName: "([^"]+)"`)

func describedNames(collector prometheus.Collector) []string {
	descs := make(chan *prometheus.Desc)
	go func() {
		collector.Describe(descs)
		close(descs)
	}()
	var names []string
	for desc := range descs {
		if match := descFQName.FindStringSubmatch(desc.String()); match != nil {
			names = append(names, match[1])
		}
	}
	return names
}

// registeredInControllerRuntime reports whether controller-runtime's registry holds a metric
// named name. A registry has no list of its collectors, and a metric without series yet (a
// controller's, before it starts) is not in what it gathers; but it refuses a second collector
// that describes a name it holds. The probe exports no series and leaves at once.
func registeredInControllerRuntime(name string) bool {
	probe := nameProbe{desc: prometheus.NewDesc(name, "Probe for a registered name.", nil, nil)}
	if err := metrics.Registry.Register(probe); err != nil {
		return true
	}
	metrics.Registry.Unregister(probe)
	return false
}

type nameProbe struct {
	desc *prometheus.Desc
}

func (p nameProbe) Describe(descs chan<- *prometheus.Desc) { descs <- p.desc }

func (nameProbe) Collect(chan<- prometheus.Metric) {}
