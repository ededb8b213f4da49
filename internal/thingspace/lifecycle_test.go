package thingspace_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestCreateCampaignSendsEveryKeyAndReturnsTheNewID(t *testing.T) {
	w := staticWorld(t)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	start := pendingStart().Format(time.DateOnly)
	end := pendingStart().AddDate(0, 0, 6).Format(time.DateOnly)

	created, err := client.CreateCampaign(t.Context(), staticCredentials, testAccount, thingspace.NewCampaign{
		CampaignName:     "fleet.model-a-wave1",
		SoftwareName:     "FOTA_Verizon_Model-A_02To03_HF",
		SoftwareFrom:     "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo:       "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType: "HTTP",
		Dates:            thingspace.Dates{StartDate: start, EndDate: end},
		DeviceList:       []string{"990013907835573", "990013907835581"},
	})
	if err != nil {
		t.Fatalf("CreateCampaign: %v", err)
	}
	if created.ID == "" || created.CampaignName != "fleet.model-a-wave1" {
		t.Errorf("reply %+v, want the new campaign with an id and its name", created)
	}
	if _, held := w.sim.Campaign(testAccount, created.ID); !held {
		t.Errorf("ThingSpace does not hold campaign %s", created.ID)
	}

	requests := w.sim.Requests()
	if len(requests) != 1 || requests[0].Method != http.MethodPost || requests[0].Path != "/api/fota/v2/campaigns/software/"+testAccount {
		t.Fatalf("requests %+v, want one POST /campaigns/software/{acc}", requests)
	}
	wantBody := map[string]string{
		"campaignName":           `"fleet.model-a-wave1"`,
		"softwareName":           `"FOTA_Verizon_Model-A_02To03_HF"`,
		"softwareFrom":           `"FOTA_Verizon_Model-A_00To01_HF"`,
		"softwareTo":             `"FOTA_Verizon_Model-A_02To03_HF"`,
		"distributionType":       `"HTTP"`,
		"startDate":              `"` + start + `"`,
		"endDate":                `"` + end + `"`,
		"downloadAfterDate":      `null`,
		"downloadTimeWindowList": `[]`,
		"installAfterDate":       `null`,
		"installTimeWindowList":  `[]`,
		"deviceList":             `["990013907835573","990013907835581"]`,
	}
	if diff := cmp.Diff(wantBody, jsonFields(t, requests[0].Body)); diff != "" {
		t.Errorf("POST body keys (-want +got):\n%s", diff)
	}
}

func TestCreateCampaignRefusesAReplyWithoutID(t *testing.T) {
	w := staticWorld(t)
	w.sim.InjectFault(simulator.Fault{Kind: simulator.KindCreate, Status: http.StatusOK,
		Body: `{"campaignName":"x","startDate":"2026-12-01","endDate":"2026-12-07"}`})
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	_, err := client.CreateCampaign(t.Context(), staticCredentials, testAccount, thingspace.NewCampaign{CampaignName: "x"})
	requireErrorType[*thingspace.UnavailableError](t, err)
}

func TestUpdateDevicesSendsBothStepsInOnePut(t *testing.T) {
	tests := map[string]struct {
		change   thingspace.DevicesChange
		wantBody string
	}{
		"append and remove travel in one request": {
			change:   thingspace.DevicesChange{Append: []string{"990013907835599"}, Remove: []string{"990013907835573"}},
			wantBody: `{"addOrRemoveDevice":[{"type":"append","deviceList":["990013907835599"]},{"type":"remove","deviceList":["990013907835573"]}]}`,
		},
		"an empty step is left out": {
			change:   thingspace.DevicesChange{Remove: []string{"990013907835573"}},
			wantBody: `{"addOrRemoveDevice":[{"type":"remove","deviceList":["990013907835573"]}]}`,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			seeded := sampleCampaign(testAccount, testCampaignID, pendingStart())
			seeded.Status = "CampaignRequestQueued"
			w.sim.Seed(seeded)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			if err := client.UpdateDevices(t.Context(), staticCredentials, testAccount, testCampaignID, tt.change); err != nil {
				t.Fatalf("UpdateDevices: %v", err)
			}
			requests := w.sim.Requests()
			if len(requests) != 1 || requests[0].Method != http.MethodPut ||
				requests[0].Path != "/api/fota/v2/campaigns/"+testAccount+"/"+testCampaignID {
				t.Fatalf("requests %+v, want one PUT of the campaign", requests)
			}
			if got := string(requests[0].Body); got != tt.wantBody {
				t.Errorf("body %s, want %s", got, tt.wantBody)
			}
		})
	}
}

