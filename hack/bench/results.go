package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// results are the figures of bin/bench/results.json; the keys are fixed, as scripts compare runs.
type results struct {
	Campaigns int `json:"campaigns"`
	// FloorS is the status floor: a GET and a status update of every FotaCampaign, no user writes.
	FloorS float64 `json:"floor_s"`
	// CreateFloorS and UpdateFloorS are the step floors the steps are held to.
	CreateFloorS         float64 `json:"create_floor_s"`
	UpdateFloorS         float64 `json:"update_floor_s"`
	CreateToSyncedS      float64 `json:"create_to_synced_s"`
	UpdateToSyncedS      float64 `json:"update_to_synced_s"`
	PutsCreate           int     `json:"puts_create"`
	PutsUpdate           int     `json:"puts_update"`
	GetsTotal            int     `json:"gets_total"`
	IdlePuts             int     `json:"idle_puts"`
	IdleStatusWrites     int     `json:"idle_status_writes"`
	WebhookP50Ms         float64 `json:"webhook_p50_ms"`
	WebhookP99Ms         float64 `json:"webhook_p99_ms"`
	HeapMB               float64 `json:"heap_mb"`
	HeapBytesPerCampaign float64 `json:"heap_bytes_per_campaign"`
	// The rollout step: its devices and campaigns, the POSTs of its campaigns, the slowest wave
	// from its gate to Synced and that wave's floor, and the manager's heap growth per device.
	RolloutDevices            int     `json:"rollout_devices"`
	RolloutCampaigns          int     `json:"rollout_campaigns"`
	RolloutPosts              int     `json:"rollout_posts"`
	RolloutWaveToSyncedS      float64 `json:"rollout_wave_to_synced_s"`
	RolloutWaveFloorS         float64 `json:"rollout_wave_floor_s"`
	RolloutHeapBytesPerDevice float64 `json:"rollout_heap_bytes_per_device"`
	// ClosedGetsPerCampaignPerInterval is the closed step's reads per closed campaign per
	// --closed-poll-interval.
	ClosedGetsPerCampaignPerInterval float64 `json:"closed_gets_per_campaign_per_interval"`
}

// recordRollout copies the rollout step's figures into the results.
func (r *results) recordRollout(f *rolloutFigures) {
	slowest := f.slowest()
	r.RolloutDevices, r.RolloutCampaigns, r.RolloutPosts = f.devices, f.campaigns, f.posts
	r.RolloutWaveToSyncedS, r.RolloutWaveFloorS = slowest.toSynced.Seconds(), slowest.floor.Seconds()
	r.RolloutHeapBytesPerDevice = f.heapPerDevice()
}

// details are figures printed with the results that explain them, not compared between runs.
type details struct {
	createRequestsS float64 // how long the creates themselves took, admission included
	updateRequestsS float64
	createFloor     floorTimes
	updateFloor     floorTimes
	// the JSON size of a status the floor wrote and of one the operator wrote, both at generation 2
	floorStatusBytes    int
	operatorStatusBytes int
	getsCreate          int
	getsUpdate          int
	getsIdle            int
	idleWait            time.Duration
	dryRunP50Ms         float64 // the whole dry-run update as the client sees it
	dryRunP99Ms         float64
	atTimerP50Ms        float64 // what the API server waited, the timer's own hop included
	atTimerP99Ms        float64
	violations          int
	createActivity      activity
	updateActivity      activity
	idleActivity        activity
	// admissionActivity holds the webhook's own count of its slow answers.
	admissionActivity activity
	floorPasses       []floorPass
	// the manager's heap in use after a garbage collection, empty and with the fleet synced
	heapEmpty, heapSynced heapReading
	progress              *progressFigures
	closed                *closedFigures
	rollout               *rolloutFigures
}

// floorPass is how long one pass of the floor took with a number of workers.
type floorPass struct {
	workers int
	seconds float64
}

func describeFloorPasses(passes []floorPass) string {
	texts := make([]string, len(passes))
	for i, pass := range passes {
		texts[i] = fmt.Sprintf("%d: %s", pass.workers, seconds(pass.seconds))
	}
	return strings.Join(texts, ", ")
}

