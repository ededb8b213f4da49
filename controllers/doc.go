// Package controllers holds the FotaCampaign reconciler: it keeps the schedule that ThingSpace holds
// equal to the spec, within the changes ThingSpace allows for the campaign's phase, and reports the
// outcome in the status.
package controllers

// The operator's cluster-wide RBAC: its own resources, the Secrets campaigns name (read only) and
// events. The leader-election lease is granted by a Role in the operator's own namespace
// (config/rbac/leader_election_role.yaml).
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=fota.thingspace.io,resources=fotacampaigns/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
