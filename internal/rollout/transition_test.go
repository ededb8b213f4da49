package rollout

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func devicesWave(n int32) v1alpha1.Wave { return v1alpha1.Wave{Devices: new(n)} }
func percentWave(p int32) v1alpha1.Wave { return v1alpha1.Wave{Percent: new(p)} }

// newRollout is the rollout the rules start from: waves devices: 10, percent: 10, percent: 100,
// windows in Europe/Berlin, campaigns shown in America/Chicago.
func newRollout(change func(*v1alpha1.FotaRollout)) *v1alpha1.FotaRollout {
	fr := &v1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: "model-a-03", Namespace: "fleet"},
		Spec: v1alpha1.FotaRolloutSpec{
			AccountName: "0402196254-00001",
			Devices:     []v1alpha1.DeviceID{"990013907835573"},
			Waves:       []v1alpha1.Wave{devicesWave(10), percentWave(10), percentWave(100)},
			Campaign:    v1alpha1.CampaignTemplate{DurationDays: 7, DisplayTimeZone: "America/Chicago"},
			ReleaseWindows: &v1alpha1.ReleaseWindows{
				TimeZone: "Europe/Berlin",
				Windows:  []v1alpha1.ReleaseWindow{{StartTime: 9, EndTime: 16}},
			},
		},
	}
	if change != nil {
		change(fr)
	}
	return fr
}

// wantError is one expected field error: its type, its path and a part of its detail.
type wantError struct {
	Type   field.ErrorType
	Field  string
	Detail string
}

func checkErrors(t *testing.T, got field.ErrorList, want []wantError) {
	t.Helper()
	var gotErrors []wantError
	for i, err := range got {
		gotErrors = append(gotErrors, wantError{Type: err.Type, Field: err.Field, Detail: err.Detail})
		if i < len(want) && !strings.Contains(err.Detail, want[i].Detail) {
			t.Errorf("error %d: %q does not contain %q", i, err.Detail, want[i].Detail)
		}
	}
	ignoreDetail := cmp.Comparer(func(a, b wantError) bool { return a.Type == b.Type && a.Field == b.Field })
	if diff := cmp.Diff(want, gotErrors, ignoreDetail); diff != "" {
		t.Errorf("errors (-want +got):\n%s\nall: %v", diff, got)
	}
}

func TestCheckCreate(t *testing.T) {
	tests := map[string]struct {
		rollout *v1alpha1.FotaRollout
		want    []wantError
	}{
		"the reference rollout is valid": {rollout: newRollout(nil)},
		"a name of 50 characters is the longest": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Name = strings.Repeat("a", 50) }),
		},
		"a name of 51 characters would make campaign names too long": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Name = strings.Repeat("a", 51) }),
			want: []wantError{{field.ErrorTypeInvalid, "metadata.name",
				"must be at most 50 characters: the wave campaigns are named <rollout>-w<wave>-<chunk>"}},
		},
		"devices waves that do not grow": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{devicesWave(10), devicesWave(10), percentWave(100)}
			}),
			want: []wantError{{field.ErrorTypeInvalid, "spec.waves[1]",
				"wave 2 must be larger than wave 1 (devices: 10): a wave grows the rollout to its size, so waves of the same kind that follow each other must grow"}},
		},
		"percent waves that shrink": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{percentWave(50), percentWave(20), percentWave(100)}
			}),
			want: []wantError{{field.ErrorTypeInvalid, "spec.waves[1]", "wave 2 must be larger than wave 1 (percent: 50)"}},
		},
		"every wave that does not grow is named": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{devicesWave(10), devicesWave(5), percentWave(100), percentWave(100)}
			}),
			want: []wantError{
				{field.ErrorTypeInvalid, "spec.waves[1]", "wave 2 must be larger than wave 1 (devices: 10)"},
				{field.ErrorTypeInvalid, "spec.waves[3]", "wave 4 must be larger than wave 3 (percent: 100)"},
			},
		},
		"waves of different kinds are not compared: a percentage of an unknown fleet": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{devicesWave(1000), percentWave(1), devicesWave(5), percentWave(100)}
			}),
		},
		"an unknown release zone": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.ReleaseWindows.TimeZone = "Europe/Atlantis" }),
			want: []wantError{{field.ErrorTypeInvalid, "spec.releaseWindows.timeZone",
				"must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC"}},
		},
		"the machine's local zone is no IANA zone": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.ReleaseWindows.TimeZone = "Local" }),
			want:    []wantError{{field.ErrorTypeInvalid, "spec.releaseWindows.timeZone", "must be an IANA time zone name"}},
		},
		"an unknown display zone of the campaigns": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.Campaign.DisplayTimeZone = "CST6" }),
			want:    []wantError{{field.ErrorTypeInvalid, "spec.campaign.displayTimeZone", "must be an IANA time zone name"}},
		},
		"no release windows and no display zone": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.ReleaseWindows = nil
				fr.Spec.Campaign.DisplayTimeZone = ""
			}),
		},
		"everything at once": {
			rollout: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Name = strings.Repeat("b", 60)
				fr.Spec.Waves = []v1alpha1.Wave{percentWave(100), percentWave(100)}
				fr.Spec.ReleaseWindows.TimeZone = "Mars/Olympus"
				fr.Spec.Campaign.DisplayTimeZone = "Mars/Olympus"
			}),
			want: []wantError{
				{field.ErrorTypeInvalid, "metadata.name", "at most 50 characters"},
				{field.ErrorTypeInvalid, "spec.waves[1]", "wave 2 must be larger than wave 1 (percent: 100)"},
				{field.ErrorTypeInvalid, "spec.releaseWindows.timeZone", "IANA"},
				{field.ErrorTypeInvalid, "spec.campaign.displayTimeZone", "IANA"},
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			checkErrors(t, CheckCreate(tt.rollout), tt.want)
		})
	}
}

