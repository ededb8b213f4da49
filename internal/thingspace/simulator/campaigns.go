package simulator

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// ErrUnknownCampaign is returned by the methods that change a campaign the simulator does not
// hold.
var ErrUnknownCampaign = errors.New("simulator: unknown campaign")

// Statuses the simulator gives campaigns itself.
const (
	StatusScheduled = "CampaignScheduled"
	StatusCancelled = "CampaignCancelled"
	StatusAborted   = "CampaignAborted"
)

// distributionTypes are the ways ThingSpace can deliver software to devices.
var distributionTypes = []string{distributionHTTP, "OMA", distributionLWM2M}

const (
	distributionHTTP  = "HTTP"
	distributionLWM2M = "LWM2M"
)

// reportPageSize is the most devices one page of the device report holds.
const reportPageSize = 1000

type campaignKey struct{ account, id string }

func keyOf(r *http.Request) campaignKey {
	return campaignKey{account: r.PathValue("acc"), id: r.PathValue("campaignId")}
}

type campaignRecord struct {
	campaign thingspace.Campaign
	devices  []string
}

// Seed adds a campaign, or replaces the one with the same AccountName and ID. Nothing is
// checked: a test may seed any state, legal or not.
func (s *Server) Seed(c thingspace.Campaign) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.campaigns[campaignKey{c.AccountName, c.ID}] = &campaignRecord{campaign: copyCampaign(c)}
}

// Campaign returns a copy of the campaign's current state.
func (s *Server) Campaign(account, id string) (thingspace.Campaign, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.campaigns[campaignKey{account, id}]
	if !ok {
		return thingspace.Campaign{}, false
	}
	return copyCampaign(record.campaign), true
}

// Campaigns returns a copy of every campaign, sorted by account and id.
func (s *Server) Campaigns() []thingspace.Campaign {
	s.mu.Lock()
	out := make([]thingspace.Campaign, 0, len(s.campaigns))
	for _, record := range s.campaigns {
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
	return s.update(account, id, func(c *thingspace.Campaign) { setSchedule(c, d) })
}

// SetStatus changes a campaign's ThingSpace status, without any rule check.
func (s *Server) SetStatus(account, id, status string) error {
	return s.update(account, id, func(c *thingspace.Campaign) { c.Status = status })
}

func (s *Server) update(account, id string, change func(*thingspace.Campaign)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.campaigns[campaignKey{account, id}]
	if !ok {
		return fmt.Errorf("%w %s/%s", ErrUnknownCampaign, account, id)
	}
	change(&record.campaign)
	return nil
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
// while the campaign runs.
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
	record, ok := s.campaigns[key]
	if !ok {
		return false, ""
	}
	switch stage, why := phaseAt(record.campaign, s.now()); stage {
	case phaseBeforeStart:
		record.campaign.Status = StatusCancelled
	case phaseRunning:
		record.campaign.Status = StatusAborted
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

// createCampaign is POST /campaigns/software/{acc}. ThingSpace first answers
// CampaignRequestPending and schedules later; the simulator schedules at once.
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
		Status:           StatusScheduled,
	}
	setSchedule(&campaign, request.schedule())
	s.mu.Lock()
	s.campaigns[campaignKey{campaign.AccountName, campaign.ID}] = &campaignRecord{
		campaign: campaign,
		devices:  slices.Clone(request.DeviceList),
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, copyCampaign(campaign))
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

// updateDevices is PUT /campaigns/{acc}/{campaignId}, allowed only before ThingSpace has
// scheduled the campaign.
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
	record, ok := s.campaigns[key]
	if !ok {
		return false, ""
	}
	if status := normalStatus(record.campaign.Status); status != "requestpending" && status != "requestqueued" && status != "queued" {
		return true, fmt.Sprintf("devices can only be added or removed while the campaign is RequestPending or Queued, not %s",
			record.campaign.Status)
	}
	devices := slices.Clone(record.devices)
	for _, step := range change.AddOrRemoveDevice {
		switch strings.ToLower(step.Type) {
		case "append":
			devices = append(devices, step.DeviceList...)
		case "remove":
			devices = slices.DeleteFunc(devices, func(d string) bool { return slices.Contains(step.DeviceList, d) })
		default:
			return true, fmt.Sprintf("addOrRemoveDevice.type %q is not append or remove", step.Type)
		}
	}
	record.devices = devices
	return true, ""
}

type deviceReportPage struct {
	HasMoreData      bool           `json:"hasMoreData"`
	LastSeenDeviceID int            `json:"lastSeenDeviceId"`
	DeviceList       []deviceStatus `json:"deviceList"`
}

type deviceStatus struct {
	DeviceID string `json:"deviceId"`
	Status   string `json:"status"`
}

// deviceReport is GET /reports/{acc}/campaigns/{campaignId}/devices?lastSeenDeviceId=N, in pages
// of at most 1000 devices. The simulator uses lastSeenDeviceId as the count already returned and
// reports every device with its campaign's status: it models no device of its own.
func (s *Server) deviceReport(w http.ResponseWriter, r *http.Request) {
	seen, err := strconv.Atoi(cmp.Or(r.URL.Query().Get("lastSeenDeviceId"), "0"))
	if err != nil || seen < 0 {
		writeInvalidParameter(w, "lastSeenDeviceId must be a number, 0 for the first page")
		return
	}
	page, ok := s.devicePage(keyOf(r), seen)
	if !ok {
		writeUnknownCampaign(w)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) devicePage(key campaignKey, seen int) (deviceReportPage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.campaigns[key]
	if !ok {
		return deviceReportPage{}, false
	}
	from := min(seen, len(record.devices))
	to := min(from+reportPageSize, len(record.devices))
	page := deviceReportPage{HasMoreData: to < len(record.devices), LastSeenDeviceID: to, DeviceList: []deviceStatus{}}
	for _, id := range record.devices[from:to] {
		page.DeviceList = append(page.DeviceList, deviceStatus{DeviceID: id, Status: record.campaign.Status})
	}
	return page, true
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