func TestUpdateDevicesWithNothingToChangeSendsNothing(t *testing.T) {
	w := staticWorld(t)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})
	if err := client.UpdateDevices(t.Context(), staticCredentials, testAccount, testCampaignID, thingspace.DevicesChange{}); err != nil {
		t.Fatalf("UpdateDevices: %v", err)
	}
	if n := len(w.sim.Requests()); n != 0 {
		t.Errorf("simulator saw %d requests, want none", n)
	}
}

func TestUpdateDevicesOnceScheduledIsRejected(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	err := client.UpdateDevices(t.Context(), staticCredentials, testAccount, testCampaignID,
		thingspace.DevicesChange{Append: []string{"990013907835599"}})
	if apiErr := errorAs[*thingspace.APIError](t, err); apiErr.Code != "INVALID_PARAMETER" {
		t.Errorf("error code %q, want INVALID_PARAMETER", apiErr.Code)
	}
}

func TestDeleteCampaign(t *testing.T) {
	tests := map[string]struct {
		reply   string
		wantErr func(*testing.T, error)
	}{
		"success true is a cancellation": {
			reply:   `{"success":true}`,
			wantErr: func(t *testing.T, err error) { requireNoError(t, err) },
		},
		"success false is retried with backoff, not taken for a cancellation": {
			reply:   `{"success":false}`,
			wantErr: requireErrorType[*thingspace.UnavailableError],
		},
		"a reply without success is not taken for a cancellation either": {
			reply:   `{}`,
			wantErr: requireErrorType[*thingspace.UnavailableError],
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.InjectFault(simulator.Fault{Kind: simulator.KindDelete, Status: http.StatusOK, Body: tt.reply})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			tt.wantErr(t, client.DeleteCampaign(t.Context(), staticCredentials, testAccount, testCampaignID))
			requests := w.sim.Requests()
			if len(requests) != 1 || requests[0].Method != http.MethodDelete ||
				requests[0].Path != "/api/fota/v2/campaigns/"+testAccount+"/"+testCampaignID {
				t.Errorf("requests %+v, want exactly one DELETE of the campaign", requests)
			}
		})
	}
}

func TestDeleteCampaignCancelsAtTheSimulator(t *testing.T) {
	w := staticWorld(t)
	w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	requireNoError(t, client.DeleteCampaign(t.Context(), staticCredentials, testAccount, testCampaignID))
	held, _ := w.sim.Campaign(testAccount, testCampaignID)
	if held.Status != simulator.StatusCancelled {
		t.Errorf("status %q, want %s", held.Status, simulator.StatusCancelled)
	}
}

// pagedServer serves paged replies: pages[cursor] answers the request whose cursor parameter is
// cursor, and every cursor asked for is recorded in order.
type pagedServer struct {
	cursorKey string
	pages     map[string]string

	mu    sync.Mutex
	asked []string
}

