package simulator

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// Per-device statuses, as ThingSpace's documentation spells them.
const (
	DeviceAccepted       = "Accepted"
	DeviceRejected       = "DeviceRejected"
	DeviceUpgradePending = "UpgradePending"
	DeviceUpgradeSuccess = "UpgradeSuccess"
	DeviceUpgradeFailed  = "UpgradeFailed"
	DeviceCancelled      = "CampaignCancelled"
	DeviceAborted        = "CampaignAborted"
)

// Device is one device of a campaign as the device report shows it.
type Device struct {
	ID     string `json:"deviceId"`
	Status string `json:"status"`
	Reason string `json:"resultReason"`
}

// Rollout makes a campaign's devices finish over time while it runs (by its dates, while its
// status is neither CampaignRequestPending nor final). It works on the devices waiting for their
// upgrade (Accepted or UpgradePending) when it is set; devices already finished stay as they
// are. After m whole minutes, floor(n*SucceedPerMinute*m) of those n devices reached
// UpgradeSuccess and floor(n*FailPerMinute*m) UpgradeFailed (together at most n), taken in the
// devices' order with successes and failures interleaved as they happen in time.
type Rollout struct {
	SucceedPerMinute float64 // fraction of the campaign's accepted devices reaching UpgradeSuccess each minute
	FailPerMinute    float64 // fraction reaching UpgradeFailed each minute
	FailureReason    string  // resultReason of failed devices; default "RovaClientDownloadFailed"
	// Since is when the minutes start counting; zero (or a time before the campaign's start)
	// means the campaign's start. Set it to now to watch a campaign that is already running
	// start upgrading.
	Since time.Time
}

// check returns what makes the rollout impossible, naming the field.
func (ro Rollout) check() error {
	var errs []error
	for _, rate := range []struct {
		field string
		value float64
	}{{"SucceedPerMinute", ro.SucceedPerMinute}, {"FailPerMinute", ro.FailPerMinute}} {
		if math.IsNaN(rate.value) || rate.value < 0 || rate.value > 1 {
			errs = append(errs, fmt.Errorf("simulator: Rollout.%s %v is not a fraction between 0 and 1", rate.field, rate.value))
		}
	}
	return errors.Join(errs...)
}

// SetDevices replaces a campaign's devices, in the order given (the device report's order), with
// statuses and reasons as given; the devices' progress goes on from there. Every device needs an
// id, and no id may be listed twice (the report pages by id).
func (s *Server) SetDevices(account, id string, devices []Device) error {
	if err := checkDeviceIDs(devices); err != nil {
		return err
	}
	records := make([]deviceRecord, len(devices))
	for i, d := range devices {
		records[i] = deviceRecord{Device: d}
	}
	return s.update(account, id, func(record *campaignRecord) { record.devices = records })
}

func checkDeviceIDs(devices []Device) error {
	seen := make(map[string]int, len(devices))
	for i, d := range devices {
		if d.ID == "" {
			return fmt.Errorf("simulator: device %d has no id", i)
		}
		if first, twice := seen[d.ID]; twice {
			return fmt.Errorf("simulator: device id %s is listed twice (devices %d and %d)", d.ID, first, i)
		}
		seen[d.ID] = i
	}
	return nil
}

// Devices returns a copy of a campaign's devices as the device report would show them now.
func (s *Server) Devices(account, id string) ([]Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(campaignKey{account, id})
	if !ok {
		return nil, unknownCampaign(account, id)
	}
	devices := make([]Device, len(record.devices))
	for i, d := range record.devices {
		devices[i] = d.Device
	}
	return devices, nil
}

// RejectDevices makes ThingSpace reject these device ids, with reason, in every campaign request
// it accepts from now on (DeviceRejected, resultReason = reason): in a POST and in a devices PUT
// that appends them. A POSTed campaign all of whose devices were rejected ends
// CampaignRequestFailed. Devices already in a campaign keep their status.
func (s *Server) RejectDevices(reason string, deviceIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range deviceIDs {
		s.rejected[id] = reason
	}
}

