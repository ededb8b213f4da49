package status

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// TestRedraw drives the redraw loop with a fake watch: a change that leaves the screen as it
// was draws nothing, a change draws a frame, a deletion draws the NotFound sentence, and the end
// of the watch ends the loop with the last frame.
func TestRedraw(t *testing.T) {
	missing := target{kind: kindCampaign, namespace: "fleet", name: "model-a-02to03"}
	notFound := &notFoundError{target: missing, err: apierrors.NewNotFound(v1alpha1.GroupVersion.WithResource("fotacampaigns").GroupResource(), missing.name)}
	draws := []struct {
		screen string
		err    error
	}{{screen: "Phase: InProgress\n"}, {screen: "Phase: Aborted\n"}, {err: notFound}}

	var out strings.Builder
	o := &options{streams: genericiooptions.IOStreams{Out: &out}, now: func() time.Time { return campaignNow }}
	changes := watch.NewFake()
	drawn := make(chan struct{})
	go func() {
		campaign := &v1alpha1.FotaCampaign{}
		changes.Modify(campaign)
		<-drawn
		changes.Modify(campaign)
		<-drawn
		changes.Delete(campaign)
		<-drawn
		changes.Stop()
	}()
	next := 0
	draw := func() (string, error) {
		defer func() { drawn <- struct{}{} }()
		next++
		return draws[next-1].screen, draws[next-1].err
	}

	last, err := o.redraw(context.Background(), changes, draw, "Phase: InProgress\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "\n--- 2026-12-02T05:30:00Z\nPhase: Aborted\n" +
		"\n--- 2026-12-02T05:30:00Z\nFotaCampaign \"model-a-02to03\" not found in namespace \"fleet\"\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if wantLast := "FotaCampaign \"model-a-02to03\" not found in namespace \"fleet\"\n"; last != wantLast {
		t.Errorf("last frame %q, want %q", last, wantLast)
	}
}

func TestAWatchThatEndsAtOnceIsReopenedAfterAGrowingPause(t *testing.T) {
	tests := map[string]struct {
		last, lasted, want time.Duration
	}{
		"a watch that lasted is reopened at once":                   {last: 4 * time.Second, lasted: time.Minute, want: 0},
		"the first watch that ended at once waits a quarter second": {last: 0, lasted: 10 * time.Millisecond, want: 250 * time.Millisecond},
		"each further one waits twice as long":                      {last: time.Second, lasted: 10 * time.Millisecond, want: 2 * time.Second},
		"up to the longest pause":                                   {last: 8 * time.Second, lasted: 10 * time.Millisecond, want: maxReopenPause},
	}
	for reason, tt := range tests {
		t.Run(reason, func(t *testing.T) {
			if got := nextReopenPause(tt.last, tt.lasted); got != tt.want {
				t.Errorf("nextReopenPause(%v, %v) = %v, want %v", tt.last, tt.lasted, got, tt.want)
			}
		})
	}
}
