package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// ociRuntime is the OCI runtime podman runs the container with: crun, podman's default on Debian,
// fails on this machine's hybrid cgroups.
const ociRuntime = "runc"

// Where the container finds what is mounted into it. The webhook's certificate goes where
// config/default mounts cert-manager's Secret, so that the manager's default --webhook-cert-path
// finds it; the CA bundle goes over the image's own, where Go looks for the system's roots.
const (
	kubeconfigInContainer = "/var/run/fota-operator/kubeconfig"
	webhookCertsDir       = "/tmp/k8s-webhook-server/serving-certs"
	caBundleInContainer   = "/etc/ssl/certs/ca-certificates.crt"
)

// podman runs podman with args and returns its standard output, trimmed, or an error with its
// standard error.
func podman(args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "podman", append([]string{"--runtime", ociRuntime}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("podman %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// container is the image running under `podman run`, a child process of the test, whose exit
// code is the container's.
type container struct {
	name      string
	hostname  string
	healthURL string
	log       string
	cmd       *exec.Cmd
	started   time.Time
	exited    chan struct{}
}

// containerOptions are the manager's addresses on the host's network and its flags.
type containerOptions struct {
	name, hostname string
	healthPort     int
	flags          []string
}

// startContainer runs the image as §13 of the design and config/default run it: user 65532,
// read-only root (and, as in a pod, no writable /tmp either), no capabilities, no privilege
// escalation, with the kubeconfig, the webhook's certificate and the CA bundle mounted read-only.
func startContainer(opts containerOptions) *container {
	GinkgoHelper()
	mounts := stageMounts()
	c := &container{
		name:      opts.name,
		hostname:  opts.hostname,
		healthURL: fmt.Sprintf("http://127.0.0.1:%d", opts.healthPort),
		log:       filepath.Join(dir, opts.name+".log"),
		exited:    make(chan struct{}),
	}
	args := []string{"--runtime", ociRuntime, "run", "--rm", "--name", c.name, "--hostname", c.hostname,
		"--user", "65532", "--read-only", "--read-only-tmpfs=false", "--cap-drop=ALL", "--security-opt=no-new-privileges",
		"--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
		"--volume", mounts.kubeconfig + ":" + kubeconfigInContainer + ":ro",
		"--volume", mounts.webhookCerts + ":" + webhookCertsDir + ":ro",
		"--volume", caBundle + ":" + caBundleInContainer + ":ro",
		imageID,
		"--kubeconfig=" + kubeconfigInContainer,
		fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", opts.healthPort),
	}
	log, err := os.Create(c.log)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(log.Close)
	GinkgoWriter.Printf("the container's log: %s\n", c.log)
	c.cmd = exec.Command("podman", append(args, opts.flags...)...)
	c.cmd.Stdout, c.cmd.Stderr = log, log
	c.started = time.Now()
	Expect(c.cmd.Start()).To(Succeed())
	go func() {
		_ = c.cmd.Wait()
		close(c.exited)
	}()
	DeferCleanup(func() {
		if !c.hasExited() {
			_, _ = podman("rm", "--force", "--time", "0", c.name)
			<-c.exited
		}
	})
	return c
}

// mounts are the host paths mounted into the container.
type mounts struct{ kubeconfig, webhookCerts string }

// stageMounts copies the kubeconfig and the webhook's serving certificate, which the control
// plane writes for its owner only, where the user 65532 can read them, as the kubelet does with a
// Secret's files. They hold a client key of a throwaway control plane under the clone's bin/.
func stageMounts() mounts {
	GinkgoHelper()
	staged := mounts{kubeconfig: filepath.Join(dir, "kubeconfig-65532"), webhookCerts: filepath.Join(dir, "webhook-certs")}
	copyReadable(controlPlane.Kubeconfig, staged.kubeconfig)
	Expect(os.MkdirAll(staged.webhookCerts, 0o755)).To(Succeed())
	_, _, certDir, _ := controlPlane.WebhookServing()
	for _, name := range []string{"tls.crt", "tls.key"} {
		copyReadable(filepath.Join(certDir, name), filepath.Join(staged.webhookCerts, name))
	}
	return staged
}

func copyReadable(from, to string) {
	GinkgoHelper()
	data, err := os.ReadFile(from)
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(to, data, 0o644)).To(Succeed())
	Expect(os.Chmod(to, 0o644)).To(Succeed())
}

func (c *container) hasExited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// exitCode is the container's exit code, once it has exited.
func (c *container) exitCode() int { return c.cmd.ProcessState.ExitCode() }

// ready is nil once /readyz answers 200, and stops an Eventually when the container has exited.
func (c *container) ready() error {
	if c.hasExited() {
		return StopTrying(fmt.Sprintf("the container exited (code %d) before /readyz answered: see %s", c.exitCode(), c.log))
	}
	probe := &http.Client{Timeout: time.Second}
	resp, err := probe.Get(c.healthURL + "/readyz")
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New("/readyz: " + resp.Status)
	}
	return nil
}