func TestCheckUpdate(t *testing.T) {
	started := func(n int32) func(*v1alpha1.FotaRollout) {
		return func(fr *v1alpha1.FotaRollout) { fr.Status.CurrentWave = n }
	}
	tests := map[string]struct {
		old    *v1alpha1.FotaRollout
		change func(*v1alpha1.FotaRollout)
		want   []wantError
	}{
		"pausing, approving and labelling change no rule": {
			old: newRollout(started(2)),
			change: func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Paused = true
				fr.Spec.ApprovedWaves = new(int32(3))
				fr.Labels = map[string]string{"team": "fleet"}
			},
		},
		"a wave that has not started may change": {
			old:    newRollout(started(1)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves[1] = percentWave(20) },
		},
		"waves may be added after the started ones": {
			old: newRollout(started(2)),
			change: func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{devicesWave(10), percentWave(10), percentWave(50), percentWave(100)}
			},
		},
		"before any wave started, every wave may change": {
			old:    newRollout(nil),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves = []v1alpha1.Wave{percentWave(100)} },
		},
		"a started wave cannot change": {
			old:    newRollout(started(2)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves[1] = percentWave(20) },
			want: []wantError{{field.ErrorTypeForbidden, "spec.waves[1]",
				"wave 2 started as percent: 10 and cannot change to percent: 20; change only the waves after wave 2, which have not started"}},
		},
		"a started wave cannot change its kind": {
			old:    newRollout(started(1)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves[0] = percentWave(1) },
			want: []wantError{{field.ErrorTypeForbidden, "spec.waves[0]",
				"wave 1 started as devices: 10 and cannot change to percent: 1"}},
		},
		"started waves cannot be removed": {
			old:    newRollout(started(3)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves = []v1alpha1.Wave{devicesWave(10), percentWave(100)} },
			want: []wantError{
				{field.ErrorTypeForbidden, "spec.waves", "waves 1 to 3 have started and cannot be removed; the spec lists 2"},
				{field.ErrorTypeForbidden, "spec.waves[1]", "wave 2 started as percent: 10 and cannot change to percent: 100"},
			},
		},
		"the one started wave cannot be removed": {
			old:    newRollout(started(1)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves = nil },
			want:   []wantError{{field.ErrorTypeForbidden, "spec.waves", "wave 1 has started and cannot be removed"}},
		},
		"changed waves must grow": {
			old:    newRollout(started(1)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Waves[1] = percentWave(100) },
			want:   []wantError{{field.ErrorTypeInvalid, "spec.waves[2]", "wave 3 must be larger than wave 2 (percent: 100)"}},
		},
		"waves that did not grow before and are unchanged are let be": {
			old: newRollout(func(fr *v1alpha1.FotaRollout) {
				fr.Spec.Waves = []v1alpha1.Wave{percentWave(100), percentWave(100)}
			}),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Paused = true },
		},
		"abort may be set": {
			old:    newRollout(started(1)),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Abort = true },
		},
		"abort cannot go back to false": {
			old:    newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.Abort = true }),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Abort = false },
			want: []wantError{{field.ErrorTypeForbidden, "spec.abort",
				"abort cannot go back to false: an aborted rollout cannot be resumed; create a new FotaRollout"}},
		},
		"a changed release zone must be an IANA zone": {
			old:    newRollout(nil),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.ReleaseWindows.TimeZone = "Berlin" },
			want:   []wantError{{field.ErrorTypeInvalid, "spec.releaseWindows.timeZone", "must be an IANA time zone name"}},
		},
		"release windows added with an unknown zone": {
			old: newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.ReleaseWindows = nil }),
			change: func(fr *v1alpha1.FotaRollout) {
				fr.Spec.ReleaseWindows = &v1alpha1.ReleaseWindows{TimeZone: "Berlin", Windows: []v1alpha1.ReleaseWindow{{StartTime: 1, EndTime: 2}}}
			},
			want: []wantError{{field.ErrorTypeInvalid, "spec.releaseWindows.timeZone", "must be an IANA time zone name"}},
		},
		"an unchanged zone the zone database no longer knows does not block other edits": {
			old:    newRollout(func(fr *v1alpha1.FotaRollout) { fr.Spec.Campaign.DisplayTimeZone = "Gone/Zone" }),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Paused = true },
		},
		"a changed display zone must be an IANA zone": {
			old:    newRollout(nil),
			change: func(fr *v1alpha1.FotaRollout) { fr.Spec.Campaign.DisplayTimeZone = "Chicago" },
			want:   []wantError{{field.ErrorTypeInvalid, "spec.campaign.displayTimeZone", "must be an IANA time zone name"}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			updated := tt.old.DeepCopy()
			tt.change(updated)
			checkErrors(t, CheckUpdate(tt.old, updated), tt.want)
		})
	}
}
