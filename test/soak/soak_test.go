package soak

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// editWorkers is how many edits the soak sends at once, like a GitOps sync of many manifests.
const editWorkers = 8

// editRounds is how many times the soak edits every campaign.
const editRounds = 2

var _ = Describe("A fleet of campaigns while ThingSpace fails 30% of its calls", Ordered, func() {
	var (
		fleet   *harness.Fleet
		figures soakFigures
	)

	BeforeAll(func() {
		fleet = harness.NewFleet(harness.FleetOptions{
			Namespace: "soak", Size: *soakCampaigns, Accounts: *soakAccounts,
			AccountPrefix: "0402196254", Today: time.Now(),
		})
		fleet.Seed(sim)
		for _, account := range fleet.Accounts() {
			// The first fault that hits decides: 10% of the calls get a 429, and 2/9 of the
			// other 90% (20% of all calls) a 503 with a gateway's HTML page.
			sim.InjectFault(simulator.Fault{Account: account, Status: http.StatusTooManyRequests, RetryAfter: "1", Probability: 0.1})
			sim.InjectFault(simulator.Fault{Account: account, Status: http.StatusServiceUnavailable, Probability: 0.2 / 0.9})
		}
		DeferCleanup(sim.ClearFaults)
		Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
		figures = soakFigures{campaigns: len(fleet.Campaigns), accounts: len(fleet.Accounts())}
	})

	It("converges every campaign it is given", func() {
		start := time.Now()
		Expect(fleet.CreateCampaigns(ctx, k8sClient, editWorkers)).To(Succeed())
		figures.converged("create", expectConverged(fleet, 1, start))
	})

	It("converges a round of edits although the manager is killed with SIGKILL half-way", func() {
		start := time.Now()
		pushedBefore := acceptedPuts(fleet)
		Expect(fleet.Edit(ctx, k8sClient, editWorkers, addInstallWindow)).To(Succeed())

		By("killing the manager once a third of the edits reached ThingSpace")
		Eventually(func() int { return acceptedPuts(fleet) - pushedBefore }).
			WithTimeout(2 * time.Minute).WithPolling(50 * time.Millisecond).
			Should(BeNumerically(">=", max(len(fleet.Campaigns)/3, 1)))
		Expect(manager.Kill()).To(Succeed())
		figures.pushedBeforeKill = acceptedPuts(fleet) - pushedBefore

		// A restarted pod takes seconds; starting at once could put the killed manager's last
		// calls and the new one's first burst into one second, which no single limiter allows.
		By("restarting it once the killed manager's last call is a second old")
		Eventually(func() time.Duration { return time.Since(lastArrival(fleet)) }).
			WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).
			Should(BeNumerically(">", time.Second))
		startManager()
		figures.converged("edit 1, with the kill and restart", expectConverged(fleet, 2, start))
	})

	It("converges a second round of edits", func() {
		start := time.Now()
		Expect(fleet.Edit(ctx, k8sClient, editWorkers, moveEndDate)).To(Succeed())
		figures.converged("edit 2", expectConverged(fleet, 3, start))
	})

	It("sent ThingSpace no illegal or partial payload, each edit once, and kept every account under its rate limit", func() {
		Expect(violationsOf(fleet.Accounts())).To(BeEmpty())
		// A schedule ThingSpace already holds is never pushed again, not even by the manager
		// that replaced the killed one: one accepted PUT per campaign and round of edits.
		Expect(acceptedPuts(fleet)).To(Equal(editRounds * len(fleet.Campaigns)))
		for _, account := range fleet.Accounts() {
			Expect(sim.MaxRequestsPerSecond(account)).To(BeNumerically("<=", thingSpaceQPS+thingSpaceBurst),
				"requests for account %s in one second", account)
		}
		expectManagerRunning()
		figures.count(fleet)
		AddReportEntry("soak figures", figures.String(), ReportEntryVisibilityAlways)
	})
})

// addInstallWindow adds an install window to the schedule the fleet started with.
func addInstallWindow(_ int, s fotav1alpha1.Schedule) fotav1alpha1.Schedule {
	s.InstallTimeWindowList = append(slices.Clone(s.InstallTimeWindowList), fotav1alpha1.TimeWindow{StartTime: 7, EndTime: 8})
	return s
}

