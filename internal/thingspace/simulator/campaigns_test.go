package simulator_test

import (
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func TestGetReturnsTheWholeCampaignObject(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("get", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	r := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	wantStatus(t, r, http.StatusOK)
	if diff := cmp.Diff(c, decode[thingspace.Campaign](t, r)); diff != "" {
		t.Errorf("GET reply differs from the seeded campaign (-seeded +reply):\n%s", diff)
	}
}

func TestGetKeepsLeadingZerosOfTheAccount(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("zeros", "2026-12-01", "2026-12-07")
	c.AccountName = "0002196254-00001"
	e.sim.Seed(c)

	wantStatus(t, e.fota(http.MethodGet, campaignPath("0002196254-00001", c.ID), ""), http.StatusOK)
	wantError(t, e.fota(http.MethodGet, campaignPath("2196254-00001", c.ID), ""),
		http.StatusBadRequest, "INVALID_PARAMETER", "Invalid campaign id")
}

func TestGetUnknownCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.sim.Seed(fixture("known", "2026-12-01", "2026-12-07"))

	r := e.fota(http.MethodGet, campaignPath(account, "unknown"), "")

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "Invalid campaign id")
}

func TestGetNormalisesAbsentWindowListsToEmptyLists(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("no-windows", "2026-12-01", "2026-12-07")
	c.DownloadTimeWindowList, c.InstallTimeWindowList = nil, nil
	e.sim.Seed(c)

	r := e.fota(http.MethodGet, campaignPath(c.AccountName, c.ID), "")

	got := decode[map[string]any](t, r)
	for _, key := range []string{"downloadTimeWindowList", "installTimeWindowList"} {
		if list, ok := got[key].([]any); !ok || len(list) != 0 {
			t.Errorf("%s = %#v, want []", key, got[key])
		}
	}
}

func TestDeleteCancelsBeforeTheStartAndAbortsAfter(t *testing.T) {
	tests := []struct {
		name       string
		campaign   thingspace.Campaign
		wantStatus string // the campaign's status afterwards
		wantReason string // set when ThingSpace refuses
	}{
		{name: "before the start a delete is a cancel",
			campaign: fixture("pending", "2026-12-01", "2026-12-07"), wantStatus: "CampaignCancelled"},
		{name: "while the campaign runs a delete is an abort",
			campaign: fixture("running", "2026-11-20", "2026-11-30"), wantStatus: "CampaignAborted"},
		{name: "after the end there is nothing to cancel",
			campaign: fixture("ended", "2026-11-01", "2026-11-10"), wantStatus: "CampaignScheduled",
			wantReason: "the campaign ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(tt.campaign)

			r := e.fota(http.MethodDelete, campaignPath(tt.campaign.AccountName, tt.campaign.ID), "")

			if tt.wantReason != "" {
				wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", tt.wantReason)
			} else {
				wantStatus(t, r, http.StatusOK)
				if got := decode[map[string]bool](t, r); !got["success"] {
					t.Errorf("reply = %s, want {\"success\": true}", r.body)
				}
			}
			if got := e.stored(tt.campaign).Status; got != tt.wantStatus {
				t.Errorf("status = %s, want %s", got, tt.wantStatus)
			}
		})
	}
}

func TestDeleteTwiceIsRefused(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("twice", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	wantStatus(t, e.fota(http.MethodDelete, campaignPath(c.AccountName, c.ID), ""), http.StatusOK)

	r := e.fota(http.MethodDelete, campaignPath(c.AccountName, c.ID), "")

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "the campaign is CampaignCancelled")
}

func createBody(start, end string, devices ...string) map[string]any {
	return map[string]any{
		"campaignName":           "FOTA_Created",
		"softwareName":           "FOTA_Verizon_Model-A_02To03_HF",
		"softwareFrom":           "FOTA_Verizon_Model-A_00To01_HF",
		"softwareTo":             "FOTA_Verizon_Model-A_02To03_HF",
		"distributionType":       "HTTP",
		"make":                   "Verizon",
		"model":                  "Model-A",
		"startDate":              start,
		"endDate":                end,
		"downloadAfterDate":      nil,
		"downloadTimeWindowList": []window{{StartTime: 1, EndTime: 2}},
		"installAfterDate":       start,
		"installTimeWindowList":  []window{},
		"deviceList":             devices,
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCreateThenGet: ThingSpace answers a valid request with the new campaign, pending its checks.
func TestCreateThenGet(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.fota(http.MethodPost, "/api/fota/v2/campaigns/software/"+account,
		toJSON(t, createBody("2026-12-01", "2026-12-07", "990003425730535")))

	wantStatus(t, r, http.StatusOK)
	created := decode[thingspace.Campaign](t, r)
	if !uuidPattern.MatchString(created.ID) {
		t.Errorf("id %q is not a UUID", created.ID)
	}
	got := decode[thingspace.Campaign](t, e.fota(http.MethodGet, campaignPath(account, created.ID), ""))
	want := thingspace.Campaign{
		ID: created.ID, AccountName: account, CampaignName: "FOTA_Created",
		SoftwareName: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP", Make: "Verizon", Model: "Model-A",
		SoftwareFrom: "FOTA_Verizon_Model-A_00To01_HF", SoftwareTo: "FOTA_Verizon_Model-A_02To03_HF",
		StartDate: "2026-12-01", EndDate: "2026-12-07",
		DownloadTimeWindowList: []window{{StartTime: 1, EndTime: 2}},
		InstallAfterDate:       ptr("2026-12-01"),
		Status:                 "CampaignRequestPending",
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("created campaign (-want +got):\n%s", diff)
	}
}

func TestCreateRefusesIncompleteRequests(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(body map[string]any)
		wantReason string
	}{
		{name: "softwareTo is required", edit: func(b map[string]any) { delete(b, "softwareTo") },
			wantReason: "softwareTo is required"},
		{name: "a campaign needs devices", edit: func(b map[string]any) { b["deviceList"] = []string{} },
			wantReason: "deviceList needs at least one device"},
		{name: "the distribution type is one of ThingSpace's", edit: func(b map[string]any) { b["distributionType"] = "FTP" },
			wantReason: `distributionType "FTP" is not one of HTTP, OMA, LWM2M`},
		{name: "a campaign cannot start in the past", edit: func(b map[string]any) { b["startDate"] = "2026-11-24" },
			wantReason: "startDate 2026-11-24 is in the past"},
		{name: "the schedule follows the window rules", edit: func(b map[string]any) {
			b["installTimeWindowList"] = []window{{StartTime: 23, EndTime: 1}}
		}, wantReason: "installTimeWindowList[0]: startTime 23 must be before endTime 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			body := createBody("2026-12-01", "2026-12-07", "990003425730535")
			tt.edit(body)

			r := e.fota(http.MethodPost, "/api/fota/v2/campaigns/software/"+account, toJSON(t, body))

			wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", tt.wantReason)
			if n := len(e.sim.Campaigns()); n != 0 {
				t.Errorf("%d campaigns exist after a refused create", n)
			}
		})
	}
}

