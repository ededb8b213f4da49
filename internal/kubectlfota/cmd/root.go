// Package cmd is the root of the kubectl plugin `kubectl fota`: the kubeconfig and namespace
// flags every kubectl command has, --version, shell completion, and the subcommands. Execute runs
// it and turns its outcome into the exit code.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/check"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/exitcode"
	"github.com/fota-operator/fota-operator/internal/kubectlfota/status"
)

// NewRootCommand is `kubectl fota` with its subcommands. version is what --version prints.
func NewRootCommand(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl-fota",
		Short: "Check and show fota-operator's FotaCampaigns and FotaRollouts",
		Long: `kubectl fota checks FotaCampaign and FotaRollout manifests the way the API server and the
fota-operator webhook would, before they are applied (in a pull request, say), and shows them.`,
		Version: version,
		// The plugin runs as "kubectl fota": usage and completion say so.
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl fota"},
		SilenceUsage:  true,
		SilenceErrors: true,
		// An argument that names no command is a usage error (exit code 2), as a bad flag is.
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.UsageError(fmt.Errorf("unknown command %q for \"kubectl fota\"", args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetVersionTemplate("kubectl-fota {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.UsageError(err) })

	// Without a shorthand: kubectl's -v is the log level.
	root.Flags().Bool("version", false, "print the version of kubectl fota")

	configFlags := genericclioptions.NewConfigFlags(true)
	configFlags.AddFlags(root.PersistentFlags())

	root.AddCommand(check.NewCommand(streams, configFlags))
	root.AddCommand(status.NewCommand(streams, configFlags))
	return root
}

// Execute runs the plugin with args and returns its exit code: 0, exitcode.Refused when a check
// refuses something or a command fails, exitcode.Usage on a usage or read error. Errors are
// printed to the error stream as kubectl prints them.
func Execute(ctx context.Context, args []string, streams genericiooptions.IOStreams, version string) int {
	root := NewRootCommand(streams, version)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var exitErr *exitcode.Error
	if err != nil && (!errors.As(err, &exitErr) || exitErr.Err != nil) {
		_, _ = fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	}
	return exitcode.Of(err)
}

// Version is the plugin's version: stamped, as the manager's, with -ldflags "-X main.version=...";
// else the module version `go install .../cmd/kubectl-fota@v0.1.0` records; else "devel".
func Version(stamped string) string {
	if stamped != "" {
		return stamped
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
