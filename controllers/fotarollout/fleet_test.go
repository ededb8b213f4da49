package fotarollout

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

func TestTheFleetIsOrderedOnlyWhenAWaveIsCut(t *testing.T) {
	fr := testRollout(devicesWave(2), percentWave(100))
	listed := []string{imei(3), imei(1), imei(3), imei(2), imei(1)}
	ids := withoutDuplicates(slices.Clone(listed))
	f := fleet{ids: ids, namespace: fr.Namespace, rollout: fr.Name, size: len(ids), read: true}
	if f.size != 3 {
		t.Fatalf("size %d, want 3: duplicates count once", f.size)
	}
	if f.orderedIDs != nil {
		t.Fatal("the fleet was ordered before a wave asked for it")
	}
	want := rollout.Order(fr.Namespace, fr.Name, listed)
	if got := f.ordered(); !slices.Equal(got, want) {
		t.Fatalf("ordered %v, want rollout.Order's %v", got, want)
	}
	if !slices.Equal(f.orderedIDs, want) {
		t.Fatal("the order is not kept for the next wave cut in the same reconcile")
	}
}

// TestTheFleetIsReadOnlyWhenADecisionMayTurnOnIt: a reconcile woken by a wave campaign's status
// while the wave runs reads no ConfigMap; one that may start or finish a wave, or that follows a
// spec change or a fleet problem, does.
func TestTheFleetIsReadOnlyWhenADecisionMayTurnOnIt(t *testing.T) {
	tests := map[string]struct {
		edit func(fr *fotav1alpha1.FotaRollout, canary *fotav1alpha1.FotaCampaign)
		want bool
	}{
		"a wave campaign's progress while the wave runs: the recorded fleet will do": {
			edit: func(*fotav1alpha1.FotaRollout, *fotav1alpha1.FotaCampaign) {}, want: false,
		},
		"the spec changed since the status was written": {
			edit: func(fr *fotav1alpha1.FotaRollout, _ *fotav1alpha1.FotaCampaign) { fr.Generation++ }, want: true,
		},
		"the status records no fleet yet": {
			edit: func(fr *fotav1alpha1.FotaRollout, _ *fotav1alpha1.FotaCampaign) { fr.Status.FleetSize = 0 }, want: true,
		},
		"the status shows DevicesNotFound, which a ConfigMap event may have fixed": {
			edit: func(fr *fotav1alpha1.FotaRollout, _ *fotav1alpha1.FotaCampaign) {
				fr.Status.Conditions[0].Reason = fotav1alpha1.ReasonDevicesNotFound
			},
			want: true,
		},
		"the status shows InvalidDevices": {
			edit: func(fr *fotav1alpha1.FotaRollout, _ *fotav1alpha1.FotaCampaign) {
				fr.Status.Conditions[0].Reason = fotav1alpha1.ReasonInvalidDevices
			},
			want: true,
		},
		"a wave was cut short": {
			edit: func(_ *fotav1alpha1.FotaRollout, canary *fotav1alpha1.FotaCampaign) {
				delete(canary.Annotations, fotav1alpha1.AnnotationLastChunk)
			},
			want: true,
		},
		"the wave succeeded: the next one may start": {
			edit: func(_ *fotav1alpha1.FotaRollout, canary *fotav1alpha1.FotaCampaign) { succeed(canary) }, want: true,
		},
		"the wave succeeded but the next one waits for approval": {
			edit: func(fr *fotav1alpha1.FotaRollout, canary *fotav1alpha1.FotaCampaign) {
				succeed(canary)
				fr.Spec.ApprovedWaves = ptr.To(int32(1))
			},
			want: false,
		},
		"the wave succeeded but the rollout is paused": {
			edit: func(fr *fotav1alpha1.FotaRollout, canary *fotav1alpha1.FotaCampaign) {
				succeed(canary)
				fr.Spec.Paused = true
			},
			want: false,
		},
	}
	for reason, tt := range tests {
		t.Run(reason, func(t *testing.T) {
			fr := testRollout(devicesWave(2), percentWave(100))
			fr.Generation, fr.Status.ObservedGeneration, fr.Status.FleetSize = 4, 4, 20
			fr.Status.Conditions = []metav1.Condition{{Type: fotav1alpha1.ConditionReady, Status: metav1.ConditionFalse,
				Reason: fotav1alpha1.ReasonWaveRunning}}
			canary := waveCampaign(fr, 1, 1, []string{imei(1), imei(2)}, true, testNow)
			tt.edit(fr, canary)
			waves := groupByWave(fr.Name, []fotav1alpha1.FotaCampaign{*canary})
			if got := mustReadFleet(fr, waves, testNow); got != tt.want {
				t.Errorf("mustReadFleet = %t, want %t", got, tt.want)
			}
		})
	}
}

// succeed reports every device of fc upgraded, past ThingSpace's checks.
func succeed(fc *fotav1alpha1.FotaCampaign) {
	total := int32(len(fc.Spec.Devices))
	fc.Status.Phase = fotav1alpha1.PhaseInProgress
	fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: "id", Status: "CampaignInProgress"}
	fc.Status.Devices = &fotav1alpha1.DeviceProgress{Total: total, Succeeded: total}
}
