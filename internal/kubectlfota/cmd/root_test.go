package cmd_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/cmd"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = cmd.Execute(context.Background(), args, streams, "v9.8.7")
	return code, out.String(), errOut.String()
}

// TestVersion: --version prints the version the binary was stamped with.
func TestVersion(t *testing.T) {
	code, stdout, _ := run("--version")
	if code != 0 || stdout != "kubectl-fota v9.8.7\n" {
		t.Errorf("exit code %d, output %q; want 0 and %q", code, stdout, "kubectl-fota v9.8.7\n")
	}
}

// TestHelp: kubectl fota --help lists the commands as kubectl shows a plugin's, and every command
// has --help.
func TestHelp(t *testing.T) {
	code, stdout, _ := run("--help")
	for _, want := range []string{"kubectl fota [command]", "\n  check ", "\n  status ", "\n  completion ", "--kubeconfig", "-n, --namespace"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("kubectl fota --help (exit code %d) does not show %q:\n%s", code, want, stdout)
		}
	}
	for _, command := range [][]string{{"check"}, {"status"}, {"completion"}, {"completion", "bash"}} {
		code, stdout, _ := run(append(command, "--help")...)
		if code != 0 || !strings.Contains(stdout, "kubectl fota "+strings.Join(command, " ")) {
			t.Errorf("kubectl fota %s --help: exit code %d, output:\n%s", strings.Join(command, " "), code, stdout)
		}
	}
}

// TestUnknownCommand: a command that does not exist is a usage error.
func TestUnknownCommand(t *testing.T) {
	code, _, stderr := run("chekc")
	if code != 2 || stderr != "error: unknown command \"chekc\" for \"kubectl fota\"\n" {
		t.Errorf("exit code %d, stderr %q", code, stderr)
	}
}

// TestAStatusWithoutItsObjectIsAUsageError: status, like check, exits 2 on a usage error.
func TestAStatusWithoutItsObjectIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"status"}, {"status", "fc"}, {"status", "deployment", "x"}} {
		if code, _, stderr := run(args...); code != 2 || !strings.HasPrefix(stderr, "error: ") {
			t.Errorf("kubectl fota %s: exit code %d, stderr %q; want 2 and an error", strings.Join(args, " "), code, stderr)
		}
	}
}

// TestVersionOfABuild: an unstamped build reports "devel" or the module version go install
// recorded; a stamped one its stamp.
func TestVersionOfABuild(t *testing.T) {
	if got := cmd.Version("v0.1.0"); got != "v0.1.0" {
		t.Errorf("Version(v0.1.0) = %q", got)
	}
	if got := cmd.Version(""); got == "" {
		t.Error("an unstamped build has no version")
	}
}
