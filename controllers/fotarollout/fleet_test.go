package fotarollout

import (
	"slices"
	"testing"

	"github.com/fota-operator/fota-operator/internal/rollout"
)

func TestTheFleetIsOrderedOnlyWhenAWaveIsCut(t *testing.T) {
	fr := testRollout(devicesWave(2), percentWave(100))
	listed := []string{imei(3), imei(1), imei(3), imei(2), imei(1)}
	f := fleet{ids: withoutDuplicates(slices.Clone(listed)), namespace: fr.Namespace, rollout: fr.Name, order: new([]string)}
	if f.size() != 3 {
		t.Fatalf("size %d, want 3: duplicates count once", f.size())
	}
	if *f.order != nil {
		t.Fatal("the fleet was ordered before a wave asked for it")
	}
	want := rollout.Order(fr.Namespace, fr.Name, listed)
	if got := f.ordered(); !slices.Equal(got, want) {
		t.Fatalf("ordered %v, want rollout.Order's %v", got, want)
	}
	if !slices.Equal(*f.order, want) {
		t.Fatal("the order is not kept for the next wave cut in the same reconcile")
	}
}
