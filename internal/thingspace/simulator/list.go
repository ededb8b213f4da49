package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

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

// campaignsWithStatus returns copies of the account's campaigns with that status now, sorted by
// id.
func (s *Server) campaignsWithStatus(account, status string) []thingspace.Campaign {
	s.mu.Lock()
	now := s.now()
	matching := []thingspace.Campaign{}
	for key, record := range s.campaigns {
		if key.account != account {
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
