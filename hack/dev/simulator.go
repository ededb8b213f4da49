package main

import (
	"fmt"
	"time"

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

// startSimulator serves a ThingSpace simulator on addr, seeded with the sample campaigns and the
// campaigns of config/samples, and returns it with its base URL.
func startSimulator(addr, samplesDir string, now time.Time) (*simulator.Server, string, error) {
	samples, err := readSampleCampaigns(samplesDir)
	if err != nil {
		return nil, "", err
	}
	sim := simulator.New(simulator.Options{
		StaticTokens: []simulator.TokenPair{{AccessToken: devAccessToken, SessionToken: devSessionToken}},
		Clients:      map[string]string{devClientID: devClientSecret},
		Users:        map[string]string{devUsername: devPassword},
	})
	for _, seed := range seedCampaigns(samples, now) {
		sim.Seed(seed)
	}
	baseURL, err := sim.Start(addr)
	if err != nil {
		return nil, "", fmt.Errorf("starting the ThingSpace simulator on %s (choose another with --simulator-addr): %w", addr, err)
	}
	return sim, baseURL, nil
}
