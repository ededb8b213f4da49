// Package harness runs fota-operator the way it runs in a cluster, for the benchmark (hack/bench)
// and the soak test (test/soak): a local control plane (kube-apiserver and etcd, the envtest
// binaries) with the FotaCampaign CRD and, when asked, the webhook configuration; the manager
// binary built from main.go and run as a process of its own, so that it can be profiled, killed
// and restarted; and fleets of ThingSpace campaigns seeded in the simulator with FotaCampaigns
// whose schedules match them.
//
// It owns no rules of the operator: a FotaCampaign counts as converged only by what its status
// and the simulator say.
package harness
