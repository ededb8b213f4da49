package thingspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// maxPages bounds every paged read: 1000 pages of the device report is a million devices, far
// beyond any campaign, so a server that never stops saying hasMoreData cannot keep a worker forever.
const maxPages = 1000

// CreateCampaign schedules a campaign: POST /api/fota/v2/campaigns/software/{account}. The reply is
// the new campaign, with its id; ThingSpace checks the request afterwards (status
// CampaignRequestPending, then CampaignRequestQueued or CampaignRequestFailed).
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
		return nil, err
	}
	created, err := decodeCampaign(body)
	if err != nil {
		return nil, err
	}
	if created.ID == "" {
		return nil, &UnavailableError{StatusCode: http.StatusOK, Err: errors.New("reply to the new campaign carries no id")}
	}
	return created, nil
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

// campaignListPage is one page of GET /reports/{acc}/campaigns.
type campaignListPage struct {
	HasMoreData        bool            `json:"hasMoreData"`
	LastSeenCampaignID json.RawMessage `json:"lastSeenCampaignId"`
	CampaignList       []Campaign      `json:"campaignList"`
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
		for _, campaign := range page.CampaignList {
			if err := visit(campaign); err != nil {
				return pageCursor{}, err
			}
		}
		return pageCursor{more: page.HasMoreData, lastSeen: page.LastSeenCampaignID}, nil
	})
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
