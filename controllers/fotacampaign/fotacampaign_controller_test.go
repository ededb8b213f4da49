package fotacampaign_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// quietly is how long a test watches for something that must not happen, in real time. Nothing
// in the suite happens on a timer of its own, so a hot loop would show within it.
const quietly = 300 * time.Millisecond

// The specs run in this order; the last one searches everything the others logged.
var _ = Describe("FotaCampaign controller", func() {
	It("1. adopts a campaign ThingSpace already holds with the same schedule, without a PUT", func() {
		schedule := pendingSchedule()
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(schedule)
		observedAt := clk.Now()
		f.createCampaign(schedule, false)

		f.expectSynced(fotav1alpha1.ReasonSynced)
		f.expectDue(observedAt.Add(pollInterval))
		fc := f.get()
		Expect(fc.Status.Applied).To(Equal(&schedule))
		Expect(fc.Status.Campaign).To(Equal(&fotav1alpha1.CampaignInfo{
			ID:               f.campaignID,
			CampaignName:     "FOTA_Test_Upgrade",
			SoftwareName:     "FOTA_Test_Model-A_02To03_HF",
			DistributionType: "HTTP",
			Make:             "Verizon",
			Model:            "Model-A",
			SoftwareFrom:     "FOTA_Test_Model-A_00To01_HF",
			SoftwareTo:       "FOTA_Test_Model-A_02To03_HF",
			Status:           simulator.StatusScheduled,
		}))
		Expect(fc.Status.Phase).To(Equal(fotav1alpha1.PhasePending))
		Expect(f.ready().Status).To(Equal(metav1.ConditionTrue))
		Expect(f.ready().Reason).To(Equal(fotav1alpha1.ReasonReady))
		Expect(fc.Status.LastObservedTime.Time).To(BeTemporally("~", observedAt, time.Second))
		Expect(fc.Status.LastPushedTime).To(BeNil())
		Expect(f.gets()).To(HaveLen(1))
		Consistently(f.puts, quietly).Should(BeEmpty())
	})

	It("2. pushes a spec change with exactly one PUT carrying the full payload and the Secret's tokens", func() {
		f := adopt(pendingSchedule())
		desired := pendingSchedule()
		desired.EndDate = day(20)
		desired.DownloadAfterDate = nil
		desired.InstallTimeWindowList = append(desired.InstallTimeWindowList, fotav1alpha1.TimeWindow{StartTime: 7, EndTime: 8})
		pushedAt := clk.Now()
		f.setSchedule(desired)

		synced := f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(synced.ObservedGeneration).To(BeEquivalentTo(2))
		Expect(f.puts()).To(HaveLen(1))
		put := f.puts()[0]
		Expect(put.Status).To(Equal(http.StatusOK))
		Expect(put.AccessToken).To(Equal(tokensA.AccessToken))
		Expect(put.SessionToken).To(Equal(tokensA.SessionToken))
		Expect(put.ContentType).To(Equal("application/json"))
		body := payloadKeys(put.Body)
		Expect(body).To(HaveLen(6))
		Expect(body).To(HaveKeyWithValue("startDate", json.RawMessage(`"`+string(desired.StartDate)+`"`)))
		Expect(body).To(HaveKeyWithValue("endDate", json.RawMessage(`"`+string(desired.EndDate)+`"`)))
		Expect(body).To(HaveKeyWithValue("downloadAfterDate", json.RawMessage(`null`)))
		Expect(body).To(HaveKeyWithValue("downloadTimeWindowList", json.RawMessage(`[{"startTime":3,"endTime":4}]`)))
		Expect(body).To(HaveKeyWithValue("installAfterDate", json.RawMessage(`"`+string(*desired.InstallAfterDate)+`"`)))
		Expect(body).To(HaveKeyWithValue("installTimeWindowList", json.RawMessage(`[{"startTime":5,"endTime":6},{"startTime":7,"endTime":8}]`)))

		fc := f.get()
		Expect(fc.Status.Applied).To(Equal(&desired))
		Expect(fc.Status.LastPushedTime.Time).To(BeTemporally("~", pushedAt, time.Second))
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
		f.expectEvent(corev1.EventTypeNormal, "Pushed", "generation 2")
		Consistently(f.puts, quietly).Should(HaveLen(1))
	})

	It("3. refuses an illegal change with the webhook off: TransitionNotAllowed and no PUT", func() {
		f := adopt(inProgressSchedule())
		Expect(f.phase()).To(Equal(fotav1alpha1.PhaseInProgress))
		desired := inProgressSchedule()
		desired.DownloadTimeWindowList = []fotav1alpha1.TimeWindow{{StartTime: 0, EndTime: 3}}
		f.setSchedule(desired)

		synced := f.expectSynced(fotav1alpha1.ReasonTransitionNotAllowed)
		Expect(synced.Message).To(ContainSubstring("spec.downloadTimeWindowList"))
		Expect(synced.Message).To(ContainSubstring("window {1,3}"))
		Expect(f.ready().Reason).To(Equal(fotav1alpha1.ReasonNotSynced))
		Expect(f.get().Status.Applied).To(Equal(ptr.To(inProgressSchedule())))
		f.expectEvent(corev1.EventTypeWarning, fotav1alpha1.ReasonTransitionNotAllowed, "{1,3}")
		Consistently(f.puts, quietly).Should(BeEmpty())
		Expect(sim.Violations()).NotTo(ContainElement(HaveField("CampaignID", f.campaignID)))
	})

	It("4. reports a 400 as ThingSpaceRejected with its code and does not retry it until the spec changes or a poll passes", func() {
		f := adopt(pendingSchedule())
		sim.InjectFault(simulator.Fault{
			CampaignID: f.campaignID, Kind: simulator.KindDates, Status: http.StatusBadRequest,
			Body: `{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid date window"}`,
		})
		DeferCleanup(sim.ClearFaults)
		desired := pendingSchedule()
		desired.EndDate = day(18)
		f.setSchedule(desired)

		synced := f.expectSynced(fotav1alpha1.ReasonThingSpaceRejected)
		Expect(synced.Message).To(ContainSubstring("INVALID_PARAMETER: Invalid date window"))
		Expect(f.puts()).To(HaveLen(1))
		f.expectEvent(corev1.EventTypeWarning, fotav1alpha1.ReasonThingSpaceRejected, "INVALID_PARAMETER: Invalid date window")

		By("rotating the Secret and letting ten seconds pass")
		f.updateSecret(staticTokens(tokensB))
		for range 10 {
			advance(time.Second)
			Consistently(func() int { return len(f.puts()) }, quietly/3).Should(BeNumerically("<=", 2))
		}
		Expect(f.puts()).To(HaveLen(1), "a rejected spec is not pushed again before the next poll")

		By("changing the spec, which is pushed at once")
		desired.EndDate = day(19)
		f.setSchedule(desired)
		Eventually(f.puts).Should(HaveLen(2))
		f.expectSynced(fotav1alpha1.ReasonThingSpaceRejected)

		By("letting the poll interval pass once ThingSpace accepts the schedule again")
		sim.ClearFaults()
		advance(pollInterval)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.puts()).To(HaveLen(3))
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
	})

	It("4b. does not loop when ThingSpace accepts a schedule but replies with another one", func() {
		schedule := pendingSchedule()
		f := adopt(schedule)
		unchanged, ok := sim.Campaign(account, f.campaignID)
		Expect(ok).To(BeTrue())
		reply, err := json.Marshal(unchanged)
		Expect(err).NotTo(HaveOccurred())
		sim.InjectFault(simulator.Fault{CampaignID: f.campaignID, Kind: simulator.KindDates, Status: http.StatusOK, Body: string(reply)})
		DeferCleanup(sim.ClearFaults)
		desired := pendingSchedule()
		desired.EndDate = day(17)
		f.setSchedule(desired)

		synced := f.expectSynced(fotav1alpha1.ReasonThingSpaceRejected)
		Expect(synced.Message).To(ContainSubstring("accepted the schedule but replied with a different one (endDate)"))
		Expect(f.get().Status.Applied).To(Equal(&schedule))
		f.updateSecret(staticTokens(tokensB))
		for range 10 {
			advance(time.Second)
		}
		Consistently(f.puts, quietly).Should(HaveLen(1))

		sim.ClearFaults()
		advance(pollInterval)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.puts()).To(HaveLen(2))
	})

	It("5a. converges after three 503s, backing off exponentially in between", func() {
		f := adopt(pendingSchedule())
		sim.InjectFault(simulator.Fault{CampaignID: f.campaignID, Kind: simulator.KindDates, Status: http.StatusServiceUnavailable, Times: 3})
		desired := pendingSchedule()
		desired.EndDate = day(21)
		f.setSchedule(desired)

		f.expectSynced(fotav1alpha1.ReasonThingSpaceUnavailable)
		var backoffs []time.Duration
		for attempt := 2; attempt <= 4; attempt++ {
			backoff := f.dueWithin(time.Second)
			backoffs = append(backoffs, backoff)
			Consistently(f.puts, quietly).Should(HaveLen(attempt-1), "no retry while the clock stands still")
			advance(backoff)
			Eventually(f.puts).Should(HaveLen(attempt))
		}
		Expect(backoffs[0]).To(BeNumerically(">", 0))
		Expect(backoffs[1]).To(Equal(2 * backoffs[0]))
		Expect(backoffs[2]).To(Equal(2 * backoffs[1]))
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
	})

	It("5b. waits for Retry-After after a 429, even when something else wakes the campaign", func() {
		f := adopt(pendingSchedule())
		sim.InjectFault(simulator.Fault{CampaignID: f.campaignID, Kind: simulator.KindDates, Status: http.StatusTooManyRequests, RetryAfter: "2", Times: 1})
		limitedAt := clk.Now()
		desired := pendingSchedule()
		desired.EndDate = day(22)
		f.setSchedule(desired)

		synced := f.expectSynced(fotav1alpha1.ReasonRateLimited)
		Expect(synced.Message).To(ContainSubstring("429"))
		Expect(f.puts()).To(HaveLen(1))
		f.expectDue(limitedAt.Add(2 * time.Second))

		By("rotating the Secret, which wakes the campaign before Retry-After has passed")
		f.updateSecret(staticTokens(tokensB))
		advance(2*time.Second - time.Millisecond)
		Consistently(f.calls, quietly).Should(HaveLen(3), "the adoption GET, the GET before the PUT and the rate-limited PUT only")

		advance(time.Millisecond)
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.puts()).To(HaveLen(2))
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
	})

	It("6a. uses a rotated Secret's tokens for the next PUT", func() {
		f := adopt(pendingSchedule())
		f.updateSecret(staticTokens(tokensB))
		desired := pendingSchedule()
		desired.EndDate = day(23)
		f.setSchedule(desired)

		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.puts()).To(HaveLen(1))
		Expect(f.puts()[0].AccessToken).To(Equal(tokensB.AccessToken))
		Expect(f.puts()[0].SessionToken).To(Equal(tokensB.SessionToken))
	})

	It("6b. waits for a missing Secret without calling ThingSpace, and recovers when it appears, with no edit to the campaign", func() {
		f := newFixture()
		f.seed(pendingSchedule())
		f.createCampaign(pendingSchedule(), false)

		synced := f.expectSynced(fotav1alpha1.ReasonCredentialsNotFound)
		Expect(synced.Message).To(ContainSubstring(`Secret "thingspace-credentials"`))
		Expect(synced.Message).To(ContainSubstring("does not exist"))
		f.expectEvent(corev1.EventTypeWarning, fotav1alpha1.ReasonCredentialsNotFound, "thingspace-credentials")

		By("creating the Secret without its session token")
		f.createSecret(map[string]string{"accessToken": tokensA.AccessToken})
		Eventually(func() string { return f.synced().Message }).Should(ContainSubstring("missing sessionToken"))
		Expect(f.synced().Reason).To(Equal(fotav1alpha1.ReasonCredentialsNotFound))
		Expect(f.calls()).To(BeEmpty())

		By("completing the Secret")
		f.updateSecret(staticTokens(tokensA))
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.get().Generation).To(BeEquivalentTo(1))
		Expect(f.puts()).To(BeEmpty())
	})

	It("7a. mints an access token and logs in for a session token from the Secret's credentials", func() {
		f := newFixture()
		f.createSecret(mintingCredentials(suiteClientSecret, mintingUser, suitePassword))
		f.seed(pendingSchedule())
		desired := pendingSchedule()
		desired.EndDate = day(24)
		f.createCampaign(desired, false)

		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(logins(mintingUser)).To(HaveLen(1))
		Expect(sim.Count(http.MethodPost, simulator.KindToken)).To(BeNumerically(">=", 1))
		Expect(f.puts()).To(HaveLen(1))
		for _, call := range f.calls() {
			Expect(call.Status).To(Equal(http.StatusOK))
			Expect([]string{tokensA.AccessToken, tokensB.AccessToken}).NotTo(ContainElement(call.AccessToken))
			Expect(call.AccessToken).NotTo(BeEmpty())
			Expect(call.SessionToken).NotTo(BeEmpty())
		}
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
	})

	It("7b. does not repeat a rejected login until the credentials in the Secret change", func() {
		f := newFixture()
		f.createSecret(mintingCredentials(suiteClientSecret, rejectedUser, wrongPassword))
		f.seed(pendingSchedule())
		f.createCampaign(pendingSchedule(), false)

		synced := f.expectSynced(fotav1alpha1.ReasonCredentialsRejected)
		Expect(synced.Message).To(ContainSubstring("session login"))
		Expect(logins(rejectedUser)).To(HaveLen(1))
		f.expectDue(clk.Now().Add(pollInterval))

		By("letting three poll intervals pass")
		for range 3 {
			advance(pollInterval)
			f.expectDue(clk.Now().Add(pollInterval))
		}
		Expect(logins(rejectedUser)).To(HaveLen(1))
		Expect(f.calls()).To(BeEmpty())
		f.expectEvent(corev1.EventTypeWarning, fotav1alpha1.ReasonCredentialsRejected, "session login")
		Expect(f.eventReasons()).To(ConsistOf(fotav1alpha1.ReasonCredentialsRejected), "one event, not one per poll")

		By("editing the Secret's labels and annotations five times, as a reloader or a GitOps tool would")
		for edit := range 5 {
			f.editSecretMetadata(fmt.Sprintf("edit-%d", edit))
		}
		Consistently(func() []simulator.Request { return logins(rejectedUser) }, quietly).Should(HaveLen(1),
			"only new credential values are worth a login: five failed ones lock the account")

		By("fixing the password in the Secret")
		f.updateSecret(mintingCredentials(suiteClientSecret, rejectedUser, suitePassword))
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(logins(rejectedUser)).To(HaveLen(2))
	})

	It("8. moves the phase Pending, InProgress, Ended at the exact boundaries", func() {
		today := clk.Now().UTC().Truncate(24 * time.Hour)
		start := today.AddDate(0, 0, 1)
		end := start.AddDate(0, 0, 1)
		advance(start.Add(-5 * time.Minute).Sub(clk.Now()))
		adoptedAt := clk.Now()
		f := adopt(fotav1alpha1.Schedule{StartDate: dateOf(start), EndDate: dateOf(start)})
		Expect(f.phase()).To(Equal(fotav1alpha1.PhasePending))
		f.expectDue(start)

		advance(5*time.Minute - time.Nanosecond)
		Consistently(f.phase, quietly).Should(Equal(fotav1alpha1.PhasePending))
		advance(time.Nanosecond)
		Eventually(f.phase).Should(Equal(fotav1alpha1.PhaseInProgress))
		Expect(f.ready().Status).To(Equal(metav1.ConditionTrue))
		f.expectDue(adoptedAt.Add(pollInterval))

		By("letting the day pass up to the last nanosecond, with a poll on the way")
		advance(end.Add(-time.Nanosecond).Sub(clk.Now()))
		f.expectDue(end)
		Consistently(f.phase, quietly).Should(Equal(fotav1alpha1.PhaseInProgress))
		advance(time.Nanosecond)
		Eventually(f.phase).Should(Equal(fotav1alpha1.PhaseEnded))
		Expect(f.ready().Status).To(Equal(metav1.ConditionTrue))
		Expect(f.puts()).To(BeEmpty())
	})

	It("9. stays quiet at rest: polls, but no PUT and no write to the object", func() {
		f := adopt(pendingSchedule())
		before := f.get()

		for poll := 1; poll <= 3; poll++ {
			advance(pollInterval)
			Eventually(f.gets).Should(HaveLen(1 + poll))
			f.expectDue(clk.Now().Add(pollInterval))
		}
		after := f.get()
		Expect(after.ResourceVersion).To(Equal(before.ResourceVersion))
		Expect(after.Status.LastObservedTime).To(Equal(before.Status.LastObservedTime))
		Expect(f.puts()).To(BeEmpty())
	})

	It("10. corrects drift at the next poll and records an event", func() {
		schedule := pendingSchedule()
		f := adopt(schedule)
		drifted := pendingSchedule()
		drifted.EndDate = day(25)
		drifted.InstallTimeWindowList = nil
		Expect(sim.SetSchedule(account, f.campaignID, wire.Dates(drifted))).To(Succeed())

		advance(pollInterval)
		Eventually(f.puts).Should(HaveLen(1))
		f.expectEvent(corev1.EventTypeWarning, "DriftDetected", "endDate, installTimeWindowList")
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.thingSpaceSchedule()).To(Equal(schedule))
		Expect(f.get().Status.Applied).To(Equal(&schedule))
	})

	It("11. makes no ThingSpace call while suspended, and resumes when unsuspended", func() {
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		f.seed(pendingSchedule())
		desired := pendingSchedule()
		desired.EndDate = day(26)
		f.createCampaign(desired, true)

		f.expectSynced(fotav1alpha1.ReasonSuspended)
		Expect(f.ready().Reason).To(Equal(fotav1alpha1.ReasonNotSynced))
		f.expectDue(clk.Now().Add(pollInterval))
		advance(pollInterval)
		f.expectDue(clk.Now().Add(pollInterval))
		Expect(f.calls()).To(BeEmpty())

		f.update(func(fc *fotav1alpha1.FotaCampaign) { fc.Spec.Suspend = ptr.To(false) })
		f.expectSynced(fotav1alpha1.ReasonSynced)
		Expect(f.puts()).To(HaveLen(1))
		Expect(f.thingSpaceSchedule()).To(Equal(desired))
	})

	It("13. reports a ThingSpace schedule the spec could not express, instead of failing to write the status", func() {
		// ThingSpace holds a window across midnight, which the CRD refuses in a spec. The status
		// must still show it, and the reason nothing can be pushed.
		f := newFixture()
		f.createSecret(staticTokens(tokensA))
		held := inProgressSchedule()
		held.DownloadTimeWindowList = append(held.DownloadTimeWindowList, fotav1alpha1.TimeWindow{StartTime: 22, EndTime: 2})
		f.seed(held)
		f.createCampaign(inProgressSchedule(), false)

		synced := f.expectSynced(fotav1alpha1.ReasonTransitionNotAllowed)
		Expect(synced.Message).To(ContainSubstring("window {22,2}"))
		Expect(f.get().Status.Applied).To(Equal(&held))
		Consistently(f.puts, quietly).Should(BeEmpty())
	})

	It("12. refuses a wrong client secret and mints afresh after expiry, showing no secret (searched after the suite)", func() {
		By("refusing a wrong client secret")
		refused := newFixture()
		refused.createSecret(mintingCredentials(wrongClientSecret, expiryUser, suitePassword))
		refused.seed(pendingSchedule())
		refused.createCampaign(pendingSchedule(), false)
		Expect(refused.expectSynced(fotav1alpha1.ReasonCredentialsRejected).Message).To(ContainSubstring("client credentials"))

		By("minting new tokens after ThingSpace expired the old ones")
		expired := newFixture()
		expired.createSecret(mintingCredentials(suiteClientSecret, expiryUser, suitePassword))
		expired.seed(pendingSchedule())
		expired.createCampaign(pendingSchedule(), false)
		expired.expectSynced(fotav1alpha1.ReasonSynced)
		expired.expectDue(clk.Now().Add(pollInterval))
		sim.ExpireTokens()
		advance(pollInterval)
		Eventually(expired.gets).Should(HaveLen(3), "the refused GET and the one with fresh tokens")
		expired.expectSynced(fotav1alpha1.ReasonSynced)
		refused.expectEvent(corev1.EventTypeWarning, fotav1alpha1.ReasonCredentialsRejected, "client credentials")

	})
})

