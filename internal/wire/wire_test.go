package wire

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

func TestDatesJSONCarriesAllSixKeys(t *testing.T) {
	tests := []struct {
		name     string
		schedule v1alpha1.Schedule
		want     map[string]string
	}{
		{
			name:     "unset after-dates are null and unset lists are [], so ThingSpace clears them",
			schedule: v1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07"},
			want: map[string]string{
				"startDate":              `"2026-12-01"`,
				"endDate":                `"2026-12-07"`,
				"downloadAfterDate":      `null`,
				"downloadTimeWindowList": `[]`,
				"installAfterDate":       `null`,
				"installTimeWindowList":  `[]`,
			},
		},
		{
			name: "empty non-nil lists are [] too",
			schedule: v1alpha1.Schedule{StartDate: "2026-12-01", EndDate: "2026-12-07",
				DownloadTimeWindowList: []v1alpha1.TimeWindow{}, InstallTimeWindowList: []v1alpha1.TimeWindow{}},
			want: map[string]string{
				"startDate":              `"2026-12-01"`,
				"endDate":                `"2026-12-07"`,
				"downloadAfterDate":      `null`,
				"downloadTimeWindowList": `[]`,
				"installAfterDate":       `null`,
				"installTimeWindowList":  `[]`,
			},
		},
		{
			name:     "a full schedule is sent as it stands, windows in spec order",
			schedule: modified(func(s *v1alpha1.Schedule) { s.DownloadTimeWindowList = windows([2]int32{7, 8}, [2]int32{3, 4}) }),
			want: map[string]string{
				"startDate":              `"2026-11-23"`,
				"endDate":                `"2026-11-30"`,
				"downloadAfterDate":      `"2026-11-23"`,
				"downloadTimeWindowList": `[{"startTime":7,"endTime":8},{"startTime":3,"endTime":4}]`,
				"installAfterDate":       `"2026-11-24"`,
				"installTimeWindowList":  `[{"startTime":5,"endTime":6}]`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(Dates(tt.schedule))
			if err != nil {
				t.Fatalf("marshal payload: %v", err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("unmarshal %s: %v", body, err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("payload %s has %d keys, want %d", body, len(got), len(tt.want))
			}
			for key, want := range tt.want {
				if string(got[key]) != want {
					t.Errorf("payload key %q = %s, want %s (body %s)", key, got[key], want, body)
				}
			}
		})
	}
}

func TestDatesDoesNotShareMemoryWithTheSchedule(t *testing.T) {
	s := campaignSchedule()
	payload := Dates(s)
	*payload.DownloadAfterDate = "2030-01-01"
	payload.DownloadTimeWindowList[0].EndTime = 24
	if !campaign.Equal(s, campaignSchedule()) {
		t.Errorf("changing the payload changed the schedule: %+v", s)
	}
}

func TestScheduleNormalisesWhatThingSpaceReturns(t *testing.T) {
	tests := []struct {
		name     string
		campaign thingspace.Campaign
		want     v1alpha1.Schedule
	}{
		{
			name: "plain dates and windows are taken as they are",
			campaign: thingspace.Campaign{
				StartDate: "2026-11-23", EndDate: "2026-11-30",
				DownloadAfterDate: stringPtr("2026-11-23"), DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
				InstallAfterDate: stringPtr("2026-11-24"), InstallTimeWindowList: []thingspace.Window{{StartTime: 5, EndTime: 6}},
			},
			want: campaignSchedule(),
		},
		{
			name: "a time part after the date is dropped, whatever its form",
			campaign: thingspace.Campaign{
				StartDate: "2026-11-23T00:00:00Z", EndDate: "2026-11-30 00:00:00",
				DownloadAfterDate: stringPtr("2026-11-23T00:00:00.000+0000"), InstallAfterDate: stringPtr("2026-11-24T12:30-05:00"),
			},
			want: v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30",
				DownloadAfterDate: datePtr("2026-11-23"), InstallAfterDate: datePtr("2026-11-24")},
		},
		{
			name:     "a suffix that is not a time is kept, so it shows up as a difference",
			campaign: thingspace.Campaign{StartDate: "2026-11-23junk", EndDate: "30/11/2026"},
			want:     v1alpha1.Schedule{StartDate: "2026-11-23junk", EndDate: "30/11/2026"},
		},
		{
			name: "empty after-dates and empty lists read as unset, like a spec that leaves them out",
			campaign: thingspace.Campaign{
				StartDate: "2026-11-23", EndDate: "2026-11-30",
				DownloadAfterDate: stringPtr(""), DownloadTimeWindowList: []thingspace.Window{},
				InstallAfterDate: nil, InstallTimeWindowList: nil,
			},
			want: v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Schedule(tt.campaign)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromCampaign = %s, want %s", describe(got), describe(tt.want))
			}
		})
	}
}

