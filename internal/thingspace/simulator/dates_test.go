package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

type window = thingspace.Window

// TestPutDatesRules checks ThingSpace's rules for the dates PUT in every phase. now0 is
// 2026-11-25 12:00 UTC, so now+24h falls on 2026-11-26.
func TestPutDatesRules(t *testing.T) {
	pending := fixture("pending", "2026-12-01", "2026-12-07")
	running := fixture("running", "2026-11-20", "2026-11-30")
	ended := fixture("ended", "2026-11-01", "2026-11-10")
	withStatus := func(c thingspace.Campaign, status string) thingspace.Campaign {
		c.Status = status
		return c
	}

	tests := []struct {
		name     string
		campaign thingspace.Campaign
		now      time.Time // zero: now0
		change   func(d *thingspace.Dates)
		// wantReason is part of the rejection message; empty when ThingSpace accepts the change.
		wantReason string
	}{
		{
			name:     "before the start every date and window may change",
			campaign: pending,
			change: func(d *thingspace.Dates) {
				d.StartDate, d.EndDate = "2026-12-03", "2026-12-20"
				d.DownloadAfterDate, d.InstallAfterDate = nil, ptr("2026-12-10")
				d.DownloadTimeWindowList = []window{{StartTime: 22, EndTime: 24}, {StartTime: 0, EndTime: 2}}
				d.InstallTimeWindowList = []window{}
			},
		},
		{
			name:       "before the start a start date moved into the past is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.StartDate = "2026-11-24" },
			wantReason: "startDate 2026-11-24 is in the past",
		},
		{
			name:     "before the start a start date of today (UTC) is accepted",
			campaign: pending,
			change:   func(d *thingspace.Dates) { d.StartDate = "2026-11-25" },
		},
		{
			name:     "the last second before 00:00 UTC of the start date still counts as before the start",
			campaign: pending,
			now:      time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC),
			change: func(d *thingspace.Dates) {
				d.StartDate = "2026-12-02"
				d.DownloadTimeWindowList = []window{}
			},
		},
		{
			name:       "at 00:00 UTC of the start date the campaign has started and its start date is fixed",
			campaign:   pending,
			now:        time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			change:     func(d *thingspace.Dates) { d.StartDate = "2026-12-02" },
			wantReason: "startDate cannot change after the campaign started on 2026-12-01",
		},
		{
			name:     "after the start an end date on the UTC date of now+24h is accepted",
			campaign: running,
			change:   func(d *thingspace.Dates) { d.EndDate = "2026-11-26" },
		},
		{
			name:       "after the start an end date before the UTC date of now+24h is rejected",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.EndDate = "2026-11-25" },
			wantReason: "endDate 2026-11-25 is too soon",
		},
		{
			name:     "after the start an unchanged end date is fine even when it is today",
			campaign: fixture("ends-today", "2026-11-20", "2026-11-25"),
			change: func(d *thingspace.Dates) {
				d.DownloadTimeWindowList = append(d.DownloadTimeWindowList, window{StartTime: 10, EndTime: 11})
			},
		},
		{
			name:       "after the start the start date cannot change",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.StartDate = "2026-11-21" },
			wantReason: "startDate cannot change after the campaign started",
		},
		{
			name:       "after the start downloadAfterDate cannot change",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.DownloadAfterDate = ptr("2026-11-26") },
			wantReason: "downloadAfterDate cannot change",
		},
		{
			name:       "after the start installAfterDate cannot become null",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.InstallAfterDate = nil },
			wantReason: "installAfterDate cannot change",
		},
		{
			name:       "after the start removing a download window is rejected",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.DownloadTimeWindowList = []window{{StartTime: 7, EndTime: 8}} },
			wantReason: "downloadTimeWindowList: window {3,4} is missing",
		},
		{
			name:       "after the start widening an install window counts as removing it",
			campaign:   running,
			change:     func(d *thingspace.Dates) { d.InstallTimeWindowList = []window{{StartTime: 5, EndTime: 7}} },
			wantReason: "installTimeWindowList: window {5,6} is missing",
		},
		{
			name:     "after the start windows may be added to both lists",
			campaign: running,
			change: func(d *thingspace.Dates) {
				d.DownloadTimeWindowList = append(d.DownloadTimeWindowList, window{StartTime: 7, EndTime: 8})
				d.InstallTimeWindowList = append([]window{{StartTime: 9, EndTime: 10}}, d.InstallTimeWindowList...)
			},
		},
		{
			name:     "after the end an identical payload is accepted",
			campaign: ended,
			change:   func(*thingspace.Dates) {},
		},
		{
			name:       "after the end the end date cannot move",
			campaign:   ended,
			change:     func(d *thingspace.Dates) { d.EndDate = "2026-12-31" },
			wantReason: "the campaign ended with its endDate 2026-11-10",
		},
		{
			name:     "at 00:00 UTC of the day after the end date the campaign is over",
			campaign: running,
			now:      time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			change: func(d *thingspace.Dates) {
				d.InstallTimeWindowList = append(d.InstallTimeWindowList, window{StartTime: 1, EndTime: 2})
			},
			wantReason: "the campaign ended",
		},
		{
			name:       "a cancelled campaign accepts no change even before its start date",
			campaign:   withStatus(pending, "CampaignCancelled"),
			change:     func(d *thingspace.Dates) { d.EndDate = "2026-12-08" },
			wantReason: "the campaign is CampaignCancelled",
		},
		{
			name:       "a final status without the Campaign prefix still freezes the schedule",
			campaign:   withStatus(running, "Aborted"),
			change:     func(d *thingspace.Dates) { d.EndDate = "2026-12-08" },
			wantReason: "the campaign is Aborted",
		},
		{
			name:     "an unrecognised status leaves the dates in charge",
			campaign: withStatus(pending, "RequestPending"),
			change:   func(d *thingspace.Dates) { d.EndDate = "2026-12-08" },
		},
		{
			name:       "a start date after the end date is rejected in any phase",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.StartDate, d.EndDate = "2026-12-09", "2026-12-08" },
			wantReason: "startDate 2026-12-09 is after endDate 2026-12-08",
		},
		{
			name:       "a date that is not on the calendar is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.EndDate = "2027-02-30" },
			wantReason: `endDate "2027-02-30" is not a YYYY-MM-DD calendar date`,
		},
		{
			name:       "a date with a time is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.EndDate = "2026-12-08T00:00:00Z" },
			wantReason: "is not a YYYY-MM-DD calendar date",
		},
		{
			name:       "an after-date past the end date is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.InstallAfterDate = ptr("2026-12-08") },
			wantReason: "installAfterDate 2026-12-08 is after endDate 2026-12-07",
		},
		{
			name:       "a window starting at hour 24 is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.DownloadTimeWindowList = []window{{StartTime: 24, EndTime: 24}} },
			wantReason: "downloadTimeWindowList[0].startTime 24 is outside 0..23",
		},
		{
			name:     "a window ending at hour 0 is rejected",
			campaign: pending,
			change: func(d *thingspace.Dates) {
				d.InstallTimeWindowList = []window{{StartTime: 1, EndTime: 2}, {StartTime: 0, EndTime: 0}}
			},
			wantReason: "installTimeWindowList[1].endTime 0 is outside 1..24",
		},
		{
			name:       "a window across midnight is rejected: it must be split in two",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.DownloadTimeWindowList = []window{{StartTime: 22, EndTime: 2}} },
			wantReason: "startTime 22 must be before endTime 2",
		},
		{
			name:       "an empty window is rejected",
			campaign:   pending,
			change:     func(d *thingspace.Dates) { d.DownloadTimeWindowList = []window{{StartTime: 5, EndTime: 5}} },
			wantReason: "startTime 5 must be before endTime 5",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			if !tt.now.IsZero() {
				e.clock.Set(tt.now)
			}
			e.sim.Seed(tt.campaign)
			desired := scheduleOf(tt.campaign)
			tt.change(&desired)

			r := e.putDates(tt.campaign, desired)

			if tt.wantReason == "" {
				wantAccepted(t, e, tt.campaign, desired, r)
			} else {
				wantRejected(t, e, tt.campaign, tt.wantReason, r)
			}
		})
	}
}

