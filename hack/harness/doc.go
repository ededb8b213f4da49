// Package harness runs fota-operator locally the way it runs in a cluster, for the dev
// environment (hack/dev), the benchmark (hack/bench) and the tests that run the manager as a
// process (test/soak, test/ha, test/namespaced).
//
// It owns the pieces they share: finding the clone and the envtest binaries (kube-apiserver,
// etcd, kubectl); describing and starting a local control plane with the FotaCampaign CRD and,
// when asked, the webhook configuration; writing the kubeconfig of a cluster-admin user, or of a
// user that RBAC takes for a ServiceAccount; and rendering config/ with `kubectl kustomize`. For
// the benchmark and the tests it also builds the manager binary from main.go and runs it as a
// process of its own, so that it can be profiled, killed and restarted, and seeds fleets of
// ThingSpace campaigns in the simulator with FotaCampaigns whose schedules match them.
//
// It owns no rules of the operator: a FotaCampaign counts as converged only by what its status
// and the simulator say.
package harness