// Targets on the 2-core reference machine.
const (
	maxTimesStepFloor = 1.5
	maxWebhookP99Ms   = 10
	maxHeapMB         = 200
	targetIdlePuts    = 0
	targetIdleWrites  = 0
	targetPutsCreate  = 0
	// maxClosedGetsPerInterval is design §12's quiet closed campaign: at most one read per
	// --closed-poll-interval.
	maxClosedGetsPerInterval = 1
	// maxTimesObjectBytes bounds the manager's heap growth over the rollout by what its
	// campaigns' objects take (about 35 B a device). The growth also holds buffers that do not
	// grow with the fleet but weigh at 100 000 devices: the watch's frame buffer, kept at the
	// largest campaign's JSON (about 1 MB with its managedFields), and pools; about 1.5 times the
	// objects in all. A fleet kept between reconciles (its ids, an order, or a set of held devices:
	// about 32 B a device each) would pass twice the objects.
	maxTimesObjectBytes = 2.0
)

// row is one line of the table: a figure and its target.
type row struct {
	name, value, target string
	met                 bool
}

// none is the target of the counts that must be zero.
const none = "= 0"

func (r results) rows(c details) []row {
	rows := []row{{"campaigns", fmt.Sprint(r.Campaigns), "", true}}
	rows = append(rows, r.createRows(c)...)
	rows = append(rows, r.updateRows(c)...)
	rows = append(rows, r.idleRows(c)...)
	rows = append(rows, r.heapRows(c)...)
	rows = append(rows, c.progress.describeRows()...)
	rows = append(rows, r.closedRows(c.closed)...)
	rows = append(rows, r.rolloutRows(c.rollout)...)
	return append(rows,
		row{"webhook_p50_ms", milliseconds(r.WebhookP50Ms), "", true},
		row{"webhook_p99_ms", milliseconds(r.WebhookP99Ms), fmt.Sprintf("< %d ms", maxWebhookP99Ms), r.WebhookP99Ms < maxWebhookP99Ms},
		row{"  p50 / p99 at the timer (its own hop included)", milliseconds(c.atTimerP50Ms) + " / " + milliseconds(c.atTimerP99Ms), "", true},
		row{"  dry-run update p50 / p99, client side", milliseconds(c.dryRunP50Ms) + " / " + milliseconds(c.dryRunP99Ms), "", true},
		row{fmt.Sprintf("  over %d ms inside the webhook handler", maxWebhookP99Ms), c.admissionActivity.describeSlowAdmissions(), "", true},
		row{"  other work's CPU while timing the webhook", seconds(c.admissionActivity.otherCPU), "", true},
		row{"floor_s (status floor: GET + status update of each, no operator)", seconds(r.FloorS), "", true},
		row{"  status floor by client workers", describeFloorPasses(c.floorPasses), "", true},
		row{"illegal or partial payloads (simulator)", fmt.Sprint(c.violations), none, c.violations == 0},
	)
}

// withinFloor is a step's row against its floor.
func withinFloor(name string, took, floor float64) row {
	bound := maxTimesStepFloor * floor
	return row{name, fmt.Sprintf("%s (%s x floor)", seconds(took), ratio(took, floor)),
		fmt.Sprintf("<= %g x floor = %s", maxTimesStepFloor, seconds(bound)), took <= bound}
}

func (r results) createRows(c details) []row {
	return []row{
		{"create_floor_s (creates + a status write each, plain client)", seconds(r.CreateFloorS), "", true},
		{"  creates alone in the floor", seconds(c.createFloor.userWrites.Seconds()), "", true},
		{"  other work's CPU in the floor / the step", cpuShare(c.createFloor.otherCPU, r.CreateFloorS) + " / " +
			cpuShare(c.createActivity.otherCPU, r.CreateToSyncedS), "", true},
		withinFloor("create_to_synced_s", r.CreateToSyncedS, r.CreateFloorS),
		{"  creates alone (admission included)", seconds(c.createRequestsS), "", true},
		{"puts_create", fmt.Sprint(r.PutsCreate), none, r.PutsCreate == targetPutsCreate},
		{"  GETs while creating", fmt.Sprint(c.getsCreate), "", true},
		{"  manager's API requests while creating", c.createActivity.describeRequests(), "", true},
		{"  reconciles while creating", c.createActivity.describeReconciles(), "", true},
		{"  manager CPU while creating", cpuShare(c.createActivity.cpuSeconds, r.CreateToSyncedS), "", true},
	}
}