func TestScheduleReadsBackWhatPayloadSent(t *testing.T) {
	for _, s := range []v1alpha1.Schedule{
		campaignSchedule(),
		{StartDate: "2026-12-01", EndDate: "2026-12-07"},
	} {
		sent := Dates(s)
		reply := thingspace.Campaign{
			StartDate: sent.StartDate, EndDate: sent.EndDate,
			DownloadAfterDate: sent.DownloadAfterDate, DownloadTimeWindowList: sent.DownloadTimeWindowList,
			InstallAfterDate: sent.InstallAfterDate, InstallTimeWindowList: sent.InstallTimeWindowList,
		}
		if got := Schedule(reply); !campaign.Equal(got, s) {
			t.Errorf("ThingSpace echoing the payload of %s reads back as %s", describe(s), describe(got))
		}
	}
}

func TestInfoCopiesThingSpaceDescription(t *testing.T) {
	c := thingspace.Campaign{
		ID: "60b5d639-ccdc-4db8-8824-069bd94c95bf", AccountName: "0402196254-00001",
		CampaignName: "FOTA_Verizon_Upgrade", SoftwareName: "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType: "HTTP", Make: "Verizon", Model: "Model-A",
		SoftwareFrom: "FOTA_Verizon_Model-A_00To01_HF", SoftwareTo: "FOTA_Verizon_Model-A_02To03_HF",
		StartDate: "2026-12-01", EndDate: "2026-12-07", Status: "CampaignScheduled",
	}
	want := v1alpha1.CampaignInfo{
		ID: "60b5d639-ccdc-4db8-8824-069bd94c95bf", CampaignName: "FOTA_Verizon_Upgrade",
		SoftwareName: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: "HTTP", Make: "Verizon",
		Model: "Model-A", SoftwareFrom: "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo: "FOTA_Verizon_Model-A_02To03_HF", Status: "CampaignScheduled",
	}
	if got := Info(c); got != want {
		t.Errorf("Info = %+v, want %+v", got, want)
	}
}

func datePtr(s string) *v1alpha1.Date {
	d := v1alpha1.Date(s)
	return &d
}

func stringPtr(s string) *string {
	return &s
}

func windows(pairs ...[2]int32) []v1alpha1.TimeWindow {
	list := make([]v1alpha1.TimeWindow, 0, len(pairs))
	for _, p := range pairs {
		list = append(list, v1alpha1.TimeWindow{StartTime: p[0], EndTime: p[1]})
	}
	return list
}

// campaignSchedule is a campaign running from 2026-11-23 to the end of 2026-11-30, with one
// download and one install window.
func campaignSchedule() v1alpha1.Schedule {
	return v1alpha1.Schedule{
		StartDate:              "2026-11-23",
		EndDate:                "2026-11-30",
		DownloadAfterDate:      datePtr("2026-11-23"),
		DownloadTimeWindowList: windows([2]int32{3, 4}),
		InstallAfterDate:       datePtr("2026-11-24"),
		InstallTimeWindowList:  windows([2]int32{5, 6}),
	}
}

func modified(change func(*v1alpha1.Schedule)) v1alpha1.Schedule {
	s := campaignSchedule()
	change(&s)
	return s
}

// describe prints a schedule with its pointers followed, for failure messages.
func describe(s v1alpha1.Schedule) string {
	body, _ := json.Marshal(s)
	return string(body)
}
