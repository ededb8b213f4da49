package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

type campaignListPage struct {
	HasMoreData        bool                  `json:"hasMoreData"`
	LastSeenCampaignID string                `json:"lastSeenCampaignId"`
	CampaignList       []thingspace.Campaign `json:"campaignList"`
}

// listCampaigns is GET /reports/{acc}/campaigns?campaignStatus=...&lastSeenCampaignId=...: the
// account's campaigns whose status is campaignStatus (compared without case), sorted by id,
// Options.ListPageSize a page. A page names its last campaign in lastSeenCampaignId; the next
// page holds the campaigns whose ids sort after the one the caller sends back ("0" or none: the
// first page), so a campaign that changes status between two pages does not break the paging.
func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	status := query.Get("campaignStatus")
	if status == "" {
		writeInvalidParameter(w, "campaignStatus is required, e.g. campaignStatus="+StatusScheduled)
		return
	}
	writeJSON(w, http.StatusOK, s.campaignPage(r.PathValue("acc"), status, query.Get("lastSeenCampaignId")))
}

func (s *Server) campaignPage(account, status, lastSeen string) campaignListPage {
	matching := s.campaignsWithStatus(account, status)
	from := 0
	if lastSeen != "" && lastSeen != "0" {
		// The first campaign whose id sorts after lastSeen: the comparison never says "equal".
		from, _ = slices.BinarySearchFunc(matching, lastSeen, func(c thingspace.Campaign, id string) int {
			if c.ID <= id {
				return -1
			}
			return 1
		})
	}
	to := min(from+s.opts.ListPageSize, len(matching))
	page := campaignListPage{
		HasMoreData:        to < len(matching),
		LastSeenCampaignID: cmp.Or(lastSeen, "0"),
		CampaignList:       matching[from:to],
	}
	if to > from {
		page.LastSeenCampaignID = matching[to-1].ID
	}
	return page
}

// SetListLag makes the campaign list lag behind the campaigns, as a search index that has not
// caught up: a campaign scheduled by POST less than lag ago, on Options.Clock, is absent from
// list replies, while GET finds it. Seeded campaigns are always listed. Zero ends the lag.
func (s *Server) SetListLag(lag time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listLag = max(lag, 0)
}

// campaignsWithStatus returns copies of the account's campaigns with that status now that the
// list shows (see SetListLag), sorted by id.
func (s *Server) campaignsWithStatus(account, status string) []thingspace.Campaign {
	s.mu.Lock()
	now := s.now()
	matching := []thingspace.Campaign{}
	for key, record := range s.campaigns {
		if key.account != account || s.lagging(record, now) {
			continue
		}
		record.advance(now)
		if strings.EqualFold(record.campaign.Status, status) {
			matching = append(matching, copyCampaign(record.campaign))
		}
	}
	s.mu.Unlock()
	slices.SortFunc(matching, func(a, b thingspace.Campaign) int { return cmp.Compare(a.ID, b.ID) })
	return matching
}

// lagging reports whether the list does not show record yet; the caller holds s.mu.
func (s *Server) lagging(record *campaignRecord, now time.Time) bool {
	return s.listLag > 0 && !record.scheduledAt.IsZero() && now.Before(record.scheduledAt.Add(s.listLag))
}
