package fotarollout

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// fleet is the rollout's fleet as read now: its devices, or why it cannot be read. It lives for
// one reconcile only.
type fleet struct {
	// ids is the fleet without duplicates, in no particular order.
	ids []string
	// namespace and rollout name the rollout, whose identity orders the fleet.
	namespace, rollout string
	// order holds the fleet in rollout order once ordered computed it, for the other waves cut
	// in the same reconcile.
	order *[]string
	// problem is why the fleet cannot be read (no new wave starts then); nil when it can.
	problem *rollout.FleetProblem
}

// size is the number of devices in the fleet.
func (f fleet) size() int { return len(f.ids) }

// ordered is the fleet in the order of rollout.Order. Only a reconcile that cuts a wave needs it:
// hashing and sorting the fleet is most of what reading it costs (75 ms of CPU for 100 000
// devices, and it grows faster than the fleet), while most reconciles, woken by a wave
// campaign's status, cut nothing.
func (f fleet) ordered() []string {
	if f.order == nil {
		return rollout.Order(f.namespace, f.rollout, f.ids)
	}
	if *f.order == nil {
		*f.order = rollout.Order(f.namespace, f.rollout, f.ids)
	}
	return *f.order
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
	return fleet{ids: ids, namespace: fr.Namespace, rollout: fr.Name, order: new([]string)}, nil
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
