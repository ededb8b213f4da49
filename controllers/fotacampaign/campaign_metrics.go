package fotacampaign

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// reportMetricsOf puts a campaign's status into its gauges: phase, Synced and Ready with their
// reasons, and the devices by state once the report was read.
func reportMetricsOf(fc *fotav1alpha1.FotaCampaign) {
	synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	ready := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionReady)
	if synced == nil || ready == nil {
		return
	}
	var devices map[string]int
	if fc.Status.Devices != nil {
		devices = map[string]int{}
		for state, count := range campaign.StateCounts(*fc.Status.Devices) {
			devices[state] = int(count)
		}
	}
	reportCampaignMetrics(fc.Namespace, fc.Name, string(fc.Status.Phase),
		synced.Reason, synced.Status == metav1.ConditionTrue, ready.Reason, ready.Status == metav1.ConditionTrue, devices)
}
