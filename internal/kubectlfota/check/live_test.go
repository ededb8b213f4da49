package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/manager"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/test/envtest"
)

var liveTokens = simulator.TokenPair{AccessToken: "live-access-token-5b2c", SessionToken: "live-session-token-8e1f"}

// TestLiveBaseline checks a manifest against the cluster: the operator has synced a campaign that
// ThingSpace (the simulator) runs since 2026-12-01, and the manifest drops its download window.
// check --live refuses it, naming the window and the start date, as the webhook would: the rules
// judge against the live status (status.applied), not the manifest. It only reads: every request
// it sends is a GET, and the object is unchanged.
func TestLiveBaseline(t *testing.T) {
	g := NewWithT(t)
	controlPlane := envtest.Start(t, envtest.Options{})
	t.Cleanup(func() { g.Expect(controlPlane.Stop()).To(Succeed()) })
	ctx := context.Background()
	clk := clocktesting.NewFakeClock(time.Date(2026, time.December, 3, 10, 0, 0, 0, time.UTC))
	sim, simURL := envtest.StartSimulator(t, simulator.Options{Clock: clk.Now, StaticTokens: []simulator.TokenPair{liveTokens}})
	sim.Seed(runningCampaign())
	stopOperator := startOperator(t, controlPlane.Config, simURL, clk)

	c := controlPlane.Client
	g.Expect(c.Create(ctx, credentials())).To(Succeed())
	live := campaignObject()
	live.SetNamespace("default")
	g.Expect(c.Create(ctx, live)).To(Succeed())
	synced := &unstructured.Unstructured{}
	synced.SetGroupVersionKind(fotav1alpha1.GroupVersion.WithKind("FotaCampaign"))
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "model-a"}, synced)).To(Succeed())
		_, applied, _ := unstructured.NestedMap(synced.Object, "status", "applied")
		g.Expect(applied).NotTo(BeNil(), "the operator has not recorded what ThingSpace holds")
	}).WithTimeout(30 * time.Second).Should(Succeed())
	// The operator goes on writing the status (conditions, device progress); stopped, it leaves
	// the object as it is, so that any write shows in its resourceVersion.
	stopOperator()
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(synced), synced)).To(Succeed())

	audit := &requestLog{}
	kubeconfig := auditedKubeconfig(t, controlPlane.Config, audit)
	dir := t.TempDir()
	file := writeManifest(t, dir, "campaign.yaml", campaignObject(set("downloadTimeWindowList", []any{window(7, 8)})))

	got := run(t, "", "check", "-f", file, "--live", "--kubeconfig", kubeconfig, "--now", "2026-12-03T10:00:00Z")

	want := []string{
		file + ": FotaCampaign default/model-a: spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that started on 2026-12-01 and cannot be removed; after the start ThingSpace only allows adding windows",
		"1 object checked, 1 refused",
	}
	g.Expect(got.lines()).To(Equal(want), "stderr: %s", got.stderr)
	g.Expect(got.code).To(Equal(1))
	g.Expect(audit.methods()).To(ConsistOf(http.MethodGet), "check sent other requests than GETs")
	after := &unstructured.Unstructured{}
	after.SetGroupVersionKind(synced.GroupVersionKind())
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(synced), after)).To(Succeed())
	g.Expect(after.GetResourceVersion()).To(Equal(synced.GetResourceVersion()))
}

// TestLiveBaselineAbsent: an object the cluster does not have is judged as a create, and a
// manifest with no namespace goes to the kubeconfig's namespace.
func TestLiveBaselineAbsent(t *testing.T) {
	controlPlane := envtest.Start(t, envtest.Options{})
	t.Cleanup(func() {
		if err := controlPlane.Stop(); err != nil {
			t.Error(err)
		}
	})
	kubeconfig := auditedKubeconfig(t, controlPlane.Config, &requestLog{})
	file := writeManifest(t, t.TempDir(), "campaign.yaml", campaignObject())

	got := run(t, "", "check", "-f", file, "--live", "--kubeconfig", kubeconfig, "-n", "fleet", "--now", running)

	want := []string{
		"Warning: " + file + ": FotaCampaign fleet/model-a: startDate 2026-12-01 is in the past: this adopts a running campaign, and the in-progress rules will apply",
		"1 object checked, 0 refused",
	}
	if diff := cmp.Diff(want, got.lines()); diff != "" || got.code != 0 {
		t.Errorf("exit code %d; report (-want +got):\n%s\nstderr: %s", got.code, diff, got.stderr)
	}
}

// runningCampaign is the reference campaign as ThingSpace holds it on 2026-12-03: scheduled and
// running since 2026-12-01.
func runningCampaign() thingspace.Campaign {
	return thingspace.Campaign{
		ID: "60b5d639-ccdc-4db8-8824-069bd94c95bf", AccountName: "0402196254-00001",
		CampaignName: "FOTA_Verizon_Upgrade", SoftwareName: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP",
		Make: "Verizon", Model: "Model-A", SoftwareFrom: "FOTA_Verizon_Model-A_00To01_HF", SoftwareTo: "FOTA_Verizon_Model-A_02To03_HF",
		StartDate: "2026-12-01", EndDate: "2026-12-07",
		DownloadAfterDate: ptr.To("2026-12-01"), DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
		InstallAfterDate: ptr.To("2026-12-02"), InstallTimeWindowList: []thingspace.Window{{StartTime: 5, EndTime: 6}},
		Status: simulator.StatusScheduled,
	}
}

func credentials() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "thingspace-credentials"},
		StringData: map[string]string{"accessToken": liveTokens.AccessToken, "sessionToken": liveTokens.SessionToken},
	}
}

// startOperator runs the operator's manager (webhook off) on clk against the simulator until the
// returned function or the end of the test stops it.
func startOperator(t *testing.T, config *rest.Config, simURL string, clk *clocktesting.FakeClock) (stop func()) {
	t.Helper()
	opts := manager.DefaultOptions()
	opts.MetricsBindAddress, opts.HealthProbeBindAddress = "0", "0"
	opts.EnableWebhooks = false
	opts.ThingSpace = thingspace.Options{BaseURL: simURL, Timeout: 10 * time.Second, QPS: 100, Burst: 100}
	opts.Clock = clk
	opts.SkipNameValidation = true
	mgr, err := manager.New(config, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := mgr.Start(ctx); err != nil {
			t.Error(err)
		}
	}()
	stop = func() {
		cancel()
		<-stopped
	}
	t.Cleanup(stop)
	return stop
}

// requestLog records the requests that reach the API server through auditedKubeconfig.
type requestLog struct {
	mu       sync.Mutex
	requests []string
}

func (l *requestLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, r.Method)
}

// methods is the set of the methods recorded.
func (l *requestLog) methods() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	methods := slices.Clone(l.requests)
	slices.Sort(methods)
	return slices.Compact(methods)
}

// auditedKubeconfig writes a kubeconfig whose cluster is a proxy on 127.0.0.1 that records every
// request and forwards it to the API server as config's user, and returns its path.
func auditedKubeconfig(t *testing.T, config *rest.Config, audit *requestLog) string {
	t.Helper()
	transport, err := rest.TransportFor(config)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(config.Host)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		audit.record(r)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters["audited"] = &clientcmdapi.Cluster{Server: server.URL}
	kubeconfig.AuthInfos["audited"] = &clientcmdapi.AuthInfo{}
	kubeconfig.Contexts["audited"] = &clientcmdapi.Context{Cluster: "audited", AuthInfo: "audited"}
	kubeconfig.CurrentContext = "audited"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kubeconfig, path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}
