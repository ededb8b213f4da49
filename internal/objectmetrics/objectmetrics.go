// Package objectmetrics owns the series that describe one Kubernetes object in a few gauges, such
// as a campaign's or a rollout's phase and device counts: it replaces an object's series by
// setting the new ones before it deletes the old ones, and deletes them all when the object goes.
package objectmetrics

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
)

// Series is one series of a gauge: the gauge, its label values and its value.
type Series struct {
	Gauge  *prometheus.GaugeVec
	Labels []string
	Value  float64
}

// Reporter remembers the series each object has now, so that Report sets the new series before
// it deletes the old ones: a scrape in between never finds the object without a series, which
// Prometheus would read as the series ending and which would restart the `for` of its alerts.
// It deletes series by their label values, which it remembers, rather than by a partial match,
// which would scan every object's series. The zero Reporter is ready to use.
type Reporter struct {
	mu       sync.Mutex
	reported map[types.NamespacedName][]Series
}

// Report replaces the series of the object key with series.
func (r *Reporter) Report(key types.NamespacedName, series []Series) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range series {
		s.Gauge.WithLabelValues(s.Labels...).Set(s.Value)
	}
	for _, before := range r.reported[key] {
		if !slices.ContainsFunc(series, before.sameSeries) {
			before.Gauge.DeleteLabelValues(before.Labels...)
		}
	}
	if r.reported == nil {
		r.reported = map[types.NamespacedName][]Series{}
	}
	r.reported[key] = slices.Clone(series)
}

// Forget deletes every series of the object key, once the object is gone.
func (r *Reporter) Forget(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, before := range r.reported[key] {
		before.Gauge.DeleteLabelValues(before.Labels...)
	}
	delete(r.reported, key)
}

func (s Series) sameSeries(other Series) bool {
	return s.Gauge == other.Gauge && slices.Equal(s.Labels, other.Labels)
}
