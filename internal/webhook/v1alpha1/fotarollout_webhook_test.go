package v1alpha1

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// newRollout is a FotaRollout as a user would write it: waves devices: 1, percent: 50,
// percent: 100, windows in Europe/Berlin.
func newRollout(name string) *fotav1alpha1.FotaRollout {
	return &fotav1alpha1.FotaRollout{
		TypeMeta: metav1.TypeMeta{
			APIVersion: fotav1alpha1.GroupVersion.String(),
			Kind:       "FotaRollout",
		},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "fleet"},
		Spec: fotav1alpha1.FotaRolloutSpec{
			AccountName:          "0402196254-00001",
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			Software: fotav1alpha1.Software{
				Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
				To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP",
			},
			Devices:  []fotav1alpha1.DeviceID{"990000000000001", "990000000000002"},
			Waves:    []fotav1alpha1.Wave{{Devices: new(int32(1))}, {Percent: new(int32(50))}, {Percent: new(int32(100))}},
			Campaign: fotav1alpha1.CampaignTemplate{DurationDays: 7},
			ReleaseWindows: &fotav1alpha1.ReleaseWindows{
				TimeZone: "Europe/Berlin",
				Windows:  []fotav1alpha1.ReleaseWindow{{StartTime: 9, EndTime: 16}},
			},
		},
	}
}

func rolloutWith(fr *fotav1alpha1.FotaRollout, change func(*fotav1alpha1.FotaRollout)) *fotav1alpha1.FotaRollout {
	fr = fr.DeepCopy()
	change(fr)
	return fr
}

// assertRolloutInvalid checks that err is a 422 Invalid of the FotaRollout name with a cause for
// each of wantFields, in order.
func assertRolloutInvalid(t *testing.T, err error, name string, wantFields ...string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("error = %v, want an Invalid status error", err)
	}
	details := apiStatus(t, err).Details
	if details == nil || details.Group != fotav1alpha1.GroupVersion.Group || details.Kind != "FotaRollout" || details.Name != name {
		t.Fatalf("details = %+v, want FotaRollout.%s %q", details, fotav1alpha1.GroupVersion.Group, name)
	}
	var fields []string
	for _, cause := range details.Causes {
		if cause.Message == "" {
			t.Errorf("cause for %s has no message", cause.Field)
		}
		fields = append(fields, cause.Field)
	}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("fields = %q, want %q; error: %v", fields, wantFields, err)
	}
}

func TestFotaRolloutValidateCreate(t *testing.T) {
	tests := map[string]struct {
		rollout    *fotav1alpha1.FotaRollout
		wantFields []string
	}{
		"a valid rollout is admitted": {rollout: newRollout("model-a-03")},
		"a name of 51 characters is rejected": {
			rollout: newRollout(strings.Repeat("m", 51)), wantFields: []string{"metadata.name"},
		},
		"waves of the same kind that do not grow are rejected": {
			rollout: rolloutWith(newRollout("model-a-03"), func(fr *fotav1alpha1.FotaRollout) {
				fr.Spec.Waves[1].Percent = new(int32(100))
			}),
			wantFields: []string{"spec.waves[2]"},
		},
		"unknown zones are rejected, each by its field": {
			rollout: rolloutWith(newRollout("model-a-03"), func(fr *fotav1alpha1.FotaRollout) {
				fr.Spec.ReleaseWindows.TimeZone = "Berlin"
				fr.Spec.Campaign.DisplayTimeZone = "Chicago"
			}),
			wantFields: []string{"spec.releaseWindows.timeZone", "spec.campaign.displayTimeZone"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			warnings, err := (&FotaRolloutValidator{}).ValidateCreate(context.Background(), tt.rollout)
			if len(warnings) != 0 {
				t.Errorf("warnings = %q, want none", warnings)
			}
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("create rejected: %v", err)
				}
				return
			}
			assertRolloutInvalid(t, err, tt.rollout.Name, tt.wantFields...)
		})
	}
}