func wantAccepted(t *testing.T, e *env, c thingspace.Campaign, desired thingspace.Dates, r reply) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	answered := decode[thingspace.Campaign](t, r)
	if diff := scheduleDiff(desired, scheduleOf(answered)); diff != "" {
		t.Errorf("reply schedule differs from the payload (-sent +reply):\n%s", diff)
	}
	if answered.ID != c.ID || answered.SoftwareName != c.SoftwareName || answered.Status != c.Status {
		t.Errorf("reply is not the whole campaign object: %+v", answered)
	}
	if diff := scheduleDiff(desired, scheduleOf(e.stored(c))); diff != "" {
		t.Errorf("stored schedule differs from the payload (-sent +stored):\n%s", diff)
	}
	if v := e.sim.Violations(); len(v) != 0 {
		t.Errorf("violations = %+v, want none", v)
	}
}

func wantRejected(t *testing.T, e *env, c thingspace.Campaign, reason string, r reply) {
	t.Helper()
	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", reason)
	if diff := scheduleDiff(scheduleOf(c), scheduleOf(e.stored(c))); diff != "" {
		t.Errorf("a rejected PUT changed the campaign (-before +after):\n%s", diff)
	}
	violations := e.sim.Violations()
	if len(violations) != 1 {
		t.Fatalf("violations = %+v, want exactly one", violations)
	}
	v := violations[0]
	if v.Account != c.AccountName || v.CampaignID != c.ID || !strings.Contains(v.Reason, reason) {
		t.Errorf("violation = %+v, want %s/%s with a reason containing %q", v, c.AccountName, c.ID, reason)
	}
	if sent := e.sim.Requests()[0].Body; string(v.Body) != string(sent) {
		t.Errorf("violation body = %s, want the body sent %s", v.Body, sent)
	}
}

