// Package status owns `kubectl fota status`: one read-only screen for a FotaCampaign or a
// FotaRollout, redrawn on every change with --watch.
//
// It is split in two so that a screen can be tested without a cluster and never surprises: fetch
// (fetch.go, watch.go) reads typed objects with get, list and watch only, through a reader that
// has no write method at all; render (campaign.go, rollout.go, waits.go) is a pure function of
// those objects and a now that the command injects, so the same objects always give the same
// screen.
package status
