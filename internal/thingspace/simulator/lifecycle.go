package simulator

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// campaignRecord is a campaign as the simulator holds it: ThingSpace's campaign object, its
// devices in the order the device report lists them, and what makes them change with time.
type campaignRecord struct {
	campaign thingspace.Campaign
	devices  []deviceRecord
	// checksEnd is when ThingSpace's checks of a campaign it accepted by POST end. It is zero
	// once they ended, and for a campaign whose status Seed or SetStatus set: that status stays.
	checksEnd time.Time
	// scheduledAt is when a campaign was accepted by POST, for the list's lag (SetListLag); zero
	// for a seeded campaign, which the list always shows.
	scheduledAt time.Time
	rollout     *Rollout
}

// deviceRecord is a device with what the simulator needs to move it on.
type deviceRecord struct {
	Device
	// byRollout marks a device the current rollout finished, so that it stays in the rollout's
	// share when the rollout's progress is computed again.
	byRollout bool
}

// advance brings the campaign to now: ThingSpace's checks end when their time has come, and
// while the campaign runs its devices upgrade. Everything that changes with time happens here,
// whenever a campaign is read or changed (under Server.mu): nothing runs in the background, so a
// test on a fake clock sees each change exactly when it moves the clock.
func (r *campaignRecord) advance(now time.Time) {
	r.endChecks(now)
	r.progress(now)
}

// endChecks ends ThingSpace's checks of a new campaign once AcceptDelay has passed: it is
// queued when ThingSpace accepted at least one of its devices, and failed when it rejected them
// all.
func (r *campaignRecord) endChecks(now time.Time) {
	if r.checksEnd.IsZero() || now.Before(r.checksEnd) {
		return
	}
	r.checksEnd = time.Time{}
	r.campaign.Status = StatusRequestFailed
	if slices.ContainsFunc(r.devices, isAccepted) {
		r.campaign.Status = StatusRequestQueued
	}
}

func isAccepted(d deviceRecord) bool { return !strings.EqualFold(d.Status, DeviceRejected) }

// progress moves the devices of a running campaign on: from the campaign's start every device
// ThingSpace accepted waits for its upgrade (UpgradePending), and the rollout, if any, finishes
// some of them. The rollout's devices are computed afresh from the time elapsed (up to the
// campaign's end), so one read after a long jump of the clock sees what reads every minute
// would have seen.
func (r *campaignRecord) progress(now time.Time) {
	start, end, ok := r.span()
	if !ok || now.Before(start) || !r.delivers() {
		return
	}
	at := now
	if end.Before(at) {
		at = end
	}
	share := r.rolloutShare()
	finished := r.rollout.outcomes(len(share), r.rollout.minutesAt(start, at))
	for n, i := range share {
		d := &r.devices[i]
		if n < len(finished) {
			d.Status, d.Reason, d.byRollout = finished[n], r.rollout.reason(finished[n]), true
			continue
		}
		if d.byRollout {
			d.Reason, d.byRollout = "", false
		}
		d.Status = DeviceUpgradePending
	}
}

// span returns when the campaign starts and ends by its dates.
func (r *campaignRecord) span() (start, end time.Time, ok bool) {
	start, startErr := parseDate(r.campaign.StartDate)
	last, endErr := parseDate(r.campaign.EndDate)
	return start, last.AddDate(0, 0, 1), startErr == nil && endErr == nil
}

// delivers reports whether ThingSpace delivers the campaign's software when its dates say so:
// not while its request is pending, and not once its status is final.
func (r *campaignRecord) delivers() bool {
	status := normalStatus(r.campaign.Status)
	return status != "requestpending" && !finalStatuses[status]
}

// rolloutShare returns the indices of the devices the rollout works on: those waiting for their
// upgrade, and those it finished itself.
func (r *campaignRecord) rolloutShare() []int {
	share := make([]int, 0, len(r.devices))
	for i, d := range r.devices {
		if d.byRollout || strings.EqualFold(d.Status, DeviceAccepted) || strings.EqualFold(d.Status, DeviceUpgradePending) {
			share = append(share, i)
		}
	}
	return share
}

// stop closes the campaign with status: every device not yet finished stops with deviceStatus.
func (r *campaignRecord) stop(status, deviceStatus string) {
	r.campaign.Status = status
	r.checksEnd = time.Time{}
	for i := range r.devices {
		if !deviceFinished(r.devices[i].Status) {
			r.devices[i].Status = deviceStatus
		}
	}
}

// deviceFinished reports whether a device's status is an end: upgraded, failed (in any of
// ThingSpace's spellings), rejected, or stopped with its campaign.
func deviceFinished(status string) bool {
	for _, end := range []string{DeviceUpgradeSuccess, DeviceRejected, DeviceCancelled, DeviceAborted} {
		if strings.EqualFold(status, end) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(status), "fail")
}

// Reasons ThingSpace reports with a device's upgrade.
const (
	reasonUpgraded              = "DownloadInstallSucceeded"
	defaultRolloutFailureReason = "RovaClientDownloadFailed"
)

// minutesAt returns how many whole minutes of the rollout have passed at `at`: it begins at the
// campaign's start, or at Since when that is later.
func (ro *Rollout) minutesAt(start, at time.Time) int {
	begin := start
	if ro != nil && ro.Since.After(begin) {
		begin = ro.Since
	}
	if at.Before(begin) {
		return 0
	}
	return int(at.Sub(begin) / time.Minute)
}

// outcomes returns the statuses of the devices a rollout has finished after `minutes` whole
// minutes, for the first devices of its share in order. After m minutes floor(total*rate*m)
// devices succeeded and as many failed by their own rate, and the outcomes are listed in the
// order they happened (the i-th success at minute i/(total*SucceedPerMinute), the j-th failure
// at minute j/(total*FailPerMinute), a success first on a tie), so that a finished device keeps
// its outcome as the clock moves on and the counts are easy to predict.
func (ro *Rollout) outcomes(total, minutes int) []string {
	if ro == nil {
		return nil
	}
	succeeded := finishedBy(total, ro.SucceedPerMinute, minutes)
	failed := finishedBy(total, ro.FailPerMinute, minutes)
	out := make([]string, 0, min(total, succeeded+failed))
	s, f := 0, 0
	for len(out) < total && (s < succeeded || f < failed) {
		// The next success comes first when (s+1)/(total*succeed) <= (f+1)/(total*fail).
		if s < succeeded && (f == failed || float64(s+1)*ro.FailPerMinute <= float64(f+1)*ro.SucceedPerMinute) {
			out = append(out, DeviceUpgradeSuccess)
			s++
		} else {
			out = append(out, DeviceUpgradeFailed)
			f++
		}
	}
	return out
}

// finishedBy returns floor(total*rate*minutes), at most total. The product is nudged up by a
// relative 1e-9 so that 0.02*1000*10 counts as the 200 it means, not the 199.99999999999997
// floating point makes of it.
func finishedBy(total int, rate float64, minutes int) int {
	if rate <= 0 || minutes <= 0 {
		return 0
	}
	exact := float64(total) * rate * float64(minutes)
	return int(min(float64(total), math.Floor(exact*(1+1e-9))))
}

func (ro *Rollout) reason(status string) string {
	if status == DeviceUpgradeSuccess {
		return reasonUpgraded
	}
	if ro.FailureReason != "" {
		return ro.FailureReason
	}
	return defaultRolloutFailureReason
}
