package status

import (
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/utils/ptr"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestParseTarget(t *testing.T) {
	cases := map[string]struct {
		args    []string
		want    target
		wantErr string
	}{
		"short name":          {args: []string{"fc", "a"}, want: target{kind: kindCampaign, name: "a"}},
		"plural, any case":    {args: []string{"FotaRollouts", "a"}, want: target{kind: kindRollout, name: "a"}},
		"TYPE/NAME":           {args: []string{"fotacampaign/a"}, want: target{kind: kindCampaign, name: "a"}},
		"kind without a name": {args: []string{"fr"}, wantErr: "name the object: status fr NAME"},
		"TYPE/ without name":  {args: []string{"fr/"}, wantErr: "name the FotaRollout: status fr NAME"},
		"another kind":        {args: []string{"pods", "a"}, wantErr: `unknown kind "pods": use fc (fotacampaign) or fr (fotarollout)`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			got, err := parseTarget(tc.args)
			if tc.wantErr != "" {
				g.Expect(err).To(MatchError(tc.wantErr))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

func TestBar(t *testing.T) {
	cases := map[string]struct {
		done, total int32
		want        string
	}{
		"nothing yet":          {done: 0, total: 500, want: "[....................]"},
		"rounded down":         {done: 499, total: 500, want: "[###################.]"},
		"everything":           {done: 500, total: 500, want: "[####################]"},
		"no devices":           {done: 0, total: 0, want: "[....................]"},
		"more than the total":  {done: 7, total: 5, want: "[####################]"},
		"a fifth of the fleet": {done: 100, total: 500, want: "[####................]"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := bar(tc.done, tc.total); got != tc.want {
				t.Errorf("bar(%d, %d) = %s, want %s", tc.done, tc.total, got, tc.want)
			}
		})
	}
}

// TestCampaignLines covers the lines of a campaign's screen that the golden campaign, healthy
// and synced, does not show.
func TestCampaignLines(t *testing.T) {
	cases := map[string]struct {
		edit func(*v1alpha1.FotaCampaign)
		want []string
	}{
		"a window added to the spec that ThingSpace does not hold yet": {
			edit: func(fc *v1alpha1.FotaCampaign) {
				fc.Spec.InstallTimeWindowList = append(fc.Spec.InstallTimeWindowList, v1alpha1.TimeWindow{StartTime: 22, EndTime: 24})
			},
			want: []string{"  Not applied:  the spec differs in installTimeWindowList; the Synced condition says why"},
		},
		"suspended": {
			edit: func(fc *v1alpha1.FotaCampaign) { fc.Spec.Suspend = ptr.To(true) },
			want: []string{"Held:        spec.suspend is true: no ThingSpace call"},
		},
		"before ThingSpace was read": {
			edit: func(fc *v1alpha1.FotaCampaign) { fc.Status = v1alpha1.FotaCampaignStatus{} },
			want: []string{
				"Phase:       unknown: the operator has not read the campaign from ThingSpace yet",
				"ThingSpace:  60b5d639-ccdc-4db8-8824-069bd94c95bf (status not read yet)",
				"Schedule (the spec's; ThingSpace has not confirmed it yet; hours in UTC):",
				"  Download:  none left",
				"Devices: the device report has not been read yet",
				"  none yet: the operator has not reported on this object",
			},
		},
		"a wave campaign": {
			edit: func(fc *v1alpha1.FotaCampaign) {
				fc.Labels = map[string]string{v1alpha1.LabelRollout: "model-a-03", v1alpha1.LabelWave: "2"}
			},
			want: []string{"Rollout:     model-a-03, wave 2"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fc := campaignInProgress("fleet")
			fc.Generation = 1
			fc.Status = campaignInProgressStatus(fc)
			tc.edit(fc)
			screen := renderCampaign(fc, campaignNow)
			for _, line := range tc.want {
				if !containsLine(screen, line) {
					t.Errorf("the screen lacks the line %q:\n%s", line, screen)
				}
			}
		})
	}
}

// TestRolloutTreeShowsAMissingCampaign: a campaign the status names but the cluster lacks is a
// row of its own, not a silent gap in the tree.
func TestRolloutTreeShowsAMissingCampaign(t *testing.T) {
	fr := rolloutAwaitingApproval("fleet", "model-a-03")
	fr.Status = rolloutAwaitingApprovalStatus(fr)
	screen := renderRollout(fr, nil, rolloutNow)
	want := "  └─ model-a-03-w2-1     NotFound   -        -             -       named by the rollout's status, absent from the cluster"
	if !containsLine(screen, want) {
		t.Errorf("the screen lacks the line %q:\n%s", want, screen)
	}
}

func containsLine(screen, line string) bool {
	return slices.Contains(strings.Split(screen, "\n"), line)
}

// TestHelp is what `kubectl fota status --help` tells a user first: the forms and the flag.
func TestHelp(t *testing.T) {
	var out strings.Builder
	cmd := NewCommand(genericiooptions.IOStreams{Out: &out, ErrOut: &out}, genericclioptions.NewConfigFlags(true))
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--help"})
	g := NewWithT(t)
	g.Expect(cmd.Execute()).To(Succeed())
	g.Expect(out.String()).To(And(
		ContainSubstring("status (fc|fr) NAME [-n NAMESPACE] [--watch]"),
		ContainSubstring("kubectl fota status fr/model-a-03"),
		ContainSubstring("-w, --watch"),
		ContainSubstring("status only reads (get, list and watch)"),
	))
}
