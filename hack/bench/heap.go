package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
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

// rolloutObjectBytes is what the rollout's campaigns take on a Go heap when decoded from the API
// server's JSON, without managedFields: what the manager's cache holds for them, the yardstick
// of the heap the rollout adds. It is read from this process's own live heap around the decoding,
// after garbage collections; the benchmark's other goroutines allocate little meanwhile.
func (b *bench) rolloutObjectBytes(ctx context.Context) (float64, error) {
	var list fotav1alpha1.FotaCampaignList
	if err := b.cp.Client.List(ctx, &list, client.InNamespace(rolloutNamespace),
		client.MatchingLabels{fotav1alpha1.LabelRollout: rolloutName}); err != nil {
		return 0, err
	}
	data, err := json.Marshal(list)
	if err != nil {
		return 0, err
	}
	return decodedHeapBytes(data)
}

// decodedHeapBytes is the live heap that decoding data into a FotaCampaignList, and dropping the
// managedFields as the manager's cache does, leaves behind. data stays alive throughout, so that
// only the decoded objects make the difference; two collections on each side empty the
// sync.Pools, which keep what they held through one.
func decodedHeapBytes(data []byte) (float64, error) {
	var before, after runtime.MemStats
	collect := func(into *runtime.MemStats) {
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(into)
	}
	collect(&before)
	decoded := &fotav1alpha1.FotaCampaignList{}
	if err := json.Unmarshal(data, decoded); err != nil {
		return 0, err
	}
	for i := range decoded.Items {
		decoded.Items[i].ManagedFields = nil
	}
	collect(&after)
	runtime.KeepAlive(decoded)
	runtime.KeepAlive(data)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc), nil
}
