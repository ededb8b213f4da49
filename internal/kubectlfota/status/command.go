package status

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/exitcode"
	"github.com/fota-operator/fota-operator/internal/scheme"
)

// The kinds status shows.
const (
	kindCampaign = "FotaCampaign"
	kindRollout  = "FotaRollout"
)

// kindNames maps every name kubectl accepts for our kinds (short, singular, plural) to the kind.
var kindNames = map[string]string{
	"fc": kindCampaign, "fotacampaign": kindCampaign, "fotacampaigns": kindCampaign,
	"fr": kindRollout, "fotarollout": kindRollout, "fotarollouts": kindRollout,
}

const longHelp = `Show a FotaCampaign or a FotaRollout on one screen.

A campaign: its phase, the ThingSpace campaign id and status, the schedule ThingSpace holds, the
next download and install windows (UTC, and local with spec.displayTimeZone), the device progress
with the most frequent failure reasons, and every condition.

A rollout: what its next wave waits for (the gate's successPercent, the soak time, an approval in
spec.approvedWaves, a release window, a pause) or what halted it, and a tree of its waves with
their FotaCampaigns and counts.

status only reads (get, list and watch): it never changes the cluster or ThingSpace.`

const examples = `  # The campaign model-a-02to03 in the namespace fleet
  kubectl fota status fc model-a-02to03 -n fleet

  # The rollout model-a-03, redrawn on every change until Ctrl-C
  kubectl fota status fotarollout model-a-03 -n fleet --watch

  # The TYPE/NAME form of kubectl get works too
  kubectl fota status fr/model-a-03`

// options are a status command's flags and what it needs to run.
type options struct {
	streams     genericiooptions.IOStreams
	configFlags *genericclioptions.ConfigFlags
	now         func() time.Time
	watch       bool
}

// NewCommand returns `status`, to be added to the plugin's root command, whose persistent flags
// configFlags (kubeconfig, context, namespace) say which cluster and namespace to read.
func NewCommand(streams genericiooptions.IOStreams, configFlags *genericclioptions.ConfigFlags) *cobra.Command {
	return newCommand(streams, configFlags, time.Now)
}

// newCommand is NewCommand with a clock, so that a test renders ages and countdowns at a fixed
// instant.
func newCommand(streams genericiooptions.IOStreams, configFlags *genericclioptions.ConfigFlags, now func() time.Time) *cobra.Command {
	o := &options{streams: streams, configFlags: configFlags, now: now}
	cmd := &cobra.Command{
		Use:     "status (fc|fr) NAME [-n NAMESPACE] [--watch]",
		Short:   "Show a FotaCampaign or a FotaRollout on one screen",
		Long:    longHelp,
		Example: examples,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.RangeArgs(1, 2)(cmd, args); err != nil {
				return exitcode.UsageError(err)
			}
			return nil
		},
		ValidArgsFunction: o.complete,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := parseTarget(args)
			if err != nil {
				return exitcode.UsageError(err)
			}
			return o.run(cmd.Context(), t)
		},
	}
	cmd.Flags().BoolVarP(&o.watch, "watch", "w", false,
		"after the first screen, draw it again on every change of the object (and of a rollout's campaigns) until interrupted")
	return cmd
}

// parseTarget reads "KIND NAME" or "KIND/NAME".
func parseTarget(args []string) (target, error) {
	if len(args) == 1 {
		kind, name, found := strings.Cut(args[0], "/")
		if !found {
			return target{}, fmt.Errorf("name the object: status %s NAME", args[0])
		}
		args = []string{kind, name}
	}
	kind, known := kindNames[strings.ToLower(args[0])]
	if !known {
		return target{}, fmt.Errorf("unknown kind %q: use fc (fotacampaign) or fr (fotarollout)", args[0])
	}
	if args[1] == "" {
		return target{}, fmt.Errorf("name the %s: status %s NAME", kind, args[0])
	}
	return target{kind: kind, name: args[1]}, nil
}

// run draws the screen once and, with --watch, again on every change.
func (o *options) run(ctx context.Context, t target) error {
	r, namespace, err := o.connect()
	if err != nil {
		return err
	}
	t.namespace = namespace
	screen, err := o.draw(ctx, r, t)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprint(o.streams.Out, screen); err != nil || !o.watch {
		return err
	}
	// The context ends on Ctrl-C or SIGTERM (cmd/kubectl-fota), which ends the watch.
	return o.follow(ctx, r, t, screen)
}

// connect reads the kubeconfig, context and namespace flags the way kubectl does.
func (o *options) connect() (reader, string, error) {
	namespace, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	config, err := o.configFlags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	// controller-runtime prints a stack trace to stderr when a process that never set its logger
	// logs after 30 seconds, as a long --watch would; a command's output is its screen only.
	ctrllog.SetLogger(logr.Discard())
	c, err := client.NewWithWatch(config, client.Options{Scheme: scheme.New()})
	if err != nil {
		return nil, "", err
	}
	return c, namespace, nil
}

// draw fetches the target and renders its screen at the command's now.
func (o *options) draw(ctx context.Context, r reader, t target) (string, error) {
	if t.kind == kindCampaign {
		fc, err := fetchCampaign(ctx, r, t)
		if err != nil {
			return "", err
		}
		return renderCampaign(fc, o.now()), nil
	}
	fr, campaigns, err := fetchRollout(ctx, r, t)
	if err != nil {
		return "", err
	}
	return renderRollout(fr, campaigns, o.now()), nil
}

// complete offers the kinds, then the names of the objects of the kind in the namespace.
func (o *options) complete(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return []string{"fc", "fr"}, cobra.ShellCompDirectiveNoFileComp
	}
	kind, known := kindNames[strings.ToLower(args[0])]
	if len(args) > 1 || !known {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	r, namespace, err := o.connect()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, err := listNames(cmd.Context(), r, kind, namespace)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	slices.Sort(names)
	return names, cobra.ShellCompDirectiveNoFileComp
}