// SetRollout makes a campaign's devices finish over time while it runs; see Rollout. It
// replaces an earlier rollout: what that one finished stays finished.
func (s *Server) SetRollout(account, id string, r Rollout) error {
	if err := r.check(); err != nil {
		return err
	}
	return s.update(account, id, func(record *campaignRecord) {
		for i := range record.devices {
			record.devices[i].byRollout = false
		}
		record.rollout = &r
	})
}

// SampleDevices returns n devices with made-up IMEIs (990000000000001, 990000000000002, ...),
// all Accepted.
func SampleDevices(n int) []Device {
	devices := make([]Device, n)
	for i := range devices {
		devices[i] = Device{ID: fmt.Sprintf("99%013d", i+1), Status: DeviceAccepted}
	}
	return devices
}

// appendDevices appends the devices of ids that are not listed yet, each accepted or rejected
// as RejectDevices says; the caller holds s.mu.
func (s *Server) appendDevices(devices []deviceRecord, ids []string) []deviceRecord {
	listed := make(map[string]bool, len(devices)+len(ids))
	for _, d := range devices {
		listed[d.ID] = true
	}
	for _, id := range ids {
		if listed[id] {
			continue
		}
		listed[id] = true
		device := Device{ID: id, Status: DeviceAccepted}
		if reason, rejected := s.rejected[id]; rejected {
			device.Status, device.Reason = DeviceRejected, reason
		}
		devices = append(devices, deviceRecord{Device: device})
	}
	return devices
}

func removeDevices(devices []deviceRecord, ids []string) []deviceRecord {
	removed := make(map[string]bool, len(ids))
	for _, id := range ids {
		removed[id] = true
	}
	return slices.DeleteFunc(devices, func(d deviceRecord) bool { return removed[d.ID] })
}

type deviceReportPage struct {
	TotalDevice      int      `json:"totalDevice"`
	HasMoreData      bool     `json:"hasMoreData"`
	LastSeenDeviceID string   `json:"lastSeenDeviceId"`
	MaxPageSize      int      `json:"maxPageSize"`
	DeviceList       []Device `json:"deviceList"`
}

// deviceReport is GET /reports/{acc}/campaigns/{campaignId}/devices?lastSeenDeviceId=..., the
// campaign's devices in their order, Options.ReportPageSize a page. A page names its last
// device in lastSeenDeviceId (a JSON string); the next page starts after the device whose id the
// caller sends back. "0" or no lastSeenDeviceId asks for the first page.
func (s *Server) deviceReport(w http.ResponseWriter, r *http.Request) {
	key := keyOf(r)
	page, found, refusal := s.devicePage(key, r.URL.Query().Get("lastSeenDeviceId"))
	switch {
	case !found:
		writeUnknownCampaign(w)
	case refusal != "":
		writeInvalidParameter(w, refusal)
	default:
		writeJSON(w, http.StatusOK, page)
	}
}

func (s *Server) devicePage(key campaignKey, lastSeen string) (page deviceReportPage, found bool, refusal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(key)
	if !ok {
		return deviceReportPage{}, false, ""
	}
	from := 0
	if lastSeen != "" && lastSeen != "0" {
		i := slices.IndexFunc(record.devices, func(d deviceRecord) bool { return d.ID == lastSeen })
		if i < 0 {
			return deviceReportPage{}, true, fmt.Sprintf("lastSeenDeviceId %q is not a device of campaign %s", lastSeen, key.id)
		}
		from = i + 1
	}
	to := min(from+s.opts.ReportPageSize, len(record.devices))
	page = deviceReportPage{
		TotalDevice:      len(record.devices),
		HasMoreData:      to < len(record.devices),
		LastSeenDeviceID: cmp.Or(lastSeen, "0"),
		MaxPageSize:      s.opts.ReportPageSize,
		DeviceList:       make([]Device, 0, to-from),
	}
	for _, d := range record.devices[from:to] {
		page.DeviceList = append(page.DeviceList, d.Device)
	}
	if to > from {
		page.LastSeenDeviceID = record.devices[to-1].ID
	}
	return page, true, ""
}
