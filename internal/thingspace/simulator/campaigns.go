package simulator

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// ErrUnknownCampaign is returned by the methods that change a campaign the simulator does not
// hold.
var ErrUnknownCampaign = errors.New("simulator: unknown campaign")

// Campaign statuses, as ThingSpace spells them. A campaign the simulator accepts by POST is
// RequestPending, then RequestQueued or RequestFailed; a DELETE makes it Cancelled or Aborted.
// The others are there for Seed and SetStatus.
const (
	StatusRequestPending = "CampaignRequestPending"
	StatusRequestQueued  = "CampaignRequestQueued"
	StatusRequestFailed  = "CampaignRequestFailed"
	StatusScheduled      = "CampaignScheduled"
	StatusEnded          = "CampaignEnded"
	StatusCancelled      = "CampaignCancelled"
	StatusAborted        = "CampaignAborted"
)

// distributionTypes are the ways ThingSpace can deliver software to devices.
var distributionTypes = []string{distributionHTTP, "OMA", distributionLWM2M}

const (
	distributionHTTP  = "HTTP"
	distributionLWM2M = "LWM2M"
)

type campaignKey struct{ account, id string }

func keyOf(r *http.Request) campaignKey {
	return campaignKey{account: r.PathValue("acc"), id: r.PathValue("campaignId")}
}

// Seed adds a campaign, or replaces the one with the same AccountName and ID. Nothing is
// checked: a test may seed any state, legal or not, and the seeded status stays until something
// changes it (only a campaign accepted by POST moves on from CampaignRequestPending by itself).
// A new campaign has no devices until SetDevices; a replaced one keeps its devices and rollout.
func (s *Server) Seed(c thingspace.Campaign) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := campaignKey{c.AccountName, c.ID}
	record, ok := s.campaigns[key]
	if !ok {
		record = &campaignRecord{}
		s.campaigns[key] = record
	}
	record.campaign = copyCampaign(c)
	record.checksEnd = time.Time{}
}

// Campaign returns a copy of the campaign's current state.
func (s *Server) Campaign(account, id string) (thingspace.Campaign, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(campaignKey{account, id})
	if !ok {
		return thingspace.Campaign{}, false
	}
	return copyCampaign(record.campaign), true
}

// record returns a campaign brought up to the simulator's now; the caller holds s.mu.
func (s *Server) record(key campaignKey) (*campaignRecord, bool) {
	record, ok := s.campaigns[key]
	if ok {
		record.advance(s.now())
	}
	return record, ok
}

