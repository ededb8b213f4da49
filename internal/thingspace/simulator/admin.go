package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// adminPrefix is where the simulator's own controls live, next to ThingSpace's API. They have no
// authentication: the simulator is a test tool bound to loopback (see the package comment).
const adminPrefix = "/_sim/"

// adminRoute is one /_sim/ endpoint: its ServeMux pattern, what it does (for AdminUsage) and
// its handler.
type adminRoute struct {
	method, path, usage string
	handle              http.HandlerFunc
}

// adminRoutes lists the /_sim/ endpoints in the order AdminUsage shows them.
func (s *Server) adminRoutes() []adminRoute {
	const campaign = "/_sim/campaigns/{acc}/{id}"
	return []adminRoute{
		{http.MethodGet, "/_sim/requests", "every recorded ThingSpace request, oldest first", s.adminRequests},
		{http.MethodDelete, "/_sim/requests", "forget the recorded requests (as ResetRequests)", noContent(s.ResetRequests)},
		{http.MethodGet, "/_sim/campaigns", "every campaign, sorted by account and id", s.adminCampaigns},
		{http.MethodPost, "/_sim/campaigns", "seed (add or replace) one campaign, a JSON campaign object", s.adminSeed},
		{http.MethodPut, campaign + "/schedule", "set its dates and windows without any rule check (drift), a dates payload", s.adminSchedule},
		{http.MethodPut, campaign + "/status", `set its status without any rule check: {"status":"CampaignFailed"}`, s.adminStatus},
		{http.MethodGet, campaign + "/devices", "its devices as the device report shows them now", s.adminDevices},
		{http.MethodPut, campaign + "/devices", `replace its devices: {"devices":[{"deviceId":"...","status":"Accepted"}]} or {"generate":500}`, s.adminSetDevices},
		{http.MethodPut, campaign + "/rollout", `let its devices finish while it runs: {"succeedPerMinute":0.02,"failPerMinute":0.002,"since":"now"}`, s.adminRollout},
		{http.MethodPost, "/_sim/reject-devices", `reject devices in every campaign request from now on: {"reason":"...","deviceIds":["..."]}`, s.adminRejectDevices},
		{http.MethodPost, "/_sim/faults", `queue a fault: {"kind":"dates","status":503,"times":2,"latency":"1s",...} or {"kind":"create","alter":"otherAccount"}`, s.adminInjectFault},
		{http.MethodDelete, "/_sim/faults", "clear every queued fault", noContent(s.ClearFaults)},
		{http.MethodGet, "/_sim/violations", "every illegal or partial dates payload received", s.adminViolations},
		{http.MethodPost, "/_sim/expire-tokens", "make every minted token invalid", noContent(s.ExpireTokens)},
		{http.MethodGet, "/_sim/credential-failures", `refused logins and client credentials so far: {"failedLogins":1,"rejectedClientCredentials":0}`, s.adminCredentialFailures},
		{http.MethodPut, "/_sim/list-lag", `hide campaigns scheduled less than lag ago from the list (as SetListLag): {"lag":"30s"}`, s.adminListLag},
	}
}

func (s *Server) registerAdmin() {
	for _, route := range s.adminRoutes() {
		s.admin.HandleFunc(route.method+" "+route.path, route.handle)
	}
}

func noContent(do func()) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		do()
		w.WriteHeader(http.StatusNoContent)
	}
}

// AdminUsage describes the /_sim/ endpoints, one a line, followed by curl examples for a
// simulator at baseURL (such as "http://127.0.0.1:8089") holding the sample campaigns. The
// package documentation shows the same lines.
func AdminUsage(baseURL string) string {
	var text strings.Builder
	for _, route := range New(Options{}).adminRoutes() {
		fmt.Fprintf(&text, "%-6s %-36s %s\n", route.method, route.path, route.usage)
	}
	text.WriteString("\n")
	examples := strings.NewReplacer(
		"{base}", baseURL,
		"{pending}", baseURL+"/_sim/campaigns/"+SampleAccount+"/"+SampleCampaignID,
		"{running}", baseURL+"/_sim/campaigns/"+SampleAccount+"/"+SampleRunningCampaignID,
	)
	text.WriteString(examples.Replace(adminExamples))
	return text.String()
}

