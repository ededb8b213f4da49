package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/rollout"
)

func TestTheFleetFitsInConfigMapsAndReadsBackWhole(t *testing.T) {
	imeis := rolloutIMEIs(100_000)
	parts := fleetConfigMaps(imeis)
	if len(parts) != 2 {
		t.Fatalf("%d ConfigMaps for 100 000 devices, want 2", len(parts))
	}
	var read []string
	for i, part := range parts {
		if len(part) > 1<<20-64<<10 {
			t.Errorf("ConfigMap %d holds %d bytes: too close to the 1 MiB an object may take", i, len(part))
		}
		ids, bad := rollout.ParseDevices(part)
		if bad != nil {
			t.Fatalf("ConfigMap %d: %s", i, bad)
		}
		read = append(read, ids...)
	}
	if !slices.Equal(read, imeis) {
		t.Fatal("the ConfigMaps do not hold the fleet as generated")
	}
}

func TestTheFloorCutsTheWavesAsTheRolloutDoes(t *testing.T) {
	ordered := rollout.Order(rolloutNamespace, rolloutName, rolloutIMEIs(100_000))
	now := time.Date(2026, time.December, 7, 23, 59, 0, 0, time.UTC)
	tests := map[string]struct {
		wave     int
		want     []string // name:devices of each campaign
		firstIDs int      // where the wave starts in the ordered fleet
	}{
		"the canary takes the first 10 devices": {1, []string{"fleet-upgrade-w1-1:10"}, 0},
		"1 % grows the rollout to 1000":         {2, []string{"fleet-upgrade-w2-1:990"}, 10},
		"10 % grows it to 10 000":               {3, []string{"fleet-upgrade-w3-1:9000"}, 1000},
		"100 % takes the rest in chunks of 10 000": {4, []string{
			"fleet-upgrade-w4-1:10000", "fleet-upgrade-w4-2:10000", "fleet-upgrade-w4-3:10000", "fleet-upgrade-w4-4:10000",
			"fleet-upgrade-w4-5:10000", "fleet-upgrade-w4-6:10000", "fleet-upgrade-w4-7:10000", "fleet-upgrade-w4-8:10000",
			"fleet-upgrade-w4-9:10000",
		}, 10_000},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			campaigns := waveCampaigns(ordered, tt.wave, now)
			var got []string
			for _, fc := range campaigns {
				got = append(got, fmt.Sprintf("%s:%d", fc.Name, len(fc.Spec.Devices)))
				if fc.Namespace != rolloutFloorNamespace || fc.Spec.AccountName != rolloutFloorAccount {
					t.Errorf("%s is in %s for account %s, want the floor's", fc.Name, fc.Namespace, fc.Spec.AccountName)
				}
				if fc.Spec.StartDate != "2026-12-07" || fc.Spec.EndDate != "2026-12-13" {
					t.Errorf("%s runs %s to %s, want the UTC day and %d days", fc.Name, fc.Spec.StartDate, fc.Spec.EndDate, rolloutDurationDays)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("campaigns %v, want %v", got, tt.want)
			}
			if first := string(campaigns[0].Spec.Devices[0]); first != ordered[tt.firstIDs] {
				t.Fatalf("the wave starts with %s, want the device after the waves before it, %s", first, ordered[tt.firstIDs])
			}
		})
	}
}

func TestTheSlowestWaveIsReported(t *testing.T) {
	figures := &rolloutFigures{devices: 100_000, waves: []waveFigures{
		{wave: 1, toSynced: 300 * time.Millisecond, floor: 30 * time.Millisecond},
		{wave: 4, toSynced: 20 * time.Second, floor: 18 * time.Second},
		{wave: 3, toSynced: 4 * time.Second, floor: 3 * time.Second},
	}}
	var r results
	r.recordRollout(figures)
	if r.RolloutWaveToSyncedS != 20 || r.RolloutWaveFloorS != 18 {
		t.Fatalf("slowest wave %g s against %g s, want wave 4's 20 s against its own floor of 18 s", r.RolloutWaveToSyncedS, r.RolloutWaveFloorS)
	}
}

func TestLaterStepFlags(t *testing.T) {
	tests := map[string]struct {
		args    []string
		wantErr string
	}{
		"the defaults":       {nil, ""},
		"both steps skipped": {[]string{"--closed-campaigns=0", "--rollout-devices=0"}, ""},
		"a closed interval inside the window hides polls": {[]string{"--poll-interval=1m", "--closed-poll-interval=1m"}, "--closed-poll-interval"},
		"a fleet too small for a wave of its own":         {[]string{"--rollout-devices=5000"}, "--rollout-devices"},
		"a fleet larger than a rollout takes":             {[]string{"--rollout-devices=1000001"}, "--rollout-devices"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseFlags(tt.args, &strings.Builder{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}