// Campaigns returns a copy of every campaign, sorted by account and id.
func (s *Server) Campaigns() []thingspace.Campaign {
	s.mu.Lock()
	now := s.now()
	out := make([]thingspace.Campaign, 0, len(s.campaigns))
	for _, record := range s.campaigns {
		record.advance(now)
		out = append(out, copyCampaign(record.campaign))
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b thingspace.Campaign) int {
		return cmp.Or(cmp.Compare(a.AccountName, b.AccountName), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// SetSchedule changes a campaign's dates and windows behind the operator's back (drift),
// without any rule check.
func (s *Server) SetSchedule(account, id string, d thingspace.Dates) error {
	return s.update(account, id, func(record *campaignRecord) { setSchedule(&record.campaign, d) })
}

// SetStatus changes a campaign's ThingSpace status, without any rule check; the status stays
// until something changes it, and the devices are left as they are.
func (s *Server) SetStatus(account, id, status string) error {
	return s.update(account, id, func(record *campaignRecord) {
		record.campaign.Status = status
		record.checksEnd = time.Time{}
	})
}

// update changes a campaign brought up to now, under the lock.
func (s *Server) update(account, id string, change func(*campaignRecord)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(campaignKey{account, id})
	if !ok {
		return unknownCampaign(account, id)
	}
	change(record)
	return nil
}

func unknownCampaign(account, id string) error {
	return fmt.Errorf("%w %s/%s", ErrUnknownCampaign, account, id)
}

// getCampaign is GET /campaigns/{acc}/{campaignId}.
func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) {
	key := keyOf(r)
	campaign, ok := s.Campaign(key.account, key.id)
	if !ok {
		writeUnknownCampaign(w)
		return
	}
	writeJSON(w, http.StatusOK, campaign)
}

// deleteCampaign is DELETE /campaigns/{acc}/{campaignId}: a cancel before the start, an abort
// while the campaign runs. Either way every device not yet finished stops where it is.
func (s *Server) deleteCampaign(w http.ResponseWriter, r *http.Request) {
	found, refusal := s.stopCampaign(keyOf(r))
	switch {
	case !found:
		writeUnknownCampaign(w)
	case refusal != "":
		writeInvalidParameter(w, refusal)
	default:
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	}
}

func (s *Server) stopCampaign(key campaignKey) (found bool, refusal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(key)
	if !ok {
		return false, ""
	}
	switch stage, why := phaseAt(record.campaign, s.now()); stage {
	case phaseBeforeStart:
		record.stop(StatusCancelled, DeviceCancelled)
	case phaseRunning:
		record.stop(StatusAborted, DeviceAborted)
	default:
		return true, why + ": there is nothing left to cancel"
	}
	return true, ""
}

// createRequest is the body of POST /campaigns/software/{acc}.
type createRequest struct {
	CampaignName           string              `json:"campaignName"`
	SoftwareName           string              `json:"softwareName"`
	SoftwareFrom           string              `json:"softwareFrom"`
	SoftwareTo             string              `json:"softwareTo"`
	DistributionType       string              `json:"distributionType"`
	Make                   string              `json:"make"`
	Model                  string              `json:"model"`
	StartDate              string              `json:"startDate"`
	EndDate                string              `json:"endDate"`
	DownloadAfterDate      *string             `json:"downloadAfterDate"`
	DownloadTimeWindowList []thingspace.Window `json:"downloadTimeWindowList"`
	InstallAfterDate       *string             `json:"installAfterDate"`
	InstallTimeWindowList  []thingspace.Window `json:"installTimeWindowList"`
	DeviceList             []string            `json:"deviceList"`
}

func (c createRequest) schedule() thingspace.Dates {
	return thingspace.Dates{
		StartDate: c.StartDate, EndDate: c.EndDate,
		DownloadAfterDate: c.DownloadAfterDate, DownloadTimeWindowList: c.DownloadTimeWindowList,
		InstallAfterDate: c.InstallAfterDate, InstallTimeWindowList: c.InstallTimeWindowList,
	}
}

// createCampaign is POST /campaigns/software/{acc}. Like ThingSpace, the simulator accepts a
// valid request at once as CampaignRequestPending and ends its checks Options.AcceptDelay later
// (see campaignRecord.advance); devices listed in RejectDevices are rejected.
func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	if mediaType(r) != jsonMediaType {
		writeInvalidParameter(w, "Content-Type must be application/json")
		return
	}
	var request createRequest
	if err := json.NewDecoder(r.Body).Decode(&request); err != nil {
		writeInvalidParameter(w, "Input binding error: "+err.Error())
		return
	}
	if problems := s.checkCreate(request); len(problems) > 0 {
		writeInvalidParameter(w, strings.Join(problems, "; "))
		return
	}
	campaign := thingspace.Campaign{
		ID:               newUUID(),
		AccountName:      r.PathValue("acc"),
		CampaignName:     request.CampaignName,
		SoftwareName:     request.SoftwareName,
		DistributionType: request.DistributionType,
		Make:             request.Make,
		Model:            request.Model,
		SoftwareFrom:     request.SoftwareFrom,
		SoftwareTo:       request.SoftwareTo,
		Status:           StatusRequestPending,
	}
	setSchedule(&campaign, request.schedule())
	writeJSON(w, http.StatusOK, s.accept(campaign, request.DeviceList))
}

// accept stores a campaign ThingSpace has just accepted for checking, and returns a copy of it.
func (s *Server) accept(campaign thingspace.Campaign, deviceIDs []string) thingspace.Campaign {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	record := &campaignRecord{campaign: campaign, checksEnd: now.Add(max(s.opts.AcceptDelay, 0)), scheduledAt: now}
	record.devices = s.appendDevices(nil, deviceIDs)
	if s.opts.ScheduledRollout != nil {
		rollout := *s.opts.ScheduledRollout
		rollout.Since = now
		record.rollout = &rollout
	}
	s.campaigns[campaignKey{campaign.AccountName, campaign.ID}] = record
	record.advance(now)
	return copyCampaign(record.campaign)
}

func (s *Server) checkCreate(request createRequest) []string {
	var problems []string
	required := []struct{ field, value string }{
		{"softwareName", request.SoftwareName},
		{"softwareFrom", request.SoftwareFrom},
		{"softwareTo", request.SoftwareTo},
		{"distributionType", request.DistributionType},
	}
	for _, r := range required {
		if r.value == "" {
			problems = append(problems, r.field+" is required")
		}
	}
	if request.DistributionType != "" && !slices.Contains(distributionTypes, request.DistributionType) {
		problems = append(problems, fmt.Sprintf("distributionType %q is not one of HTTP, OMA, LWM2M", request.DistributionType))
	}
	if len(request.DeviceList) == 0 {
		problems = append(problems, "deviceList needs at least one device")
	}
	problems = append(problems, checkSchedule(request.schedule())...)
	if today := utcDate(s.now()); request.StartDate != "" && request.StartDate < today {
		problems = append(problems, fmt.Sprintf("startDate %s is in the past (today is %s UTC)", request.StartDate, today))
	}
	return problems
}

// devicesChange is the body of PUT /campaigns/{acc}/{campaignId}.
type devicesChange struct {
	AddOrRemoveDevice []struct {
		Type       string   `json:"type"`
		DeviceList []string `json:"deviceList"`
	} `json:"addOrRemoveDevice"`
}

// updateDevices is PUT /campaigns/{acc}/{campaignId}, allowed only while ThingSpace has not
// scheduled the campaign yet: appended devices are accepted (or rejected, per RejectDevices),
// removed ones are dropped.
func (s *Server) updateDevices(w http.ResponseWriter, r *http.Request) {
	var change devicesChange
	if err := json.NewDecoder(r.Body).Decode(&change); err != nil {
		writeInvalidParameter(w, "Input binding error: "+err.Error())
		return
	}
	key := keyOf(r)
	found, refusal := s.changeDevices(key, change)
	switch {
	case !found:
		writeUnknownCampaign(w)
	case refusal != "":
		writeInvalidParameter(w, refusal)
	default:
		writeJSON(w, http.StatusOK, map[string]string{
			"accountName": key.account, "campaignId": key.id, "requestId": newUUID(),
		})
	}
}

func (s *Server) changeDevices(key campaignKey, change devicesChange) (found bool, refusal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(key)
	if !ok {
		return false, ""
	}
	if status := normalStatus(record.campaign.Status); status != "requestpending" && status != "requestqueued" && status != "queued" {
		return true, fmt.Sprintf("devices can only be added or removed while the campaign is RequestPending or Queued, not %s",
			record.campaign.Status)
	}
	devices := slices.Clone(record.devices)
	for i, step := range change.AddOrRemoveDevice {
		switch strings.ToLower(step.Type) {
		case "append":
			devices = s.appendDevices(devices, step.DeviceList)
		case "remove":
			devices = removeDevices(devices, step.DeviceList)
		default:
			return true, fmt.Sprintf("addOrRemoveDevice[%d].type %q is not append or remove", i, step.Type)
		}
	}
	record.devices = devices
	return true, ""
}

// setSchedule copies a schedule into a campaign.
func setSchedule(c *thingspace.Campaign, d thingspace.Dates) {
	c.StartDate = d.StartDate
	c.EndDate = d.EndDate
	c.DownloadAfterDate = copyDate(d.DownloadAfterDate)
	c.DownloadTimeWindowList = copyWindows(d.DownloadTimeWindowList)
	c.InstallAfterDate = copyDate(d.InstallAfterDate)
	c.InstallTimeWindowList = copyWindows(d.InstallTimeWindowList)
}

func scheduleOf(c thingspace.Campaign) thingspace.Dates {
	return thingspace.Dates{
		StartDate: c.StartDate, EndDate: c.EndDate,
		DownloadAfterDate: c.DownloadAfterDate, DownloadTimeWindowList: c.DownloadTimeWindowList,
		InstallAfterDate: c.InstallAfterDate, InstallTimeWindowList: c.InstallTimeWindowList,
	}
}

// copyCampaign returns a campaign that shares nothing with c; absent window lists become empty
// ones, so replies always carry [] like ThingSpace.
func copyCampaign(c thingspace.Campaign) thingspace.Campaign {
	setSchedule(&c, scheduleOf(c))
	return c
}

func copyDate(d *string) *string {
	if d == nil {
		return nil
	}
	v := *d
	return &v
}

func copyWindows(windows []thingspace.Window) []thingspace.Window {
	return append([]thingspace.Window{}, windows...)
}

// newUUID returns a random (version 4) UUID, the form of ThingSpace's campaign ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
