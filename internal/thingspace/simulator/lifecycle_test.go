package simulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

const createPath = "/api/fota/v2/campaigns/software/" + account

// schedule POSTs a new campaign starting tomorrow (2026-11-26) with these devices, and returns
// ThingSpace's reply.
func (e *env) schedule(devices ...string) thingspace.Campaign {
	e.t.Helper()
	r := e.fota(http.MethodPost, createPath, toJSON(e.t, createBody("2026-11-26", "2026-11-30", devices...)))
	wantStatus(e.t, r, http.StatusOK)
	return decode[thingspace.Campaign](e.t, r)
}

// statusOf reads a campaign's status the way the operator does, with a GET.
func (e *env) statusOf(id string) string {
	e.t.Helper()
	r := e.fota(http.MethodGet, campaignPath(account, id), "")
	wantStatus(e.t, r, http.StatusOK)
	return decode[thingspace.Campaign](e.t, r).Status
}

func TestThingSpaceChecksANewCampaignForAcceptDelay(t *testing.T) {
	tests := map[string]struct {
		acceptDelay time.Duration
		reject      []string      // device ids ThingSpace rejects
		after       time.Duration // how long after the POST the campaign is read
		wantStatus  string
	}{
		"pending until just before AcceptDelay": {acceptDelay: 30 * time.Second, after: 30*time.Second - time.Nanosecond,
			wantStatus: "CampaignRequestPending"},
		"queued exactly at AcceptDelay": {acceptDelay: 30 * time.Second, after: 30 * time.Second,
			wantStatus: "CampaignRequestQueued"},
		"queued when ThingSpace rejected only some devices": {acceptDelay: 30 * time.Second, reject: []string{"1"},
			after: time.Hour, wantStatus: "CampaignRequestQueued"},
		"failed when ThingSpace rejected every device": {acceptDelay: 30 * time.Second, reject: []string{"1", "2"},
			after: 30 * time.Second, wantStatus: "CampaignRequestFailed"},
		"no AcceptDelay means a minute: still pending at 59 s": {after: 59 * time.Second,
			wantStatus: "CampaignRequestPending"},
		"no AcceptDelay means a minute: queued at 60 s": {after: time.Minute,
			wantStatus: "CampaignRequestQueued"},
		"a negative AcceptDelay ends the checks at once": {acceptDelay: -1, after: 0,
			wantStatus: "CampaignRequestQueued"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{AcceptDelay: tt.acceptDelay})
			e.sim.RejectDevices("Device does not exist.", tt.reject...)
			created := e.schedule("1", "2")

			e.clock.Advance(tt.after)

			if got := e.statusOf(created.ID); got != tt.wantStatus {
				t.Errorf("status %v after the POST = %s, want %s", tt.after, got, tt.wantStatus)
			}
		})
	}
}

func TestTheReplyToAPOSTIsThePendingCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	created := e.schedule("1")

	if created.Status != "CampaignRequestPending" {
		t.Errorf("POST reply status = %s, want CampaignRequestPending: 200 means accepted, not scheduled", created.Status)
	}
}

func TestAFailedRequestShowsTheRejectionsInTheDeviceReport(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Second})
	e.sim.RejectDevices("Device does not exist.", "990000000000001")
	e.sim.RejectDevices("Device is not of the campaign's make and model.", "990000000000002")
	created := e.schedule("990000000000001", "990000000000002")
	e.clock.Advance(time.Second)

	page := e.report(created.ID, "0")

	if got := e.statusOf(created.ID); got != "CampaignRequestFailed" {
		t.Errorf("status = %s, want CampaignRequestFailed", got)
	}
	want := []simulator.Device{
		{ID: "990000000000001", Status: "DeviceRejected", Reason: "Device does not exist."},
		{ID: "990000000000002", Status: "DeviceRejected", Reason: "Device is not of the campaign's make and model."},
	}
	if diff := cmp.Diff(want, page.DeviceList); diff != "" {
		t.Errorf("device report (-want +got):\n%s", diff)
	}
}

func TestRejectDevicesAppliesToRequestsFromThenOn(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	before := e.schedule("1")

	e.sim.RejectDevices("Device does not exist.", "1")
	after := e.schedule("1")

	if got := e.devices(before.ID); got[0].Status != "Accepted" {
		t.Errorf("device of the earlier campaign is %s, want it still Accepted", got[0].Status)
	}
	if got := e.devices(after.ID); got[0].Status != "DeviceRejected" {
		t.Errorf("device of the later campaign is %s, want DeviceRejected", got[0].Status)
	}
}

func TestAPOSTListsADeviceOnce(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	created := e.schedule("1", "2", "1")

	if got := ids(e.devices(created.ID)); !cmp.Equal(got, []string{"1", "2"}) {
		t.Errorf("devices = %v, want 1 and 2 once each", got)
	}
}

