package harness

import "testing"

func TestParseSample(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   Sample
		wanted bool
	}{
		{"a family without labels", "go_memstats_heap_inuse_bytes 2.1495808e+07",
			Sample{Name: "go_memstats_heap_inuse_bytes", Labels: map[string]string{}, Value: 2.1495808e+07}, true},
		{"labels are split into pairs", `rest_client_requests_total{code="200",host="127.0.0.1:6443",method="PATCH"} 1000`,
			Sample{Name: "rest_client_requests_total", Labels: map[string]string{"code": "200", "host": "127.0.0.1:6443", "method": "PATCH"}, Value: 1000}, true},
		{"a timestamp after the value is ignored", `workqueue_depth{name="fotacampaign"} 3 1700000000000`,
			Sample{Name: "workqueue_depth", Labels: map[string]string{"name": "fotacampaign"}, Value: 3}, true},
		{"comments are no samples", "# TYPE workqueue_depth gauge", Sample{}, false},
		{"a line without a value is no sample", `workqueue_depth{name="fotacampaign"}`, Sample{}, false},
		{"a value that is no number is no sample", "up yes", Sample{}, false},
		{"an empty line is no sample", "", Sample{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSample(tt.line)
			if ok != tt.wanted {
				t.Fatalf("parseSample(%q) ok = %v, want %v", tt.line, ok, tt.wanted)
			}
			if ok && (got.Name != tt.want.Name || got.Value != tt.want.Value || !sameLabels(got.Labels, tt.want.Labels)) {
				t.Fatalf("parseSample(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}
}

func sameLabels(a, b map[string]string) bool {
	return len(a) == len(b) && hasLabels(a, b)
}

func TestSumAddsTheSamplesWithTheLabelsAsked(t *testing.T) {
	samples := Samples{
		{Name: "rest_client_requests_total", Labels: map[string]string{"code": "200", "method": "PATCH"}, Value: 990},
		{Name: "rest_client_requests_total", Labels: map[string]string{"code": "409", "method": "PATCH"}, Value: 10},
		{Name: "rest_client_requests_total", Labels: map[string]string{"code": "201", "method": "POST"}, Value: 1000},
		{Name: "rest_client_requests_total_other", Labels: map[string]string{"method": "PATCH"}, Value: 5},
	}
	if got, ok := samples.Sum("rest_client_requests_total", map[string]string{"method": "PATCH"}); !ok || got != 1000 {
		t.Fatalf("PATCH requests = %v, %v; want 1000 over both codes, true", got, ok)
	}
	if got, ok := samples.Sum("rest_client_requests_total", nil); !ok || got != 2000 {
		t.Fatalf("all requests = %v, %v; want 2000, true", got, ok)
	}
	if _, ok := samples.Sum("rest_client_requests_total", map[string]string{"method": "DELETE"}); ok {
		t.Fatal("DELETE requests found, want none")
	}
}
