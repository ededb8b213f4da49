package thingspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fota-operator/fota-operator/internal/text"
)

// maxPages bounds every paged read: 1000 pages of the device report is a million devices, far
// beyond any campaign, so a server that never stops saying hasMoreData cannot keep a worker forever.
const maxPages = 1000

// CreateCampaign schedules a campaign: POST /api/fota/v2/campaigns/software/{account}. The reply is
// the new campaign, with its id; ThingSpace checks the request afterwards (status
// CampaignRequestPending, then CampaignRequestQueued or CampaignRequestFailed).
//
// A reply that cannot be trusted leaves unknown whether ThingSpace scheduled the campaign, so its
// id is never returned: one without an id, one about another account or campaign name, or a 200
// that carries an error instead of a campaign is an *UnavailableError, for the caller to resolve
// by searching the campaign by name.
func (c *HTTPClient) CreateCampaign(ctx context.Context, creds Credentials, account string, campaign NewCampaign) (*Campaign, error) {
	acc, err := pathSegment("account name", account)
	if err != nil {
		return nil, err
	}
	campaign.Dates = withEmptyLists(campaign.Dates)
	if campaign.DeviceList == nil {
		campaign.DeviceList = []string{}
	}
	payload, err := json.Marshal(campaign)
	if err != nil {
		return nil, fmt.Errorf("thingspace: encoding campaign %q: %w", campaign.CampaignName, err)
	}
	body, err := c.callFOTA(ctx, creds, fotaCall{
		operation: operationCreateCampaign,
		method:    http.MethodPost,
		account:   account,
		path:      fotaBasePath + "campaigns/software/" + acc,
		body:      payload,
	})
	if err != nil {
		return nil, errorUnder2xxIsUnknown(err)
	}
	created, err := decodeCampaign(body)
	if err != nil {
		return nil, err
	}
	if err := checkCreated(created, account, campaign.CampaignName); err != nil {
		return nil, err
	}
	return created, nil
}

// errorUnder2xxIsUnknown turns a 2xx carrying a FOTA error into an unknown outcome: a success
// status with an error body says neither that ThingSpace refused the campaign nor that it
// scheduled it.
func errorUnder2xxIsUnknown(err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode < 200 || apiErr.StatusCode > 299 {
		return err
	}
	return &UnavailableError{StatusCode: apiErr.StatusCode, Err: fmt.Errorf(
		"reply to the new campaign carries an error (%s) under a success status; whether ThingSpace scheduled it is unknown",
		codeAndMessage(apiErr.Code, apiErr.Message))}
}

// checkCreated refuses a reply to the POST that is not about the campaign just requested.
func checkCreated(created *Campaign, account, campaignName string) error {
	var problem string
	switch {
	case created.ID == "":
		problem = "carries no id"
	case created.AccountName != account:
		problem = fmt.Sprintf("is about account %q, not %q", text.Truncate(created.AccountName, maxIDLength), account)
	case created.CampaignName != campaignName:
		problem = fmt.Sprintf("is about campaign name %q, not %q", text.Truncate(created.CampaignName, maxIDLength), campaignName)
	default:
		return nil
	}
	return &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply to the new campaign %s; whether ThingSpace scheduled it is unknown", problem)}
}

// devicesChangeBody is the body of the devices PUT, as ThingSpace's documentation shows it. The
// generated SDKs spell the step's key "Type": if ThingSpace turns out to want that, this is the
// one line to change.
func devicesChangeBody(change DevicesChange) ([]byte, error) {
	type step struct {
		Type       string   `json:"type"`
		DeviceList []string `json:"deviceList"`
	}
	var steps []step
	if len(change.Append) > 0 {
		steps = append(steps, step{Type: "append", DeviceList: change.Append})
	}
	if len(change.Remove) > 0 {
		steps = append(steps, step{Type: "remove", DeviceList: change.Remove})
	}
	return json.Marshal(map[string][]step{"addOrRemoveDevice": steps})
}

