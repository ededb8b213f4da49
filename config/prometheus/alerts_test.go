// Package prometheus_test runs the operator's alerting rules through promtool: `check rules` for
// their syntax and `test rules` for alerts_test.yaml, where every alert fires when it should and
// stays silent at rest.
package prometheus_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"sigs.k8s.io/yaml"
)

const (
	alertsFile = "alerts.yaml"
	testsFile  = "alerts_test.yaml"
	// rulesFile is the plain Prometheus rules file that alerts_test.yaml names: the spec of the
	// PrometheusRule, which is what the Prometheus Operator hands to Prometheus.
	rulesFile  = "alerts.rules.yaml"
	runbookURL = "https://github.com/fota-operator/fota-operator/blob/main/README.md#runbook-"
)

type prometheusRule struct {
	Spec struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []rule `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

type rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func TestPromtool(t *testing.T) {
	promtool := promtoolBinary(t)
	dir := t.TempDir()
	writeRulesFile(t, filepath.Join(dir, rulesFile))
	if err := os.WriteFile(filepath.Join(dir, testsFile), readFile(t, testsFile), 0o600); err != nil {
		t.Fatal(err)
	}

	runPromtool(t, promtool, dir, "check", "rules", rulesFile)
	runPromtool(t, promtool, dir, "test", "rules", testsFile)
}

func TestEveryAlertIsTestedFiringAndSilent(t *testing.T) {
	firing, silent := testedAlerts(t)
	for _, r := range alertingRules(t) {
		if !firing[r.Alert] {
			t.Errorf("%s: %s has no case where it fires", r.Alert, testsFile)
		}
		if !silent[r.Alert] {
			t.Errorf("%s: %s has no case where it stays silent", r.Alert, testsFile)
		}
	}
}

func TestEveryAlertTellsWhatToLookAt(t *testing.T) {
	for _, r := range alertingRules(t) {
		if r.Labels["severity"] != "warning" && r.Labels["severity"] != "critical" {
			t.Errorf("%s: severity label %q, want warning or critical", r.Alert, r.Labels["severity"])
		}
		for _, annotation := range []string{"summary", "description"} {
			if strings.TrimSpace(r.Annotations[annotation]) == "" {
				t.Errorf("%s: no %s annotation", r.Alert, annotation)
			}
		}
		if want := runbookURL + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
			t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
		}
	}
}

// promtoolBinary finds bin/promtool at the root of the repository, or skips the test: an editor
// runs tests without make, and `make test` builds promtool first.
func promtoolBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	promtool := filepath.Join(dir, "bin", "promtool")
	if _, err := os.Stat(promtool); errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is missing: run `make promtool` to build it (make test does)", promtool)
	}
	return promtool
}

// writeRulesFile writes the spec of the PrometheusRule in alerts.yaml as a rules file.
func writeRulesFile(t *testing.T, path string) {
	t.Helper()
	var object map[string]any
	if err := yaml.Unmarshal(readFile(t, alertsFile), &object); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	spec, err := yaml.Marshal(object["spec"])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, spec, 0o600); err != nil {
		t.Fatal(err)
	}
}

func runPromtool(t *testing.T, promtool, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), promtool, args...)
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, output)
	}
}

func alertingRules(t *testing.T) []rule {
	t.Helper()
	var pr prometheusRule
	if err := yaml.Unmarshal(readFile(t, alertsFile), &pr); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	var rules []rule
	for _, group := range pr.Spec.Groups {
		rules = append(rules, group.Rules...)
	}
	if len(rules) == 0 {
		t.Fatalf("%s has no rules", alertsFile)
	}
	return rules
}

// testedAlerts reads which alerts alerts_test.yaml expects to fire at some evaluation, and which
// it expects to stay silent at some other.
func testedAlerts(t *testing.T) (firing, silent map[string]bool) {
	t.Helper()
	var unitTests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	if err := yaml.Unmarshal(readFile(t, testsFile), &unitTests); err != nil {
		t.Fatalf("%s: %v", testsFile, err)
	}
	firing, silent = map[string]bool{}, map[string]bool{}
	for _, group := range unitTests.Tests {
		for _, check := range group.AlertRuleTest {
			if len(check.ExpAlerts) > 0 {
				firing[check.Alertname] = true
			} else {
				silent[check.Alertname] = true
			}
		}
	}
	return firing, silent
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	content, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return content
}

// TestEveryRunbookLinkLeadsToAReadmeSection checks that the README has the heading each alert's
// runbook_url points at, the way GitHub names a heading's anchor.
func TestEveryRunbookLinkLeadsToAReadmeSection(t *testing.T) {
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(readFile(t, filepath.Join("..", "..", "README.md"))), "\n") {
		if heading, ok := strings.CutPrefix(line, "### "); ok {
			anchors[githubAnchor(heading)] = true
		}
	}
	for _, r := range alertingRules(t) {
		anchor := strings.TrimPrefix(r.Annotations["runbook_url"], runbookURL[:strings.Index(runbookURL, "#")+1])
		if !anchors[anchor] {
			t.Errorf("%s: the README has no heading for #%s (e.g. \"### Runbook: %s\")", r.Alert, anchor, r.Alert)
		}
	}
}

// githubAnchor is the anchor GitHub gives a heading: lower case, spaces as dashes, punctuation
// other than dashes and underscores dropped.
func githubAnchor(heading string) string {
	var anchor strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			anchor.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			anchor.WriteRune(r)
		}
	}
	return anchor.String()
}
