package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestPercentileIsTheNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Millisecond // 100ms down to 1ms: order must not matter
	}
	tests := []struct {
		name      string
		durations []time.Duration
		p         float64
		wantMs    float64
	}{
		{"p50 of 1..100 ms is the 50th value", hundred, 50, 50},
		{"p99 of 1..100 ms is the 99th value", hundred, 99, 99},
		{"p100 is the largest", hundred, 100, 100},
		{"p99 of one value is that value", []time.Duration{1500 * time.Microsecond}, 99, 1.5},
		{"p50 of two values is the lower one", []time.Duration{4 * time.Millisecond, 2 * time.Millisecond}, 50, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.durations, tt.p); got != tt.wantMs {
				t.Fatalf("percentile(p%g) = %g ms, want %g ms", tt.p, got, tt.wantMs)
			}
		})
	}
	if got := percentile(nil, 50); !math.IsNaN(got) {
		t.Fatalf("percentile of nothing = %g, want NaN", got)
	}
}

func TestTargets(t *testing.T) {
	met := results{
		Campaigns: 1000, FloorS: 2, CreateFloorS: 4, UpdateFloorS: 6, CreateToSyncedS: 6, UpdateToSyncedS: 9,
		PutsCreate: 0, PutsUpdate: 1000, IdlePuts: 0, IdleStatusWrites: 0, WebhookP99Ms: 9.9, HeapMB: 199,
		RolloutDevices: 100_000, RolloutCampaigns: 12, RolloutPosts: 12, RolloutWaveToSyncedS: 15, RolloutWaveFloorS: 10,
		RolloutHeapBytesPerDevice: 64, ClosedGetsPerCampaignPerInterval: 1,
	}
	// The rollout's campaigns take 32 B a device, so 64 B is twice them.
	rolloutMet := &rolloutFigures{devices: 100_000, campaigns: 12, objectBytes: 3_200_000}
	closedMet := &closedFigures{campaigns: 1000, interval: 24 * time.Hour, window: time.Minute}
	if names := missed(met.rows(details{rollout: rolloutMet, closed: closedMet})); len(names) > 0 {
		t.Fatalf("results at the bounds missed %v, want none", names)
	}
	tests := map[string]struct {
		change func(*results, *details)
		want   string
	}{
		"create slower than 1.5 x its floor":                        {func(r *results, _ *details) { r.CreateToSyncedS = 6.1 }, "create_to_synced_s"},
		"create held to its own floor, not to the update floor":     {func(r *results, _ *details) { r.CreateToSyncedS = 8.9 }, "create_to_synced_s"},
		"update slower than 1.5 x its floor":                        {func(r *results, _ *details) { r.UpdateToSyncedS = 9.1 }, "update_to_synced_s"},
		"update held to its own floor, not to the status floor":     {func(r *results, _ *details) { r.FloorS = 10 }, ""},
		"a PUT for a campaign that was already in sync":             {func(r *results, _ *details) { r.PutsCreate = 1 }, "puts_create"},
		"a window change pushed twice":                              {func(r *results, _ *details) { r.PutsUpdate = 1001 }, "puts_update"},
		"a window change never pushed":                              {func(r *results, _ *details) { r.PutsUpdate = 999 }, "puts_update"},
		"a PUT while idle":                                          {func(r *results, d *details) { r.IdlePuts = 1; d.idleWait = time.Minute }, "idle_puts (1m0s)"},
		"a heartbeat status write while idle":                       {func(r *results, _ *details) { r.IdleStatusWrites = 1 }, "idle_status_writes"},
		"a slow webhook":                                            {func(r *results, _ *details) { r.WebhookP99Ms = 10 }, "webhook_p99_ms"},
		"a large heap":                                              {func(r *results, _ *details) { r.HeapMB = 200 }, "heap_mb (manager, heap in use after GC, fleet synced)"},
		"a payload the simulator refused":                           {func(_ *results, d *details) { d.violations = 1 }, "illegal or partial payloads (simulator)"},
		"the progress reads have no target, however many they were": {func(_ *results, d *details) { d.progress = &progressFigures{campaigns: 1, devices: 1} }, ""},
		"a rollout wave slower than 1.5 x its floor":                {func(r *results, _ *details) { r.RolloutWaveToSyncedS = 15.1 }, "rollout_wave_to_synced_s (the slowest wave, from approval)"},
		"a rollout campaign POSTed twice":                           {func(r *results, _ *details) { r.RolloutPosts = 13 }, "rollout_posts"},
		"a rollout campaign never POSTed":                           {func(r *results, _ *details) { r.RolloutPosts = 11 }, "rollout_posts"},
		"a rollout that holds more than its campaigns' objects": {func(r *results, _ *details) { r.RolloutHeapBytesPerDevice = 64.1 },
			"rollout_heap_bytes_per_device (manager's live heap growth / devices)"},
		"closed campaigns read more than once an interval": {func(r *results, _ *details) { r.ClosedGetsPerCampaignPerInterval = 1.01 },
			"closed_gets_per_campaign_per_interval (1000 closed campaigns, --closed-poll-interval=24h0m0s)"},
		"a closed campaign's device report read again": {func(_ *results, d *details) {
			d.closed = &closedFigures{campaigns: 1000, interval: time.Hour, window: time.Minute, reports: 1}
		},
			"closed: device report pages in the window"},
		"a write to a closed campaign at rest": {func(_ *results, d *details) {
			d.closed = &closedFigures{campaigns: 1000, interval: time.Hour, window: time.Minute, statusWrites: 1}
		},
			"closed: writes to their FotaCampaigns in the window"},
		"skipped steps have no targets": {func(r *results, d *details) {
			r.RolloutPosts, r.ClosedGetsPerCampaignPerInterval = 5, 9
			d.rollout, d.closed = nil, nil
		}, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r, d := met, details{rollout: rolloutMet, closed: closedMet}
			tt.change(&r, &d)
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if names := missed(r.rows(d)); !slices.Equal(names, want) {
				t.Fatalf("missed %q, want exactly %q", names, want)
			}
		})
	}
}

func TestResultsFileHasExactlyTheAgreedKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench", "results.json")
	if err := writeResults(path, results{Campaigns: 1000, HeapMB: 21.5, CreateFloorS: 8.25, UpdateFloorS: 9.5, HeapBytesPerCampaign: 4321}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var written map[string]any
	if err := json.Unmarshal(data, &written); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(written))
	for key := range written {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	// All but create_floor_s, update_floor_s, heap_bytes_per_campaign and the rollout and closed
	// steps' keys are older and stay as they were, for the scripts that compare runs.
	want := []string{
		"campaigns", "closed_gets_per_campaign_per_interval", "create_floor_s", "create_to_synced_s", "floor_s", "gets_total",
		"heap_bytes_per_campaign", "heap_mb", "idle_puts", "idle_status_writes", "puts_create", "puts_update",
		"rollout_campaigns", "rollout_devices", "rollout_heap_bytes_per_device", "rollout_posts", "rollout_wave_floor_s",
		"rollout_wave_to_synced_s", "update_floor_s", "update_to_synced_s", "webhook_p50_ms", "webhook_p99_ms",
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	for key, value := range map[string]float64{
		"campaigns": 1000, "heap_mb": 21.5, "create_floor_s": 8.25, "update_floor_s": 9.5, "heap_bytes_per_campaign": 4321,
	} {
		if written[key] != value {
			t.Errorf("%s = %v, want %v", key, written[key], value)
		}
	}
}

func TestFloorWorkersFlag(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    workerCounts
		wantErr bool
	}{
		{"one count", "8", workerCounts{8}, false},
		{"several counts, spaces allowed", "8, 16,32", workerCounts{8, 16, 32}, false},
		{"zero workers would never finish", "8,0", nil, true},
		{"a word is no count", "eight", nil, true},
		{"an empty entry is no count", "8,,16", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got workerCounts
			err := got.Set(tt.text)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Set(%q) error = %v, want an error: %v", tt.text, err, tt.wantErr)
			}
			if !tt.wantErr && !slices.Equal(got, tt.want) {
				t.Fatalf("Set(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
