package main

import (
	"fmt"
	"time"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
)

// firstStatusChange is the first moment after now at which the operator rewrites the status of a
// campaign whose schedule ThingSpace holds as s, with nothing changed in ThingSpace or the spec:
// the campaign starts or ends (the phase), or the download or install window the status shows
// ends (the next window). It is false when none of these lies ahead.
func firstStatusChange(s fotav1alpha1.Schedule, now time.Time) (time.Time, bool) {
	var first time.Time
	consider := func(t time.Time, ok bool) {
		if ok && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	consider(campaign.NextBoundary(s, now))
	for _, next := range []func(fotav1alpha1.Schedule, time.Time) (campaign.Interval, bool){
		campaign.NextDownloadWindow, campaign.NextInstallWindow,
	} {
		window, ok := next(s, now)
		consider(window.End, ok)
	}
	return first, !first.IsZero()
}

// checkQuiet fails when the status of one of n campaigns, campaign i holding schedule(i), is due
// to change by itself between from and to: the operator would rightly write it, and the write
// would be counted as a write at rest, or as the cost of a progress read.
func checkQuiet(n int, schedule func(i int) fotav1alpha1.Schedule, from, to time.Time) error {
	for i := range n {
		if change, ok := firstStatusChange(schedule(i), from); ok && !change.After(to) {
			return fmt.Errorf("campaign %d's status is due to change at %s, a phase or window boundary inside the step (%s to %s); "+
				"its writes would be counted as writes at rest", i, change.Format(time.RFC3339), from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
	}
	return nil
}
