package fotacampaign

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// BenchmarkDeviceReportHeap reads a running campaign's device report through the real HTTP client
// from the simulator, as the reconciler does, and reports the most heap the read added at any
// page (peak-heap-bytes): it stays the same whether the campaign has a thousand devices or a
// hundred thousand, since the pages are streamed into counts and never kept.
//
//	go test ./controllers -run '^$' -bench DeviceReportHeap -benchtime 3x
func BenchmarkDeviceReportHeap(b *testing.B) {
	for _, devices := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			sim := simulator.New(simulator.Options{StaticTokens: []simulator.TokenPair{{AccessToken: "access", SessionToken: "session"}}})
			baseURL, err := sim.Start("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = sim.Close() }()
			fc := managedCampaign(runningSchedule())
			sim.Seed(held(fc, testID, "CampaignScheduled"))
			if err := sim.SetDevices(testAccount, testID, simulator.SampleDevices(devices)); err != nil {
				b.Fatal(err)
			}
			client, err := thingspace.NewHTTPClient(thingspace.Options{BaseURL: baseURL, QPS: 1e6, Burst: 1e6})
			if err != nil {
				b.Fatal(err)
			}
			w := newDecisionWorld(&testing.T{}, nil)
			w.r.ThingSpace = &heapWatch{Client: client}
			now := w.clk.Now()

			var peak uint64
			b.ResetTimer()
			for range b.N {
				c := &managed{fc: fc.DeepCopy(), state: &campaignState{}, creds: thingspace.Credentials{AccessToken: "access", SessionToken: "session"}, id: testID}
				watch := w.r.ThingSpace.(*heapWatch)
				watch.start()
				if stop := w.r.readDeviceReport(context.Background(), c, now); stop != nil {
					b.Fatalf("reading the report: %s", stop.message)
				}
				if got := c.fc.Status.Devices; got == nil || got.Total != int32(devices) {
					b.Fatalf("progress %+v, want %d devices", got, devices)
				}
				peak = max(peak, watch.peak)
			}
			b.ReportMetric(float64(peak), "peak-heap-bytes")
		})
	}
}

// heapWatch measures the live heap after every 1000 devices a report read hands on, above what
// it was when the read started.
type heapWatch struct {
	thingspace.Client
	base, peak uint64
	seen       int
}

func (h *heapWatch) start() {
	h.base, h.peak, h.seen = liveHeap(), 0, 0
}

func (h *heapWatch) DeviceReport(ctx context.Context, creds thingspace.Credentials, account, id string, visit func(thingspace.Device) error) error {
	return h.Client.DeviceReport(ctx, creds, account, id, func(d thingspace.Device) error {
		if h.seen++; h.seen%1000 == 0 {
			if heap := liveHeap(); heap > h.base {
				h.peak = max(h.peak, heap-h.base)
			}
		}
		return visit(d)
	})
}

func liveHeap() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}
