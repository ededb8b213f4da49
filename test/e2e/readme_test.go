package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// consoleSession is one command of a README console block and the output the README shows for it.
type consoleSession struct {
	command string
	output  []string
}

// readmeSessions returns every `$ command` of the README's console blocks with its output, in order.
func readmeSessions(root string) ([]consoleSession, error) {
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, err
	}
	var sessions []consoleSession
	inConsole := false
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case line == "```console":
			inConsole = true
		case inConsole && line == "```":
			inConsole = false
		case inConsole && strings.HasPrefix(line, "$ "):
			sessions = append(sessions, consoleSession{command: strings.TrimPrefix(line, "$ ")})
		case inConsole && len(sessions) > 0:
			sessions[len(sessions)-1].output = append(sessions[len(sessions)-1].output, line)
		}
	}
	return sessions, nil
}

// readmeSession is the output the README shows for command; it fails when the README has no such
// command or shows it twice with different outputs.
func readmeSession(root, command string) ([]string, error) {
	sessions, err := readmeSessions(root)
	if err != nil {
		return nil, err
	}
	var found []consoleSession
	for _, s := range sessions {
		if s.command == command {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("the README shows no `$ %s`", command)
	}
	return found[0].output, nil
}

// shell runs a README command as a user would type it in bash, with kubectl being the dev
// environment's, and returns what the terminal shows (stderr and stdout, as kubectl writes them).
func (k kubectl) shell(command string) (string, error) {
	script := `kubectl() { "$FOTA_KUBECTL" "$@"; }; ` + command
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = k.dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig, "FOTA_KUBECTL="+k.binary)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

var (
	uuidPattern   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	agePattern    = regexp.MustCompile(`\s+\d+[smhd]\d*[smh]?$`)
	spacesPattern = regexp.MustCompile(`\s+`)
)

// tableRows makes `kubectl get` output comparable across runs: the AGE column, the id of a
// campaign scheduled during the run and the width of the columns are the run's own.
func tableRows(lines []string, scheduledName string) []string {
	var rows []string
	for _, line := range lines {
		line = strings.TrimRight(line, " ")
		if line == "" {
			continue
		}
		line = agePattern.ReplaceAllString(line, " <age>")
		if strings.HasPrefix(line, scheduledName+" ") {
			line = uuidPattern.ReplaceAllString(line, "<new id>")
		}
		rows = append(rows, spacesPattern.ReplaceAllString(line, " "))
	}
	return rows
}

// outputLines splits command output into lines, without the last empty one.
func outputLines(out string) []string {
	return strings.Split(strings.TrimRight(out, "\n"), "\n")
}
