package soak

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// malformedReply is what ThingSpace answers, instead of a campaign, to every call about one
// campaign: a simulator fault, or an empty 200.
type malformedReply struct {
	fault simulator.Fault
	empty bool
}

// maxReadableMessage bounds a condition message a person reads in `kubectl describe`.
const maxReadableMessage = 512

var malformedCount int

var _ = Describe("Malformed ThingSpace replies", func() {
	DescribeTable("end in Synced=False/ThingSpaceUnavailable with a readable message, leave status.applied as it was, and heal once ThingSpace answers properly",
		func(reply malformedReply, wantInMessage string) {
			malformedCount++
			fleet := harness.NewFleet(harness.FleetOptions{
				Namespace: fmt.Sprintf("malformed-%d", malformedCount), Size: 1, Accounts: 1,
				AccountPrefix: "0402196254-malformed", Today: time.Now(),
			})
			fleet.Seed(sim)
			Expect(fleet.CreateNamespace(ctx, k8sClient)).To(Succeed())
			Expect(fleet.CreateCampaigns(ctx, k8sClient, 1)).To(Succeed())
			expectConverged(fleet, 1, time.Now())
			before := currentCampaign(fleet).Status

			By("answering every call about the campaign with the malformed reply, and editing it")
			campaignID := fleet.Campaigns[0].ID
			answerMalformed(campaignID, reply)
			DeferCleanup(func() { emptyReplies.set(campaignID, false) })
			Expect(fleet.Edit(ctx, k8sClient, 1, addInstallWindow)).To(Succeed())

			var synced *metav1.Condition
			Eventually(func(g Gomega) {
				fc := currentCampaign(fleet)
				synced = meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
				g.Expect(synced).NotTo(BeNil())
				g.Expect(synced.ObservedGeneration).To(Equal(int64(2)))
				g.Expect(fc.Status.ObservedGeneration).To(Equal(int64(2)))
			}).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
			Expect(synced.Status).To(Equal(metav1.ConditionFalse))
			Expect(synced.Reason).To(Equal(fotav1alpha1.ReasonThingSpaceUnavailable))
			expectReadable(synced.Message, wantInMessage)
			after := currentCampaign(fleet).Status
			Expect(after.Applied).To(Equal(before.Applied), "status.applied changed on a malformed reply")
			Expect(after.Campaign).To(Equal(before.Campaign), "status.campaign changed on a malformed reply")
			Expect(after.LastPushedTime).To(Equal(before.LastPushedTime), "status.lastPushedTime changed on a malformed reply")
			expectManagerRunning()

			By("answering properly again")
			sim.ClearFaults()
			emptyReplies.set(campaignID, false)
			expectConverged(fleet, 2, time.Now())
			Expect(sim.Violations()).To(BeEmpty())
		},
		Entry("invalid JSON in a 200",
			malformedReply{fault: simulator.Fault{Status: http.StatusOK, Body: `{"id": "60b5d639", "startDate": "2026-12-`}},
			"reply is not a campaign object"),
		Entry("a 10 MiB body, over the client's read limit",
			malformedReply{fault: simulator.Fault{Status: http.StatusOK, Body: `{"id":"` + strings.Repeat("x", 10<<20) + `"}`}},
			"byte limit"),
		Entry("a load balancer's HTML error page with a 502",
			malformedReply{fault: simulator.Fault{Status: http.StatusBadGateway}},
			"HTTP 502"),
		Entry("an HTML login page with a 200",
			malformedReply{fault: simulator.Fault{Status: http.StatusOK, Body: "<!DOCTYPE html><html><body><form>Sign in</form></body></html>"}},
			"reply is not a campaign object"),
		Entry("wrong field types: a number for a date, a string for a window list",
			malformedReply{fault: simulator.Fault{Status: http.StatusOK, Body: `{"id":"x","startDate":20261201,"downloadTimeWindowList":"3-4"}`}},
			"reply is not a campaign object"),
		Entry("an empty 200",
			malformedReply{empty: true},
			"reply is not a campaign object"),
		Entry("an empty JSON object in a 200",
			malformedReply{fault: simulator.Fault{Status: http.StatusOK, Body: `{}`}},
			"reply carries no campaign"),
	)
})

// answerMalformed makes ThingSpace answer every call about the campaign with reply.
func answerMalformed(campaignID string, reply malformedReply) {
	if reply.empty {
		emptyReplies.set(campaignID, true)
		return
	}
	fault := reply.fault
	fault.CampaignID = campaignID
	sim.InjectFault(fault)
}

func currentCampaign(fleet *harness.Fleet) *fotav1alpha1.FotaCampaign {
	GinkgoHelper()
	fc := &fotav1alpha1.FotaCampaign{}
	Expect(k8sClient.Get(ctx, fleet.Key(0), fc)).To(Succeed())
	return fc
}

// expectReadable checks that a condition message says what went wrong in a line a person can
// read: ThingSpace's unavailability and the cause, no markup, no dump of the reply.
func expectReadable(message, cause string) {
	GinkgoHelper()
	Expect(message).To(ContainSubstring("ThingSpace is unavailable"))
	Expect(message).To(ContainSubstring(cause))
	Expect(message).NotTo(ContainSubstring("<"), "markup of the reply in the message")
	Expect(utf8.ValidString(message)).To(BeTrue())
	Expect(len(message)).To(BeNumerically("<=", maxReadableMessage), "message: %s", message)
}