// moveEndDate keeps the added install window and moves the end date a day later.
func moveEndDate(i int, s fotav1alpha1.Schedule) fotav1alpha1.Schedule {
	s = addInstallWindow(i, s)
	end, err := time.Parse(time.DateOnly, string(s.EndDate))
	Expect(err).NotTo(HaveOccurred())
	s.EndDate = fotav1alpha1.Date(end.AddDate(0, 0, 1).Format(time.DateOnly))
	return s
}

// acceptedPuts counts the dates PUTs of the fleet that ThingSpace accepted.
func acceptedPuts(fleet *harness.Fleet) int {
	accepted := 0
	for _, r := range requestsOf(fleet.Accounts()) {
		if r.Kind == simulator.KindDates && r.Status == http.StatusOK {
			accepted++
		}
	}
	return accepted
}

// lastArrival is when the last ThingSpace request about the fleet arrived.
func lastArrival(fleet *harness.Fleet) time.Time {
	var last time.Time
	for _, r := range requestsOf(fleet.Accounts()) {
		if r.Time.After(last) {
			last = r.Time
		}
	}
	return last
}

func violationsOf(accounts []string) []simulator.Violation {
	var found []simulator.Violation
	for _, v := range sim.Violations() {
		if slices.Contains(accounts, v.Account) {
			found = append(found, v)
		}
	}
	return found
}

// soakFigures are what the soak prints at the end.
type soakFigures struct {
	campaigns, accounts int
	phases              []string
	durations           []time.Duration
	pushedBeforeKill    int
	acceptedPuts        int
	requests            int
	byKind              map[simulator.Kind]int
	byStatus            map[int]int
	maxPerSecond        int
}

func (f *soakFigures) converged(phase string, took time.Duration) {
	f.phases = append(f.phases, phase)
	f.durations = append(f.durations, took)
}

func (f *soakFigures) count(fleet *harness.Fleet) {
	f.byKind, f.byStatus = map[simulator.Kind]int{}, map[int]int{}
	for _, r := range requestsOf(fleet.Accounts()) {
		f.requests++
		f.byKind[r.Kind]++
		f.byStatus[r.Status]++
	}
	for _, account := range fleet.Accounts() {
		f.maxPerSecond = max(f.maxPerSecond, sim.MaxRequestsPerSecond(account))
	}
	f.acceptedPuts = acceptedPuts(fleet)
}

func (f soakFigures) String() string {
	var text strings.Builder
	fmt.Fprintf(&text, "%d campaigns over %d accounts; ThingSpace: 20%% 503, 10%% 429 (Retry-After: 1), %s latency; manager: %s\n",
		f.campaigns, f.accounts, simulatorLatency, strings.Join(managerFlags, " "))
	for i, phase := range f.phases {
		fmt.Fprintf(&text, "  converged after %-36s %s\n", phase+":", f.durations[i].Round(100*time.Millisecond))
	}
	fmt.Fprintf(&text, "  accepted PUTs of edit 1 before the SIGKILL:          %d\n", f.pushedBeforeKill)
	fmt.Fprintf(&text, "  ThingSpace requests:                                  %d (GET %d, PUT %d)\n",
		f.requests, f.byKind[simulator.KindGet], f.byKind[simulator.KindDates])
	fmt.Fprintf(&text, "  accepted PUTs:                                        %d (%d rounds of edits x %d campaigns)\n",
		f.acceptedPuts, editRounds, f.campaigns)
	fmt.Fprintf(&text, "  answered 200 / 503 / 429 / cut off by the SIGKILL:    %d / %d / %d / %d\n",
		f.byStatus[http.StatusOK], f.byStatus[http.StatusServiceUnavailable], f.byStatus[http.StatusTooManyRequests], f.byStatus[0])
	fmt.Fprintf(&text, "  retries (503 and 429 answers):                        %d\n",
		f.byStatus[http.StatusServiceUnavailable]+f.byStatus[http.StatusTooManyRequests])
	fmt.Fprintf(&text, "  most requests for one account in one second:         %d (limit %d + burst %d)\n",
		f.maxPerSecond, thingSpaceQPS, thingSpaceBurst)
	return text.String()
}
