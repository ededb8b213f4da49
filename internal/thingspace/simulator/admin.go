package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// adminPrefix is where the simulator's own controls live, next to ThingSpace's API. They have no
// authentication: the simulator is a test tool bound to loopback (see the package comment).
const adminPrefix = "/_sim/"

func (s *Server) registerAdmin() {
	s.admin.HandleFunc("GET /_sim/requests", s.adminRequests)
	s.admin.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	s.admin.HandleFunc("GET /_sim/campaigns", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Campaigns())
	})
	s.admin.HandleFunc("POST /_sim/campaigns", s.adminSeed)
	s.admin.HandleFunc("POST /_sim/faults", s.adminInjectFault)
	s.admin.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	s.admin.HandleFunc("GET /_sim/violations", s.adminViolations)
	s.admin.HandleFunc("POST /_sim/expire-tokens", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
}

// requestView is a recorded request as /_sim/requests shows it: tokens masked, login passwords
// redacted, the body as text.
type requestView struct {
	Time         time.Time `json:"time"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Kind         Kind      `json:"kind"`
	Account      string    `json:"account,omitempty"`
	CampaignID   string    `json:"campaignId,omitempty"`
	AccessToken  string    `json:"accessToken,omitempty"`
	SessionToken string    `json:"sessionToken,omitempty"`
	ContentType  string    `json:"contentType,omitempty"`
	Body         string    `json:"body"`
	Status       int       `json:"status"`
}

func (s *Server) adminRequests(w http.ResponseWriter, _ *http.Request) {
	requests := s.Requests()
	views := make([]requestView, len(requests))
	for i, r := range requests {
		views[i] = requestView{
			Time: r.Time, Method: r.Method, Path: r.Path, Kind: r.Kind,
			Account: r.Account, CampaignID: r.CampaignID,
			AccessToken: maskToken(r.AccessToken), SessionToken: maskToken(r.SessionToken),
			ContentType: r.ContentType, Body: shownBody(r), Status: r.Status,
		}
	}
	writeJSON(w, http.StatusOK, views)
}

// maskToken keeps enough of a token to tell two apart, not enough to use one.
func maskToken(token string) string {
	if token == "" {
		return ""
	}
	if len(token) <= 8 {
		return "****"
	}
	return "****" + token[len(token)-4:]
}

// shownBody is a request body fit for a shared screen: a login's password is redacted.
func shownBody(r Request) string {
	if r.Kind != KindLogin {
		return string(r.Body)
	}
	var credentials loginRequest
	if err := json.Unmarshal(r.Body, &credentials); err != nil {
		return "(login body redacted)"
	}
	credentials.Password = "****"
	return mustJSON(credentials)
}

type violationView struct {
	Account    string `json:"account"`
	CampaignID string `json:"campaignId"`
	Reason     string `json:"reason"`
	Body       string `json:"body"`
}

func (s *Server) adminViolations(w http.ResponseWriter, _ *http.Request) {
	violations := s.Violations()
	views := make([]violationView, len(violations))
	for i, v := range violations {
		views[i] = violationView{Account: v.Account, CampaignID: v.CampaignID, Reason: v.Reason, Body: string(v.Body)}
	}
	writeJSON(w, http.StatusOK, views)
}

func (s *Server) adminSeed(w http.ResponseWriter, r *http.Request) {
	var campaign thingspace.Campaign
	if err := json.NewDecoder(r.Body).Decode(&campaign); err != nil {
		writeInvalidParameter(w, "the body must be a JSON campaign object: "+err.Error())
		return
	}
	if campaign.ID == "" || campaign.AccountName == "" {
		writeInvalidParameter(w, "a seeded campaign needs id and accountName")
		return
	}
	s.Seed(campaign)
	seeded, _ := s.Campaign(campaign.AccountName, campaign.ID)
	writeJSON(w, http.StatusCreated, seeded)
}

// faultView is a Fault in JSON; latency is a Go duration string such as "250ms".
type faultView struct {
	Account        string  `json:"account"`
	CampaignID     string  `json:"campaignId"`
	Kind           Kind    `json:"kind"`
	Status         int     `json:"status"`
	Body           string  `json:"body"`
	ContentType    string  `json:"contentType"`
	RetryAfter     string  `json:"retryAfter"`
	Times          int     `json:"times"`
	Probability    float64 `json:"probability"`
	Latency        string  `json:"latency"`
	DropConnection bool    `json:"dropConnection"`
}

func (v faultView) fault() (Fault, error) {
	f := Fault{
		Account: v.Account, CampaignID: v.CampaignID, Kind: v.Kind, Status: v.Status,
		Body: v.Body, ContentType: v.ContentType, RetryAfter: v.RetryAfter,
		Times: v.Times, Probability: v.Probability, DropConnection: v.DropConnection,
	}
	if v.Latency != "" {
		latency, err := time.ParseDuration(v.Latency)
		if err != nil {
			return Fault{}, fmt.Errorf("latency %q is not a duration such as 250ms: %w", v.Latency, err)
		}
		f.Latency = latency
	}
	return f, nil
}

func (s *Server) adminInjectFault(w http.ResponseWriter, r *http.Request) {
	var view faultView
	if err := json.NewDecoder(r.Body).Decode(&view); err != nil {
		writeInvalidParameter(w, "the body must be a JSON fault: "+err.Error())
		return
	}
	fault, err := view.fault()
	if err != nil {
		writeInvalidParameter(w, err.Error())
		return
	}
	s.InjectFault(fault)
	w.WriteHeader(http.StatusCreated)
}
