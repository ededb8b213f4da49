// Package argocd_test runs the Argo CD health checks of FotaCampaigns and FotaRollouts in
// gopher-lua, the interpreter Argo CD embeds, against a fixture for each case a user can meet.
package argocd_test

import (
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

type health struct {
	Status  string
	Message string
}

// evaluate runs the script the way Argo CD does: the object as the global `obj`, the returned
// table's status and message as the health.
func evaluate(t *testing.T, script, manifest string) health {
	t.Helper()
	var object map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &object); err != nil {
		t.Fatalf("fixture is not YAML: %v", err)
	}
	state := lua.NewState(lua.Options{SkipOpenLibs: false})
	defer state.Close()
	state.SetGlobal("obj", toLua(state, object))
	if err := state.DoString(script); err != nil {
		t.Fatalf("health script failed: %v", err)
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("health script returned %s, want a table", state.Get(-1).Type())
	}
	return health{
		Status:  lua.LVAsString(result.RawGetString("status")),
		Message: lua.LVAsString(result.RawGetString("message")),
	}
}

func toLua(state *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case map[string]any:
		table := state.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	case []any:
		table := state.NewTable()
		for _, item := range v {
			table.Append(toLua(state, item))
		}
		return table
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	default:
		return lua.LNil
	}
}

func readScript(t *testing.T) string {
	t.Helper()
	script, err := os.ReadFile("health.lua")
	if err != nil {
		t.Fatal(err)
	}
	return string(script)
}

const header = `
apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: model-a-02to03
  generation: 3
`

func campaign(extra string) string { return header + extra }

func TestHealth(t *testing.T) {
	script := readScript(t)
	tests := []struct {
		name        string
		manifest    string
		wantStatus  string
		wantMessage string
	}{
		{
			name:        "no status yet: waiting for the controller",
			manifest:    campaign("spec: {startDate: '2026-12-01'}\n"),
			wantStatus:  "Progressing",
			wantMessage: "Waiting for the controller",
		},
		{
			name: "being deleted",
			manifest: `
metadata:
  generation: 1
  deletionTimestamp: "2026-11-25T10:00:00Z"
status:
  observedGeneration: 1
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "True", reason: Ready}]
`,
			wantStatus:  "Progressing",
			wantMessage: "being deleted",
		},
		{
			name: "a newer generation than the controller has seen",
			manifest: campaign(`status:
  observedGeneration: 2
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "True", reason: Ready}]
`),
			wantStatus:  "Progressing",
			wantMessage: "observe generation 3",
		},
		{
			name: "suspended",
			manifest: campaign(`spec: {suspend: true}
status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: Suspended, message: "spec.suspend is true"}]
`),
			wantStatus:  "Suspended",
			wantMessage: "spec.suspend is true",
		},
		{
			name: "an illegal transition is degraded with the condition's message",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: TransitionNotAllowed, message: "spec.endDate: Invalid value"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "TransitionNotAllowed: spec.endDate: Invalid value",
		},
		{
			name: "a ThingSpace 400 is degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: ThingSpaceRejected, message: "INVALID_PARAMETER: bad date"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "INVALID_PARAMETER: bad date",
		},
		{
			name: "rejected credentials are degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: CredentialsRejected, message: "login rejected"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "CredentialsRejected: login rejected",
		},
		{
			name: "ThingSpace unavailable is progressing: the operator retries",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: ThingSpaceUnavailable, message: "503"}]
`),
			wantStatus:  "Progressing",
			wantMessage: "ThingSpaceUnavailable: 503",
		},
		{
			name: "a missing Secret is progressing: creating it recovers the campaign",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: CredentialsNotFound, message: "Secret default/x not found"}]
`),
			wantStatus:  "Progressing",
			wantMessage: "CredentialsNotFound",
		},
		{
			name: "synced and ready is healthy",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: InProgress
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "True", reason: Ready}]
`),
			wantStatus:  "Healthy",
			wantMessage: "InProgress",
		},
		{
			name: "ended and synced is healthy even when not ready",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Ended
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: NotSynced}]
`),
			wantStatus:  "Healthy",
			wantMessage: "ended",
		},
		{
			name: "synced but cancelled in ThingSpace is degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Cancelled
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: CampaignCancelled, message: "ThingSpace reports CampaignCancelled"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "CampaignCancelled",
		},
		{
			name: "cancelled through spec.cancel is degraded, with the condition's message",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Aborted
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: Cancelled, message: "spec.cancel is true: ThingSpace aborted the running campaign"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "spec.cancel is true",
		},
		{
			name: "a name or campaign another FotaCampaign owns is degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: Conflict, message: "FotaCampaign team-a/model-a, created earlier, manages campaign x"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "Conflict: FotaCampaign team-a/model-a",
		},
		{
			name: "a campaign name used by a closed campaign of the same software is degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: CampaignNameUsed, message: "ThingSpace account a holds closed campaign x named \"fleet.wave1\""}]
