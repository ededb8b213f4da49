// Package e2e runs `make dev` the way a person does: the dev environment as its own process, the
// real kubectl against it, the ThingSpace simulator's /_sim/ endpoints to see what reached
// ThingSpace, and a SIGTERM at the end. It checks only what that person would notice.
package e2e

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fota-operator/fota-operator/test/envtest"
)

// assets is the directory of the control plane binaries, which the dev environment finds the
// same way.
var assets string

func TestMakeDev(t *testing.T) {
	assets = envtest.Assets(t)
	RegisterFailHandler(Fail)
	RunSpecs(t, "make dev end to end")
}
