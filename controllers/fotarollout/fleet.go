package fotarollout

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// fleet is the rollout's fleet for one reconcile: its devices when they were read, or the size
// the status recorded, or why it cannot be read.
type fleet struct {
	// ids is the fleet without duplicates, in no particular order; nil when it was not read.
	ids []string
	// namespace and rollout name the rollout, whose identity orders the fleet.
	namespace, rollout string
	// orderedIDs is ids in rollout order, once ordered computed it for a wave cut in this
	// reconcile, for the other waves cut in it.
	orderedIDs []string
	// size is the number of devices: of ids, or as the status recorded it.
	size int
	// problem is why the fleet cannot be read (no new wave starts then); nil when it can.
	problem *rollout.FleetProblem
	// read tells a fleet read from its ConfigMaps in this reconcile from the one the status
	// recorded, of which only the size is known.
	read bool
}

// ordered is the fleet in the order of rollout.Order. Only a reconcile that cuts a wave needs it:
// hashing and sorting the fleet is most of what reading it costs (75 ms of CPU for 100 000
// devices, and it grows faster than the fleet), while most reconciles, woken by a wave
// campaign's status, cut nothing.
func (f *fleet) ordered() []string {
	if f.orderedIDs == nil {
		f.orderedIDs = rollout.Order(f.namespace, f.rollout, f.ids)
	}
	return f.orderedIDs
}

// readFleet reads spec.devices and every devicesFrom key. ConfigMaps are read from the API
// server, not a cache: the manager watches their metadata only, so a fleet of a million devices
// is never held between reconciles.
func (r *Reconciler) readFleet(ctx context.Context, fr *fotav1alpha1.FotaRollout) (fleet, error) {
	ids := make([]string, 0, len(fr.Spec.Devices))
	for _, id := range fr.Spec.Devices {
		ids = append(ids, string(id))
	}
	configMaps := map[string]*corev1.ConfigMap{}
	for i, source := range fr.Spec.DevicesFrom {
		ref := source.ConfigMapKeyRef
		cm, read := configMaps[ref.Name]
		if !read {
			cm = &corev1.ConfigMap{}
			if err := r.apiReader.Get(ctx, types.NamespacedName{Namespace: fr.Namespace, Name: ref.Name}, cm); err != nil {
				if apierrors.IsNotFound(err) {
					return fleet{problem: rollout.MissingConfigMap(i, ref)}, nil
				}
				return fleet{}, fmt.Errorf("reading ConfigMap %s of spec.devicesFrom[%d]: %w", ref.Name, i, err)
			}
			configMaps[ref.Name] = cm
		}
		text, ok := cm.Data[ref.Key]
		if !ok {
			return fleet{problem: rollout.MissingKey(i, ref)}, nil
		}
		parsed, bad := rollout.ParseDevices(text)
		if bad != nil {
			return fleet{problem: rollout.BadDevice(i, ref, *bad)}, nil
		}
		ids = append(ids, parsed...)
	}
	ids = withoutDuplicates(ids)
	if problem := rollout.CheckFleetSize(len(ids)); problem != nil {
		return fleet{problem: problem}, nil
	}
	return fleet{ids: ids, namespace: fr.Namespace, rollout: fr.Name, size: len(ids), read: true}, nil
}

// fleetFor is the rollout's fleet for this reconcile. Reading it means reading each of its
// ConfigMaps from the API server and parsing every id: for a million devices 16 MB and about a
// second of CPU, in a reconcile that every status change of a wave campaign wakes. So the devices
// are read only when something may turn on them (mustReadFleet). Otherwise the fleet is the size
// the status recorded, and its ConfigMaps are only checked to exist in the manager's metadata
// cache, so that one deleted while a wave runs shows at once. A wave never starts on a fleet that
// was not read in the same reconcile.
func (r *Reconciler) fleetFor(ctx context.Context, fr *fotav1alpha1.FotaRollout, waves waveCampaigns, now time.Time) (fleet, error) {
	if mustReadFleet(fr, waves, now) {
		return r.readFleet(ctx, fr)
	}
	return r.recordedFleet(ctx, fr)
}

// mustReadFleet reports whether the reconcile needs the fleet's devices: the spec changed since
// the status was written (spec.devices, devicesFrom, the waves), the status records no fleet or a
// fleet problem (which the ConfigMap event that woke the reconcile may have fixed), a wave of a
// rollout that is not aborted was cut short, or the next wave may start. A ConfigMap edited in
// between is read then: its new devices join the next wave, and a bad entry stops it.
func mustReadFleet(fr *fotav1alpha1.FotaRollout, waves waveCampaigns, now time.Time) bool {
	if fr.Generation != fr.Status.ObservedGeneration || fr.Status.FleetSize == 0 {
		return true
	}
	ready := meta.FindStatusCondition(fr.Status.Conditions, fotav1alpha1.ConditionReady)
	if ready == nil || ready.Reason == fotav1alpha1.ReasonDevicesNotFound || ready.Reason == fotav1alpha1.ReasonInvalidDevices {
		return true
	}
	if waves.cutShort(len(fr.Spec.Waves)) && !fr.Spec.Abort {
		return true
	}
	// Decided on a fleet without a problem: the most a fleet read could allow.
	in, err := decisionInput(fr, fleet{}, waves, now)
	return err != nil || rollout.Decide(in).StartNextWave
}

// recordedFleet is the fleet as the status recorded it, its ConfigMaps checked to exist in the
// manager's metadata cache.
func (r *Reconciler) recordedFleet(ctx context.Context, fr *fotav1alpha1.FotaRollout) (fleet, error) {
	for i, source := range fr.Spec.DevicesFrom {
		ref := source.ConfigMapKeyRef
		cm := &metav1.PartialObjectMetadata{}
		cm.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
		if err := r.client.Get(ctx, types.NamespacedName{Namespace: fr.Namespace, Name: ref.Name}, cm); err != nil {
			if apierrors.IsNotFound(err) {
				return fleet{problem: rollout.MissingConfigMap(i, ref)}, nil
			}
			return fleet{}, fmt.Errorf("reading the metadata of ConfigMap %s of spec.devicesFrom[%d]: %w", ref.Name, i, err)
		}
	}
	return fleet{size: int(fr.Status.FleetSize)}, nil
}

// withoutDuplicates keeps the first of equal ids, in place.
func withoutDuplicates(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	unique := ids[:0]
	for _, id := range ids {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			unique = append(unique, id)
		}
	}
	return unique
}
