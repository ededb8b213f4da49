package fotarollout

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

var testNow = time.Date(2026, time.December, 7, 22, 30, 0, 0, time.UTC)

func testRollout(waves ...fotav1alpha1.Wave) *fotav1alpha1.FotaRollout {
	return &fotav1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: "model-a-03", Namespace: "fleet", UID: "rollout-uid"},
		Spec: fotav1alpha1.FotaRolloutSpec{
			AccountName:          "0402196254-00001",
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			Software:             fotav1alpha1.Software{Name: "FOTA_B", From: "FOTA_A", To: "FOTA_B", DistributionType: "HTTP"},
			Waves:                waves,
			Campaign: fotav1alpha1.CampaignTemplate{
				DurationDays:           7,
				DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
				AbortPolicy:            &fotav1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20},
				DeletionPolicy:         fotav1alpha1.DeletionPolicyCancel,
				DisplayTimeZone:        "Europe/Berlin",
			},
		},
	}
}

func devicesWave(n int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Devices: ptr.To(n)} }
func percentWave(p int32) fotav1alpha1.Wave { return fotav1alpha1.Wave{Percent: ptr.To(p)} }
func imei(i int) string                     { return fmt.Sprintf("99001390%07d", i) }
func fleetOf(fr *fotav1alpha1.FotaRollout, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = imei(i)
	}
	return rollout.Order(fr.Namespace, fr.Name, ids)
}

// written turns cut campaigns into what the API would hold.
func written(campaigns []*fotav1alpha1.FotaCampaign) []fotav1alpha1.FotaCampaign {
	out := make([]fotav1alpha1.FotaCampaign, 0, len(campaigns))
	for _, fc := range campaigns {
		out = append(out, *fc)
	}
	return out
}

func sizesAndNames(campaigns []*fotav1alpha1.FotaCampaign) []string {
	var out []string
	for _, fc := range campaigns {
		out = append(out, fmt.Sprintf("%s:%d:%s", fc.Name, len(fc.Spec.Devices), fc.Annotations[fotav1alpha1.AnnotationLastChunk]))
	}
	return out
}

func TestCutWave(t *testing.T) {
	cases := map[string]struct {
		reason   string
		waves    []fotav1alpha1.Wave
		fleet    int
		existing func(fr *fotav1alpha1.FotaRollout, ordered []string) []fotav1alpha1.FotaCampaign
		wave     int
		want     []string
	}{
		"canary": {
			reason: "the first wave of devices: 10 takes 10 devices into one campaign, marked last",
			waves:  []fotav1alpha1.Wave{devicesWave(10), percentWave(100)},
			fleet:  100, wave: 1,
			want: []string{"model-a-03-w1-1:10:true"},
		},
		"large wave": {
			reason: "25 000 devices are cut into chunks of 10 000, the last holds the rest",
			waves:  []fotav1alpha1.Wave{percentWave(100)},
			fleet:  25_000, wave: 1,
			want: []string{"model-a-03-w1-1:10000:", "model-a-03-w1-2:10000:", "model-a-03-w1-3:5000:true"},
		},
		"second wave": {
			reason: "percent 50 grows the rollout to 50 devices: the canary's 10 are not taken again",
			waves:  []fotav1alpha1.Wave{devicesWave(10), percentWave(50), percentWave(100)},
			fleet:  100, wave: 2,
			existing: func(fr *fotav1alpha1.FotaRollout, ordered []string) []fotav1alpha1.FotaCampaign {
				return written(cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow))
			},
			want: []string{"model-a-03-w2-1:40:true"},
		},
		"nothing to take": {
			reason: "a wave the waves before it already fill has no campaign: it is skipped",
			waves:  []fotav1alpha1.Wave{devicesWave(60), percentWave(50), percentWave(100)},
			fleet:  100, wave: 2,
			existing: func(fr *fotav1alpha1.FotaRollout, ordered []string) []fotav1alpha1.FotaCampaign {
				return written(cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow))
			},
			want: nil,
		},
		"cut short": {
			reason: "two of three chunks written before a stop: the third is numbered 3 and marked last",
			waves:  []fotav1alpha1.Wave{percentWave(100)},
			fleet:  25_000, wave: 1,
			existing: func(fr *fotav1alpha1.FotaRollout, ordered []string) []fotav1alpha1.FotaCampaign {
				return written(cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow)[:2])
			},
			want: []string{"model-a-03-w1-3:5000:true"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			fr := testRollout(c.waves...)
			ordered := fleetOf(fr, c.fleet)
			var existing []fotav1alpha1.FotaCampaign
			if c.existing != nil {
				existing = c.existing(fr, ordered)
			}
			got := sizesAndNames(cutWave(fr, ordered, groupByWave(fr.Name, existing), c.wave, testNow))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s: campaigns (-want +got):\n%s", c.reason, diff)
			}
		})
	}
}

// A re-run after a stop between two chunk writes computes exactly the chunks the first run would
// have written next.
func TestCutWaveAfterAStopComputesTheSameRemainingChunks(t *testing.T) {
	fr := testRollout(percentWave(100))
	ordered := fleetOf(fr, 25_000)
	full := cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow)
	again := cutWave(fr, ordered, groupByWave(fr.Name, written(full[:1])), 1, testNow)
	if diff := cmp.Diff(full[1:], again); diff != "" {
		t.Errorf("remaining chunks after chunk 1 was written (-first run +re-run):\n%s", diff)
	}
}

