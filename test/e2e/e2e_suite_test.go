// Package e2e runs `make dev` the way a person does: the dev environment as its own process, the
// real kubectl against it, the ThingSpace simulator's /_sim/ endpoints to see what reached
// ThingSpace, and a SIGTERM at the end. It checks only what that person would notice.
package e2e

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestMakeDev(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset, so there is no kube-apiserver to run: `make test` builds the binaries and sets it")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "make dev end to end")
}
