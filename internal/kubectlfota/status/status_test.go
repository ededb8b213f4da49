package status

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crenvtest "sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/test/envtest"
)

var update = flag.Bool("update", false, "write the screens of the golden tests to testdata/*.golden instead of comparing")

// viewer is a user who may only get, list and watch FotaCampaigns and FotaRollouts: every test
// runs status as this user, so a write would fail the test even where it checks nothing else.
const viewer = "fota-viewer"

// cluster is a real API server with the CRDs, written by the test as an administrator and read
// by status as the viewer.
type cluster struct {
	admin      client.Client
	kubeconfig string // the viewer's
}

// TestStatusAgainstAPIServer creates the objects on an API server, writes their status through
// the status subresource as the operator does, and runs `kubectl fota status` through cobra with
// a kubeconfig for that server.
func TestStatusAgainstAPIServer(t *testing.T) {
	c := startCluster(t)
	t.Run("a campaign in progress matches its golden screen", c.testCampaignGolden)
	t.Run("a rollout waiting for approval matches its golden screen", c.testRolloutGolden)
	t.Run("status changes nothing in the cluster", c.testNeverWrites)
	t.Run("a missing object is named with its kind and namespace", c.testNotFound)
	t.Run("watch draws a frame for a rollout change and one for a wave campaign change", c.testWatchRollout)
	t.Run("watch draws a frame for a campaign status change", c.testWatchCampaign)
	t.Run("the shell completes the names of the kind", c.testCompletion)
}

func startCluster(t *testing.T) *cluster {
	controlPlane := envtest.Start(t, envtest.Options{})
	t.Cleanup(func() {
		if err := controlPlane.Stop(); err != nil {
			t.Error(err)
		}
	})
	c := &cluster{admin: controlPlane.Client, kubeconfig: filepath.Join(t.TempDir(), "viewer.kubeconfig")}
	user, err := controlPlane.Environment.ControlPlane.AddUser(crenvtest.User{Name: viewer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.kubeconfig, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	c.grantReadOnly(t)
	return c
}

// grantReadOnly gives the viewer what status documents it needs, and nothing more.
func (c *cluster) grantReadOnly(t *testing.T) {
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: viewer},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{v1alpha1.GroupVersion.Group},
			Resources: []string{"fotacampaigns", "fotarollouts"}, Verbs: []string{"get", "list", "watch"}}},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: viewer},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: viewer},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: viewer}},
	}
	for _, object := range []client.Object{role, binding} {
		if err := c.admin.Create(context.Background(), object); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs `kubectl fota status args...` at now as the plugin's root command wires it, writing
// what the user sees to out.
func (c *cluster) run(ctx context.Context, now time.Time, out io.Writer, args ...string) error {
	return c.runPlugin(ctx, now, out, append([]string{"--kubeconfig", c.kubeconfig, "status"}, args...)...)
}

// runPlugin runs `kubectl fota args...` with status as its one command.
func (c *cluster) runPlugin(ctx context.Context, now time.Time, out io.Writer, args ...string) error {
	streams := genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: io.Discard}
	configFlags := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{Use: "kubectl-fota", SilenceErrors: true, SilenceUsage: true}
	configFlags.AddFlags(root.PersistentFlags())
	root.AddCommand(newCommand(streams, configFlags, func() time.Time { return now }))
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(io.Discard)
	return root.ExecuteContext(ctx)
}

// screen runs status once and returns its screen, failing t on an error.
func (c *cluster) screen(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := c.run(context.Background(), now, &out, args...); err != nil {
		t.Fatalf("status %v: %v", args, err)
	}
	return out.String()
}

// namespace creates a namespace of that name.
func (c *cluster) namespace(t *testing.T, name string) string {
	t.Helper()
	c.create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, nil)
	return name
}

// create creates object and then, when setStatus is given, writes the status it sets through
// the status subresource, as the operator does.
func (c *cluster) create(t *testing.T, object client.Object, setStatus func()) {
	t.Helper()
	ctx := context.Background()
	if err := c.admin.Create(ctx, object); err != nil {
		t.Fatal(err)
	}
	if setStatus == nil {
		return
	}
	setStatus()
	if err := c.admin.Status().Update(ctx, object); err != nil {
		t.Fatal(err)
	}
}

