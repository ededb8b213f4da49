package manager_test

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"

	"github.com/fota-operator/fota-operator/internal/manager"
)

func TestNewRefusesBadOptions(t *testing.T) {
	tests := map[string]struct {
		reason string
		change func(*manager.Options)
		want   []string
	}{
		"reconcile timeout not above the ThingSpace timeout": {
			reason: "a reconcile cut off during a ThingSpace call cannot know whether the call took effect",
			change: func(o *manager.Options) { o.ReconcileTimeout = o.ThingSpace.Timeout },
			want:   []string{"--reconcile-timeout 30s: must be longer than --thingspace-timeout 30s"},
		},
		"a watched namespace that is no namespace name": {
			reason: "a typo in --watch-namespaces would otherwise watch a namespace that cannot exist",
			change: func(o *manager.Options) { o.WatchNamespaces = []string{"team-a", "Team_B"} },
			want:   []string{`--watch-namespaces: "Team_B" is not a namespace name`},
		},
		"a lease no longer than the renew deadline": {
			reason: "a standby would take the Lease over while the leader may still be renewing it",
			change: func(o *manager.Options) {
				o.LeaderElection = true
				o.LeaseDuration = o.RenewDeadline
			},
			want: []string{"--leader-elect-lease-duration 10s: must be longer than --leader-elect-renew-deadline 10s"},
		},
		"a renew deadline within the jittered retry period": {
			reason: "client-go refuses it, but only once leader election starts",
			change: func(o *manager.Options) {
				o.LeaderElection = true
				o.RetryPeriod = 9 * time.Second
			},
			want: []string{"--leader-elect-renew-deadline 10s: must be longer than 1.2 times --leader-elect-retry-period 9s"},
		},
		"every problem at once": {
			reason: "a user fixes all flags in one go",
			change: func(o *manager.Options) {
				o.LeaderElection = true
				o.RetryPeriod = 0
				o.ReconcileTimeout = time.Second
			},
			want: []string{"--reconcile-timeout 1s", "--leader-elect-retry-period 0s: must be positive"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			opts := manager.DefaultOptions()
			tt.change(&opts)
			_, err := manager.New(&rest.Config{Host: "https://127.0.0.1:1"}, opts)
			if err == nil {
				t.Fatalf("New accepted the options; want an error (%s)", tt.reason)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New error %q does not say %q (%s)", err, want, tt.reason)
				}
			}
		})
	}
}

func TestWatchNamespacesFlag(t *testing.T) {
	tests := map[string]struct {
		args []string
		want []string
	}{
		"unset watches every namespace":          {args: nil, want: nil},
		"one namespace":                          {args: []string{"--watch-namespaces=team-a"}, want: []string{"team-a"}},
		"spaces and empty items are ignored":     {args: []string{"--watch-namespaces= team-a, ,team-b,"}, want: []string{"team-a", "team-b"}},
		"an empty value watches every namespace": {args: []string{"--watch-namespaces="}, want: nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			opts := manager.DefaultOptions()
			flags := flag.NewFlagSet("manager", flag.ContinueOnError)
			opts.BindFlags(flags)
			if err := flags.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, opts.WatchNamespaces); diff != "" {
				t.Errorf("WatchNamespaces (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeaseTimingFlags(t *testing.T) {
	opts := manager.DefaultOptions()
	flags := flag.NewFlagSet("manager", flag.ContinueOnError)
	opts.BindFlags(flags)
	if err := flags.Parse([]string{"--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s",
		"--leader-elect-retry-period=500ms", "--reconcile-timeout=45s"}); err != nil {
		t.Fatal(err)
	}
	got := []time.Duration{opts.LeaseDuration, opts.RenewDeadline, opts.RetryPeriod, opts.ReconcileTimeout}
	want := []time.Duration{4 * time.Second, 3 * time.Second, 500 * time.Millisecond, 45 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lease duration, renew deadline, retry period, reconcile timeout (-want +got):\n%s", diff)
	}
	defaults := manager.DefaultOptions()
	if defaults.LeaseDuration != 15*time.Second || defaults.RenewDeadline != 10*time.Second || defaults.RetryPeriod != 2*time.Second {
		t.Errorf("default lease timings %s/%s/%s, want client-go's 15s/10s/2s", defaults.LeaseDuration, defaults.RenewDeadline, defaults.RetryPeriod)
	}
}
