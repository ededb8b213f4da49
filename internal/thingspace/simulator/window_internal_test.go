package simulator

import (
	"testing"
	"time"
)

func TestMaxWithin(t *testing.T) {
	at := func(offsets ...time.Duration) []time.Time {
		base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		times := make([]time.Time, len(offsets))
		for i, offset := range offsets {
			times[i] = base.Add(offset)
		}
		return times
	}
	ms := time.Millisecond
	tests := []struct {
		name  string
		times []time.Time
		want  int
	}{
		{name: "no requests", times: nil, want: 0},
		{name: "one request", times: at(0), want: 1},
		{name: "requests exactly one second apart are in different windows", times: at(0, 1000*ms, 2000*ms), want: 1},
		{name: "requests just under a second apart share a window", times: at(0, 999*ms), want: 2},
		{name: "the busiest window is found in the middle", times: at(0, 1500*ms, 1600*ms, 1700*ms, 2400*ms, 3000*ms), want: 4},
		{name: "a window slides rather than being aligned to whole seconds", times: at(900*ms, 1100*ms, 1200*ms), want: 3},
		{name: "simultaneous requests all count", times: at(0, 0, 0), want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maxWithin(tt.times, time.Second); got != tt.want {
				t.Errorf("maxWithin = %d, want %d", got, tt.want)
			}
		})
	}
}
