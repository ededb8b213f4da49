package simulator_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

type reportPage struct {
	TotalDevice      int                `json:"totalDevice"`
	HasMoreData      bool               `json:"hasMoreData"`
	LastSeenDeviceID string             `json:"lastSeenDeviceId"`
	MaxPageSize      int                `json:"maxPageSize"`
	DeviceList       []simulator.Device `json:"deviceList"`
}

func reportPath(id string) string {
	return "/api/fota/v2/reports/" + account + "/campaigns/" + id + "/devices"
}

func (e *env) report(id, lastSeen string) reportPage {
	e.t.Helper()
	r := e.fota(http.MethodGet, reportPath(id)+"?lastSeenDeviceId="+url.QueryEscape(lastSeen), "")
	wantStatus(e.t, r, http.StatusOK)
	return decode[reportPage](e.t, r)
}

// numberedDevices returns n devices whose ids are numbers with leading zeros, which a client
// that reads lastSeenDeviceId as a number would lose.
func numberedDevices(n int) []simulator.Device {
	devices := make([]simulator.Device, n)
	for i := range devices {
		devices[i] = simulator.Device{ID: fmt.Sprintf("%015d", i+1), Status: "UpgradeSuccess"}
	}
	return devices
}

func TestDeviceReportPages(t *testing.T) {
	tests := map[string]struct {
		pageSize      int
		wantPageSizes []int
	}{
		"ThingSpace's pages hold 1000 devices": {wantPageSizes: []int{1000, 1000, 500}},
		"ReportPageSize sets the page size":    {pageSize: 700, wantPageSizes: []int{700, 700, 700, 400}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{ReportPageSize: tt.pageSize})
			c := fixture("report", "2026-12-01", "2026-12-07")
			e.sim.Seed(c)
			devices := numberedDevices(2500)
			if err := e.sim.SetDevices(account, c.ID, devices); err != nil {
				t.Fatal(err)
			}

			var got []simulator.Device
			var sizes []int
			wantQueries := []string{"lastSeenDeviceId=0"}
			for lastSeen := "0"; ; {
				page := e.report(c.ID, lastSeen)
				got = append(got, page.DeviceList...)
				sizes = append(sizes, len(page.DeviceList))
				if page.TotalDevice != 2500 || page.MaxPageSize != tt.wantPageSizes[0] {
					t.Errorf("page after %s: totalDevice %d, maxPageSize %d; want 2500 and %d",
						lastSeen, page.TotalDevice, page.MaxPageSize, tt.wantPageSizes[0])
				}
				if want := got[len(got)-1].ID; page.LastSeenDeviceID != want {
					t.Fatalf("page after %s: lastSeenDeviceId %q, want its last device %q", lastSeen, page.LastSeenDeviceID, want)
				}
				if !page.HasMoreData || len(sizes) > len(tt.wantPageSizes) {
					break
				}
				lastSeen = page.LastSeenDeviceID
				wantQueries = append(wantQueries, "lastSeenDeviceId="+lastSeen)
			}

			if !cmp.Equal(sizes, tt.wantPageSizes) {
				t.Errorf("page sizes = %v, want %v", sizes, tt.wantPageSizes)
			}
			if diff := cmp.Diff(devices, got); diff != "" {
				t.Errorf("devices over all pages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantQueries, queriesOf(e.sim, simulator.KindReport)); diff != "" {
				t.Errorf("recorded queries (-want +got):\n%s", diff)
			}
		})
	}
}

func queriesOf(sim *simulator.Server, kind simulator.Kind) []string {
	var queries []string
	for _, r := range sim.Requests() {
		if r.Kind == kind {
			queries = append(queries, r.Query)
		}
	}
	return queries
}

