package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// tomorrow is when the campaigns of these tests start: 2026-11-26 00:00 UTC, 12 hours after now0.
var tomorrow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// rolling seeds a scheduled campaign from tomorrow to 2026-11-30 with n Accepted devices and the
// rollout.
func rolling(t *testing.T, e *env, n int, rollout simulator.Rollout) string {
	t.Helper()
	c := fixture("rolling", "2026-11-26", "2026-11-30")
	e.sim.Seed(c)
	if err := e.sim.SetDevices(account, c.ID, simulator.SampleDevices(n)); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetRollout(account, c.ID, rollout); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

type progress struct{ succeeded, failed, pending, other int }

func progressOf(devices []simulator.Device) progress {
	var p progress
	for _, d := range devices {
		switch d.Status {
		case "UpgradeSuccess":
			p.succeeded++
		case "UpgradeFailed":
			p.failed++
		case "UpgradePending":
			p.pending++
		default:
			p.other++
		}
	}
	return p
}

func TestRolloutCountsAtGivenMinutes(t *testing.T) {
	tests := map[string]struct {
		devices int
		rollout simulator.Rollout
		at      time.Time
		want    progress
	}{
		"before the start every device is still only accepted": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow.Add(-time.Nanosecond), want: progress{other: 1000}},
		"at the start every device waits for its upgrade": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow, want: progress{pending: 1000}},
		"a part minute counts for nothing": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow.Add(time.Minute - time.Nanosecond), want: progress{pending: 1000}},
		"after one minute each fraction of the devices finished": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow.Add(time.Minute), want: progress{succeeded: 20, failed: 5, pending: 975}},
		"after ten minutes ten times as many": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow.Add(10 * time.Minute), want: progress{succeeded: 200, failed: 50, pending: 750}},
		"counts are floored": {devices: 2500,
			rollout: simulator.Rollout{SucceedPerMinute: 0.0013, FailPerMinute: 0.0001},
			at:      tomorrow.Add(3 * time.Minute), want: progress{succeeded: 9, failed: 0, pending: 2491}},
		"the rollout ends when every device finished": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, FailPerMinute: 0.005},
			at:      tomorrow.Add(10 * time.Hour), want: progress{succeeded: 800, failed: 200}},
		"devices stop upgrading at the end of the end date": {devices: 100000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.0001},
			at:      time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), want: progress{succeeded: 72000, pending: 28000}},
		"Since after the start is when the minutes start counting": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, Since: tomorrow.Add(time.Hour)},
			at:      tomorrow.Add(time.Hour + 2*time.Minute), want: progress{succeeded: 40, pending: 960}},
		"Since before the start changes nothing": {devices: 1000,
			rollout: simulator.Rollout{SucceedPerMinute: 0.02, Since: now0},
			at:      tomorrow.Add(2 * time.Minute), want: progress{succeeded: 40, pending: 960}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			id := rolling(t, e, tt.devices, tt.rollout)

			e.clock.Set(tt.at)

			if got := progressOf(e.devices(id)); got != tt.want {
				t.Errorf("progress at %s = %+v, want %+v", tt.at.Format(time.RFC3339Nano), got, tt.want)
			}
		})
	}
}

