package v1alpha1_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/test/envtest"
)

// These tests prove the static rules of the CRD schemas against a real kube-apiserver: what a user
// sees when `kubectl apply` sends a malformed FotaCampaign or FotaRollout.

var (
	k8sClient client.Client
	ctx       context.Context
)

func TestAPI(t *testing.T) {
	envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "FotaCampaign and FotaRollout CRD schemas")
}

var _ = BeforeSuite(func() {
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(context.Background())
	DeferCleanup(cancel)

	controlPlane := envtest.Start(GinkgoTB(), envtest.Options{})
	DeferCleanup(controlPlane.Stop)
	k8sClient = controlPlane.Client
})
