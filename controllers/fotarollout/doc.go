// Package fotarollout holds the FotaRollout reconciler: it reads a rollout's fleet, cuts each
// wave's devices into FotaCampaigns that it creates when the wave's gate, approval and release
// window allow, reads the waves' progress back from those campaigns' status, cancels the live
// ones on abort, and reports where the rollout stands. It never calls ThingSpace: the
// FotaCampaign controller schedules what it creates.
package fotarollout

// The rollout controller's RBAC. It reads rollouts and writes their status; it creates and
// server-side applies the wave campaigns (and patches spec.cancel on abort), lists them, and
// owns them (blockOwnerDeletion needs update on fotarollouts/finalizers where the
// OwnerReferencesPermissionEnforcement admission plugin runs); it reads the ConfigMaps that hold
// fleets, on demand, and watches their metadata only. config/namespaced binds the same
// ClusterRole per watched namespace, so namespaced mode grants the same.
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotarollouts,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotarollouts/status,verbs=patch
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotarollouts/finalizers,verbs=update
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