// createCampaignInProgress creates the campaign of campaignInProgress with its status.
func (c *cluster) createCampaignInProgress(t *testing.T, namespace string) *v1alpha1.FotaCampaign {
	fc := campaignInProgress(namespace)
	c.create(t, fc, func() { fc.Status = campaignInProgressStatus(fc) })
	return fc
}

// createRolloutAwaitingApproval creates the rollout of rolloutAwaitingApproval with its two wave
// campaigns, and their statuses.
func (c *cluster) createRolloutAwaitingApproval(t *testing.T, namespace string) (*v1alpha1.FotaRollout, []*v1alpha1.FotaCampaign) {
	fr := rolloutAwaitingApproval(namespace, "model-a-03")
	c.create(t, fr, func() { fr.Status = rolloutAwaitingApprovalStatus(fr) })
	wave1 := waveCampaign(fr, 1, "2026-11-23", "2026-11-29", imeis(0, 10))
	c.create(t, wave1, func() {
		wave1.Status = waveCampaignStatus(wave1, v1alpha1.PhaseEnded, "CampaignEnded", "8d0a6f52-1c0e-4a8e-9d64-0f1b2e3c4d5e",
			v1alpha1.DeviceProgress{Total: 10, Succeeded: 10, Upgraded: "10/10"})
	})
	wave2 := waveCampaign(fr, 2, "2026-11-26", "2026-12-02", imeis(10, 90))
	c.create(t, wave2, func() {
		wave2.Status = waveCampaignStatus(wave2, v1alpha1.PhaseInProgress, "CampaignScheduled", "b71c3e09-5d2a-4f4b-8e1d-2a3b4c5d6e7f",
			v1alpha1.DeviceProgress{Total: 90, Succeeded: 88, Failed: 1, Pending: 1, Upgraded: "88/90",
				FailureReasons: []v1alpha1.FailureReason{{Reason: "RovaClientDownloadFailed", Count: 1}}})
	})
	return fr, []*v1alpha1.FotaCampaign{wave1, wave2}
}

func (c *cluster) testCampaignGolden(t *testing.T) {
	namespace := c.namespace(t, "fleet")
	c.createCampaignInProgress(t, namespace)
	assertGolden(t, "campaign-in-progress", c.screen(t, campaignNow, "fc", "model-a-02to03", "-n", namespace))
}

func (c *cluster) testRolloutGolden(t *testing.T) {
	namespace := c.namespace(t, "fleet-rollout")
	c.createRolloutAwaitingApproval(t, namespace)
	assertGolden(t, "rollout-waiting-for-approval", c.screen(t, rolloutNow, "fotarollout", "model-a-03", "-n", namespace))
}

// testNeverWrites runs every form of status, --watch included, and finds every object as it was.
func (c *cluster) testNeverWrites(t *testing.T) {
	namespace := c.namespace(t, "read-only")
	c.createCampaignInProgress(t, namespace)
	c.createRolloutAwaitingApproval(t, namespace)
	before := c.resourceVersions(t, namespace)

	c.screen(t, campaignNow, "fc", "model-a-02to03", "-n", namespace)
	c.screen(t, rolloutNow, "fr/model-a-03", "-n", namespace)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, rolloutNow, out, "fr", "model-a-03", "-n", namespace, "--watch") }()
	g := NewWithT(t)
	g.Eventually(out.String).Should(ContainSubstring("FotaRollout read-only/model-a-03"))
	cancel()
	g.Eventually(done).Should(Receive(BeNil()))

	g.Expect(c.resourceVersions(t, namespace)).To(Equal(before))
}

// resourceVersions are the resourceVersions of every FotaCampaign and FotaRollout of namespace.
func (c *cluster) resourceVersions(t *testing.T, namespace string) map[string]string {
	t.Helper()
	versions := map[string]string{}
	campaigns := &v1alpha1.FotaCampaignList{}
	rollouts := &v1alpha1.FotaRolloutList{}
	for _, list := range []client.ObjectList{campaigns, rollouts} {
		if err := c.admin.List(context.Background(), list, client.InNamespace(namespace)); err != nil {
			t.Fatal(err)
		}
	}
	for _, fc := range campaigns.Items {
		versions["FotaCampaign "+fc.Name] = fc.ResourceVersion
	}
	for _, fr := range rollouts.Items {
		versions["FotaRollout "+fr.Name] = fr.ResourceVersion
	}
	return versions
}

