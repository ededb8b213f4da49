// Package fotacampaign holds the FotaCampaign reconciler: it keeps the schedule that ThingSpace holds
// equal to the spec, within the changes ThingSpace allows for the campaign's phase, and reports the
// outcome in the status.
package fotacampaign

// The FotaCampaign controller's RBAC, least privilege: it writes a FotaCampaign's status and its
// metadata (the finalizer, the name label and its annotations, by patch), never its spec, and
// never replaces or deletes one (the FotaRollout controller creates wave campaigns and patches
// their spec.cancel: controllers/fotarollout); it reads the Secrets campaigns name and writes
// events. config/default binds these rules cluster-wide;
// config/namespaced binds them in the watched namespaces only. The leader-election Lease is
// granted by a Role in the operator's own namespace (config/rbac/leader_election_role.yaml).
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
