package image

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the test computes the local window the container should show

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/manager"
)

// leaseNamespace holds the leader election Lease; outside a cluster the manager has no namespace
// of its own to put it in.
const leaseNamespace = "default"

// displayTimeZone is a zone with daylight saving time, which the image can only know from the
// zone database compiled into the manager: its root file system has no /usr/share/zoneinfo.
const displayTimeZone = "America/Chicago"

// stopTimeout is how long a stopped container may take: config/default's
// terminationGracePeriodSeconds, after which the kubelet kills it.
const stopTimeout = 10 * time.Second

var _ = Describe("The image under podman, as a cluster runs it", Ordered, func() {
	var (
		running *container
		fleet   *harness.Fleet
		key     types.NamespacedName
	)

	BeforeAll(func() {
		ports, err := harness.FreePorts(1)
		Expect(err).NotTo(HaveOccurred())
		_, webhookPort, _, _ := controlPlane.WebhookServing()
		running = startContainer(containerOptions{
			name: "fota-operator-image-test", hostname: "fota-operator-image-test", healthPort: ports[0],
			flags: []string{
				"--thingspace-url=" + thingSpaceURL,
				"--webhook-host=127.0.0.1", "--webhook-port=" + strconv.Itoa(webhookPort),
				"--leader-elect", "--leader-elect-namespace=" + leaseNamespace,
			},
		})

		fleet = harness.NewFleet(harness.FleetOptions{
			Namespace: "image", Size: 1, Accounts: 1, AccountPrefix: "0402196254", Today: time.Now(),
		})
		fleet.Seed(sim)
		Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
		key = fleet.Key(0)
	})

	It("answers /readyz", func() {
		Eventually(running.ready).WithTimeout(time.Minute).WithPolling(50 * time.Millisecond).Should(Succeed())
		report("start time: %.2f s from podman run to the first 200 of /readyz", time.Since(running.started).Seconds())
	})

	It("runs as the user nonroot (65532) of its /etc/passwd, with no capabilities", func() {
		// podman reads the process's user and group from /proc and names them from the image's
		// /etc/passwd and /etc/group: the image has no ps to run.
		top, err := podman("top", running.name, "user", "group", "capeff")
		Expect(err).NotTo(HaveOccurred())
		lines := strings.Split(top, "\n")
		Expect(lines).To(HaveLen(2), "podman top: %s", top)
		Expect(strings.Fields(lines[1])).To(Equal([]string{"nonroot", "nonroot", "none"}), "podman top: %s", top)
	})

	It("takes the leader Lease", func() {
		lease := &coordinationv1.Lease{}
		Eventually(func() (string, error) {
			err := k8sClient.Get(ctx, client.ObjectKey{Namespace: leaseNamespace, Name: manager.LeaderElectionID}, lease)
			if err != nil || lease.Spec.HolderIdentity == nil {
				return "", err
			}
			return *lease.Spec.HolderIdentity, nil
		}).WithTimeout(time.Minute).Should(HavePrefix(running.hostname+"_"), "the Lease's holder is not the container")
	})

	It("syncs a FotaCampaign with the simulator over TLS", func() {
		fc := fleet.FotaCampaign(0)
		fc.Spec.DisplayTimeZone = displayTimeZone
		Expect(k8sClient.Create(ctx, fc)).To(Succeed())
		Eventually(func() (bool, error) {
			err := k8sClient.Get(ctx, key, fc)
			return harness.Converged(fc), err
		}).WithTimeout(time.Minute).Should(BeTrue(), "the FotaCampaign did not sync: see %s", running.log)
		Expect(thingSpaceURL).To(HavePrefix("https://"))
		Expect(sim.Requests()).NotTo(BeEmpty())
	})

	It("shows the local window of displayTimeZone", func() {
		fc := &fotav1alpha1.FotaCampaign{}
		Expect(k8sClient.Get(ctx, key, fc)).To(Succeed())
		window := fc.Status.NextDownloadWindow
		Expect(window).NotTo(BeNil())
		zone, err := time.LoadLocation(displayTimeZone)
		Expect(err).NotTo(HaveOccurred())
		want := campaign.LocalText(campaign.Interval{Start: window.Start.Time, End: window.End.Time}, zone)
		Expect(window.Local).To(Equal(want), "the container's zone database is not the one compiled into the manager")
	})

	It("has the API server's calls reach its webhook, which rejects an illegal transition", func() {
		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		patch, err := json.Marshal(map[string]any{"spec": map[string]any{"startDate": yesterday}})
		Expect(err).NotTo(HaveOccurred())
		fc := &fotav1alpha1.FotaCampaign{}
		Expect(k8sClient.Get(ctx, key, fc)).To(Succeed())
		err = k8sClient.Patch(ctx, fc, client.RawPatch(types.MergePatchType, patch))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "the patch was not rejected as invalid: %v", err)
		// The schema allows any date: only the webhook, which nothing but the container serves,
		// knows the rule that a pending campaign may not start in the past.
		Expect(err.Error()).To(ContainSubstring("spec.startDate"))
		Expect(err.Error()).To(ContainSubstring("today"))
	})

	It("stops with exit code 0 within 10 s of SIGTERM", func() {
		stopping := time.Now()
		// podman stop sends SIGTERM and, after the timeout, SIGKILL: a container that needed the
		// SIGKILL exits 137, not 0.
		Expect(podman("stop", "--time", strconv.Itoa(int(stopTimeout.Seconds())), running.name)).Error().NotTo(HaveOccurred())
		Eventually(running.exited).WithTimeout(stopTimeout).Should(BeClosed())
		took := time.Since(stopping)
		report("stop time: %.2f s from SIGTERM to the container's exit", took.Seconds())
		Expect(running.exitCode()).To(BeZero(), "see %s", running.log)
		Expect(took).To(BeNumerically("<", stopTimeout))
	})
})