// UpdateDevices changes a campaign's devices: PUT /api/fota/v2/campaigns/{account}/{campaignID}.
// An empty change sends nothing.
func (c *HTTPClient) UpdateDevices(ctx context.Context, creds Credentials, account, campaignID string, change DevicesChange) error {
	if len(change.Append) == 0 && len(change.Remove) == 0 {
		return nil
	}
	path, err := campaignPath(account, campaignID)
	if err != nil {
		return err
	}
	payload, err := devicesChangeBody(change)
	if err != nil {
		return fmt.Errorf("thingspace: encoding the devices of campaign %s: %w", campaignID, err)
	}
	body, err := c.callFOTA(ctx, creds, fotaCall{
		operation: operationUpdateDevices,
		method:    http.MethodPut,
		account:   account,
		path:      path,
		body:      payload,
	})
	if err != nil {
		return err
	}
	if !isJSONObject(body) {
		return &UnavailableError{StatusCode: http.StatusOK, Err: errors.New("reply to the devices change is not a JSON object")}
	}
	return nil
}

// DeleteCampaign cancels or aborts a campaign: DELETE /api/fota/v2/campaigns/{account}/{campaignID}.
func (c *HTTPClient) DeleteCampaign(ctx context.Context, creds Credentials, account, campaignID string) error {
	path, err := campaignPath(account, campaignID)
	if err != nil {
		return err
	}
	body, err := c.callFOTA(ctx, creds, fotaCall{
		operation: operationDeleteCampaign,
		method:    http.MethodDelete,
		account:   account,
		path:      path,
	})
	if err != nil {
		return err
	}
	var reply struct {
		Success *bool `json:"success"`
	}
	if json.Unmarshal(body, &reply) != nil || reply.Success == nil {
		return &UnavailableError{StatusCode: http.StatusOK, Err: errors.New(`reply to the cancellation carries no "success"`)}
	}
	if !*reply.Success {
		return &UnavailableError{StatusCode: http.StatusOK, Err: errors.New(`ThingSpace answered "success": false to the cancellation`)}
	}
	return nil
}

// campaignListPage is one page of GET /reports/{acc}/campaigns. CampaignList is nil when the
// reply has no campaignList: that is a broken reply, not an account without campaigns, which
// would let the caller schedule a campaign ThingSpace already holds.
type campaignListPage struct {
	HasMoreData        bool               `json:"hasMoreData"`
	LastSeenCampaignID json.RawMessage    `json:"lastSeenCampaignId"`
	CampaignList       *[]json.RawMessage `json:"campaignList"`
}

// ListCampaigns reads the account's campaigns of one status: GET
// /api/fota/v2/reports/{account}/campaigns?campaignStatus=...&lastSeenCampaignId=..., every page.
func (c *HTTPClient) ListCampaigns(ctx context.Context, creds Credentials, account, status string, visit func(Campaign) error) error {
	acc, err := pathSegment("account name", account)
	if err != nil {
		return err
	}
	return c.readPages(ctx, creds, fotaCall{
		operation: operationListCampaigns,
		method:    http.MethodGet,
		account:   account,
		path:      fotaBasePath + "reports/" + acc + "/campaigns",
	}, url.Values{"campaignStatus": {status}}, "lastSeenCampaignId", func(body []byte) (pageCursor, error) {
		var page campaignListPage
		if err := json.Unmarshal(body, &page); err != nil {
			return pageCursor{}, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply is not a campaign list: %w", err)}
		}
		if page.CampaignList == nil {
			return pageCursor{}, &UnavailableError{StatusCode: http.StatusOK, Err: errors.New("campaign list reply carries no campaignList")}
		}
		for i, raw := range *page.CampaignList {
			campaign, err := listedCampaign(raw, account)
			if err != nil {
				return pageCursor{}, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("campaignList entry %d: %w", i, err)}
			}
			if err := visit(campaign); err != nil {
				return pageCursor{}, err
			}
		}
		return pageCursor{more: page.HasMoreData, lastSeen: page.LastSeenCampaignID}, nil
	})
}