func (p *pagedServer) start(t *testing.T) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cursor := r.URL.Query().Get(p.cursorKey)
		p.mu.Lock()
		p.asked = append(p.asked, cursor)
		p.mu.Unlock()
		page, ok := p.pages[cursor]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"errorCode":"INVALID_PARAMETER","errorMessage":"unknown %s %q"}`, p.cursorKey, cursor)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(server.Close)
	return server.URL
}

func (p *pagedServer) cursors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func TestDeviceReportSendsTheCursorBackAsItCame(t *testing.T) {
	server := &pagedServer{cursorKey: "lastSeenDeviceId", pages: map[string]string{
		"0": `{"totalDevice":3,"hasMoreData":true,"lastSeenDeviceId":"990013907835573","maxPageSize":1000,
			"deviceList":[{"deviceId":"990013907835573","status":"UpgradeSuccess","resultReason":"DownloadInstallSucceeded"}]}`,
		"990013907835573": `{"totalDevice":3,"hasMoreData":true,"lastSeenDeviceId":990013907835581,
			"deviceList":[{"deviceId":"990013907835581","status":"UpgradeFailed","resultReason":"RovaClientDownloadFailed"}]}`,
		"990013907835581": `{"totalDevice":3,"hasMoreData":false,"lastSeenDeviceId":"990013907835599",
			"deviceList":[{"deviceId":"990013907835599","status":"Accepted"}]}`,
	}}
	client := newClient(t, thingspace.Options{BaseURL: server.start(t)})

	var got []thingspace.Device
	err := client.DeviceReport(t.Context(), staticCredentials, testAccount, testCampaignID, func(d thingspace.Device) error {
		got = append(got, d)
		return nil
	})
	requireNoError(t, err)
	want := []thingspace.Device{
		{DeviceID: "990013907835573", Status: "UpgradeSuccess", ResultReason: "DownloadInstallSucceeded"},
		{DeviceID: "990013907835581", Status: "UpgradeFailed", ResultReason: "RovaClientDownloadFailed"},
		{DeviceID: "990013907835599", Status: "Accepted"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0", "990013907835573", "990013907835581"}, server.cursors()); diff != "" {
		t.Errorf("cursors sent (-want +got), a string and a number each sent back as they came:\n%s", diff)
	}
}

func TestPagedReadsThatDoNotAdvanceStop(t *testing.T) {
	tests := map[string]string{
		"the same cursor again":  `{"hasMoreData":true,"lastSeenDeviceId":"0","deviceList":[]}`,
		"no cursor at all":       `{"hasMoreData":true,"deviceList":[]}`,
		"a cursor of no use":     `{"hasMoreData":true,"lastSeenDeviceId":{"id":1},"deviceList":[]}`,
		"a reply that is a list": `[]`,
	}
	for name, page := range tests {
		t.Run(name, func(t *testing.T) {
			server := &pagedServer{cursorKey: "lastSeenDeviceId", pages: map[string]string{"0": page}}
			client := newClient(t, thingspace.Options{BaseURL: server.start(t)})

			err := client.DeviceReport(t.Context(), staticCredentials, testAccount, testCampaignID,
				func(thingspace.Device) error { return nil })
			requireErrorType[*thingspace.UnavailableError](t, err)
			if n := len(server.cursors()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestDeviceReportStopsAtTheVisitorsError(t *testing.T) {
	server := &pagedServer{cursorKey: "lastSeenDeviceId", pages: map[string]string{
		"0": `{"hasMoreData":true,"lastSeenDeviceId":"a","deviceList":[{"deviceId":"a"}]}`,
	}}
	client := newClient(t, thingspace.Options{BaseURL: server.start(t)})
	stop := errors.New("enough")

	err := client.DeviceReport(t.Context(), staticCredentials, testAccount, testCampaignID,
		func(thingspace.Device) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("error %v, want the visitor's", err)
	}
	if n := len(server.cursors()); n != 1 {
		t.Errorf("%d requests, want 1: no page after the visitor stopped", n)
	}
}

func TestListCampaignsReadsEveryPageOfTheStatus(t *testing.T) {
	pages := map[string]string{}
	for page := range 3 {
		var list []thingspace.Campaign
		for i := range 2 {
			list = append(list, thingspace.Campaign{ID: "c" + strconv.Itoa(page*2+i), CampaignName: "n", Status: "CampaignRequestQueued"})
		}
		body, _ := json.Marshal(map[string]any{
			"hasMoreData": page < 2, "lastSeenCampaignId": list[1].ID, "campaignList": list,
		})
		cursor := "0"
		if page > 0 {
			cursor = "c" + strconv.Itoa(page*2-1)
		}
		pages[cursor] = string(body)
	}
	server := &pagedServer{cursorKey: "lastSeenCampaignId", pages: pages}
	client := newClient(t, thingspace.Options{BaseURL: server.start(t)})

	var ids []string
	requireNoError(t, client.ListCampaigns(t.Context(), staticCredentials, testAccount, "CampaignRequestQueued",
		func(c thingspace.Campaign) error {
			ids = append(ids, c.ID)
			return nil
		}))
	if diff := cmp.Diff([]string{"c0", "c1", "c2", "c3", "c4", "c5"}, ids); diff != "" {
		t.Errorf("campaigns (-want +got):\n%s", diff)
	}
}

func TestGetCampaignRefusesAReplyAboutAnotherCampaign(t *testing.T) {
	tests := map[string]string{
		"another campaign id": `{"id":"another-id","accountName":"` + testAccount + `","startDate":"2026-12-01","endDate":"2026-12-07"}`,
		"another account":     `{"id":"` + testCampaignID + `","accountName":"0000000000-00009","startDate":"2026-12-01","endDate":"2026-12-07"}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.InjectFault(simulator.Fault{Kind: simulator.KindGet, Status: http.StatusOK, Body: body})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			_, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
			requireErrorType[*thingspace.UnavailableError](t, err)
		})
	}
}

// jsonFields returns the top-level keys of a JSON object with their raw values.
func jsonFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("body %s is not a JSON object: %v", body, err)
	}
	out := make(map[string]string, len(fields))
	for key, value := range fields {
		out[key] = string(value)
	}
	return out
}

func requireNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// A reply that cannot be trusted is ThingSpace failing to answer: never "no campaigns", and
// never a new campaign's id, since the caller would record it or schedule the campaign again.
func TestRepliesThatCannotBeTrustedAreUnavailable(t *testing.T) {
	listBody := func(entries string) string {
		return `{"hasMoreData":false,"lastSeenCampaignId":"0","campaignList":` + entries + `}`
	}
	tests := map[string]struct {
		kind  simulator.Kind
		fault simulator.Fault
		// wantScheduled says the POST had its effect at ThingSpace, whatever the reply said.
		wantScheduled bool
	}{
		"a list reply without campaignList is not an empty list": {kind: simulator.KindList,
			fault: simulator.Fault{Alter: simulator.AlterWithoutCampaignList}},
		"a list reply whose campaignList is null is not an empty list": {kind: simulator.KindList,
			fault: simulator.Fault{Status: 200, Body: listBody(`null`)}},
		"a list entry that is no object cannot be read": {kind: simulator.KindList,
			fault: simulator.Fault{Status: 200, Body: listBody(`["` + testCampaignID + `"]`)}},
		"a null list entry cannot be read": {kind: simulator.KindList,
			fault: simulator.Fault{Status: 200, Body: listBody(`[null]`)}},
		"a list entry with a field of the wrong type cannot be read": {kind: simulator.KindList,
			fault: simulator.Fault{Status: 200, Body: listBody(`[{"id":"a","campaignName":7}]`)}},
		"a list entry without an id cannot be read": {kind: simulator.KindList,
			fault: simulator.Fault{Status: 200, Body: listBody(`[{"campaignName":"FOTA_Verizon_Upgrade","status":"CampaignScheduled"}]`)}},
		"a list entry about another account cannot be read": {kind: simulator.KindList,
			fault: simulator.Fault{Alter: simulator.AlterOtherAccount}},
		"a POST reply without an id is an unknown outcome": {kind: simulator.KindCreate,
			fault: simulator.Fault{Alter: simulator.AlterWithoutID}, wantScheduled: true},
		"a POST reply about another account is an unknown outcome": {kind: simulator.KindCreate,
			fault: simulator.Fault{Alter: simulator.AlterOtherAccount}, wantScheduled: true},
		"a POST reply about another campaign name is an unknown outcome": {kind: simulator.KindCreate,
			fault: simulator.Fault{Alter: simulator.AlterOtherCampaignName}, wantScheduled: true},
		"a POST answered 200 with an errorMessage is an unknown outcome": {kind: simulator.KindCreate,
			fault: simulator.Fault{Alter: simulator.AlterErrorMessage}, wantScheduled: true},
		"a POST answered 200 with an error body alone is an unknown outcome": {kind: simulator.KindCreate,
			fault: simulator.Fault{Status: 200, Body: `{"errorCode":"INTERNAL_SERVER_ERROR","errorMessage":"try later"}`}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.Seed(sampleCampaign(testAccount, testCampaignID, pendingStart()))
			tt.fault.Kind = tt.kind
			w.sim.InjectFault(tt.fault)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			var err error
			switch tt.kind {
			case simulator.KindList:
				err = client.ListCampaigns(t.Context(), staticCredentials, testAccount, "CampaignScheduled", func(c thingspace.Campaign) error {
					t.Errorf("visited %+v from a reply that cannot be trusted", c)
					return nil
				})
			case simulator.KindCreate:
				var created *thingspace.Campaign
				created, err = client.CreateCampaign(t.Context(), staticCredentials, testAccount, newCampaign())
				if created != nil {
					t.Errorf("CreateCampaign returned %+v, want no campaign: its id cannot be trusted", *created)
				}
			}

			requireErrorType[*thingspace.UnavailableError](t, err)
			if scheduled := len(w.sim.Campaigns()) == 2; scheduled != tt.wantScheduled {
				t.Errorf("scheduled at ThingSpace: %t, want %t", scheduled, tt.wantScheduled)
			}
		})
	}
}

func TestAnEmptyCampaignListIsNoCampaigns(t *testing.T) {
	w := staticWorld(t)
	client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

	visited := 0
	err := client.ListCampaigns(t.Context(), staticCredentials, testAccount, "CampaignScheduled", func(thingspace.Campaign) error {
		visited++
		return nil
	})

	if err != nil || visited != 0 {
		t.Errorf("got %v after %d campaigns, want no error and none", err, visited)
	}
}

