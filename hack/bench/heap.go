package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// measureHeap reads the manager's heap in use after garbage collection, now that it holds the
// whole fleet in sync, and saves its heap profile. The heap per campaign is the slope between
// the empty manager and this one: what each campaign adds, without what the process holds anyway.
func (b *bench) measureHeap(ctx context.Context) error {
	synced, err := b.heapAfterGC(ctx, "manager-heap.pprof")
	if err != nil {
		return err
	}
	b.details.heapSynced = synced
	b.results.HeapMB = synced.inUse / (1 << 20)
	b.results.HeapBytesPerCampaign = (synced.inUse - b.details.heapEmpty.inUse) / float64(b.config.campaigns)
	return nil
}

// heapReading is the manager's heap right after a garbage collection: in use (the spans that hold
// objects, what the process asks the system for) and live (the objects themselves).
type heapReading struct{ inUse, live float64 }

// heapAfterGC reads the manager's heap in use after collecting its garbage twice, and saves the
// heap profile. Twice, because a sync.Pool keeps what it held through one collection: the gzip
// writers of the benchmark's metrics scrapes alone are megabytes. The figure is HeapInuse from the
// MemStats that the text form of the heap profile ends with: unlike a metrics scrape or the
// profile's binary form, that form compresses nothing, so reading the heap adds little to it.
func (b *bench) heapAfterGC(ctx context.Context, profile string) (heapReading, error) {
	var text []byte
	for range 2 {
		var err error
		if text, err = harness.Get(ctx, b.manager.PprofURL()+"/debug/pprof/heap?gc=1&debug=1", maxProfileBytes); err != nil {
			return heapReading{}, err
		}
	}
	inUse, inUseErr := memStat(text, "HeapInuse")
	live, liveErr := memStat(text, "HeapAlloc")
	if err := errors.Join(inUseErr, liveErr); err != nil {
		return heapReading{}, err
	}
	// The profile shows the heap as of the last collection, the one just made.
	return heapReading{inUse: inUse, live: live}, b.saveProfile(ctx, "/debug/pprof/heap", profile)
}

// memStat reads a runtime.MemStats field from the text form of a heap profile, which ends with
// lines such as "# HeapInuse = 24592384".
func memStat(profileText []byte, field string) (float64, error) {
	lines := bufio.NewScanner(bytes.NewReader(profileText))
	lines.Buffer(make([]byte, 0, 64*1024), 1<<20)
	prefix := "# " + field + " = "
	for lines.Scan() {
		if value, found := strings.CutPrefix(lines.Text(), prefix); found {
			return strconv.ParseFloat(strings.TrimSpace(value), 64)
		}
	}
	if err := lines.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("the heap profile has no %s line", field)
}

// maxProfileBytes bounds the read of a heap profile, whose text form is a few hundred kilobytes.
const maxProfileBytes = 64 << 20
