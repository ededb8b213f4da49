package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// referenceOrder is §11's membership rule written out plainly: sort by the hex text of the
// SHA-256 digest of "<namespace>/<rollout>/<device>".
func referenceOrder(namespace, name string, fleet []string) []string {
	digests := map[string]string{}
	for _, id := range fleet {
		sum := sha256.Sum256([]byte(namespace + "/" + name + "/" + id))
		digests[id] = hex.EncodeToString(sum[:])
	}
	ids := make([]string, 0, len(digests))
	for id := range digests {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return digests[ids[i]] < digests[ids[j]] })
	return ids
}

func devices(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = deviceID(i)
	}
	return ids
}

func TestOrder(t *testing.T) {
	fleet := devices(2000)
	shuffled := slices.Clone(fleet)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	withDuplicates := append(slices.Clone(fleet[:500]), fleet...)

	tests := map[string]struct {
		namespace, name string
		fleet           []string
		want            []string
	}{
		"the hex digests of <namespace>/<rollout>/<device>, ascending": {
			namespace: "fleet", name: "model-a-03", fleet: fleet,
			want: referenceOrder("fleet", "model-a-03", fleet),
		},
		"the order of the input does not matter": {
			namespace: "fleet", name: "model-a-03", fleet: shuffled,
			want: referenceOrder("fleet", "model-a-03", fleet),
		},
		"a device listed twice (inline and in a ConfigMap) comes once": {
			namespace: "fleet", name: "model-a-03", fleet: withDuplicates,
			want: referenceOrder("fleet", "model-a-03", fleet),
		},
		"another rollout orders the same fleet differently: its canary is other devices": {
			namespace: "fleet", name: "model-a-04", fleet: fleet,
			want: referenceOrder("fleet", "model-a-04", fleet),
		},
		"no fleet, no devices": {
			namespace: "fleet", name: "model-a-03", fleet: nil,
			want: []string{},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Order(tt.namespace, tt.name, tt.fleet)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if slices.Equal(Order("fleet", "model-a-03", fleet)[:10], Order("fleet", "model-a-04", fleet)[:10]) {
		t.Error("two rollouts start with the same ten devices")
	}
}

// TestOrderIsStableAcrossRuns pins the order of a few devices, so that a change of the rule, which
// would move devices between the waves of rollouts that run, fails here. The digests of
// "fleet/model-a-03/<device>" begin 1ad58d17, 3317de0c, 347a3782 and 524b39b2.
func TestOrderIsStableAcrossRuns(t *testing.T) {
	got := Order("fleet", "model-a-03", []string{"990013907835573", "990013907835581", "990013907835599", "990000000000001"})
	want := []string{"990013907835581", "990013907835573", "990000000000001", "990013907835599"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestWaveEnd(t *testing.T) {
	tests := map[string]struct {
		wave  v1alpha1.Wave
		fleet int
		want  int
	}{
		"devices: n is n":                          {wave: v1alpha1.Wave{Devices: new(int32(10))}, fleet: 1000, want: 10},
		"devices: n is capped at the fleet":        {wave: v1alpha1.Wave{Devices: new(int32(10))}, fleet: 3, want: 3},
		"percent: p of a fleet it divides exactly": {wave: v1alpha1.Wave{Percent: new(int32(10))}, fleet: 1000, want: 100},
		"percent: p rounds up to a whole device":   {wave: v1alpha1.Wave{Percent: new(int32(1))}, fleet: 150, want: 2},
		"percent: 1 of a small fleet is one device, not none": {
			wave: v1alpha1.Wave{Percent: new(int32(1))}, fleet: 3, want: 1,
		},
		"percent: 100 is the whole fleet":             {wave: v1alpha1.Wave{Percent: new(int32(100))}, fleet: 99999, want: 99999},
		"percent: 50 of an odd fleet rounds up":       {wave: v1alpha1.Wave{Percent: new(int32(50))}, fleet: 7, want: 4},
		"percent of a million devices stays exact":    {wave: v1alpha1.Wave{Percent: new(int32(33))}, fleet: MaxFleetSize, want: 330000},
		"an empty fleet gives nothing":                {wave: v1alpha1.Wave{Percent: new(int32(100))}, fleet: 0, want: 0},
		"a wave with neither devices nor percent":     {wave: v1alpha1.Wave{}, fleet: 100, want: 0},
		"the largest devices wave on a full fleet":    {wave: v1alpha1.Wave{Devices: new(int32(1_000_000))}, fleet: MaxFleetSize, want: MaxFleetSize},
		"percent: 99 of 101 devices rounds up to 100": {wave: v1alpha1.Wave{Percent: new(int32(99))}, fleet: 101, want: 100},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := WaveEnd(tt.wave, tt.fleet); got != tt.want {
				t.Errorf("WaveEnd = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTake(t *testing.T) {
	ordered := []string{"d1", "d2", "d3", "d4", "d5", "d6"}
	startedSet := func(ids ...string) func(string) bool {
		return func(id string) bool { return slices.Contains(ids, id) }
	}
	tests := map[string]struct {
		started func(string) bool
		end     int
		want    []string
	}{
		"the first wave takes from the start of the order": {
			end: 2, want: []string{"d1", "d2"},
		},
		"a later wave takes the devices after the started ones": {
			started: startedSet("d1", "d2"), end: 5, want: []string{"d3", "d4", "d5"},
		},
		"a device added to the fleet that sorts before a started wave's devices joins the next wave": {
			started: startedSet("d1", "d3"), end: 4, want: []string{"d2", "d4"},
		},
		"a device of a started wave that left the fleet does not count toward the fleet's share": {
			started: startedSet("d1", "gone"), end: 4, want: []string{"d2", "d3", "d4"},
		},
		"the last wave takes every device of the fleet after a started device left it": {
			started: startedSet("gone", "d1", "d2"), end: 6, want: []string{"d3", "d4", "d5", "d6"},
		},
		"a wave no larger than what has started takes nothing: it is skipped": {
			started: startedSet("d1", "d2", "d3"), end: 3, want: nil,
		},
		"a wave smaller than what has started takes nothing": {
			started: startedSet("d1", "d2", "d3"), end: 2, want: nil,
		},
		"a wave larger than the devices left takes what is left": {
			started: startedSet("d1", "d2", "d3", "d4"), end: 10, want: []string{"d5", "d6"},
		},
		"nothing left to take: skipped": {
			started: startedSet(ordered...), end: 7, want: nil,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Take(ordered, tt.started, tt.end)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMembershipWhenTheFleetGrows runs the waves devices: 10, percent: 50, percent: 100 while
// devices join the fleet between them: no device is in two waves, the started waves keep their
// devices, and every device of the final fleet is in a wave.
func TestMembershipWhenTheFleetGrows(t *testing.T) {
	waves := []v1alpha1.Wave{{Devices: new(int32(10))}, {Percent: new(int32(50))}, {Percent: new(int32(100))}}
	fleets := [][]string{devices(100), devices(150), devices(400)}
	owner := map[string]int{}
	var taken [][]string
	for k, wave := range waves {
		ordered := Order("fleet", "model-a-03", fleets[k])
		wanted := WaveEnd(wave, len(ordered))
		took := Take(ordered, func(id string) bool { _, ok := owner[id]; return ok }, wanted)
		for _, id := range took {
			if w, ok := owner[id]; ok {
				t.Fatalf("device %s taken by waves %d and %d", id, w+1, k+1)
			}
			owner[id] = k
		}
		if len(owner) != wanted {
			t.Errorf("after wave %d the waves hold %d devices, want %d", k+1, len(owner), wanted)
		}
		taken = append(taken, took)
	}
	if len(taken[0]) != 10 || len(taken[1]) != 65 || len(taken[2]) != 325 {
		t.Errorf("wave sizes %d, %d, %d, want 10, 65 (50%% of 150, less 10) and 325", len(taken[0]), len(taken[1]), len(taken[2]))
	}
	// The canary is the first ten of the fleet it was taken from, whatever joined later.
	if diff := cmp.Diff(Order("fleet", "model-a-03", fleets[0])[:10], taken[0]); diff != "" {
		t.Errorf("canary (-want +got):\n%s", diff)
	}
}

// TestMembershipWhenTheFleetShrinks removes half of the canary and some unstarted devices from
// the fleet between the waves devices: 10, percent: 50, percent: 100: the removed canary devices
// stay in the canary, no device is in two waves, and the last wave still reaches every device of
// the final fleet.
func TestMembershipWhenTheFleetShrinks(t *testing.T) {
	waves := []v1alpha1.Wave{{Devices: new(int32(10))}, {Percent: new(int32(50))}, {Percent: new(int32(100))}}
	owner := map[string]int{}
	fleet := devices(100)
	held := func(id string) bool { _, ok := owner[id]; return ok }
	for k, wave := range waves {
		ordered := Order("fleet", "model-a-03", fleet)
		for _, id := range Take(ordered, held, WaveEnd(wave, len(ordered))) {
			if w, ok := owner[id]; ok {
				t.Fatalf("device %s taken by waves %d and %d", id, w+1, k+1)
			}
			owner[id] = k
		}
		if k == 0 {
			canary := ordered[:10]
			fleet = slices.DeleteFunc(slices.Clone(fleet), func(id string) bool {
				return slices.Contains(canary[:5], id) || id == ordered[50]
			})
		}
	}
	for _, id := range fleet {
		if !held(id) {
			t.Errorf("device %s of the final fleet is in no wave", id)
		}
	}
	if len(owner) != 100-1 {
		t.Errorf("the waves hold %d devices, want 99: the whole first fleet but the unstarted device removed", len(owner))
	}
}

func TestChunks(t *testing.T) {
	tests := map[string]struct {
		devices   int
		wantSizes []int
	}{
		"no devices, no campaign":                        {devices: 0, wantSizes: nil},
		"one device, one campaign":                       {devices: 1, wantSizes: []int{1}},
		"exactly 10000, one campaign":                    {devices: 10000, wantSizes: []int{10000}},
		"10001, a second campaign of one":                {devices: 10001, wantSizes: []int{10000, 1}},
		"25000, two full campaigns and one for the rest": {devices: 25000, wantSizes: []int{10000, 10000, 5000}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			all := devices(tt.devices)
			chunks := Chunks(all)
			var sizes []int
			var joined []string
			for _, c := range chunks {
				sizes = append(sizes, len(c))
				joined = append(joined, c...)
			}
			if diff := cmp.Diff(tt.wantSizes, sizes); diff != "" {
				t.Errorf("sizes (-want +got):\n%s", diff)
			}
			if len(all) > 0 && !slices.Equal(all, joined) {
				t.Error("the chunks are not the devices in order")
			}
		})
	}
	chunks := Chunks(devices(15000))
	_ = append(chunks[0], "appended")
	if chunks[1][0] != deviceID(10000) {
		t.Error("appending to a chunk overwrote the next one")
	}
}

func TestCampaignNameAndColumns(t *testing.T) {
	tests := map[string]struct {
		got, want string
	}{
		"the first chunk of the first wave": {got: CampaignName("model-a-03", 1, 1), want: "model-a-03-w1-1"},
		"the longest: wave 20, chunk 100":   {got: CampaignName("model-a-03", 20, 100), want: "model-a-03-w20-100"},
		"the Wave column":                   {got: WaveText(2, 3), want: "2/3"},
		"the Upgraded column":               {got: UpgradedText(1000, 100000), want: "1000/100000"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// BenchmarkOrder orders a fleet of a million devices, the largest a rollout accepts.
func BenchmarkOrder(b *testing.B) {
	fleet := devices(MaxFleetSize)
	b.ReportAllocs()
	for b.Loop() {
		if got := Order("fleet", "model-a-03", fleet); len(got) != MaxFleetSize {
			b.Fatalf("ordered %d devices", len(got))
		}
	}
}
