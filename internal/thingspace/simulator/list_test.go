package simulator_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

type listPage struct {
	HasMoreData        bool                  `json:"hasMoreData"`
	LastSeenCampaignID string                `json:"lastSeenCampaignId"`
	CampaignList       []thingspace.Campaign `json:"campaignList"`
}

func listPath(acc, status, lastSeen string) string {
	return "/api/fota/v2/reports/" + acc + "/campaigns?campaignStatus=" + url.QueryEscape(status) +
		"&lastSeenCampaignId=" + url.QueryEscape(lastSeen)
}

// listAll reads every page of the account's campaigns with that status, and returns the ids of
// each page.
func (e *env) listAll(status string) [][]string {
	e.t.Helper()
	var pages [][]string
	for lastSeen := "0"; len(pages) < 100; {
		r := e.fota(http.MethodGet, listPath(account, status, lastSeen), "")
		wantStatus(e.t, r, http.StatusOK)
		page := decode[listPage](e.t, r)
		var ids []string
		for _, c := range page.CampaignList {
			ids = append(ids, c.ID)
		}
		pages = append(pages, ids)
		if len(ids) > 0 && page.LastSeenCampaignID != ids[len(ids)-1] {
			e.t.Fatalf("page after %s: lastSeenCampaignId %q, want its last campaign %q", lastSeen, page.LastSeenCampaignID, ids[len(ids)-1])
		}
		if !page.HasMoreData {
			break
		}
		lastSeen = page.LastSeenCampaignID
	}
	return pages
}

func TestCampaignListPages(t *testing.T) {
	tests := map[string]struct {
		status    string
		wantPages [][]string
	}{
		"the campaigns with the status, sorted by id, three a page": {status: "CampaignScheduled",
			wantPages: [][]string{{"s-1", "s-2", "s-3"}, {"s-4", "s-5", "s-6"}, {"s-7"}}},
		"the status is compared without case": {status: "campaignrequestpending",
			wantPages: [][]string{{"p-1", "p-2"}}},
		"the status must match exactly": {status: "RequestPending",
			wantPages: [][]string{nil}},
		"a status no campaign has gives one empty page": {status: "CampaignAborted",
			wantPages: [][]string{nil}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{ListPageSize: 3})
			for _, i := range []int{5, 2, 7, 1, 3, 6, 4} { // seeded out of order
				e.sim.Seed(fixture(fmt.Sprintf("s-%d", i), "2026-12-01", "2026-12-07"))
			}
			for i := 1; i <= 2; i++ {
				c := fixture(fmt.Sprintf("p-%d", i), "2026-12-01", "2026-12-07")
				c.Status = "CampaignRequestPending"
				e.sim.Seed(c)
			}
			elsewhere := fixture("s-0", "2026-12-01", "2026-12-07")
			elsewhere.AccountName = "0999999999-00001"
			e.sim.Seed(elsewhere)

			if diff := cmp.Diff(tt.wantPages, e.listAll(tt.status)); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCampaignListShowsTheWholeCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("listed", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	r := e.fota(http.MethodGet, listPath(account, "CampaignScheduled", "0"), "")

	want := listPage{LastSeenCampaignID: "listed", CampaignList: []thingspace.Campaign{c}}
	if diff := cmp.Diff(want, decode[listPage](t, r)); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
}

func TestCampaignListFollowsANewCampaignThroughItsChecks(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Minute})
	created := e.schedule("1")
	pendingBefore, queuedBefore := e.listAll("CampaignRequestPending"), e.listAll("CampaignRequestQueued")

	e.clock.Advance(time.Minute)

	if want := [][]string{{created.ID}}; !cmp.Equal(pendingBefore, want) || !cmp.Equal(queuedBefore, [][]string{nil}) {
		t.Errorf("while pending: pending %v, queued %v; want it listed as pending only", pendingBefore, queuedBefore)
	}
	if pending, queued := e.listAll("CampaignRequestPending"), e.listAll("CampaignRequestQueued"); !cmp.Equal(pending, [][]string{nil}) ||
		!cmp.Equal(queued, [][]string{{created.ID}}) {
		t.Errorf("after AcceptDelay: pending %v, queued %v; want it listed as queued only", pending, queued)
	}
}

func TestCampaignListPagingSurvivesAStatusChange(t *testing.T) {
	e := newEnv(t, simulator.Options{ListPageSize: 2})
	for i := 1; i <= 4; i++ {
		e.sim.Seed(fixture(fmt.Sprintf("s-%d", i), "2026-12-01", "2026-12-07"))
	}
	first := decode[listPage](t, e.fota(http.MethodGet, listPath(account, "CampaignScheduled", "0"), ""))

	if err := e.sim.SetStatus(account, first.LastSeenCampaignID, "CampaignCancelled"); err != nil {
		t.Fatal(err)
	}
	second := decode[listPage](t, e.fota(http.MethodGet, listPath(account, "CampaignScheduled", first.LastSeenCampaignID), ""))

	if len(second.CampaignList) != 2 || second.CampaignList[0].ID != "s-3" || second.HasMoreData {
		t.Errorf("second page after the last campaign of the first one changed status: %+v, want s-3 and s-4", second)
	}
}

func TestCampaignListNeedsCampaignStatus(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.fota(http.MethodGet, "/api/fota/v2/reports/"+account+"/campaigns?lastSeenCampaignId=0", "")

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "campaignStatus is required")
	if got := e.sim.Count(http.MethodGet, simulator.KindList); got != 1 {
		t.Errorf("Count(GET, list) = %d, want 1", got)
	}
}

// A search index that has not caught up: the list misses a campaign scheduled a moment ago,
// which is how two operators can both find no campaign of a name and both POST it.
func TestListLagKeepsNewCampaignsOutOfTheList(t *testing.T) {
	tests := map[string]struct {
		lag        time.Duration
		after      time.Duration // how long after the POST the list is read
		wantListed bool
	}{
		"a campaign scheduled less than the lag ago is not listed": {lag: time.Minute, after: time.Minute - time.Nanosecond},
		"it is listed once the lag has passed":                     {lag: time.Minute, after: time.Minute, wantListed: true},
		"without a lag it is listed at once":                       {wantListed: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			// ThingSpace's checks outlast the test, so the status the list is asked for stays.
			e := newEnv(t, simulator.Options{AcceptDelay: time.Hour})
			e.sim.SetListLag(tt.lag)
			created := e.schedule("1")

			e.clock.Advance(tt.after)
			pages := e.listAll(created.Status)

			if listed := len(pages[0]) == 1 && pages[0][0] == created.ID; listed != tt.wantListed {
				t.Errorf("list %v: listed %t, want %t", pages, listed, tt.wantListed)
			}
			if got := e.statusOf(created.ID); got != created.Status {
				t.Errorf("GET of the new campaign: status %s, want %s: the lag is the list's only", got, created.Status)
			}
		})
	}
}

func TestListLagLeavesSeededCampaignsListed(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.sim.Seed(fixture("seeded", "2026-12-01", "2026-12-07"))
	e.sim.SetListLag(time.Hour)

	if pages := e.listAll("CampaignScheduled"); len(pages[0]) != 1 {
		t.Errorf("list %v, want the seeded campaign", pages)
	}
}
