package wire

import (
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"encoding/json"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/fota-operator/fota-operator/internal/text"

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

func TestInfoCutsThingSpaceTextToTheSchemasLimits(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	info := Info(thingspace.Campaign{
		ID: strings.Repeat("i", 100), CampaignName: long, SoftwareName: long, DistributionType: long,
		Make: long, Model: long, SoftwareFrom: long, SoftwareTo: long, Status: long,
	})
	limits := crdMaxLengths(t, "campaign")
	fields := map[string]string{
		"id": info.ID, "campaignName": info.CampaignName, "softwareName": info.SoftwareName,
		"distributionType": info.DistributionType, "make": info.Make, "model": info.Model,
		"softwareFrom": info.SoftwareFrom, "softwareTo": info.SoftwareTo, "status": info.Status,
	}
	for name, value := range fields {
		limit, ok := limits[name]
		if !ok {
			t.Errorf("status.campaign.%s has no maxLength in the CRD", name)
			continue
		}
		if n := utf8.RuneCountInString(value); n > limit || !strings.HasSuffix(value, text.Marker) {
			t.Errorf("status.campaign.%s has %d characters (limit %d) and ends %q: want it cut to the limit with the marker",
				name, n, limit, value[max(0, len(value)-6):])
		}
	}
	if short := Info(thingspace.Campaign{CampaignName: "FOTA_Verizon_Upgrade"}); short.CampaignName != "FOTA_Verizon_Upgrade" {
		t.Errorf("a short name came out as %q", short.CampaignName)
	}
}

// crdMaxLengths reads the maxLength of every field of status.<object> from the generated CRD.
func crdMaxLengths(t *testing.T, object string) map[string]int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "crd", "bases", "fota.thingspace.io_fotacampaigns.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema struct {
						Properties map[string]struct {
							Properties map[string]struct {
								Properties map[string]struct {
									MaxLength *int `json:"maxLength"`
								} `json:"properties"`
							} `json:"properties"`
						} `json:"properties"`
					} `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatal(err)
	}
	limits := map[string]int{}
	for name, field := range crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties[object].Properties {
		if field.MaxLength != nil {
			limits[name] = *field.MaxLength
		}
	}
	return limits
}
