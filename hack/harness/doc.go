// Package harness runs fota-operator locally the way it runs in a cluster, for the dev
// environment (hack/dev), the benchmark (hack/bench) and the tests (test/envtest starts every
// test suite's control plane with it).
//
// It owns the pieces they share, each in one place: finding the clone and the envtest binaries
// (kube-apiserver, etcd, kubectl) in KUBEBUILDER_ASSETS or in the cache of
// hack/setup-envtest.sh; describing and starting a local control plane with the FotaCampaign
// CRD and, when asked, the webhook configuration; writing the kubeconfig of a cluster-admin
// user, or of a user that RBAC takes for a ServiceAccount; and rendering config/ with `kubectl
// kustomize`. For the benchmark and the tests it also builds the manager binary from main.go
// and runs it as a process of its own, so that it can be profiled, killed and restarted, and
// seeds fleets of ThingSpace campaigns in the simulator with FotaCampaigns whose schedules match
// them.
//
// It owns no rules of the operator: a FotaCampaign counts as converged only by what its status
// and the simulator say. Nor does it import the manager, the controller or the webhook (the
// scheme comes from internal/scheme): the webhook's in-package tests start their control plane
// through this package, and importing the webhook from here would be an import cycle.
package harness
