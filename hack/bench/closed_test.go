package main

import (
	"strings"
	"testing"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

func TestClosedReadsPerInterval(t *testing.T) {
	tests := map[string]struct {
		figures closedFigures
		want    float64
	}{
		"no read in the window": {closedFigures{campaigns: 1000, interval: 24 * time.Hour, window: time.Minute}, 0},
		"every campaign read each minute polls 1440 times too often": {closedFigures{campaigns: 1000, interval: 24 * time.Hour, window: time.Minute, gets: 1000}, 1440},
		"one read an interval is the most allowed":                   {closedFigures{campaigns: 10, interval: time.Minute, window: 2 * time.Minute, gets: 20}, 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tt.figures.getsPerCampaignPerInterval(); got != tt.want {
				t.Fatalf("%g reads per campaign per interval, want %g", got, tt.want)
			}
		})
	}
}

func TestTheClosedFleetHasNothingAhead(t *testing.T) {
	now := time.Date(2026, time.December, 7, 23, 59, 0, 0, time.UTC)
	fleet := closedFleet(20, 3, now)
	schedule := func(i int) fotav1alpha1.Schedule { return wire.Schedule(fleet.Campaigns[i]) }
	if err := checkQuiet(len(fleet.Campaigns), schedule, now, now.Add(48*time.Hour)); err != nil {
		t.Fatalf("a closed campaign's status would change by itself: %v", err)
	}
	for _, c := range fleet.Campaigns {
		if c.Status != simulator.StatusEnded || !strings.HasPrefix(c.AccountName, closedAccountPrefix+"-") {
			t.Fatalf("campaign %s of account %s is %s, want CampaignEnded in a closed step's account", c.ID, c.AccountName, c.Status)
		}
	}
}