// expectNoSecretShown searches everything the suite logged, every event and every status for the
// suite's secrets and every token the simulator saw, in plain text and in base64. It runs after
// every spec, so whatever a spec made the operator say is searched.
func expectNoSecretShown() {
	secrets := secretValues()
	for _, r := range sim.Requests() {
		secrets = append(secrets, r.AccessToken, r.SessionToken)
	}
	secrets = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(secrets))), func(s string) bool { return s == "" })
	Expect(len(secrets)).To(BeNumerically(">", len(secretValues())), "the minted tokens are searched for too")

	captured := map[string]string{
		"logs":     logs.String() + hexDumpText(logs.String()),
		"events":   allEventText(),
		"statuses": allStatuses(),
	}
	Expect(captured["logs"]).To(ContainSubstring("Pushing schedule to ThingSpace"))
	Expect(captured["events"]).To(ContainSubstring("client credentials"))
	for where, text := range captured {
		for _, secret := range secrets {
			Expect(text).NotTo(ContainSubstring(secret), "a secret in the %s", where)
			Expect(text).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(secret))), "a secret in the %s", where)
		}
	}
}

// allEventText is every event of the cluster, in both event APIs, as text.
func allEventText() string {
	var text strings.Builder
	var events eventsv1.EventList
	Expect(k8sClient.List(ctx, &events)).To(Succeed())
	for _, e := range events.Items {
		text.WriteString(e.Reason + " " + e.Action + " " + e.Note + "\n")
	}
	var coreEvents corev1.EventList
	Expect(k8sClient.List(ctx, &coreEvents)).To(Succeed())
	for _, e := range coreEvents.Items {
		text.WriteString(e.Reason + " " + e.Message + "\n")
	}
	return text.String()
}

