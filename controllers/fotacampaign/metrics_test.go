package fotacampaign

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// report is a campaign's status as the gauges read it.
type report struct {
	phase, syncedReason string
	synced              bool
	readyReason         string
	ready               bool
	devices             *fotav1alpha1.DeviceProgress
}

func (r report) send(m *campaignMetrics, namespace, name string) {
	fc := &fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	fc.Status.Phase = fotav1alpha1.Phase(r.phase)
	fc.Status.Devices = r.devices
	fc.Status.Conditions = []metav1.Condition{
		{Type: fotav1alpha1.ConditionSynced, Status: conditionStatus(r.synced), Reason: r.syncedReason},
		{Type: fotav1alpha1.ConditionReady, Status: conditionStatus(r.ready), Reason: r.readyReason},
	}
	m.report(fc)
}

func conditionStatus(b bool) metav1.ConditionStatus {
	if b {
		return metav1.ConditionTrue
	}
	return metav1.ConditionFalse
}

var (
	inProgress = report{
		phase: "InProgress", syncedReason: "Synced", synced: true, readyReason: "Ready", ready: true,
		devices: &fotav1alpha1.DeviceProgress{Total: 500, Succeeded: 120, Failed: 3, Rejected: 7, Pending: 370},
	}
	aborted = report{
		phase: "Aborted", syncedReason: "Synced", synced: true, readyReason: "AbortedOnFailures",
		devices: &fotav1alpha1.DeviceProgress{Total: 500, Succeeded: 150, Failed: 20, Cancelled: 330},
	}
	rateLimited = report{phase: "Pending", syncedReason: "RateLimited", readyReason: "NotSynced"}
)

func TestCampaignMetrics(t *testing.T) {
	tests := map[string]struct {
		reports []report
		want    []string
	}{
		"a campaign has one series per gauge and one per device state": {
			reports: []report{inProgress},
			want: []string{
				`fota_campaign_devices{state="cancelled"} 0`,
				`fota_campaign_devices{state="failed"} 3`,
				`fota_campaign_devices{state="pending"} 370`,
				`fota_campaign_devices{state="rejected"} 7`,
				`fota_campaign_devices{state="succeeded"} 120`,
				`fota_campaign_phase{phase="InProgress"} 1`,
				`fota_campaign_ready{reason="Ready"} 1`,
				`fota_campaign_synced{reason="Synced"} 1`,
			},
		},
		"a new phase and new reasons replace the old series": {
			reports: []report{inProgress, aborted},
			want: []string{
				`fota_campaign_devices{state="cancelled"} 330`,
				`fota_campaign_devices{state="failed"} 20`,
				`fota_campaign_devices{state="pending"} 0`,
				`fota_campaign_devices{state="rejected"} 0`,
				`fota_campaign_devices{state="succeeded"} 150`,
				`fota_campaign_phase{phase="Aborted"} 1`,
				`fota_campaign_ready{reason="AbortedOnFailures"} 0`,
				`fota_campaign_synced{reason="Synced"} 1`,
			},
		},
		"a campaign without a device report has no device series": {
			reports: []report{inProgress, rateLimited},
			want: []string{
				`fota_campaign_phase{phase="Pending"} 1`,
				`fota_campaign_ready{reason="NotSynced"} 0`,
				`fota_campaign_synced{reason="RateLimited"} 0`,
			},
		},
		"a report repeated changes nothing": {
			reports: []report{rateLimited, rateLimited},
			want: []string{
				`fota_campaign_phase{phase="Pending"} 1`,
				`fota_campaign_ready{reason="NotSynced"} 0`,
				`fota_campaign_synced{reason="RateLimited"} 0`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := &campaignMetrics{}
			t.Cleanup(func() { m.forget(types.NamespacedName{Namespace: "fleet", Name: "model-a"}) })
			for _, r := range tc.reports {
				r.send(m, "fleet", "model-a")
			}
			if diff := cmp.Diff(tc.want, seriesOf(t, "fleet", "model-a")); diff != "" {
				t.Errorf("series of fleet/model-a (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnObjectThatIsNotReconciledYetKeepsItsSeries(t *testing.T) {
	m := &campaignMetrics{}
	t.Cleanup(func() { m.forget(types.NamespacedName{Namespace: "fleet", Name: "model-a"}) })
	rateLimited.send(m, "fleet", "model-a")
	m.report(&fotav1alpha1.FotaCampaign{ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "model-a"}})
	if got := seriesOf(t, "fleet", "model-a"); len(got) != 3 {
		t.Errorf("series = %q, want the three of the last reconciled status", got)
	}
}

func TestForgetCampaignMetrics(t *testing.T) {
	m := &campaignMetrics{}
	fleet, depot := types.NamespacedName{Namespace: "fleet", Name: "wave1"}, types.NamespacedName{Namespace: "depot", Name: "wave1"}
	t.Cleanup(func() { m.forget(depot) })
	inProgress.send(m, "fleet", "wave1")
	inProgress.send(m, "depot", "wave1")

	m.forget(fleet)

	if got := seriesOf(t, "fleet", "wave1"); len(got) != 0 {
		t.Errorf("series of a forgotten campaign: %q, want none", got)
	}
	if got := testutil.CollectAndCount(campaignDevices); got != 5 {
		t.Errorf("device series after forgetting fleet/wave1: %d, want 5, those of depot/wave1", got)
	}
	for _, gauge := range []prometheus.Collector{campaignPhase, campaignSynced, campaignReady} {
		if got := testutil.CollectAndCount(gauge); got != 1 {
			t.Errorf("%d series after forgetting fleet/wave1, want 1, that of depot/wave1", got)
		}
	}

	// A campaign created again under the same name starts afresh.
	rateLimited.send(m, "fleet", "wave1")
	t.Cleanup(func() { m.forget(fleet) })
	want := []string{
		`fota_campaign_phase{phase="Pending"} 1`,
		`fota_campaign_ready{reason="NotSynced"} 0`,
		`fota_campaign_synced{reason="RateLimited"} 0`,
	}
	if diff := cmp.Diff(want, seriesOf(t, "fleet", "wave1")); diff != "" {
		t.Errorf("series of fleet/wave1 created again (-want +got):\n%s", diff)
	}
}

// seriesOf lists the campaign's series as `name{label="value"} value`, leaving out the namespace
// and name labels, sorted.
func seriesOf(t *testing.T, namespace, name string) []string {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(Metrics()...)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gathering the campaign gauges: %v", err)
	}
	var series []string
	for _, family := range families {
		for _, metric := range family.GetMetric() {
			var campaign, others []string
			for _, label := range metric.GetLabel() {
				pair := fmt.Sprintf("%s=%q", label.GetName(), label.GetValue())
				if label.GetName() == "namespace" || label.GetName() == "name" {
					campaign = append(campaign, pair)
				} else {
					others = append(others, pair)
				}
			}
			if !slices.Equal(campaign, []string{fmt.Sprintf("name=%q", name), fmt.Sprintf("namespace=%q", namespace)}) {
				continue
			}
			series = append(series, fmt.Sprintf("%s{%s} %g", family.GetName(), strings.Join(others, ","), metric.GetGauge().GetValue()))
		}
	}
	slices.Sort(series)
	return series
}
