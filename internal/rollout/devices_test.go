package rollout

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestParseDevices(t *testing.T) {
	tests := map[string]struct {
		text    string
		wantIDs []string
		wantBad *BadEntry
	}{
		"one IMEI per line": {
			text:    "990013907835573\n990013907835581\n",
			wantIDs: []string{"990013907835573", "990013907835581"},
		},
		"spaces, tabs, commas and blank lines separate alike": {
			text:    "  a1,b2\tc3 ,, d4\n\n\ne5,\n",
			wantIDs: []string{"a1", "b2", "c3", "d4", "e5"},
		},
		"Windows line ends are blanks": {
			text:    "a1\r\nb2\r\n",
			wantIDs: []string{"a1", "b2"},
		},
		"a line whose first non-blank character is '#' is a comment, whatever it holds": {
			text:    "# fleet of model A\n  \t# not-a-device, ###\na1\n#b2\n",
			wantIDs: []string{"a1"},
		},
		"a comment on the last line without a line end": {
			text:    "a1\n# the end",
			wantIDs: []string{"a1"},
		},
		"duplicates are kept in the order written; Order removes them": {
			text:    "a1 b2 a1",
			wantIDs: []string{"a1", "b2", "a1"},
		},
		"an empty text is an empty list": {
			text:    "",
			wantIDs: []string{},
		},
		"only comments and blanks is an empty list": {
			text:    "# nothing yet\n\n   \n",
			wantIDs: []string{},
		},
		"32 letters and digits is the longest id": {
			text:    strings.Repeat("Z9", 16),
			wantIDs: []string{strings.Repeat("Z9", 16)},
		},
		"a '#' after an id is no comment: the rest is a bad entry": {
			text:    "a1\nb2 # old\n",
			wantBad: &BadEntry{Line: 2, Entry: "#"},
		},
		"a '#' after a comma is no comment": {
			text:    ",#a1\n",
			wantBad: &BadEntry{Line: 1, Entry: "#a1"},
		},
		"a dash is no device id character, and its line is named": {
			text:    "990013907835573\n\n# comment\n99001-3907835573\n990013907835581\n",
			wantBad: &BadEntry{Line: 4, Entry: "99001-3907835573"},
		},
		"33 characters are one too many": {
			text:    "a1 " + strings.Repeat("9", 33),
			wantBad: &BadEntry{Line: 1, Entry: strings.Repeat("9", 33)},
		},
		"a semicolon is no separator": {
			text:    "a1;b2",
			wantBad: &BadEntry{Line: 1, Entry: "a1;b2"},
		},
		"a non-ASCII letter is no device id character": {
			text:    "a1 ä2",
			wantBad: &BadEntry{Line: 1, Entry: "ä2"},
		},
		"a non-breaking space is no separator": {
			text:    "a1\u00a0b2",
			wantBad: &BadEntry{Line: 1, Entry: "a1\u00a0b2"},
		},
		"only the first bad entry is reported": {
			text:    "a-1\nb-2\n",
			wantBad: &BadEntry{Line: 1, Entry: "a-1"},
		},
		"a long bad entry is cut to 64 bytes on a whole character": {
			text:    strings.Repeat("9", 63) + "ääää",
			wantBad: &BadEntry{Line: 1, Entry: strings.Repeat("9", 63) + "..."},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ids, bad := ParseDevices(tt.text)
			if diff := cmp.Diff(tt.wantBad, bad); diff != "" {
				t.Errorf("bad entry (-want +got):\n%s", diff)
			}
			if tt.wantBad != nil {
				if ids != nil {
					t.Errorf("ids = %v with a bad entry, want none", ids)
				}
				return
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBadEntryString(t *testing.T) {
	got := BadEntry{Line: 3, Entry: "99-1"}.String()
	want := `line 3: "99-1" is not a device id (1 to 32 letters and digits)`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestParseDevicesReadsAMillionDevices(t *testing.T) {
	text := deviceList(MaxFleetSize)
	ids, bad := ParseDevices(text)
	if bad != nil {
		t.Fatalf("bad entry %v", bad)
	}
	if len(ids) != MaxFleetSize || ids[0] != deviceID(0) || ids[len(ids)-1] != deviceID(MaxFleetSize-1) {
		t.Fatalf("read %d ids from %s to %s, want %d", len(ids), ids[0], ids[len(ids)-1], MaxFleetSize)
	}
}

// BenchmarkParseDevices reads a ConfigMap's worth of a million-device fleet: IMEIs one a line,
// with a comment every thousand lines.
func BenchmarkParseDevices(b *testing.B) {
	text := deviceList(MaxFleetSize)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, bad := ParseDevices(text); bad != nil {
			b.Fatal(bad)
		}
	}
}

func deviceID(i int) string {
	return fmt.Sprintf("99%013d", i)
}

// deviceList is n device ids, one a line, with a comment line every thousand.
func deviceList(n int) string {
	var text strings.Builder
	text.Grow(n*16 + n/1000*16)
	for i := range n {
		if i%1000 == 0 {
			fmt.Fprintf(&text, "# batch %d\n", i/1000)
		}
		text.WriteString(deviceID(i))
		text.WriteByte('\n')
	}
	return text.String()
}

func TestFleetProblems(t *testing.T) {
	ref := v1alpha1.ConfigMapKeyReference{Name: "fleet-model-a", Key: "imeis"}
	tests := map[string]struct {
		problem *FleetProblem
		want    *FleetProblem
	}{
		"a missing ConfigMap is DevicesNotFound, naming the entry of devicesFrom": {
			problem: MissingConfigMap(1, ref),
			want: &FleetProblem{Reason: v1alpha1.ReasonDevicesNotFound,
				Message: "spec.devicesFrom[1]: ConfigMap fleet-model-a not found; no new wave starts until it exists"},
		},
		"a missing key is DevicesNotFound, naming the key": {
			problem: MissingKey(0, ref),
			want: &FleetProblem{Reason: v1alpha1.ReasonDevicesNotFound,
				Message: "spec.devicesFrom[0]: ConfigMap fleet-model-a has no key imeis; no new wave starts until it does"},
		},
		"a bad entry is InvalidDevices, naming the ConfigMap, the key, the line and the entry": {
			problem: BadDevice(0, ref, BadEntry{Line: 7, Entry: "99-1"}),
			want: &FleetProblem{Reason: v1alpha1.ReasonInvalidDevices,
				Message: `spec.devicesFrom[0]: ConfigMap fleet-model-a, key imeis, line 7: "99-1" is not a device id (1 to 32 letters and digits); no new wave starts until it is fixed`},
		},
		"an empty fleet is InvalidDevices": {
			problem: CheckFleetSize(0),
			want: &FleetProblem{Reason: v1alpha1.ReasonInvalidDevices,
				Message: "the fleet is empty: spec.devices and spec.devicesFrom list no device; no new wave starts until they do"},
		},
		"a fleet of one device is fine":        {problem: CheckFleetSize(1)},
		"a fleet of a million devices is fine": {problem: CheckFleetSize(MaxFleetSize)},
		"a fleet of a million and one devices is InvalidDevices": {
			problem: CheckFleetSize(MaxFleetSize + 1),
			want: &FleetProblem{Reason: v1alpha1.ReasonInvalidDevices,
				Message: "the fleet has 1000001 devices, more than 1000000; no new wave starts until it is split into several rollouts"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.problem); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
