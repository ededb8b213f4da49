package e2e

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

const (
	readyLine        = "fota-operator dev environment ready"
	sampleCampaignID = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
	sampleAccount    = "0402196254-00001"
)

var _ = Describe("make dev", Ordered, func() {
	var (
		root       string
		dev        *devProcess
		kube       kubectl
		sim        simulatorAdmin
		kubeconfig string
	)

	BeforeAll(func() {
		var err error
		root, err = filepath.Abs(filepath.Join("..", ".."))
		Expect(err).NotTo(HaveOccurred())
		work := GinkgoT().TempDir()

		By("building hack/dev")
		binary, err := buildDev(root, work)
		Expect(err).NotTo(HaveOccurred())

		By("starting it with DEV_KUBECONFIG in a temporary directory")
		kubeconfig = filepath.Join(work, "kubeconfig")
		// Any free port for the simulator, so that a `make dev` already running on 8089 does not
		// get in the way.
		dev, err = startDev(binary, root, kubeconfig, "--simulator-addr", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { stopForGood(dev) })

		Eventually(dev.Lines).WithTimeout(2*time.Minute).WithPolling(200*time.Millisecond).
			Should(ContainElement(readyLine), "the dev environment never printed its ready line")
		Expect(dev.Exited()).To(BeFalse())

		exported, ok := dev.lineAfter("export KUBECONFIG=")
		Expect(ok).To(BeTrue(), "no export KUBECONFIG line before the ready line")
		Expect(exported).To(Equal(kubeconfig))
		simURL, ok := dev.lineAfter("ThingSpace simulator: ")
		Expect(ok).To(BeTrue(), "no simulator URL before the ready line")
		sim = simulatorAdmin{baseURL: simURL}

		binaryPath, err := kubectlBinary()
		Expect(err).NotTo(HaveOccurred(), "no kubectl in KUBEBUILDER_ASSETS nor on PATH")
		kube = kubectl{binary: binaryPath, kubeconfig: kubeconfig, dir: root}
	})

	It("shows what the README's quick start shows, and syncs the sample ThingSpace holds without a PUT", func() {
		const apply, get = "kubectl apply -f config/samples/", "kubectl get fc model-a-02to03 model-a-wave1"
		out, err := kube.shell(apply)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(outputLines(out)).To(Equal(readme(root, apply)))

		Eventually(kube.syncState).WithArguments("model-a-02to03").WithTimeout(30 * time.Second).Should(Equal("1/1/True"))
		Eventually(kube.readyReason).WithArguments("model-a-wave1").WithTimeout(90 * time.Second).Should(Equal("Ready"))
		out, err = kube.shell(get)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(tableRows(outputLines(out), "model-a-wave1")).To(Equal(tableRows(readme(root, get), "model-a-wave1")))
		Expect(sim.datesPuts(sampleCampaignID)).To(BeEmpty())
	})

	It("refuses the README's illegal change to the campaign in progress with the message the README quotes", func() {
		const apply = "kubectl apply -f config/samples/in-progress/"
		out, err := kube.shell(apply)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(outputLines(out)).To(Equal(readme(root, apply)))
		Eventually(kube.syncState).WithArguments("model-b-rollout").WithTimeout(30 * time.Second).Should(Equal("1/1/True"))

		patch := readmeCommand(root, "kubectl patch fc model-b-rollout ")
		out, err = kube.shell(patch)
		Expect(err).To(HaveOccurred(), "the webhook let the change through: %s", out)
		Expect(outputLines(out)).To(Equal(readme(root, patch)))
	})

	It("schedules the sample campaign with one POST, sees ThingSpace accept it, and cancels it on delete", func() {
		const name = "model-a-wave1"
		Eventually(kube.syncState).WithArguments(name).WithTimeout(30 * time.Second).Should(Equal("1/1/True"))
		id, err := kube.run("", "get", "fc", name, "-o", "jsonpath={.metadata.annotations.fota\\.thingspace\\.io/campaign-id}")
		Expect(err).NotTo(HaveOccurred())
		Expect(id).NotTo(BeEmpty(), "the new campaign's id is recorded in the annotation")
		Eventually(kube.readyReason).WithArguments(name).WithTimeout(90*time.Second).Should(Equal("Ready"),
			"ThingSpace checks the request first (RequestPending), then queues it")
		Expect(sim.postsNamed(name)).To(HaveLen(1))

		out, err := kube.run("", "delete", "fc", name, "--timeout=60s")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(sim.requestsOf("delete", id)).To(HaveLen(1))
		held, err := sim.campaign(id)
		Expect(err).NotTo(HaveOccurred())
		Expect(held.Status).To(Equal("CampaignCancelled"))
		Expect(sim.postsNamed(name)).To(HaveLen(1), "deleting never schedules")
	})

	It("pushes a window added to a pending campaign with exactly one PUT", func() {
		pending := thingspace.Campaign{
			ID: "e2e-pending", AccountName: sampleAccount, CampaignName: "e2e pending",
			StartDate: day(3), EndDate: day(10),
			DownloadTimeWindowList: []thingspace.Window{{StartTime: 1, EndTime: 2}},
			InstallTimeWindowList:  []thingspace.Window{},
			Status:                 "CampaignScheduled",
		}
		Expect(sim.seed(pending)).To(Succeed())
		_, err := kube.apply(fotaCampaign("e2e-pending", pending))
		Expect(err).NotTo(HaveOccurred())
		Eventually(kube.syncState).WithArguments("e2e-pending").WithTimeout(30 * time.Second).Should(Equal("1/1/True"))
		Expect(sim.datesPuts(pending.ID)).To(BeEmpty(), "ThingSpace already held the spec")

		edited := pending
		edited.InstallTimeWindowList = []thingspace.Window{{StartTime: 7, EndTime: 8}}
		_, err = kube.apply(fotaCampaign("e2e-pending", edited))
		Expect(err).NotTo(HaveOccurred())

		Eventually(kube.syncState).WithArguments("e2e-pending").WithTimeout(30 * time.Second).Should(Equal("2/2/True"))
		puts, err := sim.datesPuts(pending.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(puts).To(HaveLen(1))
		Expect(puts[0].Status).To(Equal(200))
		var sent thingspace.Dates
		Expect(json.Unmarshal([]byte(puts[0].Body), &sent)).To(Succeed())
		Expect(sent.InstallTimeWindowList).To(ConsistOf(thingspace.Window{StartTime: 7, EndTime: 8}))
		Expect(sent.DownloadTimeWindowList).To(ConsistOf(thingspace.Window{StartTime: 1, EndTime: 2}))
	})

	It("refuses at kubectl apply to remove a window from a started campaign, naming the field", func() {
		started := thingspace.Campaign{
			ID: "e2e-in-progress", AccountName: sampleAccount, CampaignName: "e2e in progress",
			StartDate: day(-2), EndDate: day(5),
			DownloadTimeWindowList: []thingspace.Window{{StartTime: 1, EndTime: 3}},
			InstallTimeWindowList:  []thingspace.Window{{StartTime: 4, EndTime: 5}},
			Status:                 "CampaignScheduled",
		}
		Expect(sim.seed(started)).To(Succeed())
		_, err := kube.apply(fotaCampaign("e2e-in-progress", started))
		Expect(err).NotTo(HaveOccurred())
		Eventually(kube.syncState).WithArguments("e2e-in-progress").WithTimeout(30 * time.Second).Should(Equal("1/1/True"))

		edited := started
		edited.DownloadTimeWindowList = []thingspace.Window{{StartTime: 2, EndTime: 3}}
		_, err = kube.apply(fotaCampaign("e2e-in-progress", edited))
		Expect(err).To(MatchError(ContainSubstring("spec.downloadTimeWindowList")))
		Expect(err).To(MatchError(ContainSubstring("{1,3}")))

		windows, err := kube.run("", "get", "fc", "e2e-in-progress", "-o", "jsonpath={.spec.downloadTimeWindowList}")
		Expect(err).NotTo(HaveOccurred())
		Expect(windows).To(MatchJSON(`[{"startTime":1,"endTime":3}]`), "the refused edit must not be stored")
		Expect(sim.datesPuts(started.ID)).To(BeEmpty())
	})

	It("moves the sample rollout from its canary to Completed on its own, one POST per wave campaign, no device twice", func() {
		const rollout = "model-a-03"
		// The quick start applied config/samples/, the rollout with it; the simulator upgrades the
		// devices of every campaign the operator schedules, so each wave passes its gate unaided.
		Eventually(kube.rolloutPhase).WithArguments(rollout).WithTimeout(8 * time.Minute).WithPolling(2 * time.Second).
			Should(Equal("Completed"))

		out, err := kube.run("", "get", "fr", rollout, "-o", "jsonpath={.status.currentWave} {.status.devices.total} {.status.devices.succeeded}")
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Fields(out)).To(Equal([]string{"3", "20", "20"}))

		campaigns, err := kube.waveCampaigns(rollout)
		Expect(err).NotTo(HaveOccurred())
		Expect(campaigns).To(HaveLen(3))
		seen := map[string]string{}
		for name, devices := range campaigns {
			for _, device := range devices {
				Expect(seen).NotTo(HaveKey(device), "device %s is in %s and %s", device, seen[device], name)
				seen[device] = name
			}
			Expect(sim.postsNamed("default."+name)).To(HaveLen(1), "campaign %s", name)
		}
		Expect(seen).To(HaveLen(20), "every device of the fleet is in a wave")
		Expect(campaigns).To(HaveKeyWithValue("model-a-03-w1-1", HaveLen(1)))
		Expect(campaigns).To(HaveKeyWithValue("model-a-03-w2-1", HaveLen(9)))
		Expect(campaigns).To(HaveKeyWithValue("model-a-03-w3-1", HaveLen(10)))

		out, err = kube.run("", "get", "events", "--field-selector", "involvedObject.name="+rollout, "-o", "jsonpath={.items[*].reason}")
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Fields(out)).To(ContainElements("WaveStarted", "WaveSucceeded", "RolloutCompleted"))
	})

	It("stops everything on SIGTERM within 30 seconds and exits 0", func() {
		// The processes are found through /proc; elsewhere (macOS) the freed ports must do.
		var children map[int]string
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			children, err = runningChildren(dev.cmd.Process.Pid)
			Expect(err).NotTo(HaveOccurred())
			Expect(commandsOf(children)).To(ContainElements("kube-apiserver", "etcd"))
		}
		apiServer, simulator := apiServerHostPort(kubeconfig), hostPortOf(sim.baseURL)

		Expect(dev.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
		Eventually(dev.exited).WithTimeout(30 * time.Second).Should(BeClosed())
		Expect(dev.exitCode).To(Equal(0))

		for pid, command := range children {
			Expect(isRunning(pid)).To(BeFalse(), "%s (pid %d) still runs", command, pid)
		}
		Expect(canListen(apiServer)).To(Succeed(), "the API server's port is still taken")
		Expect(canListen(simulator)).To(Succeed(), "the simulator's port is still taken")
		Expect(kubeconfig).NotTo(BeAnExistingFile(), "the kubeconfig of a stopped environment is left behind")
	})
})