func (c *cluster) testNotFound(t *testing.T) {
	namespace := c.namespace(t, "empty")
	cases := map[string]struct {
		args []string
		want string
	}{
		"campaign": {args: []string{"fc", "model-a-02to03"}, want: `FotaCampaign "model-a-02to03" not found in namespace "empty"`},
		"rollout":  {args: []string{"fotarollouts", "model-a-03"}, want: `FotaRollout "model-a-03" not found in namespace "empty"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			err := c.run(context.Background(), rolloutNow, &out, append(tc.args, "-n", namespace)...)
			g := NewWithT(t)
			g.Expect(err).To(MatchError(tc.want))
			g.Expect(out.String()).To(BeEmpty())
		})
	}
}

// testWatchRollout approves wave 3 in the rollout's spec and then moves a device of wave 2: each
// change draws a frame of its own, the second one seen through the watch of the wave campaigns.
func (c *cluster) testWatchRollout(t *testing.T) {
	namespace := c.namespace(t, "watched-rollout")
	fr, campaigns := c.createRolloutAwaitingApproval(t, namespace)
	out, stop := c.watch(t, rolloutNow, "fr", "model-a-03", "-n", namespace)
	defer stop()
	g := NewWithT(t)
	g.Eventually(out.String).Should(ContainSubstring("waves up to 2 (spec.approvedWaves)"))

	fr.Spec.ApprovedWaves = ptr.To[int32](3)
	g.Expect(c.admin.Update(context.Background(), fr)).To(Succeed())
	g.Eventually(out.String).Should(ContainSubstring("--- 2026-12-02T09:30:00Z\nFotaRollout watched-rollout/model-a-03"))
	g.Eventually(out.String).Should(ContainSubstring("waves up to 3 (spec.approvedWaves)"))

	wave2 := campaigns[1]
	wave2.Status.Devices.Succeeded, wave2.Status.Devices.Pending = 89, 0
	g.Expect(c.admin.Status().Update(context.Background(), wave2)).To(Succeed())
	g.Eventually(out.String).Should(ContainSubstring("89/90 (98%)"))
}

func (c *cluster) testWatchCampaign(t *testing.T) {
	namespace := c.namespace(t, "watched-campaign")
	fc := c.createCampaignInProgress(t, namespace)
	out, stop := c.watch(t, campaignNow, "fotacampaign", "model-a-02to03", "-n", namespace)
	defer stop()
	g := NewWithT(t)
	g.Eventually(out.String).Should(ContainSubstring("CampaignScheduled"))

	fc.Status.Phase = v1alpha1.PhaseAborted
	fc.Status.Campaign.Status = "CampaignAborted"
	g.Expect(c.admin.Status().Update(context.Background(), fc)).To(Succeed())
	g.Eventually(out.String).Should(ContainSubstring("--- 2026-12-02T05:30:00Z\nFotaCampaign watched-campaign/model-a-02to03\nPhase:       Aborted"))
}

// watch runs status --watch until stop, which also checks that it ended without an error.
func (c *cluster) watch(t *testing.T, now time.Time, args ...string) (out *syncBuffer, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, now, out, append(args, "--watch")...) }()
	return out, func() {
		cancel()
		NewWithT(t).Eventually(done).Should(Receive(BeNil()))
	}
}

// assertGolden compares a screen with testdata/NAME.golden, or writes it there with -update.
func assertGolden(t *testing.T, name, screen string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(screen), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test ./internal/kubectlfota/status/ -update to write it", err)
	}
	if diff := cmp.Diff(string(want), screen); diff != "" {
		t.Errorf("the screen differs from %s (-want +got); if the change is meant, run with -update:\n%s", path, diff)
	}
}

// syncBuffer is a buffer that the watching command writes while the test reads it.
type syncBuffer struct {
	mu     sync.Mutex
	buffer bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.String()
}

// testCompletion asks cobra's completion, as a shell does, for the names after "status fr".
func (c *cluster) testCompletion(t *testing.T) {
	namespace := c.namespace(t, "completed")
	c.createRolloutAwaitingApproval(t, namespace)
	c.createCampaignInProgress(t, namespace)
	var out bytes.Buffer
	g := NewWithT(t)
	g.Expect(c.runPlugin(context.Background(), rolloutNow, &out,
		"__complete", "--kubeconfig", c.kubeconfig, "-n", namespace, "status", "fr", "")).To(Succeed())
	g.Expect(strings.Split(out.String(), "\n")).To(HaveExactElements("model-a-03", ":4", ""),
		"only the rollout's name, and the directive not to complete file names")
}
