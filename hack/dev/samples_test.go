package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

func samplesDir() string { return filepath.Join("..", "..", "config", "samples") }

func TestReadSampleCampaignsFindsTheSampleFotaCampaigns(t *testing.T) {
	samples, err := readSampleCampaigns(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 2 {
		t.Fatalf("found %d FotaCampaigns in config/samples, want 2 (the Secret beside them is not one)", len(samples))
	}
	if got := managedSample(t, samples).Spec.CampaignID; got != simulator.SampleCampaignID {
		t.Errorf("sample campaignId = %q, want the simulator's sample campaign %q", got, simulator.SampleCampaignID)
	}
}

func TestSeedCampaignsLeaveTheScheduledSampleToTheOperator(t *testing.T) {
	samples, err := readSampleCampaigns(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if n := len(seedCampaigns(samples, now)); n != len(simulator.SampleCampaigns(now)) {
		t.Errorf("%d campaigns seeded, want the simulator's %d: the sample that schedules its campaign is not seeded", n, len(simulator.SampleCampaigns(now)))
	}
}

// managedSample is the sample that manages an existing campaign by its id.
func managedSample(t *testing.T, samples []fotav1alpha1.FotaCampaign) fotav1alpha1.FotaCampaign {
	t.Helper()
	for _, sample := range samples {
		if sample.Spec.CampaignID != "" {
			return sample
		}
	}
	t.Fatal("no sample names a campaignId")
	return fotav1alpha1.FotaCampaign{}
}

// The seeded campaign must hold the sample's schedule on any day, so that applying the samples
// needs no PUT: the simulator's own sample campaign is dated relative to now.
func TestSeedCampaignsHoldTheSampleScheduleOnAnyDay(t *testing.T) {
	samples, err := readSampleCampaigns(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	sample := managedSample(t, samples)
	for _, tc := range []struct {
		name string
		now  time.Time
	}{
		{"long before the sample starts", time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)},
		{"while the sample runs", time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)},
		{"a year after the sample ended", time.Date(2027, 12, 24, 23, 59, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seeds := seedCampaigns(samples, tc.now)
			seeded, ok := find(seeds, sample.Spec.AccountName, sample.Spec.CampaignID)
			if !ok {
				t.Fatalf("no seeded campaign %s/%s", sample.Spec.AccountName, sample.Spec.CampaignID)
			}
			if got := wire.Schedule(seeded); !campaign.Equal(got, sample.Spec.Schedule) {
				t.Errorf("seeded schedule %s, want the sample's %s", show(got), show(sample.Spec.Schedule))
			}
			if seeded.SoftwareName == "" || seeded.Status != simulator.StatusScheduled {
				t.Errorf("seeded campaign lost ThingSpace's description: %+v", seeded)
			}
			if len(seeds) != len(simulator.SampleCampaigns(tc.now)) {
				t.Errorf("%d campaigns seeded, want the simulator's %d sample campaigns", len(seeds), len(simulator.SampleCampaigns(tc.now)))
			}
		})
	}
}

func TestSeedCampaignsAddASampleTheSimulatorDoesNotKnow(t *testing.T) {
	own := fotav1alpha1.FotaCampaign{}
	own.Name = "my-rollout"
	own.Spec.AccountName = "0000000000-00002"
	own.Spec.CampaignID = "my-campaign"
	own.Spec.Schedule = fotav1alpha1.Schedule{
		StartDate:             "2027-02-01",
		EndDate:               "2027-02-03",
		InstallTimeWindowList: []fotav1alpha1.TimeWindow{{StartTime: 22, EndTime: 24}},
	}
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

	seeded, ok := find(seedCampaigns([]fotav1alpha1.FotaCampaign{own}, now), own.Spec.AccountName, own.Spec.CampaignID)
	if !ok {
		t.Fatal("a sample with an unknown campaign id was not seeded")
	}
	if got := wire.Schedule(seeded); !campaign.Equal(got, own.Spec.Schedule) {
		t.Errorf("seeded schedule %s, want %s", show(got), show(own.Spec.Schedule))
	}
}

func show(s fotav1alpha1.Schedule) string {
	text, _ := json.Marshal(s)
	return string(text)
}

func find(campaigns []thingspace.Campaign, account, id string) (thingspace.Campaign, bool) {
	for _, c := range campaigns {
		if c.AccountName == account && c.ID == id {
			return c, true
		}
	}
	return thingspace.Campaign{}, false
}

// TestSamplesHoldWhatTheSimulatorHolds keeps config/samples (and the in-progress sample beside
// them) and the simulator's own sample campaigns in step: the standalone simulator seeds those, so
// applying a sample to it needs no PUT either, on any day.
func TestSamplesHoldWhatTheSimulatorHolds(t *testing.T) {
	var samples []fotav1alpha1.FotaCampaign
	for _, dir := range []string{samplesDir(), filepath.Join(samplesDir(), "in-progress")} {
		found, err := readSampleCampaigns(dir)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, found...)
	}
	for _, day := range []time.Time{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)} {
		held := simulator.SampleCampaigns(day)
		managed := 0
		for _, sample := range samples {
			if sample.Spec.CampaignID == "" {
				continue
			}
			managed++
			seeded, ok := find(held, sample.Spec.AccountName, sample.Spec.CampaignID)
			if !ok {
				t.Fatalf("the simulator holds no campaign %s of sample %s", sample.Spec.CampaignID, sample.Name)
			}
			if got := wire.Schedule(seeded); !campaign.Equal(got, sample.Spec.Schedule) {
				t.Errorf("on %s the simulator holds %s for sample %s, which says %s", day.Format(time.DateOnly), show(got), sample.Name, show(sample.Spec.Schedule))
			}
		}
		if managed != 2 {
			t.Errorf("%d samples name a campaignId, want 2 (config/samples and the in-progress one)", managed)
		}
	}
}