// allStatuses is the status of every FotaCampaign of the cluster, as JSON.
func allStatuses() string {
	var list fotav1alpha1.FotaCampaignList
	Expect(k8sClient.List(ctx, &list)).To(Succeed())
	var text strings.Builder
	for _, fc := range list.Items {
		status, err := json.Marshal(fc.Status)
		Expect(err).NotTo(HaveOccurred())
		text.Write(status)
	}
	return text.String()
}

// hexDumpLine is a line of encoding/hex.Dump: offset, sixteen bytes in hex, then the same bytes
// as text between bars. client-go logs API reply bodies that are not JSON (a protobuf Secret) so.
var hexDumpLine = regexp.MustCompile(`^[0-9a-f]{8}  .{50}\|(.*)\|$`)

// hexDumpText joins the text columns of every hex dump in the JSON log lines, so that a secret cut
// across two dump lines is found as well.
func hexDumpText(logText string) string {
	var text strings.Builder
	for _, line := range strings.Split(logText, "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			continue
		}
		for _, value := range entry {
			s, ok := value.(string)
			if !ok {
				continue
			}
			for _, dumpLine := range strings.Split(s, "\n") {
				if m := hexDumpLine.FindStringSubmatch(dumpLine); m != nil {
					text.WriteString(m[1])
				}
			}
			text.WriteString("\n")
		}
	}
	return text.String()
}
