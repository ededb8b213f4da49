package thingspace

// Window is a ThingSpace time window: whole hours, startTime 0..23, endTime 1..24, UTC.
type Window struct {
	StartTime int32 `json:"startTime"`
	EndTime   int32 `json:"endTime"`
}

// Dates is the body of PUT /campaigns/{acc}/{campaignId}/dates. ThingSpace wants the whole
// schedule on every call, so no key is ever omitted: an unset after-date is sent as null and an
// unset window list as [] (use wire.Dates, which guarantee non-nil lists).
type Dates struct {
	StartDate              string   `json:"startDate"`
	EndDate                string   `json:"endDate"`
	DownloadAfterDate      *string  `json:"downloadAfterDate"`
	DownloadTimeWindowList []Window `json:"downloadTimeWindowList"`
	InstallAfterDate       *string  `json:"installAfterDate"`
	InstallTimeWindowList  []Window `json:"installTimeWindowList"`
}

// Campaign is the campaign object of ThingSpace's GET and PUT replies. Missing fields decode as
// zero values and unknown fields are ignored.
type Campaign struct {
	ID                     string   `json:"id"`
	AccountName            string   `json:"accountName"`
	CampaignName           string   `json:"campaignName"`
	SoftwareName           string   `json:"softwareName"`
	DistributionType       string   `json:"distributionType"`
	Make                   string   `json:"make"`
	Model                  string   `json:"model"`
	SoftwareFrom           string   `json:"softwareFrom"`
	SoftwareTo             string   `json:"softwareTo"`
	StartDate              string   `json:"startDate"`
	EndDate                string   `json:"endDate"`
	DownloadAfterDate      *string  `json:"downloadAfterDate"`
	DownloadTimeWindowList []Window `json:"downloadTimeWindowList"`
	InstallAfterDate       *string  `json:"installAfterDate"`
	InstallTimeWindowList  []Window `json:"installTimeWindowList"`
	Status                 string   `json:"status"`
}

// ErrorBody is ThingSpace's FOTA error reply (HTTP 400).
type ErrorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// GatewayFault is the API gateway's error reply, e.g. code 900901 "Invalid Credentials" with 401.
type GatewayFault struct {
	Fault struct {
		Code        string `json:"code"`
		Message     string `json:"message"`
		Description string `json:"description,omitempty"`
	} `json:"fault"`
}

// NewCampaign is the body of POST /campaigns/software/{acc}: a campaign to schedule, with the
// whole schedule (every key, as for the dates PUT) and its devices.
type NewCampaign struct {
	CampaignName     string `json:"campaignName"`
	SoftwareName     string `json:"softwareName"`
	SoftwareFrom     string `json:"softwareFrom"`
	SoftwareTo       string `json:"softwareTo"`
	DistributionType string `json:"distributionType"`
	Dates
	DeviceList []string `json:"deviceList"`
}

// DevicesChange is what PUT /campaigns/{acc}/{campaignId} does to a campaign's devices: both steps
// travel in one request; an empty step is left out.
type DevicesChange struct {
	Append []string
	Remove []string
}

// Device is one device of a campaign as the device report shows it.
type Device struct {
	DeviceID     string `json:"deviceId"`
	Status       string `json:"status"`
	ResultReason string `json:"resultReason"`
}
