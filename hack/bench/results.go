package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// results are the figures of bin/bench/results.json; the keys are fixed, as scripts compare runs.
type results struct {
	Campaigns        int     `json:"campaigns"`
	FloorS           float64 `json:"floor_s"`
	CreateToSyncedS  float64 `json:"create_to_synced_s"`
	UpdateToSyncedS  float64 `json:"update_to_synced_s"`
	PutsCreate       int     `json:"puts_create"`
	PutsUpdate       int     `json:"puts_update"`
	GetsTotal        int     `json:"gets_total"`
	IdlePuts         int     `json:"idle_puts"`
	IdleStatusWrites int     `json:"idle_status_writes"`
	WebhookP50Ms     float64 `json:"webhook_p50_ms"`
	WebhookP99Ms     float64 `json:"webhook_p99_ms"`
	HeapMB           float64 `json:"heap_mb"`
}

// details are figures printed with the results that explain them, not compared between runs.
type details struct {
	createRequestsS float64 // how long the creates themselves took, admission included
	updateRequestsS float64
	getsCreate      int
	getsUpdate      int
	getsIdle        int
	idleWait        time.Duration
	dryRunP50Ms     float64 // the whole dry-run update as the client sees it
	dryRunP99Ms     float64
	violations      int
	createActivity  activity
	updateActivity  activity
	floorPasses     []floorPass
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
	maxTimesFloor    = 3
	maxWebhookP99Ms  = 20
	maxHeapMB        = 200
	targetIdlePuts   = 0
	targetIdleWrites = 0
	targetPutsCreate = 0
)

// row is one line of the table: a figure and its target.
type row struct {
	name, value, target string
	met                 bool
}

// none is the target of the counts that must be zero.
const none = "= 0"

func (r results) rows(c details) []row {
	floorBound := maxTimesFloor * r.FloorS
	return []row{
		{"campaigns", fmt.Sprint(r.Campaigns), "", true},
		{"floor_s (GET + status update of each, no operator)", seconds(r.FloorS), "", true},
		{"  floor by client workers", describeFloorPasses(c.floorPasses), "", true},
		{"create_to_synced_s", seconds(r.CreateToSyncedS), fmt.Sprintf("<= 3 x floor = %s", seconds(floorBound)), r.CreateToSyncedS <= floorBound},
		{"  creates alone (admission included)", seconds(c.createRequestsS), "", true},
		{"puts_create", fmt.Sprint(r.PutsCreate), none, r.PutsCreate == targetPutsCreate},
		{"  GETs while creating", fmt.Sprint(c.getsCreate), "", true},
		{"  manager's API requests while creating", c.createActivity.describeRequests(), "", true},
		{"  reconciles while creating", c.createActivity.describeReconciles(), "", true},
		{"update_to_synced_s", seconds(r.UpdateToSyncedS), fmt.Sprintf("<= 3 x floor = %s", seconds(floorBound)), r.UpdateToSyncedS <= floorBound},
		{"  updates alone (admission included)", seconds(c.updateRequestsS), "", true},
		{"puts_update", fmt.Sprint(r.PutsUpdate), fmt.Sprintf("= %d", r.Campaigns), r.PutsUpdate == r.Campaigns},
		{"  GETs while updating", fmt.Sprint(c.getsUpdate), "", true},
		{"  manager's API requests while updating", c.updateActivity.describeRequests(), "", true},
		{"  reconciles while updating", c.updateActivity.describeReconciles(), "", true},
		{fmt.Sprintf("idle_puts (%s)", c.idleWait), fmt.Sprint(r.IdlePuts), none, r.IdlePuts == targetIdlePuts},
		{"idle_status_writes", fmt.Sprint(r.IdleStatusWrites), none, r.IdleStatusWrites == targetIdleWrites},
		{"  GETs while idle (polls)", fmt.Sprint(c.getsIdle), "", true},
		{"gets_total (create and update)", fmt.Sprint(r.GetsTotal), "", true},
		{"webhook_p50_ms", milliseconds(r.WebhookP50Ms), "", true},
		{"webhook_p99_ms", milliseconds(r.WebhookP99Ms), fmt.Sprintf("< %d ms", maxWebhookP99Ms), r.WebhookP99Ms < maxWebhookP99Ms},
		{"  dry-run update p50 / p99, client side", milliseconds(c.dryRunP50Ms) + " / " + milliseconds(c.dryRunP99Ms), "", true},
		{"heap_mb (manager, heap in use)", fmt.Sprintf("%.1f", r.HeapMB), fmt.Sprintf("< %d MB", maxHeapMB), r.HeapMB < maxHeapMB},
		{"illegal or partial payloads (simulator)", fmt.Sprint(c.violations), none, c.violations == 0},
	}
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

func seconds(s float64) string       { return fmt.Sprintf("%.2f s", s) }
func milliseconds(ms float64) string { return fmt.Sprintf("%.2f ms", ms) }