// adminExamples are AdminUsage's curl examples: {base} stands for the simulator's URL, {pending}
// and {running} for the admin URLs of the pending and the in-progress sample campaigns.
const adminExamples = `# every campaign, and the devices of the campaign in progress
curl -s {base}/_sim/campaigns
curl -s {running}/devices
# drift: change the pending campaign's schedule behind the operator's back (the operator puts the spec back)
curl -s -X PUT {pending}/schedule -d '{"startDate":"2030-01-01","endDate":"2030-01-31","downloadAfterDate":null,"downloadTimeWindowList":[],"installAfterDate":null,"installTimeWindowList":[]}'
# ThingSpace fails the pending campaign
curl -s -X PUT {pending}/status -d '{"status":"CampaignFailed"}'
# from now on 5 % of the devices of the campaign in progress upgrade and 1 % fail each minute; give it 1000 new ones
curl -s -X PUT {running}/rollout -d '{"succeedPerMinute":0.05,"failPerMinute":0.01,"failureReason":"RovaClientDownloadFailed","since":"now"}'
curl -s -X PUT {running}/devices -d '{"generate":1000}'
# reject a device in every campaign scheduled from now on
curl -s -X POST {base}/_sim/reject-devices -d '{"reason":"Device does not exist.","deviceIds":["990013907835573"]}'
# answer the next two dates PUTs with 429 and Retry-After: 2
curl -s -X POST {base}/_sim/faults -d '{"kind":"dates","status":429,"retryAfter":"2","times":2}'
# the next POST schedules its campaign, but its reply names another account
curl -s -X POST {base}/_sim/faults -d '{"kind":"create","alter":"otherAccount","times":1}'
# the campaign list shows a new campaign only 30 seconds after its POST
curl -s -X PUT {base}/_sim/list-lag -d '{"lag":"30s"}'
# how many logins and token requests were refused for their credentials
curl -s {base}/_sim/credential-failures
# what the operator sent, and forget it
curl -s {base}/_sim/requests
curl -s -X DELETE {base}/_sim/requests
`