func TestDriftBehindTheOperatorsBack(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("drift", "2026-11-20", "2026-11-30")
	e.sim.Seed(c)
	drifted := thingspace.Dates{StartDate: "2026-11-01", EndDate: "2026-11-02",
		DownloadTimeWindowList: []window{}, InstallTimeWindowList: []window{{StartTime: 0, EndTime: 24}}}

	if err := e.sim.SetSchedule(account, c.ID, drifted); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetStatus(account, c.ID, "CampaignFailed"); err != nil {
		t.Fatal(err)
	}

	got := decode[thingspace.Campaign](t, e.fota(http.MethodGet, campaignPath(account, c.ID), ""))
	if diff := scheduleDiff(drifted, scheduleOf(got)); diff != "" || got.Status != "CampaignFailed" {
		t.Errorf("GET after drift: status %s, schedule (-drifted +got):\n%s", got.Status, diff)
	}
	if err := e.sim.SetStatus(account, "missing", "x"); !errors.Is(err, simulator.ErrUnknownCampaign) {
		t.Errorf("SetStatus on a missing campaign = %v, want ErrUnknownCampaign", err)
	}
	if err := e.sim.SetSchedule(account, "missing", drifted); !errors.Is(err, simulator.ErrUnknownCampaign) {
		t.Errorf("SetSchedule on a missing campaign = %v, want ErrUnknownCampaign", err)
	}
}

func TestCampaignReturnsACopy(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("copy", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)
	c.DownloadTimeWindowList[0].EndTime = 9 // the caller's slice, after Seed

	got, _ := e.sim.Campaign(account, c.ID)
	got.InstallTimeWindowList[0].EndTime = 9
	*got.DownloadAfterDate = "2030-01-01"

	again, _ := e.sim.Campaign(account, c.ID)
	if diff := scheduleDiff(scheduleOf(fixture("copy", "2026-12-01", "2026-12-07")), scheduleOf(again)); diff != "" {
		t.Errorf("the stored campaign shares memory with a caller (-want +got):\n%s", diff)
	}
}

func TestUnknownEndpoint(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.fota(http.MethodPatch, campaignPath(account, "x"), "{}")

	wantStatus(t, r, http.StatusNotFound)
	if got := e.sim.Count(http.MethodPatch, simulator.KindOther); got != 1 {
		t.Errorf("Count(PATCH, other) = %d, want 1", got)
	}
}

// TestSampleCampaignsCoverEveryPhase checks, through DELETE (a cancel before the start, an abort
// while running, a refusal after the end), that the samples stay in their phase whatever the day.
func TestSampleCampaignsCoverEveryPhase(t *testing.T) {
	for _, day := range []time.Time{now0, time.Date(2027, 2, 28, 23, 59, 0, 0, time.UTC)} {
		t.Run(day.Format(time.DateOnly), func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.clock.Set(day)
			samples := simulator.SampleCampaigns(day)
			if samples[0].ID != simulator.SampleCampaignID || samples[0].AccountName != simulator.SampleAccount {
				t.Fatalf("first sample is %s/%s, want the one config/samples use", samples[0].AccountName, samples[0].ID)
			}
			wantAfterDelete := []string{"CampaignCancelled", "CampaignAborted", "CampaignEnded"}
			for i, c := range samples {
				e.sim.Seed(c)
				e.fota(http.MethodDelete, campaignPath(c.AccountName, c.ID), "")
				if got := e.stored(c).Status; got != wantAfterDelete[i] {
					t.Errorf("sample %s after DELETE is %s, want %s", c.ID, got, wantAfterDelete[i])
				}
			}
		})
	}
}