// listedCampaign reads one entry of a campaign list. An entry that is no campaign object, has no
// id or belongs to another account cannot be read: skipping it could hide the campaign the
// caller looks for.
func listedCampaign(raw json.RawMessage, account string) (Campaign, error) {
	var campaign Campaign
	if !isJSONObject(raw) {
		return Campaign{}, errors.New("is not a campaign object")
	}
	if err := json.Unmarshal(raw, &campaign); err != nil {
		return Campaign{}, fmt.Errorf("is not a campaign object: %w", err)
	}
	switch {
	case campaign.ID == "":
		return Campaign{}, errors.New("carries no id")
	case campaign.AccountName != "" && campaign.AccountName != account:
		return Campaign{}, fmt.Errorf("is about account %q, not %q", text.Truncate(campaign.AccountName, maxIDLength), account)
	}
	return campaign, nil
}

// deviceReportPage is one page of the device report.
type deviceReportPage struct {
	HasMoreData      bool            `json:"hasMoreData"`
	LastSeenDeviceID json.RawMessage `json:"lastSeenDeviceId"`
	DeviceList       []Device        `json:"deviceList"`
}

// DeviceReport reads a campaign's devices: GET
// /api/fota/v2/reports/{account}/campaigns/{campaignID}/devices?lastSeenDeviceId=..., every page.
func (c *HTTPClient) DeviceReport(ctx context.Context, creds Credentials, account, campaignID string, visit func(Device) error) error {
	acc, id, err := accountAndCampaign(account, campaignID)
	if err != nil {
		return err
	}
	return c.readPages(ctx, creds, fotaCall{
		operation: operationDeviceReport,
		method:    http.MethodGet,
		account:   account,
		path:      fotaBasePath + "reports/" + acc + "/campaigns/" + id + "/devices",
	}, url.Values{}, "lastSeenDeviceId", func(body []byte) (pageCursor, error) {
		var page deviceReportPage
		if err := json.Unmarshal(body, &page); err != nil {
			return pageCursor{}, &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("reply is not a device report: %w", err)}
		}
		for _, device := range page.DeviceList {
			if err := visit(device); err != nil {
				return pageCursor{}, err
			}
		}
		return pageCursor{more: page.HasMoreData, lastSeen: page.LastSeenDeviceID}, nil
	})
}

// pageCursor is where a paged reply says the next page starts.
type pageCursor struct {
	more     bool
	lastSeen json.RawMessage
}

// readPages requests call with query and cursorKey=0, hands each reply to readPage, and asks for
// the next page with the cursor the reply gave, sent back exactly as it came (a number or a
// string; ThingSpace documents an IMEI and has been seen sending both), while it says there is
// more. A cursor that does not move would loop forever, so it is an error.
func (c *HTTPClient) readPages(ctx context.Context, creds Credentials, call fotaCall, query url.Values, cursorKey string,
	readPage func(body []byte) (pageCursor, error)) error {
	base := call.path
	cursor := "0"
	for range maxPages {
		query.Set(cursorKey, cursor)
		call.path = base + "?" + query.Encode()
		body, err := c.callFOTA(ctx, creds, call)
		if err != nil {
			return err
		}
		if !isJSONObject(body) {
			return &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("%s reply is not a JSON object", call.operation)}
		}
		page, err := readPage(body)
		if err != nil || !page.more {
			return err
		}
		next, ok := cursorText(page.lastSeen)
		if !ok || next == cursor {
			return &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("%s reply says hasMoreData but gives no new %s", call.operation, cursorKey)}
		}
		cursor = next
	}
	return &UnavailableError{StatusCode: http.StatusOK, Err: fmt.Errorf("%s has more than %d pages", call.operation, maxPages)}
}

// cursorText is a paging cursor as the query sends it: a JSON string's value, or a number's text.
func cursorText(raw json.RawMessage) (string, bool) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text, text != ""
	}
	var number json.Number
	if json.Unmarshal(raw, &number) == nil {
		return number.String(), true
	}
	return "", false
}