func TestAcceptedDevicesWaitForTheirUpgradeFromTheStart(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.sim.RejectDevices("Device does not exist.", "2")
	created := e.schedule("1", "2") // starts 2026-11-26 00:00 UTC, 12 hours after now0
	e.clock.Advance(12*time.Hour - time.Nanosecond)
	queuedBeforeStart := statuses(e.devices(created.ID))

	e.clock.Advance(time.Nanosecond)

	if want := []string{"Accepted", "DeviceRejected"}; !cmp.Equal(queuedBeforeStart, want) {
		t.Errorf("devices before the start = %v, want %v", queuedBeforeStart, want)
	}
	if got, want := statuses(e.devices(created.ID)), []string{"UpgradePending", "DeviceRejected"}; !cmp.Equal(got, want) {
		t.Errorf("devices at the start = %v, want %v", got, want)
	}
}

func TestASeededStatusStays(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Second})
	c := fixture("seeded-pending", "2026-11-24", "2026-11-30")
	c.Status = "CampaignRequestPending"
	e.sim.Seed(c)
	if err := e.sim.SetDevices(account, c.ID, simulator.SampleDevices(2)); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(24 * time.Hour)

	if got := e.statusOf(c.ID); got != "CampaignRequestPending" {
		t.Errorf("seeded status became %s, want it to stay CampaignRequestPending", got)
	}
	if got := statuses(e.devices(c.ID)); !cmp.Equal(got, []string{"Accepted", "Accepted"}) {
		t.Errorf("devices of a campaign still pending = %v, want them Accepted: ThingSpace delivers nothing yet", got)
	}
}

func TestSetStatusStopsThePendingChecks(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Second})
	created := e.schedule("1")

	if err := e.sim.SetStatus(account, created.ID, "CampaignRequestPending"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)

	if got := e.statusOf(created.ID); got != "CampaignRequestPending" {
		t.Errorf("status = %s, want the CampaignRequestPending SetStatus set", got)
	}
}