// Campaign ids are UUIDs: a reply spelling the requested id in capitals is about it.
func TestCampaignIDsCompareWithoutCase(t *testing.T) {
	upper := strings.ToUpper(testCampaignID)
	tests := map[string]struct {
		kind simulator.Kind
		call func(client *thingspace.HTTPClient) (*thingspace.Campaign, error)
	}{
		"GET": {kind: simulator.KindGet, call: func(client *thingspace.HTTPClient) (*thingspace.Campaign, error) {
			return client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
		}},
		"dates PUT": {kind: simulator.KindDates, call: func(client *thingspace.HTTPClient) (*thingspace.Campaign, error) {
			return client.UpdateCampaignDates(t.Context(), staticCredentials, testAccount, testCampaignID, thingspace.Dates{StartDate: "2026-12-01", EndDate: "2026-12-07"})
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.InjectFault(simulator.Fault{Kind: tt.kind, Status: 200,
				Body: `{"id":"` + upper + `","accountName":"` + testAccount + `","startDate":"2026-12-01","endDate":"2026-12-07"}`})
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			campaign, err := tt.call(client)

			if err != nil || campaign.ID != upper {
				t.Errorf("got %v, %v; want the campaign %s", campaign, err, upper)
			}
		})
	}
}

// What to cut for a condition is the controller's business: the client hands a 40 KB software
// name over whole.
func TestALongSoftwareNameReachesTheCallerWhole(t *testing.T) {
	long := sampleCampaign(testAccount, testCampaignID, pendingStart())
	long.SoftwareName = strings.Repeat("FOTA_Verizon_Model-A_02To03_HF_", 40<<10/32)
	tests := map[string]func(client *thingspace.HTTPClient) (string, error){
		"GET": func(client *thingspace.HTTPClient) (string, error) {
			campaign, err := client.GetCampaign(t.Context(), staticCredentials, testAccount, testCampaignID)
			if err != nil {
				return "", err
			}
			return campaign.SoftwareName, nil
		},
		"list": func(client *thingspace.HTTPClient) (string, error) {
			var name string
			err := client.ListCampaigns(t.Context(), staticCredentials, testAccount, long.Status, func(c thingspace.Campaign) error {
				name = c.SoftwareName
				return nil
			})
			return name, err
		},
	}
	for name, read := range tests {
		t.Run(name, func(t *testing.T) {
			w := staticWorld(t)
			w.sim.Seed(long)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL})

			got, err := read(client)

			if err != nil || got != long.SoftwareName {
				t.Errorf("got %d bytes, %v; want the %d-byte name", len(got), err, len(long.SoftwareName))
			}
		})
	}
}

// newCampaign is a campaign the simulator accepts.
func newCampaign() thingspace.NewCampaign {
	return thingspace.NewCampaign{
		CampaignName:     "fleet.model-a-wave1",
		SoftwareName:     "FOTA_Verizon_Model-A_02To03_HF",
		SoftwareFrom:     "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo:       "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType: "HTTP",
		Dates: thingspace.Dates{
			StartDate: pendingStart().Format(time.DateOnly),
			EndDate:   pendingStart().AddDate(0, 0, 6).Format(time.DateOnly),
		},
		DeviceList: []string{"990013907835573"},
	}
}

// A search by name right after a POST can miss the new campaign: the simulator's list lag shows
// the client what the controller must be ready for.
func TestListCampaignsMissesACampaignTheListLagsBehind(t *testing.T) {
	tests := map[string]struct {
		after      time.Duration
		wantListed bool
	}{
		"within the lag the new campaign is not listed": {after: 29 * time.Second},
		"after the lag it is":                           {after: 30 * time.Second, wantListed: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			w := startWorld(t, simulator.Options{Clock: clock.Now, AcceptDelay: time.Hour,
				StaticTokens: []simulator.TokenPair{{AccessToken: staticAccessToken, SessionToken: staticSessionToken}}})
			w.sim.SetListLag(30 * time.Second)
			client := newClient(t, thingspace.Options{BaseURL: w.baseURL, Clock: clock.Now})
			campaign := newCampaign()
			campaign.StartDate = clock.Now().AddDate(0, 0, 1).Format(time.DateOnly)
			campaign.EndDate = clock.Now().AddDate(0, 0, 7).Format(time.DateOnly)
			created, err := client.CreateCampaign(t.Context(), staticCredentials, testAccount, campaign)
			requireNoError(t, err)

			clock.Advance(tt.after)
			listed := false
			requireNoError(t, client.ListCampaigns(t.Context(), staticCredentials, testAccount, created.Status, func(c thingspace.Campaign) error {
				listed = listed || c.ID == created.ID
				return nil
			}))

			if listed != tt.wantListed {
				t.Errorf("new campaign listed %t, want %t", listed, tt.wantListed)
			}
		})
	}
}
