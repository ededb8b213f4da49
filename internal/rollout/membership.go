package rollout

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// MaxCampaignDevices is the most devices one wave campaign holds: a FotaCampaign lists at most
// 10000.
const MaxCampaignDevices = 10_000

// Order is the fleet without duplicates, sorted by the SHA-256 digest of
// "<namespace>/<rollout>/<device>" (ascending, as hex text). The order depends on nothing but
// the rollout's identity and the set of devices: not on the order they are listed in, not on
// restarts, and it is the same for a rollout created again. A device keeps its place relative to
// the others when devices are added or removed, so a wave that has not started takes the same
// devices as before, plus the new ones that sort into it.
func Order(namespace, name string, fleet []string) []string {
	type keyed struct {
		digest [4]uint64 // the digest as big-endian words: compared in order, it sorts as the hex text
		id     string
	}
	prefix := namespace + "/" + name + "/"
	buf := make([]byte, 0, len(prefix)+maxDeviceIDLength)
	keys := make([]keyed, len(fleet))
	for i, id := range fleet {
		buf = append(append(buf[:0], prefix...), id...)
		sum := sha256.Sum256(buf)
		keys[i].id = id
		for w := range keys[i].digest {
			keys[i].digest[w] = binary.BigEndian.Uint64(sum[8*w:])
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		for w := range a.digest {
			if c := cmp.Compare(a.digest[w], b.digest[w]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.id, b.id)
	})
	ordered := make([]string, 0, len(keys))
	for i, k := range keys {
		// Equal ids have equal digests, so they sort next to each other.
		if i > 0 && k.id == keys[i-1].id {
			continue
		}
		ordered = append(ordered, k.id)
	}
	return ordered
}

// WaveEnd is the number of devices the started waves hold once wave w has started, for a fleet
// of fleetSize devices: devices: n gives n, percent: p gives ceil(p × fleetSize / 100), both
// capped at the fleet. A wave with neither gives 0.
func WaveEnd(w v1alpha1.Wave, fleetSize int) int {
	var end int
	switch {
	case w.Devices != nil:
		end = int(*w.Devices)
	case w.Percent != nil:
		end = (int(*w.Percent)*fleetSize + 99) / 100
	}
	return max(0, min(end, fleetSize))
}

// Take is the devices a wave takes: in the order of ordered, the devices that no started wave
// holds (started reports those; nil means none), until the started waves hold end devices of the
// fleet. It is nil when there is nothing to take: the wave is skipped. Only the devices still in
// the fleet count as held: a device removed after its wave started stays in its campaign but is
// no longer part of the share a wave reaches, so the last wave, percent: 100, always takes every
// device of the fleet that no wave holds.
func Take(ordered []string, started func(id string) bool, end int) []string {
	held := 0
	if started != nil {
		for _, id := range ordered {
			if started(id) {
				held++
			}
		}
	}
	want := end - held
	if want <= 0 {
		return nil
	}
	taken := make([]string, 0, want)
	for _, id := range ordered {
		if started != nil && started(id) {
			continue
		}
		taken = append(taken, id)
		if len(taken) == want {
			break
		}
	}
	if len(taken) == 0 {
		return nil
	}
	return taken
}

// Chunks cuts a wave's devices, in order, into consecutive campaigns of MaxCampaignDevices; the
// last one holds the rest. It is nil for no devices. The chunks share the memory of devices.
func Chunks(devices []string) [][]string {
	chunks := make([][]string, 0, (len(devices)+MaxCampaignDevices-1)/MaxCampaignDevices)
	for len(devices) > 0 {
		n := min(len(devices), MaxCampaignDevices)
		chunks = append(chunks, devices[:n:n])
		devices = devices[n:]
	}
	if len(chunks) == 0 {
		return nil
	}
	return chunks
}

// CampaignName is the name of chunk j (from 1) of wave k (from 1) of the rollout:
// "<rollout>-w<k>-<j>".
func CampaignName(rollout string, wave, chunk int) string {
	return fmt.Sprintf("%s-w%d-%d", rollout, wave, chunk)
}

// WaveCampaignsOf is which of listed, the FotaCampaigns labelled with the rollout's name, are the
// rollout's wave campaigns: those it controls and those nobody controls (a rollout created again
// after its campaigns were orphaned adopts them). Campaigns another object controls are not its.
// It filters listed in place.
func WaveCampaignsOf(fr *v1alpha1.FotaRollout, listed []v1alpha1.FotaCampaign) []v1alpha1.FotaCampaign {
	campaigns := listed[:0]
	for _, fc := range listed {
		if IsWaveCampaignOf(fr, &fc) {
			campaigns = append(campaigns, fc)
		}
	}
	return campaigns
}

// IsWaveCampaignOf reports whether a FotaCampaign labelled with the rollout's name is one of its
// wave campaigns: the rollout controls it, or nothing does.
func IsWaveCampaignOf(fr *v1alpha1.FotaRollout, fc metav1.Object) bool {
	controller := metav1.GetControllerOf(fc)
	return controller == nil || controller.UID == fr.UID
}

// WaveText is the Wave column's text, current/waves, e.g. "2/3".
func WaveText(current, waves int) string {
	return fmt.Sprintf("%d/%d", current, waves)
}

// UpgradedText is the Upgraded column's text, succeeded/fleetSize, e.g. "1000/100000".
func UpgradedText(succeeded, fleetSize int) string {
	return fmt.Sprintf("%d/%d", succeeded, fleetSize)
}
