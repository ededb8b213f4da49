package thingspace

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Operations, the values of the "operation" label.
const (
	operationGetCampaign         = "get_campaign"
	operationUpdateCampaignDates = "update_campaign_dates"
	operationCreateCampaign      = "create_campaign"
	operationListCampaigns       = "list_campaigns"
	operationUpdateDevices       = "update_devices"
	operationDeleteCampaign      = "delete_campaign"
	operationDeviceReport        = "device_report"
	operationToken               = "token"
	operationLogin               = "login"
)

// Token kinds and mint results, the values of the "kind" and "result" labels.
const (
	tokenKindAccess  = "access_token"
	tokenKindSession = "session_token"

	mintSucceeded = "success"
	mintRejected  = "rejected"
	mintFailed    = "error"
)

// Label values are drawn from the constants above and HTTP status codes only: never an account
// name, a campaign ID or anything from a Secret.
var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fota_thingspace_requests_total",
		Help: "Requests sent to ThingSpace, by operation and HTTP status code (\"error\" when no response arrived).",
	}, []string{"operation", "code"})

	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "fota_thingspace_request_duration_seconds",
		Help:    "Time until ThingSpace's response headers arrived, by operation.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"operation"})

	tokenMintsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fota_thingspace_token_mints_total",
		Help: "Attempts to mint an access token or log in for a session token, by kind and result (success, rejected, error).",
	}, []string{"kind", "result"})

	registerMetricsOnce sync.Once
)

// Metrics returns the collectors of the package's metrics, for a registry to describe.
func Metrics() []prometheus.Collector {
	return []prometheus.Collector{requestsTotal, requestDuration, tokenMintsTotal}
}

func registerMetrics() {
	registerMetricsOnce.Do(func() {
		metrics.Registry.MustRegister(Metrics()...)
	})
}

type operationKey struct{}

// withOperation labels the requests made with ctx.
func withOperation(ctx context.Context, operation string) context.Context {
	return context.WithValue(ctx, operationKey{}, operation)
}

// instrumentedTransport records every request the client sends, whoever builds it.
type instrumentedTransport struct {
	next http.RoundTripper
}

func (t instrumentedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	operation, _ := req.Context().Value(operationKey{}).(string)
	if operation == "" {
		operation = "other"
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	requestDuration.WithLabelValues(operation).Observe(time.Since(start).Seconds())
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	requestsTotal.WithLabelValues(operation, code).Inc()
	return resp, err
}
