package status

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheREADMEShowsTheGoldenScreens: the README's section on kubectl fota status shows, after
// each command, exactly the screen the golden test renders for it, so the README cannot drift
// from what the plugin prints.
func TestTheREADMEShowsTheGoldenScreens(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for command, golden := range map[string]string{
		"$ kubectl fota status fc model-a-02to03 -n fleet":     "campaign-in-progress",
		"$ kubectl fota status fr model-a-03 -n fleet-rollout": "rollout-waiting-for-approval",
	} {
		want, err := os.ReadFile(filepath.Join("testdata", golden+".golden"))
		if err != nil {
			t.Fatal(err)
		}
		shown, ok := outputAfter(string(readme), command)
		if !ok {
			t.Errorf("the README shows no console block starting with %q", command)
			continue
		}
		if shown != strings.TrimRight(string(want), "\n") {
			t.Errorf("the README's output of %q differs from testdata/%s.golden:\n%s", command, golden, shown)
		}
	}
}

// outputAfter is what a README console block shows after the line command, up to the block's end.
func outputAfter(readme, command string) (string, bool) {
	_, rest, ok := strings.Cut(readme, "```console\n"+command+"\n")
	if !ok {
		return "", false
	}
	output, _, ok := strings.Cut(rest, "\n```")
	return output, ok
}
