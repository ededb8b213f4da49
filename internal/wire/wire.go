// Package wire is the one place where the FotaCampaign API meets ThingSpace's wire types: it turns a
// spec into the bodies the ThingSpace client sends, and ThingSpace's replies into the status. The
// rules (internal/campaign) know nothing of the wire, and the client (internal/thingspace) nothing
// of the API.
package wire

import (
	"regexp"
	"strings"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/text"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// dateLayout is the form of every ThingSpace date: a UTC day without a time.
const dateLayout = "2006-01-02"

// Dates is the body of the dates PUT for a schedule. ThingSpace wants the whole schedule on
// every call, so every key is present: an unset after-date is a nil pointer (JSON null) and an
// unset window list a non-nil empty slice (JSON []).
func Dates(s v1alpha1.Schedule) thingspace.Dates {
	return thingspace.Dates{
		StartDate:              string(s.StartDate),
		EndDate:                string(s.EndDate),
		DownloadAfterDate:      optionalDateString(s.DownloadAfterDate),
		DownloadTimeWindowList: wireWindows(s.DownloadTimeWindowList),
		InstallAfterDate:       optionalDateString(s.InstallAfterDate),
		InstallTimeWindowList:  wireWindows(s.InstallTimeWindowList),
	}
}

// Schedule is the schedule ThingSpace holds, in the form of the API: dates cut to YYYY-MM-DD
// when ThingSpace appends a time to them, an empty after-date as unset and an empty window list as
// nil, so that the result compares equal to a spec that leaves those fields out.
func Schedule(c thingspace.Campaign) v1alpha1.Schedule {
	return v1alpha1.Schedule{
		StartDate:              normalizeDate(c.StartDate),
		EndDate:                normalizeDate(c.EndDate),
		DownloadAfterDate:      normalizeOptionalDate(c.DownloadAfterDate),
		DownloadTimeWindowList: apiWindows(c.DownloadTimeWindowList),
		InstallAfterDate:       normalizeOptionalDate(c.InstallAfterDate),
		InstallTimeWindowList:  apiWindows(c.InstallTimeWindowList),
	}
}

// Limits of status.campaign's fields, as the CRD's schema sets them (a test keeps the two equal).
// ThingSpace's text longer than its field's limit is cut, with text.Marker at the end: a status
// the API server refuses would never be written again.
const (
	maxIDLength               = 64
	maxNameLength             = 256
	maxDistributionTypeLength = 32
	maxStatusLength           = 64
)

// Info is status.campaign for a campaign ThingSpace replied with: its own description of the
// campaign, with its raw status string kept as it is, each field cut to its limit.
func Info(c thingspace.Campaign) v1alpha1.CampaignInfo {
	return v1alpha1.CampaignInfo{
		ID:               text.Truncate(c.ID, maxIDLength),
		CampaignName:     text.Truncate(c.CampaignName, maxNameLength),
		SoftwareName:     text.Truncate(c.SoftwareName, maxNameLength),
		DistributionType: text.Truncate(c.DistributionType, maxDistributionTypeLength),
		Make:             text.Truncate(c.Make, maxNameLength),
		Model:            text.Truncate(c.Model, maxNameLength),
		SoftwareFrom:     text.Truncate(c.SoftwareFrom, maxNameLength),
		SoftwareTo:       text.Truncate(c.SoftwareTo, maxNameLength),
		Status:           text.Truncate(c.Status, maxStatusLength),
	}
}

func optionalDateString(d *v1alpha1.Date) *string {
	if d == nil {
		return nil
	}
	s := string(*d)
	return &s
}

func wireWindows(list []v1alpha1.TimeWindow) []thingspace.Window {
	wire := make([]thingspace.Window, 0, len(list))
	for _, w := range list {
		wire = append(wire, thingspace.Window{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	return wire
}

func apiWindows(list []thingspace.Window) []v1alpha1.TimeWindow {
	if len(list) == 0 {
		return nil
	}
	windows := make([]v1alpha1.TimeWindow, 0, len(list))
	for _, w := range list {
		windows = append(windows, v1alpha1.TimeWindow{StartTime: w.StartTime, EndTime: w.EndTime})
	}
	return windows
}

// timeSuffix matches what may follow the date when ThingSpace returns a timestamp instead of a
// plain date, e.g. "T00:00:00Z", " 00:00:00" or "T00:00:00.000+0000".
var timeSuffix = regexp.MustCompile(`^[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$`)

// normalizeDate keeps the date part of a timestamp. Anything else is kept as it is, so that an
// unexpected value shows up as a difference instead of being silently reinterpreted.
func normalizeDate(s string) v1alpha1.Date {
	s = strings.TrimSpace(s)
	if len(s) > len(dateLayout) && timeSuffix.MatchString(s[len(dateLayout):]) {
		s = s[:len(dateLayout)]
	}
	return v1alpha1.Date(s)
}

func normalizeOptionalDate(s *string) *v1alpha1.Date {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	d := normalizeDate(*s)
	return &d
}

// NewCampaign is the body of the POST that schedules the campaign of spec under name: its
// software, its whole schedule and its devices.
func NewCampaign(name string, spec v1alpha1.FotaCampaignSpec) thingspace.NewCampaign {
	request := thingspace.NewCampaign{
		CampaignName: name,
		Dates:        Dates(spec.Schedule),
		DeviceList:   DeviceIDs(spec.Devices),
	}
	if software := spec.Software; software != nil {
		request.SoftwareName = software.Name
		request.SoftwareFrom = software.From
		request.SoftwareTo = software.To
		request.DistributionType = string(software.DistributionType)
	}
	return request
}

// DeviceIDs is a device list as ThingSpace takes it: never nil, so it is sent as [] when empty.
func DeviceIDs(devices []v1alpha1.DeviceID) []string {
	ids := make([]string, 0, len(devices))
	for _, id := range devices {
		ids = append(ids, string(id))
	}
	return ids
}