// readme is the output the README shows for command.
func readme(root, command string) []string {
	GinkgoHelper()
	output, err := readmeSession(root, command)
	Expect(err).NotTo(HaveOccurred())
	return output
}

// readmeCommand is the README's console command that starts with prefix.
func readmeCommand(root, prefix string) string {
	GinkgoHelper()
	sessions, err := readmeSessions(root)
	Expect(err).NotTo(HaveOccurred())
	for _, s := range sessions {
		if strings.HasPrefix(s.command, prefix) {
			return s.command
		}
	}
	Fail("the README shows no command starting with " + prefix)
	return ""
}

// stopForGood ends the dev environment when a spec failed before the SIGTERM spec did: SIGTERM
// first, so that it stops its control plane; SIGKILL only if it hangs.
func stopForGood(dev *devProcess) {
	if dev.Exited() {
		return
	}
	_ = dev.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-dev.exited:
	case <-time.After(30 * time.Second):
		_ = dev.cmd.Process.Kill()
		<-dev.exited
	}
}

func commandsOf(processes map[int]string) []string {
	var commands []string
	for _, command := range processes {
		commands = append(commands, command)
	}
	return commands
}

func apiServerHostPort(kubeconfig string) string {
	config, err := clientcmd.LoadFromFile(kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	cluster, ok := config.Clusters[config.Contexts[config.CurrentContext].Cluster]
	Expect(ok).To(BeTrue(), "the kubeconfig names no cluster")
	return hostPortOf(cluster.Server)
}

func hostPortOf(rawURL string) string {
	parsed, err := url.Parse(rawURL)
	Expect(err).NotTo(HaveOccurred())
	Expect(parsed.Port()).NotTo(BeEmpty(), "%s has no port", rawURL)
	return parsed.Host
}

func canListen(hostPort string) error {
	listener, err := net.Listen("tcp", hostPort)
	if err != nil {
		return err
	}
	return listener.Close()
}