func TestRolloutFinishesDevicesInOrderAsTheirOutcomesHappen(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	// Of 10 devices 2 a minute succeed (at minutes 0.5, 1, 1.5, 2, ...) and 1 fails (at 1, 2, ...).
	id := rolling(t, e, 10, simulator.Rollout{SucceedPerMinute: 0.2, FailPerMinute: 0.1})
	const s, f, p = "UpgradeSuccess", "UpgradeFailed", "UpgradePending"

	e.clock.Set(tomorrow.Add(time.Minute))
	afterOne := statuses(e.devices(id))
	e.clock.Set(tomorrow.Add(2 * time.Minute))
	afterTwo := statuses(e.devices(id))
	e.clock.Set(tomorrow.Add(time.Hour))
	atTheEnd := statuses(e.devices(id))

	if want := []string{s, s, f, p, p, p, p, p, p, p}; !cmp.Equal(afterOne, want) {
		t.Errorf("after 1 minute: %v, want %v", afterOne, want)
	}
	if want := []string{s, s, f, s, s, f, p, p, p, p}; !cmp.Equal(afterTwo, want) {
		t.Errorf("after 2 minutes: %v, want %v (the first three as they were)", afterTwo, want)
	}
	if want := []string{s, s, f, s, s, f, s, s, f, s}; !cmp.Equal(atTheEnd, want) {
		t.Errorf("after an hour: %v, want %v", atTheEnd, want)
	}
}