// With the fleet edited between the stop and the re-run, a device is still in at most one
// campaign, the written chunks are not cut again, and a device removed from the fleet stays in
// its chunk and still counts toward the wave.
func TestCutWaveAfterAStopAndAFleetEdit(t *testing.T) {
	fr := testRollout(percentWave(100))
	ids := make([]string, 0, 25_100)
	for i := range 25_000 {
		ids = append(ids, imei(i))
	}
	ordered := rollout.Order(fr.Namespace, fr.Name, ids)
	full := cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow)
	existing := written(full[:2])

	// 100 devices join, and one device of chunk 1 leaves the fleet.
	removed := string(existing[0].Spec.Devices[0])
	edited := ids[:0:0]
	for _, id := range ids {
		if id != removed {
			edited = append(edited, id)
		}
	}
	for i := 25_000; i < 25_100; i++ {
		edited = append(edited, imei(i))
	}
	rest := cutWave(fr, rollout.Order(fr.Namespace, fr.Name, edited), groupByWave(fr.Name, existing), 1, testNow)

	seen := map[fotav1alpha1.DeviceID]string{}
	for _, fc := range append(existing, written(rest)...) {
		for _, id := range fc.Spec.Devices {
			if other, twice := seen[id]; twice {
				t.Fatalf("device %s is in %s and %s", id, other, fc.Name)
			}
			seen[id] = fc.Name
		}
	}
	// The fleet holds 25 099 devices, of which the two chunks hold 19 999: the removed device
	// stays in chunk 1 but no longer counts toward the fleet the wave reaches.
	if got := sizesAndNames(rest); !cmp.Equal(got, []string{"model-a-03-w1-3:5100:true"}) {
		t.Errorf("remaining chunks = %v, want one chunk 3 of 5 100 devices", got)
	}
	if diff := cmp.Diff(written(full[:2]), existing); diff != "" {
		t.Errorf("the written chunks changed:\n%s", diff)
	}
}

func TestWaveCampaign(t *testing.T) {
	fr := testRollout(devicesWave(2), percentWave(100))
	fc := waveCampaign(fr, 1, 1, []string{imei(1), imei(2)}, true, testNow)
	want := fotav1alpha1.FotaCampaignSpec{
		AccountName:          "0402196254-00001",
		Software:             &fotav1alpha1.Software{Name: "FOTA_B", From: "FOTA_A", To: "FOTA_B", DistributionType: "HTTP"},
		Devices:              []fotav1alpha1.DeviceID{fotav1alpha1.DeviceID(imei(1)), fotav1alpha1.DeviceID(imei(2))},
		DeletionPolicy:       fotav1alpha1.DeletionPolicyCancel,
		AbortPolicy:          &fotav1alpha1.AbortPolicy{FailedPercent: 10, MinFinishedDevices: 20},
		DisplayTimeZone:      "Europe/Berlin",
		CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
		Schedule: fotav1alpha1.Schedule{
			StartDate:              "2026-12-07",
			EndDate:                "2026-12-13",
			DownloadTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 3, EndTime: 4}},
		},
	}
	if diff := cmp.Diff(want, fc.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	if fc.Labels[fotav1alpha1.LabelRollout] != "model-a-03" || fc.Labels[fotav1alpha1.LabelWave] != "1" {
		t.Errorf("labels = %v", fc.Labels)
	}
	if owner := metav1.GetControllerOf(fc); owner == nil || owner.UID != fr.UID || owner.Kind != "FotaRollout" {
		t.Errorf("controller = %+v, want the rollout", owner)
	}
	applied, err := applyConfiguration(fc)
	if err != nil {
		t.Fatal(err)
	}
	if _, hasStatus := applied.Object["status"]; hasStatus {
		t.Error("the applied configuration names a status")
	}
	if _, named, _ := unstructuredField(applied.Object, "spec", "cancel"); named {
		t.Error("the applied configuration names spec.cancel")
	}
}

func unstructuredField(obj map[string]any, path ...string) (any, bool, error) {
	for i, key := range path {
		value, ok := obj[key]
		if !ok {
			return nil, false, nil
		}
		if i == len(path)-1 {
			return value, true, nil
		}
		obj, ok = value.(map[string]any)
		if !ok {
			return nil, false, nil
		}
	}
	return nil, false, nil
}

func TestStartedWaves(t *testing.T) {
	fr := testRollout(devicesWave(10), devicesWave(20), devicesWave(30), percentWave(100))
	ordered := fleetOf(fr, 100)
	wave1 := written(cutWave(fr, ordered, groupByWave(fr.Name, nil), 1, testNow))
	cases := map[string]struct {
		reason string
		status fotav1alpha1.FotaRolloutStatus
		want   []bool // skipped, per started wave
	}{
		"from the campaigns": {
			reason: "the status was lost: wave 1 is read back from its campaign",
			want:   []bool{false},
		},
		"a skip recorded": {
			reason: "a skip writes only the status: waves 2 and 3 skipped after wave 1",
			status: fotav1alpha1.FotaRolloutStatus{Waves: []fotav1alpha1.WaveStatus{
				{Wave: 1, State: fotav1alpha1.WaveStateRunning},
				{Wave: 2, State: fotav1alpha1.WaveStateSkipped},
				{Wave: 3, State: fotav1alpha1.WaveStateSkipped},
			}},
			want: []bool{false, true, true},
		},
		"status ahead of the campaigns": {
			reason: "a status that claims a started wave no campaign shows does not count",
			status: fotav1alpha1.FotaRolloutStatus{Waves: []fotav1alpha1.WaveStatus{
				{Wave: 1, State: fotav1alpha1.WaveStateSucceeded},
				{Wave: 2, State: fotav1alpha1.WaveStateRunning},
			}},
			want: []bool{false},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			w := groupByWave(fr.Name, wave1)
			w.skippedTo = lastSkipped(c.status, w)
			var got []bool
			for _, s := range startedWaves(c.status, w) {
				got = append(got, s.Skipped)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.reason, diff)
			}
		})
	}
}