// TestPutDatesPayloadShape checks what ThingSpace requires of the payload itself: JSON, every
// key of the schedule, values of the right types.
func TestPutDatesPayloadShape(t *testing.T) {
	c := fixture("shape", "2026-12-01", "2026-12-07")
	fullPayload := func(t *testing.T) map[string]any {
		var payload map[string]any
		if err := json.Unmarshal([]byte(toJSON(t, scheduleOf(c))), &payload); err != nil {
			t.Fatal(err)
		}
		return payload
	}
	tests := []struct {
		name        string
		contentType string
		edit        func(payload map[string]any)
		rawBody     string // sent instead of the edited payload when set
		wantReason  string
	}{
		{
			name:       "a missing window list is a partial payload even when it would not change",
			edit:       func(p map[string]any) { delete(p, "installTimeWindowList") },
			wantReason: "partial payload: missing installTimeWindowList",
		},
		{
			name:       "a missing null after-date is a partial payload: null must be sent",
			edit:       func(p map[string]any) { delete(p, "downloadAfterDate"); delete(p, "installAfterDate") },
			wantReason: "partial payload: missing downloadAfterDate, installAfterDate",
		},
		{
			name:       "only the changed end date is a partial payload",
			rawBody:    `{"endDate":"2026-12-08"}`,
			wantReason: "partial payload: missing startDate, downloadAfterDate, downloadTimeWindowList, installAfterDate, installTimeWindowList",
		},
		{
			name:       "a null window list is rejected: no windows is []",
			edit:       func(p map[string]any) { p["downloadTimeWindowList"] = nil },
			wantReason: "downloadTimeWindowList is null: send [] for no windows",
		},
		{
			name:       "a null start date is rejected",
			edit:       func(p map[string]any) { p["startDate"] = nil },
			wantReason: "startDate is required",
		},
		{
			name: "hours sent as strings are an input binding error",
			edit: func(p map[string]any) {
				p["installTimeWindowList"] = []any{map[string]any{"startTime": "5", "endTime": "6"}}
			},
			wantReason: "Input binding error",
		},
		{
			name:       "a body that is not a JSON object is an input binding error",
			rawBody:    `[1,2,3]`,
			wantReason: "Input binding error",
		},
		{
			name:        "a body sent as a form is rejected for its Content-Type",
			contentType: "application/x-www-form-urlencoded",
			wantReason:  "Content-Type must be application/json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(c)
			body := tt.rawBody
			if body == "" {
				payload := fullPayload(t)
				if tt.edit != nil {
					tt.edit(payload)
				}
				body = toJSON(t, payload)
			}
			contentType := tt.contentType
			if contentType == "" {
				contentType = "application/json"
			}

			r := e.send(http.MethodPut, datesPath(c.AccountName, c.ID), body,
				"Authorization", "Bearer "+staticAccess, "VZ-M2M-Token", staticSession, "Content-Type", contentType)

			wantRejected(t, e, c, tt.wantReason, r)
		})
	}
}

func TestPutDatesAcceptsJSONWithCharset(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("charset", "2026-12-01", "2026-12-07")
	e.sim.Seed(c)

	r := e.send(http.MethodPut, datesPath(c.AccountName, c.ID), toJSON(t, scheduleOf(c)),
		"Authorization", "Bearer "+staticAccess, "VZ-M2M-Token", staticSession,
		"Content-Type", "application/json; charset=utf-8")

	wantStatus(t, r, http.StatusOK)
}

func TestPutDatesToAnUnknownCampaign(t *testing.T) {
	e := newEnv(t, simulator.Options{})

	r := e.putDates(fixture("nobody", "2026-12-01", "2026-12-07"), scheduleOf(fixture("nobody", "2026-12-01", "2026-12-07")))

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "Invalid campaign id")
}
