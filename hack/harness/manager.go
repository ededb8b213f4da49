package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// BuildManager builds the manager binary from the clone's main.go into dir and returns its path.
func BuildManager(ctx context.Context, root, dir string) (string, error) {
	binary := filepath.Join(dir, "manager")
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the manager: %w\n%s", err, out)
	}
	return binary, nil
}

// ManagerOptions configures StartManager.
type ManagerOptions struct {
	// Binary is the manager built by BuildManager.
	Binary string
	// Kubeconfig names the cluster to manage.
	Kubeconfig string
	// ThingSpaceURL is given as --thingspace-url.
	ThingSpaceURL string
	// Webhooks serves the admission webhook on 127.0.0.1:WebhookPort with the certificate in
	// WebhookCertDir; without it the manager runs with ENABLE_WEBHOOKS=false.
	Webhooks       bool
	WebhookPort    int
	WebhookCertDir string
	// Pprof serves Go's /debug/pprof/ on a loopback port (see Manager.PprofURL).
	Pprof bool
	// Flags are further command-line flags, such as --poll-interval=20s.
	Flags []string
	// Log receives the manager's stdout and stderr; nil discards them. An *os.File is handed to
	// the process as it is, so that a killed manager and its successor can share one log file.
	Log io.Writer
}

// Manager is a running manager process. Its health, metrics and (optionally) pprof endpoints
// listen on loopback ports of their own, over plain HTTP.
type Manager struct {
	cmd        *exec.Cmd
	exited     chan struct{}
	waitErr    error
	healthURL  string
	metricsURL string
	pprofURL   string
}

// StartManager starts the manager binary with opts.
func StartManager(opts ManagerOptions) (*Manager, error) {
	ports, err := FreePorts(3)
	if err != nil {
		return nil, err
	}
	health, metrics, pprof := loopback(ports[0]), loopback(ports[1]), loopback(ports[2])
	args := []string{
		"--thingspace-url=" + opts.ThingSpaceURL,
		"--health-probe-bind-address=" + health,
		"--metrics-bind-address=" + metrics,
		"--metrics-secure=false",
	}
	m := &Manager{exited: make(chan struct{}), healthURL: "http://" + health, metricsURL: "http://" + metrics}
	if opts.Pprof {
		args = append(args, "--pprof-bind-address="+pprof)
		m.pprofURL = "http://" + pprof
	}
	if opts.Webhooks {
		args = append(args, "--webhook-host=127.0.0.1", "--webhook-port="+strconv.Itoa(opts.WebhookPort),
			"--webhook-cert-path="+opts.WebhookCertDir)
	}
	m.cmd = exec.Command(opts.Binary, append(args, opts.Flags...)...)
	m.cmd.Env = append(os.Environ(), "KUBECONFIG="+opts.Kubeconfig, "ENABLE_WEBHOOKS="+strconv.FormatBool(opts.Webhooks))
	if opts.Log != nil {
		m.cmd.Stdout, m.cmd.Stderr = opts.Log, opts.Log
	}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	go func() {
		m.waitErr = m.cmd.Wait()
		close(m.exited)
	}()
	return m, nil
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// FreePorts returns n loopback TCP ports that were free a moment ago.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer func() { _ = listener.Close() }()
		ports = append(ports, listener.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// PprofURL is the base URL of /debug/pprof/, empty when ManagerOptions.Pprof was false.
func (m *Manager) PprofURL() string { return m.pprofURL }

// MetricsURL is the URL of the manager's /metrics.
func (m *Manager) MetricsURL() string { return m.metricsURL + "/metrics" }

// Exited reports whether the process has ended, and how.
func (m *Manager) Exited() (bool, error) {
	select {
	case <-m.exited:
		return true, m.waitErr
	default:
		return false, nil
	}
}

// WaitReady waits until /readyz answers 200 (with webhooks: until the webhook server listens).
// It fails at once when the process ends.
func (m *Manager) WaitReady(ctx context.Context, timeout time.Duration) error {
	probe := &http.Client{Timeout: time.Second}
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if exited, err := m.Exited(); exited {
			return false, errors.Join(errors.New("the manager exited before it was ready"), err)
		}
		lastErr = getOK(ctx, probe, m.healthURL+"/readyz")
		return lastErr == nil, nil
	})
	if err != nil && lastErr != nil {
		return fmt.Errorf("the manager was not ready within %s: %w", timeout, lastErr)
	}
	return err
}

func getOK(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// Kill ends the process with SIGKILL, as the kernel's OOM killer or a node failure would, and
// waits for it.
func (m *Manager) Kill() error {
	if exited, _ := m.Exited(); exited {
		return errors.New("the manager had already exited")
	}
	if err := m.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-m.exited
	return nil
}

// Stop ends the process with SIGTERM, as Kubernetes does, and with SIGKILL when it has not exited
// within timeout. It returns the exit error of a process that did not stop cleanly.
func (m *Manager) Stop(timeout time.Duration) error {
	if exited, err := m.Exited(); exited {
		return err
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-m.exited:
		return m.waitErr
	case <-time.After(timeout):
		_ = m.cmd.Process.Signal(syscall.SIGKILL)
		<-m.exited
		return fmt.Errorf("the manager did not stop within %s of SIGTERM and was killed", timeout)
	}
}
