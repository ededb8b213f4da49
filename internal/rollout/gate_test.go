package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// accepted is a wave of one campaign ThingSpace accepted, with devices of which succeeded have
// upgraded and the rest are pending.
func accepted(devices, succeeded int) WaveSummary {
	return WaveSummary{Devices: devices, Succeeded: succeeded, Pending: devices - succeeded, Campaigns: 1}
}

func with(s WaveSummary, change func(*WaveSummary)) WaveSummary {
	change(&s)
	return s
}

func TestGateOf(t *testing.T) {
	tests := map[string]struct {
		gate        v1alpha1.Gate
		wantPercent int32
		wantSoak    time.Duration
	}{
		"unset: 90% and no soak": {gate: v1alpha1.Gate{}, wantPercent: 90, wantSoak: 0},
		"set": {
			gate:        v1alpha1.Gate{SuccessPercent: new(int32(75)), SoakTime: &metav1.Duration{Duration: 24 * time.Hour}},
			wantPercent: 75, wantSoak: 24 * time.Hour,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			percent, soak := GateOf(tt.gate)
			if percent != tt.wantPercent || soak != tt.wantSoak {
				t.Errorf("GateOf = %d, %s; want %d, %s", percent, soak, tt.wantPercent, tt.wantSoak)
			}
		})
	}
}

func TestWaveSucceeded(t *testing.T) {
	tests := map[string]struct {
		summary WaveSummary
		percent int32
		want    bool
	}{
		"exactly successPercent of the devices":        {summary: accepted(10, 9), percent: 90, want: true},
		"one device short of successPercent":           {summary: accepted(10, 8), percent: 90, want: false},
		"rounding never helps: 8999 of 10000 is short": {summary: accepted(10000, 8999), percent: 90, want: false},
		"every device at 100%":                         {summary: accepted(3, 3), percent: 100, want: true},
		"a campaign ThingSpace has not accepted yet holds the gate, however many devices upgraded": {
			summary: with(accepted(10, 10), func(s *WaveSummary) { s.Campaigns, s.RequestPending = 2, 1 }), percent: 90,
		},
		"a campaign meeting its abortPolicy holds the gate: it is about to be aborted": {
			summary: with(accepted(100, 95), func(s *WaveSummary) { s.AbortDue = 1 }), percent: 90,
		},
		"a campaign aborted on failures is no success": {
			summary: with(accepted(100, 95), func(s *WaveSummary) { s.AbortedOnFailures = 1; s.Closed = 1 }), percent: 90,
		},
		"a campaign that failed to schedule is no success": {
			summary: with(accepted(100, 95), func(s *WaveSummary) { s.Campaigns, s.ScheduleFailed = 2, 1 }), percent: 90,
		},
		"no campaign yet is no success": {summary: WaveSummary{Devices: 10}, percent: 1},
		"closed campaigns above the gate succeeded": {
			summary: with(accepted(10, 9), func(s *WaveSummary) { s.Closed = 1 }), percent: 90, want: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := WaveSucceeded(tt.summary, tt.percent); got != tt.want {
				t.Errorf("WaveSucceeded = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWaveHalted(t *testing.T) {
	tests := map[string]struct {
		summary WaveSummary
		percent int32
		want    Halt
	}{
		"a running wave below the gate does not halt": {summary: accepted(100, 10), percent: 90},
		"a wave above the gate does not halt":         {summary: accepted(100, 95), percent: 90},
		"a campaign that meets its abortPolicy but was not aborted yet does not halt": {
			summary: with(accepted(100, 10), func(s *WaveSummary) { s.AbortDue = 1 }), percent: 90,
		},
		"every campaign closed below successPercent: Failed": {
			summary: with(accepted(9990, 8000), func(s *WaveSummary) { s.Closed = 1 }), percent: 90,
			want: Halt{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed,
				Message: "every campaign closed with 8000/9990 upgraded, 80%, below successPercent 90%"},
		},
		"every campaign closed at successPercent does not halt": {
			summary: with(accepted(10, 9), func(s *WaveSummary) { s.Closed = 1 }), percent: 90,
		},
		"some campaigns closed below successPercent, others still running: no halt yet": {
			summary: with(accepted(100, 10), func(s *WaveSummary) { s.Campaigns, s.Closed = 2, 1 }), percent: 90,
		},
		"a campaign that failed to schedule: Failed, with its reason": {
			summary: with(accepted(20000, 0), func(s *WaveSummary) {
				s.Campaigns, s.ScheduleFailed, s.ScheduleFailedReason = 2, 1, "CampaignNameUsed: ThingSpace holds closed campaign x"
			}),
			percent: 90,
			want: Halt{Phase: v1alpha1.RolloutPhaseFailed, Reason: v1alpha1.ReasonWaveFailed,
				Message: "1 of 2 campaigns failed to schedule (CampaignNameUsed: ThingSpace holds closed campaign x)"},
		},
		"a campaign aborted on failures: Aborted, with the counts": {
			summary: with(accepted(500, 60), func(s *WaveSummary) { s.Failed, s.AbortedOnFailures, s.Closed = 15, 1, 1 }),
			percent: 90,
			want: Halt{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonWaveAbortedOnFailures,
				Message: "1 of 1 campaign aborted on failures by spec.campaign.abortPolicy (15 failed, 60/500 upgraded, 12%)"},
		},
		"an abort on failures outranks a failure to schedule": {
			summary: with(accepted(500, 0), func(s *WaveSummary) { s.Campaigns, s.AbortedOnFailures, s.ScheduleFailed = 2, 1, 1 }),
			percent: 90,
			want: Halt{Phase: v1alpha1.RolloutPhaseAborted, Reason: v1alpha1.ReasonWaveAbortedOnFailures,
				Message: "1 of 2 campaigns aborted on failures by spec.campaign.abortPolicy (0 failed, 0/500 upgraded, 0%)"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := WaveHalted(tt.summary, tt.percent)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.Halted() != (tt.want.Phase != "") {
				t.Errorf("Halted() = %v", got.Halted())
			}
		})
	}
}