func TestRolloutReasons(t *testing.T) {
	tests := map[string]struct {
		failureReason string
		want          []simulator.Device
	}{
		"a failure is a download failure unless the rollout says otherwise": {want: []simulator.Device{
			{ID: "990000000000001", Status: "UpgradeSuccess", Reason: "DownloadInstallSucceeded"},
			{ID: "990000000000002", Status: "UpgradeFailed", Reason: "RovaClientDownloadFailed"},
		}},
		"the rollout's FailureReason": {failureReason: "InstallFailed", want: []simulator.Device{
			{ID: "990000000000001", Status: "UpgradeSuccess", Reason: "DownloadInstallSucceeded"},
			{ID: "990000000000002", Status: "UpgradeFailed", Reason: "InstallFailed"},
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			id := rolling(t, e, 2, simulator.Rollout{SucceedPerMinute: 0.5, FailPerMinute: 0.5, FailureReason: tt.failureReason})

			e.clock.Set(tomorrow.Add(time.Minute))

			if diff := cmp.Diff(tt.want, e.devices(id)); diff != "" {
				t.Errorf("devices (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRolloutLeavesDevicesThatAreNotWaiting(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	c := fixture("mixed", "2026-11-26", "2026-11-30")
	e.sim.Seed(c)
	given := []simulator.Device{
		{ID: "1", Status: "DeviceRejected", Reason: "Device does not exist."},
		{ID: "2", Status: "Accepted"},
		{ID: "3", Status: "UpgradeFailed", Reason: "Set by the test"},
		{ID: "4", Status: "UpgradePending"},
	}
	if err := e.sim.SetDevices(account, c.ID, given); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetRollout(account, c.ID, simulator.Rollout{SucceedPerMinute: 0.5}); err != nil {
		t.Fatal(err)
	}

	e.clock.Set(tomorrow.Add(time.Minute))

	want := []simulator.Device{
		given[0],
		{ID: "2", Status: "UpgradeSuccess", Reason: "DownloadInstallSucceeded"},
		given[2],
		{ID: "4", Status: "UpgradePending"},
	}
	if diff := cmp.Diff(want, e.devices(c.ID)); diff != "" {
		t.Errorf("devices after a minute at 50 %% of the 2 waiting devices (-want +got):\n%s", diff)
	}
}

func TestANewRolloutKeepsWhatTheEarlierOneFinished(t *testing.T) {
	e := newEnv(t, simulator.Options{})
	id := rolling(t, e, 100, simulator.Rollout{SucceedPerMinute: 0.1})
	e.clock.Set(tomorrow.Add(2 * time.Minute)) // 20 succeeded

	if err := e.sim.SetRollout(account, id, simulator.Rollout{FailPerMinute: 0.25, Since: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute) // 25 % of the 80 still waiting fail

	if got, want := progressOf(e.devices(id)), (progress{succeeded: 20, failed: 20, pending: 60}); got != want {
		t.Errorf("progress = %+v, want %+v", got, want)
	}
}

func TestRolloutStopsWithTheCampaign(t *testing.T) {
	tests := map[string]struct {
		stop func(t *testing.T, e *env, id string)
		want progress
	}{
		"a final status stops it": {
			stop: func(t *testing.T, e *env, id string) {
				if err := e.sim.SetStatus(account, id, "CampaignFailed"); err != nil {
					t.Fatal(err)
				}
			},
			want: progress{succeeded: 10, pending: 90}},
		"an abort stops it and aborts the devices still waiting": {
			stop: func(t *testing.T, e *env, id string) {
				wantStatus(t, e.fota(http.MethodDelete, campaignPath(account, id), ""), http.StatusOK)
			},
			want: progress{succeeded: 10, other: 90}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			id := rolling(t, e, 100, simulator.Rollout{SucceedPerMinute: 0.1})
			e.clock.Set(tomorrow.Add(time.Minute))

			tt.stop(t, e, id)
			e.clock.Advance(time.Hour)

			if got := progressOf(e.devices(id)); got != tt.want {
				t.Errorf("progress an hour after the stop = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSetRolloutRefusesRatesThatAreNoFractions(t *testing.T) {
	tests := map[string]struct {
		rollout simulator.Rollout
		wantErr string
	}{
		"more than every device a minute": {rollout: simulator.Rollout{SucceedPerMinute: 1.5},
			wantErr: "Rollout.SucceedPerMinute 1.5 is not a fraction between 0 and 1"},
		"a negative rate": {rollout: simulator.Rollout{FailPerMinute: -0.1},
			wantErr: "Rollout.FailPerMinute -0.1 is not a fraction between 0 and 1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, simulator.Options{})
			e.sim.Seed(fixture("refused-rollout", "2026-11-26", "2026-11-30"))

			err := e.sim.SetRollout(account, "refused-rollout", tt.rollout)

			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSampleRolloutMovesWithinAMinute(t *testing.T) {
	e := newEnv(t, simulator.Options{}) // its account is the sample account
	for _, c := range simulator.SampleCampaigns(now0) {
		e.sim.Seed(c)
	}

	if err := e.sim.StartSampleRollout(now0); err != nil {
		t.Fatal(err)
	}
	atOnce := progressOf(e.devices(simulator.SampleRunningCampaignID))
	e.clock.Advance(time.Minute)

	if want := (progress{pending: 500}); atOnce != want {
		t.Errorf("sample progress at once = %+v, want %+v", atOnce, want)
	}
	if got, want := progressOf(e.devices(simulator.SampleRunningCampaignID)), (progress{succeeded: 10, failed: 1, pending: 489}); got != want {
		t.Errorf("sample progress after a minute = %+v, want %+v", got, want)
	}
}

func TestAScheduledRolloutUpgradesEveryPostedCampaignFromItsPost(t *testing.T) {
	e := newEnv(t, simulator.Options{AcceptDelay: -1, ScheduledRollout: &simulator.Rollout{SucceedPerMinute: 0.5}})
	e.clock.Set(tomorrow.Add(time.Hour)) // the campaign started an hour ago: the minutes count from the POST
	created := e.fota(http.MethodPost, createPath, toJSON(t, createBody("2026-11-26", "2026-11-30",
		"990013907835573", "990013907835581", "990013907835599", "990013907835607")))
	if created.status != http.StatusOK {
		t.Fatalf("POST answered %d: %s", created.status, created.body)
	}
	var campaign struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(created.body, &campaign); err != nil || campaign.ID == "" {
		t.Fatalf("POST reply %s: %v", created.body, err)
	}
	id := campaign.ID

	for minutes, want := range map[time.Duration]progress{0: {pending: 4}, 1: {succeeded: 2, pending: 2}, 2: {succeeded: 4}} {
		e.clock.Set(tomorrow.Add(time.Hour + minutes*time.Minute))
		if got := progressOf(e.devices(id)); got != want {
			t.Errorf("progress %s after the POST = %+v, want %+v", minutes*time.Minute, got, want)
		}
	}
}
