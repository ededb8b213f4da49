package main

import (
	"fmt"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// The credentials the dev simulator accepts: the static tokens of config/samples, and a client and
// a user for trying a Secret from which the operator mints its own tokens.
const (
	devAccessToken  = "dev-access-token"
	devSessionToken = "dev-session-token"
	devClientID     = "dev-client-id"
	devClientSecret = "dev-client-secret"
	devUsername     = "dev-user"
	devPassword     = "dev-password"
)

// devAcceptDelay is how long a campaign scheduled in the dev environment stays
// CampaignRequestPending: long enough to watch the operator wait for ThingSpace's checks, short
// enough not to wait for ThingSpace's minute.
const devAcceptDelay = 20 * time.Second

// startSimulator serves a ThingSpace simulator on addr, seeded with the sample campaigns and the
// campaigns of config/samples, and returns it with its base URL.
func startSimulator(addr, samplesDir string, now time.Time) (*simulator.Server, string, error) {
	samples, err := readSampleCampaigns(samplesDir)
	if err != nil {
		return nil, "", err
	}
	sim, err := newDevSimulator(samples, now, time.Now)
	if err != nil {
		return nil, "", err
	}
	baseURL, err := sim.Start(addr)
	if err != nil {
		return nil, "", fmt.Errorf("starting the ThingSpace simulator on %s (choose another with --simulator-addr): %w", addr, err)
	}
	return sim, baseURL, nil
}

// newDevSimulator returns the dev environment's ThingSpace on clock: it accepts a new campaign
// like ThingSpace (pending for devAcceptDelay, then queued) and holds the seeded campaigns, the
// one in progress with 500 devices that start upgrading at now, so that its progress shows
// within a minute.
func newDevSimulator(samples []fotav1alpha1.FotaCampaign, now time.Time, clock func() time.Time) (*simulator.Server, error) {
	sim := simulator.New(simulator.Options{
		Clock:        clock,
		StaticTokens: []simulator.TokenPair{{AccessToken: devAccessToken, SessionToken: devSessionToken}},
		Clients:      map[string]string{devClientID: devClientSecret},
		Users:        map[string]string{devUsername: devPassword},
		AcceptDelay:  devAcceptDelay,
		// Every device of a campaign the operator schedules upgrades within a minute of its POST,
		// so that the sample FotaRollout's waves pass their gate and it completes in minutes.
		ScheduledRollout: &simulator.Rollout{SucceedPerMinute: 1},
	})
	for _, seed := range seedCampaigns(samples, now) {
		sim.Seed(seed)
	}
	if err := sim.StartSampleRollout(now); err != nil {
		return nil, fmt.Errorf("starting the sample rollout: %w", err)
	}
	return sim, nil
}
