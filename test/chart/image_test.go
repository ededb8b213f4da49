package chart

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	testenv "github.com/fota-operator/fota-operator/test/envtest"
)

// TestDefaultImageIsTheOneMakeImageBuilds requires config/default, the chart's default values and
// the Makefile to name one image: IMG, which `make image` builds and names, and CONFIG_IMG, which
// `make deploy` replaces in what config/default renders.
func TestDefaultImageIsTheOneMakeImageBuilds(t *testing.T) {
	fromConfig := testenv.ManagerContainer(t, testenv.Only(t, kustomize(t, "default", nil), "Deployment"))["image"]
	fromChart := testenv.ManagerContainer(t, testenv.Only(t, helmTemplate(t), "Deployment"))["image"]
	img, configImg := makeVariable(t, "IMG"), makeVariable(t, "CONFIG_IMG")
	if fromConfig != img || fromChart != img || configImg != img {
		t.Errorf("the default images differ: config/default %v, the chart %v, the Makefile's IMG %s and CONFIG_IMG %s",
			fromConfig, fromChart, img, configImg)
	}
}

// makeVariable is the value the Makefile gives name when neither the command line nor the
// environment sets the variables it derives from.
func makeVariable(t *testing.T, name string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not on the PATH")
	}
	cmd := exec.Command("make", "--no-print-directory", "-s", "--eval", "print-variable: ; @echo $("+name+")", "print-variable")
	cmd.Dir = repoRoot(t)
	for _, variable := range os.Environ() {
		switch key, _, _ := strings.Cut(variable, "="); key {
		case "IMG", "CONFIG_IMG", "VERSION", "IMAGE_REPOSITORY", "MAKEFLAGS", "MFLAGS", "MAKELEVEL":
		default:
			cmd.Env = append(cmd.Env, variable)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make print-variable %s: %v: %s", name, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
