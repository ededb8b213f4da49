package e2e

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
)

// devProcess is the dev environment running as a separate process, as `make dev` runs it.
type devProcess struct {
	cmd *exec.Cmd

	mu    sync.Mutex
	lines []string // what it printed on stdout so far

	exited   chan struct{}
	exitCode int
}

// buildDev compiles hack/dev into dir, as `make dev` does before running it.
func buildDev(root, dir string) (string, error) {
	binary := filepath.Join(dir, "dev")
	build := exec.Command("go", "build", "-o", binary, "./hack/dev")
	build.Dir = root
	build.Stdout, build.Stderr = GinkgoWriter, GinkgoWriter
	return binary, build.Run()
}

// startDev runs the binary from the clone's root with DEV_KUBECONFIG set. Its logs go to
// GinkgoWriter, which shows them when a spec fails.
func startDev(binary, root, kubeconfig string, args ...string) (*devProcess, error) {
	cmd := exec.Command(binary, args...)
	cmd.Dir = root
	cmd.Env = append(environmentWithout("THINGSPACE_URL", "DEV_KUBECONFIG", "DEV_SIMULATOR_ADDR"), "DEV_KUBECONFIG="+kubeconfig)
	cmd.Stderr = GinkgoWriter
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	dev := &devProcess{cmd: cmd, exited: make(chan struct{})}
	go dev.record(stdout)
	return dev, nil
}

func environmentWithout(names ...string) []string {
	var env []string
	for _, entry := range os.Environ() {
		name, _, _ := strings.Cut(entry, "=")
		if !slices.Contains(names, name) {
			env = append(env, entry)
		}
	}
	return env
}

// record keeps every stdout line, then reaps the process once its output ends.
func (d *devProcess) record(stdout io.Reader) {
	scanner := bufio.NewScanner(stdout)
	for scanner.Scan() {
		line := scanner.Text()
		_, _ = GinkgoWriter.Write([]byte("dev stdout: " + line + "\n"))
		d.mu.Lock()
		d.lines = append(d.lines, line)
		d.mu.Unlock()
	}
	err := d.cmd.Wait()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		d.exitCode = 0
	case errors.As(err, &exitErr):
		d.exitCode = exitErr.ExitCode()
	default:
		d.exitCode = -1
	}
	close(d.exited)
}

// Lines returns what the process printed on stdout so far.
func (d *devProcess) Lines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.lines...)
}

// lineAfter returns the rest of the first stdout line that starts with prefix.
func (d *devProcess) lineAfter(prefix string) (string, bool) {
	for _, line := range d.Lines() {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return rest, true
		}
	}
	return "", false
}

func (d *devProcess) Exited() bool {
	select {
	case <-d.exited:
		return true
	default:
		return false
	}
}

// runningChildren returns the processes the dev environment started that are still alive, by
// command name, read from /proc.
func runningChildren(parent int) (map[int]string, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := map[int]string{}
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		if stat, ok := readStat(pid); ok && stat.ppid == parent && stat.state != "Z" {
			children[pid] = stat.command
		}
	}
	return children, nil
}

// isRunning reports whether pid is a live process; a zombie has exited and only waits to be
// reaped.
func isRunning(pid int) bool {
	stat, ok := readStat(pid)
	return ok && stat.state != "Z"
}

type procStat struct {
	command string
	state   string
	ppid    int
}

// readStat parses /proc/<pid>/stat: "pid (command) state ppid ...", where the command may itself
// hold spaces and parentheses.
func readStat(pid int) (procStat, bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, false
	}
	text := string(raw)
	open, closing := strings.Index(text, "("), strings.LastIndex(text, ")")
	if open < 0 || closing < open {
		return procStat{}, false
	}
	fields := strings.Fields(text[closing+1:])
	if len(fields) < 2 {
		return procStat{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, false
	}
	return procStat{command: text[open+1 : closing], state: fields[0], ppid: ppid}, true
}