func TestDeviceReportSendsLastSeenDeviceIdAsAString(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("string-id", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	if err := e.sim.SetDevices(account, c.ID, numberedDevices(3)); err != nil {
		t.Fatal(err)
	}

	r := e.fota(http.MethodGet, reportPath(c.ID)+"?lastSeenDeviceId=0", "")

	if !strings.Contains(string(r.body), `"lastSeenDeviceId":"000000000000003"`) {
		t.Errorf("reply %s, want lastSeenDeviceId as the JSON string \"000000000000003\"", r.body)
	}
}

func TestDeviceReportEdges(t *testing.T) {
	tests := map[string]struct {
		devices     int
		lastSeen    string // "" sends no lastSeenDeviceId
		wantPage    reportPage
		wantRefusal string
	}{
		"no lastSeenDeviceId is the first page": {devices: 2,
			wantPage: reportPage{TotalDevice: 2, LastSeenDeviceID: "000000000000002", MaxPageSize: 1000, DeviceList: numberedDevices(2)}},
		"a campaign without devices has one empty page": {lastSeen: "0",
			wantPage: reportPage{LastSeenDeviceID: "0", MaxPageSize: 1000, DeviceList: []simulator.Device{}}},
		"after the last device the page is empty": {devices: 2, lastSeen: "000000000000002",
			wantPage: reportPage{TotalDevice: 2, LastSeenDeviceID: "000000000000002", MaxPageSize: 1000, DeviceList: []simulator.Device{}}},
		"a lastSeenDeviceId that is no device of the campaign is refused": {devices: 2, lastSeen: "2",
			wantRefusal: `lastSeenDeviceId "2" is not a device of campaign edges`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("edges", "2026-12-01", "2026-12-07")
			e.sim.Seed(c)
			if err := e.sim.SetDevices(account, c.ID, numberedDevices(tt.devices)); err != nil {
				t.Fatal(err)
			}
			path := reportPath(c.ID)
			if tt.lastSeen != "" {
				path += "?lastSeenDeviceId=" + tt.lastSeen
			}

			r := e.fota(http.MethodGet, path, "")

			if tt.wantRefusal != "" {
				wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", tt.wantRefusal)
				return
			}
			wantStatus(t, r, http.StatusOK)
			if diff := cmp.Diff(tt.wantPage, decode[reportPage](t, r)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeviceReportOfAnUnknownCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.fota(http.MethodGet, reportPath("unknown"), "")

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "Invalid campaign id")
}

func TestSetDevicesRefusesDevicesTheReportCannotPage(t *testing.T) {
	tests := map[string]struct {
		devices []simulator.Device
		wantErr string
	}{
		"a device needs an id":            {devices: []simulator.Device{{ID: "1"}, {Status: "Accepted"}}, wantErr: "device 1 has no id"},
		"an id listed twice is ambiguous": {devices: []simulator.Device{{ID: "1"}, {ID: "2"}, {ID: "1"}}, wantErr: "device id 1 is listed twice (devices 0 and 2)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("refused", "2026-12-01", "2026-12-07")
			e.sim.Seed(c)

			err := e.sim.SetDevices(account, c.ID, tt.devices)

			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if n := len(e.devices(c.ID)); n != 0 {
				t.Errorf("%d devices after a refused SetDevices, want none", n)
			}
		})
	}
}

func TestDeviceMethodsOnAnUnknownCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	calls := map[string]func() error{
		"SetDevices": func() error { return e.sim.SetDevices(account, "missing", nil) },
		"Devices": func() error {
			_, err := e.sim.Devices(account, "missing")
			return err
		},
		"SetRollout": func() error { return e.sim.SetRollout(account, "missing", simulator.Rollout{}) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, simulator.ErrUnknownCampaign) {
			t.Errorf("%s on a missing campaign = %v, want ErrUnknownCampaign", name, err)
		}
	}
}

func TestDevicesReturnsACopy(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("device-copy", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	given := simulator.SampleDevices(2)
	if err := e.sim.SetDevices(account, c.ID, given); err != nil {
		t.Fatal(err)
	}
	given[0].Status = "changed by the caller"

	got := e.devices(c.ID)
	got[1].Status = "changed by the caller"

	if diff := cmp.Diff(simulator.SampleDevices(2), e.devices(c.ID)); diff != "" {
		t.Errorf("the stored devices share memory with a caller (-want +got):\n%s", diff)
	}
}

func TestReseedingACampaignKeepsItsDevices(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("reseeded", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	if err := e.sim.SetDevices(account, c.ID, simulator.SampleDevices(3)); err != nil {
		t.Fatal(err)
	}

	c.EndDate = "2026-12-24"
	e.sim.Seed(c)

	if n := len(e.devices(c.ID)); n != 3 {
		t.Errorf("%d devices after reseeding, want the 3 it had", n)
	}
}
