package campaign

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
)

func TestEqual(t *testing.T) {
	tests := []struct {
		name string
		b    v1alpha1.Schedule
		want bool
	}{
		{"identical schedules are equal", campaignSchedule(), true},
		{"an after-date pointing at an equal value is no change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadAfterDate = datePtr("2026-11-23")
		}), true},
		{"an added download window is a change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = windows([2]int32{3, 4}, [2]int32{7, 8})
		}), false},
		{"dropping the download windows is a change", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = nil
		}), false},
		{"a different start date is a change", modified(func(s *v1alpha1.Schedule) { s.StartDate = "2026-11-24" }), false},
		{"a different end date is a change", modified(func(s *v1alpha1.Schedule) { s.EndDate = "2026-12-01" }), false},
		{"unsetting the download after-date is a change", modified(func(s *v1alpha1.Schedule) { s.DownloadAfterDate = nil }), false},
		{"another install after-date is a change", modified(func(s *v1alpha1.Schedule) { s.InstallAfterDate = datePtr("2026-11-25") }), false},
		{"a widened window is a change", modified(func(s *v1alpha1.Schedule) { s.InstallTimeWindowList = windows([2]int32{5, 7}) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(campaignSchedule(), tt.b); got != tt.want {
				t.Errorf("Equal(base, %+v) = %v, want %v", tt.b, got, tt.want)
			}
			if got := Equal(tt.b, campaignSchedule()); got != tt.want {
				t.Errorf("Equal is not symmetric: Equal(%+v, base) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

func TestEqualTreatsWindowListsAsSets(t *testing.T) {
	tests := []struct {
		name string
		a, b []v1alpha1.TimeWindow
		want bool
	}{
		{"order is not a change", windows([2]int32{3, 4}, [2]int32{7, 8}), windows([2]int32{7, 8}, [2]int32{3, 4}), true},
		{"nil equals empty", nil, []v1alpha1.TimeWindow{}, true},
		{"a window listed twice is the same set, as ThingSpace reads the list", windows([2]int32{3, 4}, [2]int32{3, 4}), windows([2]int32{3, 4}), true},
		{"nil differs from one window", nil, windows([2]int32{3, 4}), false},
		{"an extra window is a change", windows([2]int32{3, 4}), windows([2]int32{3, 4}, [2]int32{7, 8}), false},
		{"same start, other end is a change", windows([2]int32{3, 4}), windows([2]int32{3, 5}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30", DownloadTimeWindowList: tt.a, InstallTimeWindowList: tt.b}
			b := v1alpha1.Schedule{StartDate: "2026-11-23", EndDate: "2026-11-30", DownloadTimeWindowList: tt.b, InstallTimeWindowList: tt.a}
			if got := Equal(a, b); got != tt.want {
				t.Errorf("Equal with lists %v and %v = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestChangedFields(t *testing.T) {
	tests := []struct {
		name string
		b    v1alpha1.Schedule
		want []string
	}{
		{"identical schedules differ in nothing", campaignSchedule(), nil},
		{"an added window names only its own list", modified(func(s *v1alpha1.Schedule) {
			s.DownloadTimeWindowList = windows([2]int32{7, 8}, [2]int32{3, 4})
		}), []string{"downloadTimeWindowList"}},
		{"a window listed twice is no change, as window lists compare as sets", modified(func(s *v1alpha1.Schedule) {
			s.InstallTimeWindowList = windows([2]int32{5, 6}, [2]int32{5, 6})
		}), nil},
		{"several changes are named in the order of the spec", modified(func(s *v1alpha1.Schedule) {
			s.InstallTimeWindowList = nil
			s.EndDate = "2026-12-01"
			s.DownloadAfterDate = nil
		}), []string{"endDate", "downloadAfterDate", "installTimeWindowList"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChangedFields(campaignSchedule(), tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ChangedFields(base, %s) = %q, want %q", describe(tt.b), got, tt.want)
			}
		})
	}
}

func TestPayloadJSONCarriesAllSixKeys(t *testing.T) {
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
			body, err := json.Marshal(Payload(tt.schedule))
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

func TestPayloadDoesNotShareMemoryWithTheSchedule(t *testing.T) {
	s := campaignSchedule()
	payload := Payload(s)
	*payload.DownloadAfterDate = "2030-01-01"
	payload.DownloadTimeWindowList[0].EndTime = 24
	if !Equal(s, campaignSchedule()) {
		t.Errorf("changing the payload changed the schedule: %+v", s)
	}
}

func TestFromCampaignNormalisesWhatThingSpaceReturns(t *testing.T) {
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
			got := FromCampaign(tt.campaign)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromCampaign = %s, want %s", describe(got), describe(tt.want))
			}
		})
	}
}

func TestFromCampaignReadsBackWhatPayloadSent(t *testing.T) {
	for _, s := range []v1alpha1.Schedule{
		campaignSchedule(),
		{StartDate: "2026-12-01", EndDate: "2026-12-07"},
	} {
		sent := Payload(s)
		reply := thingspace.Campaign{
			StartDate: sent.StartDate, EndDate: sent.EndDate,
			DownloadAfterDate: sent.DownloadAfterDate, DownloadTimeWindowList: sent.DownloadTimeWindowList,
			InstallAfterDate: sent.InstallAfterDate, InstallTimeWindowList: sent.InstallTimeWindowList,
		}
		if got := FromCampaign(reply); !Equal(got, s) {
			t.Errorf("ThingSpace echoing the payload of %s reads back as %s", describe(s), describe(got))
		}
	}
}

func TestInfoFromCampaignCopiesThingSpaceDescription(t *testing.T) {
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
	if got := InfoFromCampaign(c); got != want {
		t.Errorf("InfoFromCampaign = %+v, want %+v", got, want)
	}
}

// describe prints a schedule with its pointers followed, for failure messages.
func describe(s v1alpha1.Schedule) string {
	body, _ := json.Marshal(s)
	return string(body)
}