// requestView is a recorded request as /_sim/requests shows it: tokens masked, login passwords
// redacted, the body as text.
type requestView struct {
	Time         time.Time `json:"time"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Query        string    `json:"query,omitempty"`
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
			Time: r.Time, Method: r.Method, Path: r.Path, Query: r.Query, Kind: r.Kind,
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

func (s *Server) adminCampaigns(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Campaigns())
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
	Account        string     `json:"account"`
	CampaignID     string     `json:"campaignId"`
	Kind           Kind       `json:"kind"`
	Status         int        `json:"status"`
	Body           string     `json:"body"`
	ContentType    string     `json:"contentType"`
	RetryAfter     string     `json:"retryAfter"`
	Times          int        `json:"times"`
	Probability    float64    `json:"probability"`
	Latency        string     `json:"latency"`
	DropConnection bool       `json:"dropConnection"`
	Alter          Alteration `json:"alter"`
}

func (v faultView) fault() (Fault, error) {
	f := Fault{
		Account: v.Account, CampaignID: v.CampaignID, Kind: v.Kind, Status: v.Status,
		Body: v.Body, ContentType: v.ContentType, RetryAfter: v.RetryAfter,
		Times: v.Times, Probability: v.Probability, DropConnection: v.DropConnection, Alter: v.Alter,
	}
	if v.Alter != "" && !v.Alter.known() {
		return Fault{}, fmt.Errorf("alter %q is not one of withoutCampaignList, otherAccount, otherCampaignName, withoutId, errorMessage", v.Alter)
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

// adminCredentialFailures is GET /_sim/credential-failures: FailedLogins and
// RejectedClientCredentials.
func (s *Server) adminCredentialFailures(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{
		"failedLogins":              s.FailedLogins(),
		"rejectedClientCredentials": s.RejectedClientCredentials(),
	})
}

// adminListLag is PUT /_sim/list-lag: SetListLag.
func (s *Server) adminListLag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Lag string `json:"lag"`
	}
	err := json.NewDecoder(r.Body).Decode(&body)
	lag, parseErr := time.ParseDuration(body.Lag)
	if err != nil || parseErr != nil || lag < 0 {
		writeInvalidParameter(w, `the body must be JSON with a lag that is a duration of zero or more, e.g. {"lag":"30s"}`)
		return
	}
	s.SetListLag(lag)
	w.WriteHeader(http.StatusNoContent)
}

// adminSchedule is PUT /_sim/campaigns/{acc}/{id}/schedule: SetSchedule.
func (s *Server) adminSchedule(w http.ResponseWriter, r *http.Request) {
	var schedule thingspace.Dates
	if err := json.NewDecoder(r.Body).Decode(&schedule); err != nil {
		writeInvalidParameter(w, "the body must be a JSON dates payload: "+err.Error())
		return
	}
	s.answerChanged(w, r, s.SetSchedule(r.PathValue("acc"), r.PathValue("id"), schedule))
}

// adminStatus is PUT /_sim/campaigns/{acc}/{id}/status: SetStatus.
func (s *Server) adminStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Status == "" {
		writeInvalidParameter(w, `the body must be JSON with a status, e.g. {"status":"CampaignFailed"}`)
		return
	}
	s.answerChanged(w, r, s.SetStatus(r.PathValue("acc"), r.PathValue("id"), body.Status))
}

// answerChanged answers an admin change of a campaign with the campaign as it is now.
func (s *Server) answerChanged(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		writeAdminError(w, err)
		return
	}
	changed, _ := s.Campaign(r.PathValue("acc"), r.PathValue("id"))
	writeJSON(w, http.StatusOK, changed)
}

// adminDevices is GET /_sim/campaigns/{acc}/{id}/devices: Devices.
func (s *Server) adminDevices(w http.ResponseWriter, r *http.Request) {
	devices, err := s.Devices(r.PathValue("acc"), r.PathValue("id"))
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, devices)
}

// devicesView is the body of PUT /_sim/campaigns/{acc}/{id}/devices: the devices, or how many
// SampleDevices to generate.
type devicesView struct {
	Devices  []Device `json:"devices"`
	Generate int      `json:"generate"`
}

// adminSetDevices is PUT /_sim/campaigns/{acc}/{id}/devices: SetDevices.
func (s *Server) adminSetDevices(w http.ResponseWriter, r *http.Request) {
	var view devicesView
	if err := json.NewDecoder(r.Body).Decode(&view); err != nil {
		writeInvalidParameter(w, "the body must be JSON with devices or generate: "+err.Error())
		return
	}
	devices := view.Devices
	switch {
	case view.Generate < 0 || (view.Generate > 0 && len(view.Devices) > 0):
		writeInvalidParameter(w, "give either devices or a positive generate, not both")
		return
	case view.Generate > 0:
		devices = SampleDevices(view.Generate)
	}
	if err := s.SetDevices(r.PathValue("acc"), r.PathValue("id"), devices); err != nil {
		writeAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rolloutView is a Rollout in JSON; since is "now", an RFC 3339 time, or absent (the campaign's
// start).
type rolloutView struct {
	SucceedPerMinute float64 `json:"succeedPerMinute"`
	FailPerMinute    float64 `json:"failPerMinute"`
	FailureReason    string  `json:"failureReason"`
	Since            string  `json:"since"`
}

func (v rolloutView) rollout(now time.Time) (Rollout, error) {
	r := Rollout{SucceedPerMinute: v.SucceedPerMinute, FailPerMinute: v.FailPerMinute, FailureReason: v.FailureReason}
	switch v.Since {
	case "":
	case "now":
		r.Since = now
	default:
		since, err := time.Parse(time.RFC3339, v.Since)
		if err != nil {
			return Rollout{}, fmt.Errorf(`since %q is neither "now" nor an RFC 3339 time such as 2026-12-01T10:00:00Z`, v.Since)
		}
		r.Since = since
	}
	return r, nil
}

// adminRollout is PUT /_sim/campaigns/{acc}/{id}/rollout: SetRollout.
func (s *Server) adminRollout(w http.ResponseWriter, r *http.Request) {
	var view rolloutView
	if err := json.NewDecoder(r.Body).Decode(&view); err != nil {
		writeInvalidParameter(w, "the body must be a JSON rollout: "+err.Error())
		return
	}
	rollout, err := view.rollout(s.now())
	if err == nil {
		err = s.SetRollout(r.PathValue("acc"), r.PathValue("id"), rollout)
	}
	if err != nil {
		writeAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminRejectDevices is POST /_sim/reject-devices: RejectDevices.
func (s *Server) adminRejectDevices(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason    string   `json:"reason"`
		DeviceIDs []string `json:"deviceIds"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.DeviceIDs) == 0 {
		writeInvalidParameter(w, `the body must be JSON with deviceIds and a reason, e.g. {"reason":"Device does not exist.","deviceIds":["990013907835573"]}`)
		return
	}
	s.RejectDevices(body.Reason, body.DeviceIDs...)
	w.WriteHeader(http.StatusNoContent)
}

// writeAdminError answers a refused admin change: 404 for a campaign the simulator does not
// hold, 400 for anything else.
func writeAdminError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnknownCampaign) {
		writeJSON(w, http.StatusNotFound, errorBody("RESOURCE_NOT_FOUND", err.Error()))
		return
	}
	writeInvalidParameter(w, err.Error())
}