func TestDevicesChange(t *testing.T) {
	tests := map[string]struct {
		status      string
		reject      []string
		change      string
		wantDevices []simulator.Device
		wantRefusal string
	}{
		"append adds devices after the listed ones": {
			status: "CampaignRequestPending",
			change: `{"addOrRemoveDevice":[{"type":"append","deviceList":["3"]}]}`,
			wantDevices: []simulator.Device{
				{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"}, {ID: "3", Status: "Accepted"}},
		},
		"appending a listed device does not list it twice": {
			status: "CampaignRequestPending",
			change: `{"addOrRemoveDevice":[{"type":"append","deviceList":["2","3","3"]}]}`,
			wantDevices: []simulator.Device{
				{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"}, {ID: "3", Status: "Accepted"}},
		},
		"an appended device ThingSpace rejects is listed as rejected": {
			status: "CampaignRequestPending", reject: []string{"3"},
			change: `{"addOrRemoveDevice":[{"type":"append","deviceList":["3"]}]}`,
			wantDevices: []simulator.Device{{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"},
				{ID: "3", Status: "DeviceRejected", Reason: "Device does not exist."}},
		},
		"remove drops devices": {
			status:      "CampaignRequestPending",
			change:      `{"addOrRemoveDevice":[{"type":"remove","deviceList":["1","9"]}]}`,
			wantDevices: []simulator.Device{{ID: "2", Status: "Accepted"}},
		},
		"append and remove in one request": {
			status:      "CampaignRequestPending",
			change:      `{"addOrRemoveDevice":[{"type":"append","deviceList":["3"]},{"type":"remove","deviceList":["1","2"]}]}`,
			wantDevices: []simulator.Device{{ID: "3", Status: "Accepted"}},
		},
		"a queued campaign still takes changes": {
			status:      "CampaignRequestQueued",
			change:      `{"addOrRemoveDevice":[{"type":"remove","deviceList":["2"]}]}`,
			wantDevices: []simulator.Device{{ID: "1", Status: "Accepted"}},
		},
		"a scheduled campaign refuses changes": {
			status:      "CampaignScheduled",
			change:      `{"addOrRemoveDevice":[{"type":"append","deviceList":["3"]}]}`,
			wantDevices: []simulator.Device{{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"}},
			wantRefusal: "only be added or removed while the campaign is RequestPending or Queued, not CampaignScheduled",
		},
		"an unknown step type is refused": {
			status:      "CampaignRequestPending",
			change:      `{"addOrRemoveDevice":[{"type":"append","deviceList":["3"]},{"type":"replace","deviceList":["1"]}]}`,
			wantDevices: []simulator.Device{{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"}},
			wantRefusal: `addOrRemoveDevice[1].type "replace" is not append or remove`,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("devices", "2026-12-01", "2026-12-07")
			c.Status = tt.status
			e.sim.Seed(c)
			if err := e.sim.SetDevices(account, c.ID, []simulator.Device{{ID: "1", Status: "Accepted"}, {ID: "2", Status: "Accepted"}}); err != nil {
				t.Fatal(err)
			}
			e.sim.RejectDevices("Device does not exist.", tt.reject...)

			r := e.fota(http.MethodPut, campaignPath(account, c.ID), tt.change)

			if tt.wantRefusal != "" {
				wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", tt.wantRefusal)
			} else {
				wantStatus(t, r, http.StatusOK)
				got := decode[map[string]string](t, r)
				if got["accountName"] != account || got["campaignId"] != c.ID || got["requestId"] == "" {
					t.Errorf("reply = %v, want the account, the campaign id and a request id", got)
				}
			}
			if diff := cmp.Diff(tt.wantDevices, e.devices(c.ID)); diff != "" {
				t.Errorf("devices afterwards (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDevicesOfANewCampaignChangeUntilItIsScheduled(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Second})
	created := e.schedule("1")
	add := func(id string) reply {
		return e.fota(http.MethodPut, campaignPath(account, created.ID),
			`{"addOrRemoveDevice":[{"type":"append","deviceList":["`+id+`"]}]}`)
	}

	wantStatus(t, add("2"), http.StatusOK) // pending
	e.clock.Advance(time.Second)
	wantStatus(t, add("3"), http.StatusOK) // queued
	if err := e.sim.SetStatus(account, created.ID, "CampaignScheduled"); err != nil {
		t.Fatal(err)
	}

	wantError(t, add("4"), http.StatusBadRequest, "INVALID_PARAMETER", "not CampaignScheduled")
	if got := ids(e.devices(created.ID)); !cmp.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("devices = %v, want 1, 2 and 3", got)
	}
}

func TestDeleteStopsEveryDeviceNotYetFinished(t *testing.T) {
	mixed := []simulator.Device{
		{ID: "1", Status: "Accepted"},
		{ID: "2", Status: "UpgradePending"},
		{ID: "3", Status: "UpgradeSuccess", Reason: "DownloadInstallSucceeded"},
		{ID: "4", Status: "UpgradedFailed", Reason: "RovaClientDownloadFailed"},
		{ID: "5", Status: "DeviceRejected", Reason: "Device does not exist."},
	}
	tests := map[string]struct {
		start, end   string
		wantCampaign string
		wantDevices  []string
	}{
		"a cancel before the start cancels the waiting devices": {start: "2026-12-01", end: "2026-12-07",
			wantCampaign: "CampaignCancelled",
			wantDevices:  []string{"CampaignCancelled", "CampaignCancelled", "UpgradeSuccess", "UpgradedFailed", "DeviceRejected"}},
		"an abort while running aborts the devices still upgrading": {start: "2026-11-20", end: "2026-11-30",
			wantCampaign: "CampaignAborted",
			wantDevices:  []string{"CampaignAborted", "CampaignAborted", "UpgradeSuccess", "UpgradedFailed", "DeviceRejected"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			c := fixture("deleted", tt.start, tt.end)
			e.sim.Seed(c)
			if err := e.sim.SetDevices(account, c.ID, mixed); err != nil {
				t.Fatal(err)
			}

			wantStatus(t, e.fota(http.MethodDelete, campaignPath(account, c.ID), ""), http.StatusOK)

			if got := e.statusOf(c.ID); got != tt.wantCampaign {
				t.Errorf("campaign status = %s, want %s", got, tt.wantCampaign)
			}
			if got := statuses(e.devices(c.ID)); !cmp.Equal(got, tt.wantDevices) {
				t.Errorf("devices = %v, want %v", got, tt.wantDevices)
			}
		})
	}
}

func TestDeleteOfAPendingRequestCancelsIt(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: time.Minute})
	created := e.schedule("1")

	wantStatus(t, e.fota(http.MethodDelete, campaignPath(account, created.ID), ""), http.StatusOK)
	e.clock.Advance(time.Hour)

	if got := e.statusOf(created.ID); got != "CampaignCancelled" {
		t.Errorf("status = %s, want CampaignCancelled: the checks of a cancelled request never end it", got)
	}
}

func (e *env) devices(id string) []simulator.Device {
	e.t.Helper()
	devices, err := e.sim.Devices(account, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return devices
}

func ids(devices []simulator.Device) []string {
	out := make([]string, len(devices))
	for i, d := range devices {
		out[i] = d.ID
	}
	return out
}

func statuses(devices []simulator.Device) []string {
	out := make([]string, len(devices))
	for i, d := range devices {
		out[i] = d.Status
	}
	return out
}
