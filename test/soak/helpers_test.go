package soak

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// emptyReplyServer answers every FOTA call about the campaigns it was told about with a 200 and
// no body at all, which the simulator's faults cannot express (an empty fault body means the
// default one), and hands every other request to the simulator.
type emptyReplyServer struct {
	next http.Handler

	mu        sync.Mutex
	campaigns map[string]bool
}

func newEmptyReplyServer(next http.Handler) *emptyReplyServer {
	return &emptyReplyServer{next: next, campaigns: map[string]bool{}}
}

func (s *emptyReplyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.answersEmpty(campaignIDOf(r.URL.Path)) {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.next.ServeHTTP(w, r)
}

// campaignIDOf returns {campaignId} of /api/fota/v2/campaigns/{acc}/{campaignId}[/dates].
func campaignIDOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/fota/v2/campaigns/")
	if !ok {
		return ""
	}
	segments := strings.Split(rest, "/")
	if len(segments) < 2 {
		return ""
	}
	return segments[1]
}

func (s *emptyReplyServer) answersEmpty(campaignID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.campaigns[campaignID]
}

func (s *emptyReplyServer) set(campaignID string, empty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if empty {
		s.campaigns[campaignID] = true
	} else {
		delete(s.campaigns, campaignID)
	}
}

// unconverged describes each FotaCampaign of the fleet that is not converged at generation: its
// Synced=True outcome recorded for that generation, status.applied equal to the spec, and
// ThingSpace holding the spec. No description means the whole fleet converged.
func unconverged(g Gomega, fleet *harness.Fleet, generation int64) []string {
	var list fotav1alpha1.FotaCampaignList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(fleet.Namespace))).To(Succeed())
	g.Expect(list.Items).To(HaveLen(len(fleet.Campaigns)))
	var problems []string
	for i := range list.Items {
		if problem := convergenceProblem(&list.Items[i], generation); problem != "" {
			problems = append(problems, list.Items[i].Name+": "+problem)
		}
	}
	return problems
}

func convergenceProblem(fc *fotav1alpha1.FotaCampaign, generation int64) string {
	switch {
	case fc.Generation != generation:
		return fmt.Sprintf("generation %d, want %d", fc.Generation, generation)
	case !harness.Converged(fc):
		return fmt.Sprintf("not Synced=True at its generation (observedGeneration %d, conditions %v)",
			fc.Status.ObservedGeneration, fc.Status.Conditions)
	case fc.Status.Applied == nil || !campaign.Equal(*fc.Status.Applied, fc.Spec.Schedule):
		return fmt.Sprintf("status.applied %+v differs from the spec %+v", fc.Status.Applied, fc.Spec.Schedule)
	}
	held, ok := sim.Campaign(fc.Spec.AccountName, fc.Spec.CampaignID)
	if !ok {
		return "ThingSpace does not hold the campaign"
	}
	if !campaign.Equal(wire.Schedule(held), fc.Spec.Schedule) {
		return fmt.Sprintf("ThingSpace holds %+v, the spec is %+v", wire.Schedule(held), fc.Spec.Schedule)
	}
	return ""
}

// expectConverged waits, polling, until the fleet converged at generation, and returns how long
// that took.
func expectConverged(fleet *harness.Fleet, generation int64, since time.Time) time.Duration {
	timeout := time.Minute + time.Duration(len(fleet.Campaigns))*500*time.Millisecond
	Eventually(func(g Gomega) []string { return unconverged(g, fleet, generation) }).
		WithTimeout(timeout).WithPolling(250*time.Millisecond).
		Should(BeEmpty(), "FotaCampaigns not converged at generation %d within %s", generation, timeout)
	return time.Since(since)
}

// requestsOf returns the ThingSpace requests about the accounts.
func requestsOf(accounts []string) []simulator.Request {
	wanted := map[string]bool{}
	for _, account := range accounts {
		wanted[account] = true
	}
	var requests []simulator.Request
	for _, r := range sim.Requests() {
		if wanted[r.Account] {
			requests = append(requests, r)
		}
	}
	return requests
}
