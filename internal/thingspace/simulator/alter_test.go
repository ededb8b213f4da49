package simulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// An altered reply comes from a request ThingSpace handled as usual: the POST schedules its
// campaign, and only what the reply says is wrong.
func TestFaultAlterSpoilsTheReplyOfAHandledRequest(t *testing.T) {
	tests := map[string]struct {
		alter simulator.Alteration
		kind  simulator.Kind
		// send makes the request the fault hits.
		send func(e *env) reply
		// check looks at the reply, decoded as a generic object.
		check func(t *testing.T, got map[string]any)
	}{
		"withoutCampaignList drops the key of a list reply": {
			alter: simulator.AlterWithoutCampaignList, kind: simulator.KindList, send: listScheduled,
			check: func(t *testing.T, got map[string]any) {
				if _, ok := got["campaignList"]; ok {
					t.Errorf("reply %v still has campaignList", got)
				}
				if _, ok := got["hasMoreData"]; !ok {
					t.Errorf("reply %v lost hasMoreData: only campaignList goes", got)
				}
			},
		},
		"otherAccount names another account in a POST reply": {
			alter: simulator.AlterOtherAccount, kind: simulator.KindCreate, send: postCampaign,
			check: func(t *testing.T, got map[string]any) {
				if got["accountName"] != simulator.OtherAccount || got["id"] == "" {
					t.Errorf("reply %v, want accountName %s and the new id", got, simulator.OtherAccount)
				}
			},
		},
		"otherAccount names another account in every listed campaign": {
			alter: simulator.AlterOtherAccount, kind: simulator.KindList, send: listScheduled,
			check: func(t *testing.T, got map[string]any) {
				list, _ := got["campaignList"].([]any)
				if len(list) != 1 || list[0].(map[string]any)["accountName"] != simulator.OtherAccount {
					t.Errorf("campaignList %v, want its one campaign under %s", got["campaignList"], simulator.OtherAccount)
				}
			},
		},
		"otherCampaignName names another campaign in a POST reply": {
			alter: simulator.AlterOtherCampaignName, kind: simulator.KindCreate, send: postCampaign,
			check: func(t *testing.T, got map[string]any) {
				if got["campaignName"] != createBody("2026-11-26", "2026-11-30")["campaignName"].(string)+"-other" {
					t.Errorf("reply campaignName %v, want the requested one with -other", got["campaignName"])
				}
			},
		},
		"withoutId drops the id of a POST reply": {
			alter: simulator.AlterWithoutID, kind: simulator.KindCreate, send: postCampaign,
			check: func(t *testing.T, got map[string]any) {
				if _, ok := got["id"]; ok || got["accountName"] != account {
					t.Errorf("reply %v, want the campaign without its id", got)
				}
			},
		},
		"errorMessage answers a POST with an error body under 200": {
			alter: simulator.AlterErrorMessage, kind: simulator.KindCreate, send: postCampaign,
			check: func(t *testing.T, got map[string]any) {
				if got["errorCode"] == nil || got["errorMessage"] == nil || got["id"] != nil {
					t.Errorf("reply %v, want errorCode and errorMessage only", got)
				}
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(fixture("seeded", "2026-12-01", "2026-12-07"))
			e.sim.InjectFault(simulator.Fault{Kind: tt.kind, Alter: tt.alter, Times: 1})

			r := tt.send(e)

			wantStatus(t, r, http.StatusOK)
			tt.check(t, decode[map[string]any](t, r))
			if tt.kind == simulator.KindCreate && len(e.sim.Campaigns()) != 2 {
				t.Errorf("%d campaigns, want the seeded one and the one POSTed: the request had its effect", len(e.sim.Campaigns()))
			}
			if again := tt.send(e); !unaltered(decode[map[string]any](t, again)) {
				t.Errorf("the next request is answered %s, want an unaltered reply: the fault hit once", again.body)
			}
		})
	}
}

func TestFaultAlterLeavesARefusalAlone(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	e.sim.InjectFault(simulator.Fault{Kind: simulator.KindCreate, Alter: simulator.AlterOtherAccount})

	r := e.fota(http.MethodPost, createPath, `{"campaignName":"incomplete"}`)

	wantError(t, r, http.StatusBadRequest, "INVALID_PARAMETER", "softwareName is required")
}

// unaltered reports whether a POST or list reply is what the simulator answers unaltered.
func unaltered(reply map[string]any) bool {
	campaigns := []any{reply}
	if _, isList := reply["hasMoreData"]; isList {
		list, ok := reply["campaignList"].([]any)
		if !ok {
			return false
		}
		campaigns = list
	}
	for _, entry := range campaigns {
		campaign, _ := entry.(map[string]any)
		if campaign["id"] == nil || campaign["accountName"] != account || campaign["errorCode"] != nil ||
			strings.HasSuffix(fmt.Sprint(campaign["campaignName"]), "-other") {
			return false
		}
	}
	return true
}

func postCampaign(e *env) reply {
	e.t.Helper()
	return e.fota(http.MethodPost, createPath, toJSON(e.t, createBody("2026-11-26", "2026-11-30", "1")))
}

func listScheduled(e *env) reply {
	e.t.Helper()
	return e.fota(http.MethodGet, listPath(account, "CampaignScheduled", "0"), "")
}

// A software name of 40 KB, far beyond any real one, is served whole: what to cut is the
// operator's business.
func TestALongSoftwareNameIsServedWhole(t *testing.T) {
	long := fixture("long", "2026-12-01", "2026-12-07")
	long.SoftwareName = strings.Repeat("FOTA_Verizon_Model-A_02To03_HF_", 40<<10/32)
	tests := map[string]func(e *env) string{
		"GET": func(e *env) string {
			return decode[thingspace.Campaign](e.t, e.fota(http.MethodGet, campaignPath(account, long.ID), "")).SoftwareName
		},
		"list": func(e *env) string {
			page := decode[listPage](e.t, listScheduled(e))
			if len(page.CampaignList) != 1 {
				e.t.Fatalf("list %v, want the one campaign", page.CampaignList)
			}
			return page.CampaignList[0].SoftwareName
		},
	}
	for name, read := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(long)

			if got := read(e); got != long.SoftwareName {
				t.Errorf("softwareName of %d bytes, want the %d seeded", len(got), len(long.SoftwareName))
			}
		})
	}
}