func TestFotaRolloutValidateUpdate(t *testing.T) {
	inWave2 := rolloutWith(newRollout("model-a-03"), func(fr *fotav1alpha1.FotaRollout) { fr.Status.CurrentWave = 2 })
	tests := map[string]struct {
		old        *fotav1alpha1.FotaRollout
		change     func(*fotav1alpha1.FotaRollout)
		wantFields []string
	}{
		"pause, approval and labels pass": {
			old: inWave2,
			change: func(fr *fotav1alpha1.FotaRollout) {
				fr.Spec.Paused, fr.Spec.ApprovedWaves = true, new(int32(3))
				fr.Labels = map[string]string{"team": "fleet"}
			},
		},
		"a finalizer removed while the rollout is deleted passes": {
			old: rolloutWith(inWave2, func(fr *fotav1alpha1.FotaRollout) {
				fr.Finalizers = []string{"example.com/hold"}
				fr.Spec.Abort = true
			}),
			change: func(fr *fotav1alpha1.FotaRollout) {
				fr.DeletionTimestamp = &metav1.Time{}
				fr.Finalizers = nil
			},
		},
		"a wave that has not started may change": {
			old: inWave2,
			change: func(fr *fotav1alpha1.FotaRollout) {
				fr.Spec.Waves = append(fr.Spec.Waves[:2:2], fotav1alpha1.Wave{Percent: new(int32(100))})
			},
		},
		"a started wave cannot change": {
			old:        inWave2,
			change:     func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Waves[1].Percent = new(int32(60)) },
			wantFields: []string{"spec.waves[1]"},
		},
		"started waves cannot be removed": {
			old:        inWave2,
			change:     func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Waves = []fotav1alpha1.Wave{{Percent: new(int32(100))}} },
			wantFields: []string{"spec.waves", "spec.waves[0]"},
		},
		"abort cannot go back": {
			old:        rolloutWith(inWave2, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Abort = true }),
			change:     func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Abort = false },
			wantFields: []string{"spec.abort"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			newFR := rolloutWith(tt.old, tt.change)
			warnings, err := (&FotaRolloutValidator{}).ValidateUpdate(context.Background(), tt.old, newFR)
			if len(warnings) != 0 {
				t.Errorf("warnings = %q, want none", warnings)
			}
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("update rejected: %v", err)
				}
				return
			}
			assertRolloutInvalid(t, err, newFR.Name, tt.wantFields...)
		})
	}
}

func TestFotaRolloutRejectionReadsAsKubectlPrintsIt(t *testing.T) {
	old := rolloutWith(newRollout("model-a-03"), func(fr *fotav1alpha1.FotaRollout) { fr.Status.CurrentWave = 2 })
	changed := rolloutWith(old, func(fr *fotav1alpha1.FotaRollout) { fr.Spec.Waves[1].Percent = new(int32(60)) })

	_, err := (&FotaRolloutValidator{}).ValidateUpdate(context.Background(), old, changed)

	want := `FotaRollout.fota.thingspace.io "model-a-03" is invalid: spec.waves[1]: Forbidden: ` +
		`wave 2 started as percent: 50 and cannot change to percent: 60; change only the waves after wave 2, which have not started`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

func TestFotaRolloutValidateDeleteAdmitsEveryRollout(t *testing.T) {
	warnings, err := (&FotaRolloutValidator{}).ValidateDelete(context.Background(), newRollout(strings.Repeat("m", 60)))
	if err != nil || len(warnings) != 0 {
		t.Fatalf("delete: warnings %q, error %v", warnings, err)
	}
}

func TestFotaRolloutValidateCreateAdmitsTheSample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "samples", "fota_v1alpha1_fotarollout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sample := &fotav1alpha1.FotaRollout{}
	if err := yaml.UnmarshalStrict(raw, sample); err != nil {
		t.Fatal(err)
	}
	if _, err := (&FotaRolloutValidator{}).ValidateCreate(context.Background(), sample); err != nil {
		t.Fatalf("the sample is rejected: %v", err)
	}
}