func (r results) updateRows(c details) []row {
	return []row{
		{"update_floor_s (window changes + a status write each)", seconds(r.UpdateFloorS), "", true},
		{"  updates alone in the floor", seconds(c.updateFloor.userWrites.Seconds()), "", true},
		{"  other work's CPU in the floor / the step", cpuShare(c.updateFloor.otherCPU, r.UpdateFloorS) + " / " +
			cpuShare(c.updateActivity.otherCPU, r.UpdateToSyncedS), "", true},
		{"  status size, floor / operator", fmt.Sprintf("%d B / %d B", c.floorStatusBytes, c.operatorStatusBytes), "", true},
		withinFloor("update_to_synced_s", r.UpdateToSyncedS, r.UpdateFloorS),
		{"  updates alone (admission included)", seconds(c.updateRequestsS), "", true},
		{"puts_update", fmt.Sprint(r.PutsUpdate), fmt.Sprintf("= %d", r.Campaigns), r.PutsUpdate == r.Campaigns},
		{"  GETs while updating", fmt.Sprint(c.getsUpdate), "", true},
		{"  manager's API requests while updating", c.updateActivity.describeRequests(), "", true},
		{"  reconciles while updating", c.updateActivity.describeReconciles(), "", true},
		{"  manager CPU while updating", cpuShare(c.updateActivity.cpuSeconds, r.UpdateToSyncedS), "", true},
		{"gets_total (create and update)", fmt.Sprint(r.GetsTotal), "", true},
	}
}

func (r results) idleRows(c details) []row {
	return []row{
		{fmt.Sprintf("idle_puts (%s)", c.idleWait), fmt.Sprint(r.IdlePuts), none, r.IdlePuts == targetIdlePuts},
		{"idle_status_writes", fmt.Sprint(r.IdleStatusWrites), none, r.IdleStatusWrites == targetIdleWrites},
		{"  GETs while idle (polls)", fmt.Sprint(c.getsIdle), "", true},
		{"  manager CPU while idle", seconds(c.idleActivity.cpuSeconds), "", true},
	}
}

func (r results) heapRows(c details) []row {
	campaigns := float64(max(r.Campaigns, 1))
	return []row{
		{"heap_mb (manager, heap in use after GC, fleet synced)", fmt.Sprintf("%.1f", r.HeapMB), fmt.Sprintf("< %d MB", maxHeapMB), r.HeapMB < maxHeapMB},
		{"heap_bytes_per_campaign (synced - empty) / campaigns", fmt.Sprintf("%.0f B", r.HeapBytesPerCampaign), "", true},
		{"  heap in use empty / synced / synced per campaign", fmt.Sprintf("%.1f MB / %.1f MB / %.0f B", c.heapEmpty.inUse/(1<<20),
			c.heapSynced.inUse/(1<<20), c.heapSynced.inUse/campaigns), "", true},
		{"  live heap empty / synced / (synced - empty) per campaign", fmt.Sprintf("%.1f MB / %.1f MB / %.0f B", c.heapEmpty.live/(1<<20),
			c.heapSynced.live/(1<<20), (c.heapSynced.live-c.heapEmpty.live)/campaigns), "", true},
	}
}

