package v1alpha1

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fota-operator/fota-operator/internal/campaign"
)

// Operations and results, the values of the "operation" and "result" labels.
const (
	operationCreate = "create"
	operationUpdate = "update"

	resultAllowed  = "allowed"
	resultRejected = "rejected"
)

// Label values are the constants above and campaign.Rule values only: never a campaign's name,
// namespace or dates, which would give every campaign its own series.
var (
	admissionsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fota_webhook_admissions_total",
		Help: "FotaCampaign admission requests answered by the validating webhook, by operation (create, update) and result (allowed, rejected).",
	}, []string{"operation", "result"})

	rejectionsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fota_webhook_rejections_total",
		Help: "Transition rule violations in rejected FotaCampaign updates, by rule; an update that breaks several rules counts once for each.",
	}, []string{"rule"})

	registerMetricsOnce sync.Once
)

// Metrics returns the collectors of the package's metrics, for a registry to describe.
func Metrics() []prometheus.Collector {
	return []prometheus.Collector{admissionsTotal, rejectionsTotal}
}

func registerMetrics() {
	registerMetricsOnce.Do(func() {
		metrics.Registry.MustRegister(Metrics()...)
	})
}

func countAdmission(operation, result string) {
	admissionsTotal.WithLabelValues(operation, result).Inc()
}

func countRejection(operation string, violations []campaign.Violation) {
	countAdmission(operation, resultRejected)
	for _, v := range violations {
		rejectionsTotal.WithLabelValues(string(v.Rule)).Inc()
	}
}
