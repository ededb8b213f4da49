package campaign

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func ids(list ...string) []v1alpha1.DeviceID {
	out := make([]v1alpha1.DeviceID, 0, len(list))
	for _, id := range list {
		out = append(out, v1alpha1.DeviceID(id))
	}
	return out
}

func TestCheckDevicesChange(t *testing.T) {
	tests := map[string]struct {
		status      string
		old, wanted []v1alpha1.DeviceID
		wantBroken  bool
	}{
		"a change while ThingSpace checks the request":   {status: "CampaignRequestPending", old: ids("a"), wanted: ids("a", "b")},
		"a change while queued":                          {status: "CampaignRequestQueued", old: ids("a"), wanted: ids("b")},
		"a change while queued, spelled without prefix":  {status: "queued", old: ids("a"), wanted: ids("b")},
		"a change before ThingSpace was read":            {status: "", old: ids("a"), wanted: ids("b")},
		"the same devices in another order once started": {status: "CampaignScheduled", old: ids("a", "b"), wanted: ids("b", "a")},
		"unsetting the devices stops managing them":      {status: "CampaignScheduled", old: ids("a"), wanted: nil},
		"a device added once scheduled":                  {status: "CampaignScheduled", old: ids("a"), wanted: ids("a", "b"), wantBroken: true},
		"a device removed once scheduled":                {status: "CampaignScheduled", old: ids("a", "b"), wanted: ids("a"), wantBroken: true},
		"devices set on a scheduled campaign":            {status: "CampaignScheduled", old: nil, wanted: ids("a"), wantBroken: true},
		"a device added to an aborted campaign":          {status: "CampaignAborted", old: ids("a"), wanted: ids("a", "b"), wantBroken: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			violations := CheckDevicesChange(tt.status, tt.old, tt.wanted)
			if broken := len(violations) > 0; broken != tt.wantBroken {
				t.Fatalf("violations %v, want broken %t", violations, tt.wantBroken)
			}
			if !tt.wantBroken {
				return
			}
			err := violations[0].Error
			if violations[0].Rule != RuleDevicesFrozen || err.Field != "spec.devices" || !strings.Contains(err.Detail, tt.status) {
				t.Errorf("violation %s: %v, want %s on spec.devices naming the status %s", violations[0].Rule, err, RuleDevicesFrozen, tt.status)
			}
		})
	}
}

func TestDeviceDiff(t *testing.T) {
	tests := map[string]struct {
		desired    []v1alpha1.DeviceID
		reported   []string
		wantAppend []string
		wantRemove []string
		wantInSync bool
	}{
		"the same devices":        {desired: ids("a", "b"), reported: []string{"b", "a"}, wantInSync: true},
		"one to add, one to drop": {desired: ids("a", "c"), reported: []string{"a", "b"}, wantAppend: []string{"c"}, wantRemove: []string{"b"}},
		"a device reported twice is removed once": {
			desired: ids("a"), reported: []string{"a", "x", "x"}, wantRemove: []string{"x"},
		},
		"nothing reported yet": {desired: ids("a", "b"), wantAppend: []string{"a", "b"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			diff := NewDeviceDiff(tt.desired)
			for _, id := range tt.reported {
				diff.Reported(id)
			}
			if !reflect.DeepEqual(diff.Append(), tt.wantAppend) || !reflect.DeepEqual(diff.Remove(), tt.wantRemove) || diff.InSync() != tt.wantInSync {
				t.Errorf("append %q remove %q in sync %t, want %q %q %t", diff.Append(), diff.Remove(), diff.InSync(),
					tt.wantAppend, tt.wantRemove, tt.wantInSync)
			}
		})
	}
}

func TestNameOf(t *testing.T) {
	long := strings.Repeat("n", 70)
	tests := map[string]struct {
		namespace, name, specName string
		want                      string
	}{
		"the spec's name wins":          {namespace: "fleet", name: "wave1", specName: "model-a", want: "model-a"},
		"namespace.name by default":     {namespace: "fleet", name: "wave1", want: "fleet.wave1"},
		"a long default is cut, hashed": {namespace: "fleet", name: long, want: ("fleet." + long)[:55] + "-" + hash8("fleet."+long)},
		"exactly 64 characters stay":    {namespace: "f", name: strings.Repeat("x", 62), want: "f." + strings.Repeat("x", 62)},
		"two long names stay apart":     {namespace: "fleet", name: long + "a", want: ("fleet." + long)[:55] + "-" + hash8("fleet."+long+"a")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := NameOf(tt.namespace, tt.name, tt.specName)
			if got != tt.want || len(got) > 64 {
				t.Errorf("NameOf = %q (%d characters), want %q", got, len(got), tt.want)
			}
		})
	}
}

func hash8(s string) string {
	return fmt.Sprintf("%x", sha256Sum(s))[:8]
}
