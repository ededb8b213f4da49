package objectmetrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/types"
)

func TestReportReplacesAndForgetDeletes(t *testing.T) {
	phase := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "test_phase", Help: "h"}, []string{"namespace", "name", "phase"})
	var r Reporter
	key := types.NamespacedName{Namespace: "fleet", Name: "a"}

	r.Report(key, []Series{{Gauge: phase, Labels: []string{"fleet", "a", "Progressing"}, Value: 1}})
	r.Report(key, []Series{{Gauge: phase, Labels: []string{"fleet", "a", "Completed"}, Value: 1}})
	if got := testutil.CollectAndCount(phase); got != 1 {
		t.Fatalf("after a phase change: %d series, want the new one only", got)
	}
	if got := testutil.ToFloat64(phase.WithLabelValues("fleet", "a", "Completed")); got != 1 {
		t.Fatalf("Completed = %g, want 1", got)
	}
	r.Forget(key)
	if got := testutil.CollectAndCount(phase); got != 0 {
		t.Fatalf("after Forget: %d series, want none", got)
	}
}
