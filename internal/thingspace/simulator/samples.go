package simulator

import (
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// The sample account and campaign that config/samples refer to, and the sample campaign that is
// in progress.
const (
	SampleAccount           = "0402196254-00001"
	SampleCampaignID        = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
	SampleRunningCampaignID = "2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42"
)

// SampleRollout is how the in-progress sample campaign's devices upgrade once
// StartSampleRollout gives them: of its 500 devices 10 a minute succeed and 1 fails, so the
// progress shows within a minute and the rollout is over in about three quarters of an hour.
var SampleRollout = Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.002}

// sampleRunningDevices is how many devices the in-progress sample campaign has.
const sampleRunningDevices = 500

// StartSampleRollout gives the in-progress sample campaign (SampleRunningCampaignID, which must
// be seeded) 500 devices that start upgrading at since, per SampleRollout.
func (s *Server) StartSampleRollout(since time.Time) error {
	if err := s.SetDevices(SampleAccount, SampleRunningCampaignID, SampleDevices(sampleRunningDevices)); err != nil {
		return err
	}
	rollout := SampleRollout
	rollout.Since = since
	return s.SetRollout(SampleAccount, SampleRunningCampaignID, rollout)
}

// sampleMake is the device maker of every sample campaign.
const sampleMake = "Verizon"

// SampleCampaigns returns the campaigns `make dev` and `go run ./hack/thingspace-sim` start with.
// The first two hold exactly the schedules of config/samples (a test keeps them equal), on dates
// that keep them in their phase whatever the day until 2030, so that what the README shows is what
// a user sees:
//   - SampleCampaignID, pending (it starts on 2030-06-03), free to reschedule;
//   - SampleRunningCampaignID, in progress from 2026-11-02 to the end of 2030, for the
//     after-start rules (no devices until StartSampleRollout);
//   - a campaign that ended a week before now, which accepts no change.
func SampleCampaigns(now time.Time) []thingspace.Campaign {
	today := now.UTC().Truncate(24 * time.Hour)
	day := func(offset int) string { return today.AddDate(0, 0, offset).Format(dateLayout) }
	date := func(d string) *string { return &d }
	return []thingspace.Campaign{
		{
			ID:                     SampleCampaignID,
			AccountName:            SampleAccount,
			CampaignName:           "FOTA_Verizon_Upgrade",
			SoftwareName:           "FOTA_Verizon_Model-A_02To03_HF",
			DistributionType:       distributionHTTP,
			Make:                   sampleMake,
			Model:                  "Model-A",
			SoftwareFrom:           "FOTA_Verizon_Model-A_00To01_HF",
			SoftwareTo:             "FOTA_Verizon_Model-A_02To03_HF",
			StartDate:              "2030-06-03",
			EndDate:                "2030-06-09",
			DownloadAfterDate:      date("2030-06-03"),
			DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
			InstallAfterDate:       date("2030-06-04"),
			InstallTimeWindowList:  []thingspace.Window{{StartTime: 5, EndTime: 6}},
			Status:                 StatusScheduled,
		},
		{
			ID:                     SampleRunningCampaignID,
			AccountName:            SampleAccount,
			CampaignName:           "FOTA_Verizon_Model-B_Rollout",
			SoftwareName:           "FOTA_Verizon_Model-B_01To02_HF",
			DistributionType:       distributionHTTP,
			Make:                   sampleMake,
			Model:                  "Model-B",
			SoftwareFrom:           "FOTA_Verizon_Model-B_00To01_HF",
			SoftwareTo:             "FOTA_Verizon_Model-B_01To02_HF",
			StartDate:              "2026-11-02",
			EndDate:                "2030-12-31",
			DownloadTimeWindowList: []thingspace.Window{{StartTime: 1, EndTime: 3}},
			InstallAfterDate:       date("2026-11-03"),
			InstallTimeWindowList:  []thingspace.Window{{StartTime: 4, EndTime: 5}},
			Status:                 StatusScheduled,
		},
		{
			ID:                     "c7e1d2a4-3b9f-4e60-8d15-0a6f9b2c4e87",
			AccountName:            SampleAccount,
			CampaignName:           "FOTA_Verizon_Model-C_Hotfix",
			SoftwareName:           "FOTA_Verizon_Model-C_03To04_HF",
			DistributionType:       distributionLWM2M,
			Make:                   sampleMake,
			Model:                  "Model-C",
			SoftwareFrom:           "FOTA_Verizon_Model-C_02To03_HF",
			SoftwareTo:             "FOTA_Verizon_Model-C_03To04_HF",
			StartDate:              day(-14),
			EndDate:                day(-7),
			DownloadTimeWindowList: []thingspace.Window{},
			InstallTimeWindowList:  []thingspace.Window{},
			Status:                 StatusEnded,
		},
	}
}