func (r results) rolloutRows(f *rolloutFigures) []row {
	if f == nil {
		return nil
	}
	rows := []row{
		{"rollout_devices / rollout_campaigns", fmt.Sprintf("%d / %d", r.RolloutDevices, r.RolloutCampaigns), "", true},
		{"rollout_wave_floor_s (the slowest wave's campaigns created by a plain client)", seconds(r.RolloutWaveFloorS), "", true},
		withinFloor("rollout_wave_to_synced_s (the slowest wave, from approval)", r.RolloutWaveToSyncedS, r.RolloutWaveFloorS),
	}
	for _, w := range f.waves {
		rows = append(rows, row{fmt.Sprintf("  wave %d: %d devices in %d campaigns", w.wave, w.devices, w.campaigns),
			fmt.Sprintf("%s, floor %s (%s x floor)", seconds(w.toSynced.Seconds()), seconds(w.floor.Seconds()), ratio(w.toSynced.Seconds(), w.floor.Seconds())), "", true})
	}
	bound := maxTimesObjectBytes * f.objectBytesPerDevice()
	return append(rows,
		row{"rollout_posts", fmt.Sprint(r.RolloutPosts), fmt.Sprintf("= %d", r.RolloutCampaigns), r.RolloutPosts == r.RolloutCampaigns},
		row{"  POSTs of the floors' campaigns", fmt.Sprint(f.floorPosts), "", true},
		row{"rollout_heap_bytes_per_device (manager's live heap growth / devices)", fmt.Sprintf("%.1f B", r.RolloutHeapBytesPerDevice),
			fmt.Sprintf("<= %g x the campaigns' objects = %.1f B", maxTimesObjectBytes, bound), r.RolloutHeapBytesPerDevice <= bound},
		row{"  the campaigns' objects, decoded without managedFields, per device", fmt.Sprintf("%.1f B", f.objectBytesPerDevice()), "", true},
		row{"  heap growth beyond the objects (buffers that do not grow with the fleet)",
			fmt.Sprintf("%.1f MB", (f.heapAfter.live-f.heapBefore.live-f.objectBytes)/(1<<20)), "", true},
		row{"  manager's live heap before / after the rollout", fmt.Sprintf("%.1f MB / %.1f MB", f.heapBefore.live/(1<<20), f.heapAfter.live/(1<<20)), "", true},
		row{"  rollout reconciles over the rollout", f.manager.describeRolloutReconciles(), "", true},
		row{"  manager CPU over the rollout (floors included)", seconds(f.manager.cpuSeconds), "", true},
		row{"  manager's API requests over the rollout", f.manager.describeRequests(), "", true},
	)
}

// missed names the targets the results miss.
func missed(rows []row) []string {
	var names []string
	for _, r := range rows {
		if !r.met {
			names = append(names, strings.TrimSpace(r.name))
		}
	}
	return names
}

func printTable(w io.Writer, rows []row) error {
	table := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// A tabwriter only buffers; a failed write shows up at Flush.
	_, _ = fmt.Fprintln(table, "figure\tvalue\ttarget\t")
	for _, r := range rows {
		verdict := ""
		if r.target != "" {
			verdict = "ok"
			if !r.met {
				verdict = "MISSED"
			}
		}
		_, _ = fmt.Fprintf(table, "%s\t%s\t%s\t%s\n", r.name, r.value, r.target, verdict)
	}
	return table.Flush()
}

func writeResults(path string, r results) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// percentile is the nearest-rank percentile p (0 < p <= 100) of durations, in milliseconds.
func percentile(durations []time.Duration, p float64) float64 {
	if len(durations) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(durations)
	slices.Sort(sorted)
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return float64(sorted[rank-1]) / float64(time.Millisecond)
}

func seconds(s float64) string  { return fmt.Sprintf("%.2f s", s) }
func ratio(a, b float64) string { return fmt.Sprintf("%.2f", a/b) }

// cpuShare shows CPU seconds taken during a step of wallSeconds, and their share of the machine's
// cores.
func cpuShare(cpuSeconds, wallSeconds float64) string {
	if wallSeconds <= 0 {
		return seconds(cpuSeconds)
	}
	cores := runtime.NumCPU()
	return fmt.Sprintf("%s (%.0f%% of %d cores)", seconds(cpuSeconds), 100*cpuSeconds/(float64(cores)*wallSeconds), cores)
}
func milliseconds(ms float64) string { return fmt.Sprintf("%.2f ms", ms) }