`),
			wantStatus:  "Degraded",
			wantMessage: "CampaignNameUsed: ThingSpace account a holds closed campaign x",
		},
		{
			name: "a POST of unknown outcome after three empty searches is degraded",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: ScheduleUnknown, message: "ThingSpace may or may not have scheduled the campaign"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "ScheduleUnknown: ThingSpace may or may not have scheduled",
		},
		{
			name: "a POST of unknown outcome still searched for is progressing",
			manifest: campaign(`status:
  observedGeneration: 3
  conditions: [{type: Synced, status: "False", reason: ThingSpaceUnavailable, message: "the request to schedule the campaign got no answer"}]
`),
			wantStatus:  "Progressing",
			wantMessage: "ThingSpaceUnavailable: the request to schedule",
		},
		{
			name: "a campaign ThingSpace has not accepted yet is progressing",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Pending
  devices: {total: 2, succeeded: 0, failed: 0, rejected: 0, cancelled: 0, pending: 2, upgraded: "0/2"}
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: RequestPending, message: "ThingSpace is still checking it"}]
`),
			wantStatus:  "Progressing",
			wantMessage: "RequestPending: ThingSpace is still checking it (0/2 devices upgraded, 0 failed)",
		},
		{
			name: "a request ThingSpace refused is degraded with the rejections",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Failed
  devices: {total: 2, succeeded: 0, failed: 0, rejected: 2, cancelled: 0, pending: 0, upgraded: "0/2"}
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: CampaignFailed, message: "ThingSpace reports the campaign CampaignRequestFailed"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "CampaignFailed: ThingSpace reports the campaign CampaignRequestFailed (0/2 devices upgraded, 0 failed, 2 rejected)",
		},
		{
			name: "a campaign aborted on failures is degraded with its progress",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: Aborted
  devices: {total: 500, succeeded: 60, failed: 15, rejected: 0, cancelled: 425, pending: 0, upgraded: "60/500"}
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "False", reason: AbortedOnFailures, message: "the operator aborted the campaign: 15 of 75 finished devices failed"}]
`),
			wantStatus:  "Degraded",
			wantMessage: "AbortedOnFailures: the operator aborted the campaign: 15 of 75 finished devices failed (60/500 devices upgraded, 15 failed)",
		},
		{
			name: "a running campaign is healthy with its progress in the message",
			manifest: campaign(`status:
  observedGeneration: 3
  phase: InProgress
  devices: {total: 500, succeeded: 120, failed: 3, rejected: 0, cancelled: 0, pending: 377, upgraded: "120/500"}
  conditions: [{type: Synced, status: "True", reason: Synced}, {type: Ready, status: "True", reason: Ready}]
`),
			wantStatus:  "Healthy",
			wantMessage: "the campaign is InProgress (120/500 devices upgraded, 3 failed)",
		},
		{
			name: "a deletion waiting on ThingSpace says why",
			manifest: `
metadata:
  generation: 1
  deletionTimestamp: "2026-11-25T10:00:00Z"
status:
  observedGeneration: 1
  conditions: [{type: Synced, status: "False", reason: ThingSpaceUnavailable, message: "HTTP 503"}]
`,
			wantStatus:  "Progressing",
			wantMessage: "being deleted; ThingSpaceUnavailable: HTTP 503",
		},
		{
			name:        "a status without conditions is progressing",
			manifest:    campaign("status: {observedGeneration: 3}\n"),
			wantStatus:  "Progressing",
			wantMessage: "Waiting for the controller",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evaluate(t, script, tt.manifest)
			if got.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q (message %q)", got.Status, tt.wantStatus, got.Message)
			}
			if !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", got.Message, tt.wantMessage)
			}
		})
	}
}

// TestConfigMapCarriesTheScript keeps the argocd-cm snippet users copy identical to the tested script.
func TestConfigMapCarriesTheScript(t *testing.T) {
	raw, err := os.ReadFile("argocd-cm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var configMap struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(raw, &configMap); err != nil {
		t.Fatal(err)
	}
	got := configMap.Data["resource.customizations.health.fota.thingspace.io_FotaCampaign"]
	if got != readScript(t) {
		t.Errorf("argocd-cm.yaml does not carry health.lua as it is; regenerate the snippet")
	}
}
