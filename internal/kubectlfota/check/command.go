// Package check is `kubectl fota check`: it reads FotaCampaign and FotaRollout manifests and says
// for each what the API server and the operator's webhook would answer to `kubectl apply`, without
// a cluster: the CRD's schema and CEL rules with the API server's own code on the CRDs embedded in
// the binary (package schema), then the webhook's rules (internal/campaign, internal/rollout,
// the very functions the webhook calls) against a baseline, the target branch's manifests
// (--base) or the cluster's objects (--live, read only).
package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fota-operator/fota-operator/config/crd"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/exitcode"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/manifest"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/schema"
)

// Output formats of -o.
const (
	outputText = "text"
	outputJSON = "json"
)

const example = `  # Check the manifests of a directory as a create (schema and CEL rules only)
  kubectl fota check -f manifests/

  # Check a pull request against its target branch, checked out in base/
  kubectl fota check -f manifests/ --base base/manifests/

  # Check a file against the objects of the current cluster, as of a given time
  kubectl fota check -f campaign.yaml --live --now 2026-12-03T10:00:00Z

  # Read standard input; report as JSON, one object per problem
  kustomize build overlays/prod | kubectl fota check -f - -o json`

// Options are the flags of check.
type Options struct {
	Filenames []string
	Base      []string
	Live      bool
	Now       string
	Output    string

	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// NewCommand is `kubectl fota check`. configFlags gives the namespace of objects that set none,
// and with --live the cluster.
func NewCommand(streams genericiooptions.IOStreams, configFlags *genericclioptions.ConfigFlags) *cobra.Command {
	o := &Options{configFlags: configFlags, IOStreams: streams, Output: outputText}
	cmd := &cobra.Command{
		Use:   "check -f PATH... [--base PATH... | --live] [--now RFC3339] [-o text|json]",
		Short: "Say whether the API server and the webhook would accept FotaCampaign and FotaRollout manifests",
		Long: `Check reads FotaCampaign and FotaRollout manifests (files, directories recursively, - for
standard input; multi-document YAML and List objects; other kinds and API groups are skipped) and
prints, one line per problem, what the API server and the fota-operator webhook would refuse on
kubectl apply:

 1. the CRD's schema and CEL rules, evaluated offline with the API server's own validation code on
    the CRDs built into this plugin;
 2. the webhook's rules against a baseline: with --base, the object of the same kind, namespace and
    name in the base manifests (e.g. the target branch), whose phase is taken from its dates at
    --now; with --live, the object in the cluster of the current kubeconfig, status included
    (read only). An object absent from the baseline is judged as a create. Without --base or
    --live, only the first step runs.

Exit status: 0 when nothing would be refused, 1 when something would, 2 on a usage or read error.`,
		Example: example,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return exitcode.UsageError(fmt.Errorf("%w: name the manifests with -f", err))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return exitcode.UsageError(err)
			}
			return o.Run(cmd.Context())
		},
	}
	flags := cmd.Flags()
	flags.StringSliceVarP(&o.Filenames, "filename", "f", nil, "files or directories of the manifests to check; - for standard input")
	flags.StringSliceVar(&o.Base, "base", nil, "files or directories of the baseline manifests, e.g. the target branch's")
	flags.BoolVar(&o.Live, "live", false, "take the baseline from the cluster of the current kubeconfig (get only, never a write)")
	flags.StringVar(&o.Now, "now", "", "the time the rules are judged at, RFC 3339 (default: now)")
	flags.StringVarP(&o.Output, "output", "o", outputText, "output format: text or json (one object per problem)")
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
	_ = cmd.MarkFlagFilename("base", "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{outputText, outputJSON}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o *Options) validate() error {
	switch {
	case len(o.Filenames) == 0:
		return errors.New("give the manifests to check with -f PATH")
	case o.Live && len(o.Base) > 0:
		return errors.New("--base and --live both name a baseline: give one")
	case slices.Contains(o.Filenames, "-") && slices.Contains(o.Base, "-"):
		return errors.New("-f - and --base - both read standard input, which can be read once: give one of them as files")
	case o.Output != outputText && o.Output != outputJSON:
		return fmt.Errorf("-o %q: the output format is text or json", o.Output)
	}
	if _, err := o.now(); err != nil {
		return err
	}
	return nil
}

func (o *Options) now() (time.Time, error) {
	if o.Now == "" {
		return time.Now(), nil
	}
	now, err := time.Parse(time.RFC3339, o.Now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: give a time in RFC 3339, e.g. 2026-12-03T10:00:00Z", o.Now)
	}
	return now, nil
}

// Run checks the manifests and writes the report. It returns an *exitcode.Error with Refused when
// something would be refused, and with Usage when a manifest or the baseline cannot be read.
func (o *Options) Run(ctx context.Context) error {
	now, err := o.now()
	if err != nil {
		return exitcode.UsageError(err)
	}
	validators, err := schema.Load(crd.Bases)
	if err != nil {
		return fmt.Errorf("reading the built-in CRDs: %w", err)
	}
	objects, err := manifest.Read(o.Filenames, o.In)
	if err != nil {
		return exitcode.UsageError(err)
	}
	source, err := o.baselineSource()
	if err != nil {
		return exitcode.UsageError(err)
	}
	return o.report(ctx, judge{validators: validators, now: now}, objects, source)
}

// report judges each object of the manifests and prints its problems, then the summary.
func (o *Options) report(ctx context.Context, j judge, objects []manifest.Object, source baselineSource) error {
	out := o.printer()
	checked, refused := 0, 0
	for _, obj := range objects {
		if !isJudged(obj.Object) {
			continue
		}
		defaultNamespace(obj.Object, source.namespace())
		verdict, err := j.judgeAgainst(ctx, obj, source)
		if err != nil {
			return exitcode.UsageError(err)
		}
		checked++
		if len(verdict.Errors) > 0 {
			refused++
		}
		for _, p := range problemsOf(obj, verdict) {
			if err := out.problem(p); err != nil {
				return err
			}
		}
	}
	if err := out.summary(checked, refused); err != nil {
		return err
	}
	if refused > 0 {
		return &exitcode.Error{Code: exitcode.Refused}
	}
	return nil
}

func (o *Options) printer() printer {
	if o.Output == outputJSON {
		return jsonPrinter{out: o.Out, errOut: o.ErrOut}
	}
	return textPrinter{out: o.Out}
}
