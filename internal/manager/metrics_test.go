package manager

import (
	"slices"
	"testing"
)

func TestMetricNames(t *testing.T) {
	names := MetricNames()
	tests := map[string]string{
		"a counter of the ThingSpace client":                  "fota_thingspace_requests_total",
		"a histogram's buckets":                               "fota_thingspace_request_duration_seconds_bucket",
		"a histogram's count":                                 "fota_thingspace_request_duration_seconds_count",
		"a webhook counter":                                   "fota_webhook_rejections_total",
		"a campaign gauge, before any campaign reported":      "fota_campaign_devices",
		"controller-runtime's, before any controller started": "controller_runtime_reconcile_errors_total",
		"controller-runtime's work queue":                     "workqueue_depth",
		"controller-runtime's histogram":                      "controller_runtime_reconcile_time_seconds_bucket",
	}
	for reason, name := range tests {
		if !slices.Contains(names, name) {
			t.Errorf("%s: %s missing from %v", reason, name, names)
		}
	}
	for _, name := range []string{"fota_thingspace_request_duration_seconds", "no_such_metric_total"} {
		if slices.Contains(names, name) {
			t.Errorf("%s listed, but no series has that name", name)
		}
	}
}

func TestRegisteredInControllerRuntime(t *testing.T) {
	if !registeredInControllerRuntime("controller_runtime_reconcile_total") {
		t.Error("controller_runtime_reconcile_total: not found in controller-runtime's registry")
	}
	if registeredInControllerRuntime("fota_no_such_metric_total") {
		t.Error("fota_no_such_metric_total: found in controller-runtime's registry")
	}
	// The probe leaves nothing behind: asking twice gives the same answer.
	if registeredInControllerRuntime("fota_no_such_metric_total") {
		t.Error("fota_no_such_metric_total: found after the first probe")
	}
}
