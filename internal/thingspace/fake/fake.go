// Package fake holds a thingspace.Client for unit tests of the decisions the operator takes on
// ThingSpace's answers: one function field per method, so a test says exactly what ThingSpace
// answers, and a record of every call, so it can say what the operator asked. A call whose
// function is nil fails with ErrUnexpectedCall, so an unintended call never passes silently.
package fake

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// ErrUnexpectedCall is the answer to a call the test gave no function for.
var ErrUnexpectedCall = errors.New("fake ThingSpace: unexpected call")

// Method names, as Call.Method records them.
const (
	MethodGetCampaign         = "GetCampaign"
	MethodUpdateCampaignDates = "UpdateCampaignDates"
	MethodCreateCampaign      = "CreateCampaign"
	MethodListCampaigns       = "ListCampaigns"
	MethodUpdateDevices       = "UpdateDevices"
	MethodDeleteCampaign      = "DeleteCampaign"
	MethodDeviceReport        = "DeviceReport"
)

// Call is one call the fake received. Arg is the call's own argument, if it has one: the
// thingspace.Dates, thingspace.NewCampaign or thingspace.DevicesChange sent, or the listed status.
type Call struct {
	Method     string
	Account    string
	CampaignID string
	Arg        any
}

// Client is a thingspace.Client whose answers are its function fields.
type Client struct {
	GetCampaignFn         func(account, campaignID string) (*thingspace.Campaign, error)
	UpdateCampaignDatesFn func(account, campaignID string, dates thingspace.Dates) (*thingspace.Campaign, error)
	CreateCampaignFn      func(account string, campaign thingspace.NewCampaign) (*thingspace.Campaign, error)
	ListCampaignsFn       func(account, status string) ([]thingspace.Campaign, error)
	UpdateDevicesFn       func(account, campaignID string, change thingspace.DevicesChange) error
	DeleteCampaignFn      func(account, campaignID string) error
	DeviceReportFn        func(account, campaignID string) ([]thingspace.Device, error)

	mu    sync.Mutex
	calls []Call
}

var _ thingspace.Client = (*Client)(nil)

// Calls returns every call received, in order.
func (c *Client) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Count returns how many calls of method were received.
func (c *Client) Count(method string) int {
	n := 0
	for _, call := range c.Calls() {
		if call.Method == method {
			n++
		}
	}
	return n
}

// Methods returns the method of every call received, in order.
func (c *Client) Methods() []string {
	calls := c.Calls()
	methods := make([]string, 0, len(calls))
	for _, call := range calls {
		methods = append(methods, call.Method)
	}
	return methods
}

func (c *Client) record(call Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

func unexpected(call Call) error {
	return fmt.Errorf("%w: %s(%s, %s)", ErrUnexpectedCall, call.Method, call.Account, call.CampaignID)
}

// GetCampaign answers with GetCampaignFn.
func (c *Client) GetCampaign(_ context.Context, _ thingspace.Credentials, account, campaignID string) (*thingspace.Campaign, error) {
	call := Call{Method: MethodGetCampaign, Account: account, CampaignID: campaignID}
	c.record(call)
	if c.GetCampaignFn == nil {
		return nil, unexpected(call)
	}
	return c.GetCampaignFn(account, campaignID)
}

// UpdateCampaignDates answers with UpdateCampaignDatesFn.
func (c *Client) UpdateCampaignDates(_ context.Context, _ thingspace.Credentials, account, campaignID string, dates thingspace.Dates) (*thingspace.Campaign, error) {
	call := Call{Method: MethodUpdateCampaignDates, Account: account, CampaignID: campaignID, Arg: dates}
	c.record(call)
	if c.UpdateCampaignDatesFn == nil {
		return nil, unexpected(call)
	}
	return c.UpdateCampaignDatesFn(account, campaignID, dates)
}

// CreateCampaign answers with CreateCampaignFn.
func (c *Client) CreateCampaign(_ context.Context, _ thingspace.Credentials, account string, campaign thingspace.NewCampaign) (*thingspace.Campaign, error) {
	call := Call{Method: MethodCreateCampaign, Account: account, Arg: campaign}
	c.record(call)
	if c.CreateCampaignFn == nil {
		return nil, unexpected(call)
	}
	return c.CreateCampaignFn(account, campaign)
}

// ListCampaigns hands visit the campaigns ListCampaignsFn returns.
func (c *Client) ListCampaigns(_ context.Context, _ thingspace.Credentials, account, status string, visit func(thingspace.Campaign) error) error {
	call := Call{Method: MethodListCampaigns, Account: account, Arg: status}
	c.record(call)
	if c.ListCampaignsFn == nil {
		return unexpected(call)
	}
	campaigns, err := c.ListCampaignsFn(account, status)
	if err != nil {
		return err
	}
	for _, campaign := range campaigns {
		if err := visit(campaign); err != nil {
			return err
		}
	}
	return nil
}

// UpdateDevices answers with UpdateDevicesFn.
func (c *Client) UpdateDevices(_ context.Context, _ thingspace.Credentials, account, campaignID string, change thingspace.DevicesChange) error {
	call := Call{Method: MethodUpdateDevices, Account: account, CampaignID: campaignID, Arg: change}
	c.record(call)
	if c.UpdateDevicesFn == nil {
		return unexpected(call)
	}
	return c.UpdateDevicesFn(account, campaignID, change)
}

// DeleteCampaign answers with DeleteCampaignFn.
func (c *Client) DeleteCampaign(_ context.Context, _ thingspace.Credentials, account, campaignID string) error {
	call := Call{Method: MethodDeleteCampaign, Account: account, CampaignID: campaignID}
	c.record(call)
	if c.DeleteCampaignFn == nil {
		return unexpected(call)
	}
	return c.DeleteCampaignFn(account, campaignID)
}

// DeviceReport hands visit the devices DeviceReportFn returns.
func (c *Client) DeviceReport(_ context.Context, _ thingspace.Credentials, account, campaignID string, visit func(thingspace.Device) error) error {
	call := Call{Method: MethodDeviceReport, Account: account, CampaignID: campaignID}
	c.record(call)
	if c.DeviceReportFn == nil {
		return unexpected(call)
	}
	devices, err := c.DeviceReportFn(account, campaignID)
	if err != nil {
		return err
	}
	for _, device := range devices {
		if err := visit(device); err != nil {
			return err
		}
	}
	return nil
}
